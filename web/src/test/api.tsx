import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import createClient from "openapi-fetch";
import type { ReactNode } from "react";
import { vi } from "vitest";

import { ApiContext } from "../api/ApiContext";
import type { paths } from "../api/schema";

/** A JSON answer of the API; a 4xx or 5xx is sent as problem+json. */
export function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": status >= 400 ? "application/problem+json" : "application/json",
    },
  });
}

/** A typed API client whose every request `respond` answers (in the order sent), with the
 * query cache and context the app's components read. */
export function fakeApi(respond: (request: Request) => Response) {
  const fetch = vi.fn((request: Request) => Promise.resolve(respond(request)));
  const client = createClient<paths>({ baseUrl: "http://api.test", fetch });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  function Wrapper({ children }: { children: ReactNode }) {
    return (
      <ApiContext.Provider value={{ client, timeZone: "UTC" }}>
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </ApiContext.Provider>
    );
  }
  /** The requests sent so far. */
  const requests = () => fetch.mock.calls.map(([request]) => request);
  return { client, queryClient, Wrapper, requests };
}
