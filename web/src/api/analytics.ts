import { queryOptions } from "@tanstack/react-query";

import type { ApiClient } from "./client";
import { unwrap } from "./problem";

const all = ["analytics"] as const;

/** Query keys of the clinic's figures. */
export const analyticsKeys = {
  summary: () => [...all, "summary"] as const,
  daily: () => [...all, "daily"] as const,
};

export const analyticsQueries = {
  /** Totals, counts by status and open emergencies. */
  summary: (client: ApiClient) =>
    queryOptions({
      queryKey: analyticsKeys.summary(),
      queryFn: async () => unwrap(await client.GET("/analytics/summary")),
    }),
  /** Bookings, cancellations and completions per day over the last 30 days. */
  daily: (client: ApiClient) =>
    queryOptions({
      queryKey: analyticsKeys.daily(),
      queryFn: async () => unwrap(await client.GET("/analytics/daily")),
    }),
};
