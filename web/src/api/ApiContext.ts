import { createContext, useContext } from "react";

import type { ApiClient } from "./client";

export interface Api {
  client: ApiClient;
  /** The clinic's IANA time zone: every time is shown in it. */
  timeZone: string;
}

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside ApiContext");
  return api;
}
