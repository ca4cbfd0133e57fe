import { queryOptions } from "@tanstack/react-query";

import type { ApiClient } from "./client";
import { unwrap } from "./problem";

const all = ["notifications"] as const;

/** Query keys of the emails Carebook sent. */
export const notificationKeys = {
  latest: () => [...all, "latest"] as const,
};

export const notificationQueries = {
  /** The latest 50 emails sent to the caller (an admin: to anyone), newest first. */
  latest: (client: ApiClient) =>
    queryOptions({
      queryKey: notificationKeys.latest(),
      queryFn: async () =>
        unwrap(await client.GET("/notifications", { params: { query: { limit: 50 } } })),
    }),
};
