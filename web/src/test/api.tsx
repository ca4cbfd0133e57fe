import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import createClient from "openapi-fetch";
import type { ReactNode } from "react";
import { vi } from "vitest";

import { ApiContext } from "../api/ApiContext";
import type { paths } from "../api/schema";
import type { Appointment } from "../api/types";

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

/** An appointment as the API answers it: Ada Lovelace with Grace Hopper, scheduled, version 3;
 * `changes` set what a test is about. */
export function anAppointment(changes: Partial<Appointment> = {}): Appointment {
  return {
    id: "0b6f3c2e-8a4d-4f1e-9c7b-2d5e6f7a8b91",
    patient_id: "7e1d2c3b-4a5f-4e6d-8c7b-9a0b1c2d3e04",
    patient_name: "Ada Lovelace",
    doctor_id: "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02",
    doctor_name: "Grace Hopper",
    starts_at: "2030-03-04T09:00:00Z",
    ends_at: "2030-03-04T09:30:00Z",
    duration_minutes: 30,
    reason: "check-up",
    priority: "normal",
    status: "scheduled",
    version: 3,
    created_at: "2030-03-01T08:00:00Z",
    updated_at: "2030-03-01T08:00:00Z",
    ...changes,
  };
}
