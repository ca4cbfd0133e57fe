import { type QueryClient, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { useApi } from "./ApiContext";
import type { ApiClient } from "./client";
import { cursorPagesOptions } from "./cursorPages";
import { doctorKeys } from "./doctors";
import { ApiProblem, unwrap } from "./problem";
import type { Appointment, AppointmentStatus, BookBody, Priority, Slot } from "./types";

/** What an admin narrows the appointment list by. */
export interface AppointmentFilters {
  status?: AppointmentStatus;
  priority?: Priority;
  doctor_id?: string;
  patient_id?: string;
  /** Instants: appointments ending after `from` and starting before `to`. */
  from?: string;
  to?: string;
}

const all = ["appointments"] as const;

/** Query keys of appointments: one appointment, and the lists that any change may reorder. */
export const appointmentKeys = {
  /** Every list (pages and agendas): what a booked, moved, cancelled or completed appointment
   * changes. */
  lists: () => [...all, "list"] as const,
  pages: (filters: AppointmentFilters) => [...all, "list", "pages", filters] as const,
  agenda: (from: string, to: string) => [...all, "list", "agenda", { from, to }] as const,
  detail: (id: string) => [...all, "detail", id] as const,
};

export const appointmentQueries = {
  /** One appointment. Another person's answers 404, and so does it on a retry. */
  detail: (client: ApiClient, id: string) =>
    queryOptions({
      queryKey: appointmentKeys.detail(id),
      retry: false,
      queryFn: async () =>
        unwrap(await client.GET("/appointments/{id}", { params: { path: { id } } })),
    }),
  /** The caller's scheduled appointments from `from` to `to` (instants), a doctor's agenda. */
  agenda: (client: ApiClient, from: string, to: string) =>
    queryOptions({
      queryKey: appointmentKeys.agenda(from, to),
      queryFn: async () =>
        unwrap(
          await client.GET("/appointments", {
            params: { query: { from, to, status: "scheduled", limit: 100 } },
          }),
        ),
    }),
  /** The caller's appointments (an admin's: everyone's), 50 a page. */
  pages: (client: ApiClient, filters: AppointmentFilters) =>
    cursorPagesOptions(appointmentKeys.pages(filters), async (cursor) =>
      unwrap(
        await client.GET("/appointments", {
          params: { query: { ...filters, limit: 50, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    ),
};

/** Whether a change was refused because the appointment changed since it was read (412
 * `stale-version`). */
export function isStale(error: unknown): error is ApiProblem {
  return error instanceof ApiProblem && error.status === 412;
}

/** Whether a booking or move was refused because the slot is taken (409 `slot-taken`). */
export function isSlotTaken(error: unknown): error is ApiProblem {
  return error instanceof ApiProblem && error.slug === "slot-taken";
}

/** `If-Match` for the version read, so a change made meanwhile is refused rather than lost. */
function ifMatch(version: number) {
  return { "If-Match": `"${String(version)}"` };
}

/** After a booking or change: the appointment as the API answered it, and the lists and the
 * doctor's free slots (and the directory's next free ones) fetched again. */
async function changed(queryClient: QueryClient, appointment: Appointment) {
  queryClient.setQueryData(appointmentKeys.detail(appointment.id), appointment);
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: appointmentKeys.lists() }),
    queryClient.invalidateQueries({ queryKey: doctorKeys.availabilityOf(appointment.doctor_id) }),
    queryClient.invalidateQueries({ queryKey: doctorKeys.nextFrees() }),
  ]);
}

export interface Booking {
  body: BookBody;
  /** The same key for a retry of the same booking, so it books once. */
  idempotencyKey: string;
}

/** Books a slot. A slot taken meanwhile fetches the doctor's free slots again, so the next
 * free one can be offered. */
export function useBookAppointment() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ body, idempotencyKey }: Booking) =>
      unwrap(
        await client.POST("/appointments", {
          params: { header: { "Idempotency-Key": idempotencyKey } },
          body,
        }),
      ),
    onSuccess: (appointment) => changed(queryClient, appointment),
    onError: async (error, { body }) => {
      if (isSlotTaken(error)) {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: doctorKeys.availabilityOf(body.doctor_id) }),
          queryClient.invalidateQueries({ queryKey: doctorKeys.nextFrees() }),
        ]);
      }
    },
  });
}

/** A change to appointment `id` made against the version read; when that version is stale, the
 * appointment is fetched again to show how it is now. */
function useAppointmentChange<TChange>(
  id: string,
  send: (client: ApiClient, change: TChange) => Promise<Appointment>,
) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: TChange) => send(client, change),
    onSuccess: (appointment) => changed(queryClient, appointment),
    onError: async (error) => {
      if (isStale(error)) {
        await queryClient.invalidateQueries({ queryKey: appointmentKeys.detail(id) });
      }
    },
  });
}

/** Cancels appointment `id`; a blank reason is not sent. */
export function useCancelAppointment(id: string) {
  return useAppointmentChange(
    id,
    async (client, { version, reason }: { version: number; reason: string }) =>
      unwrap(
        await client.POST("/appointments/{id}/cancel", {
          params: { path: { id }, header: ifMatch(version) },
          body: reason.trim() ? { reason } : {},
        }),
      ),
  );
}

export function useCompleteAppointment(id: string) {
  return useAppointmentChange(id, async (client, { version }: { version: number }) =>
    unwrap(
      await client.POST("/appointments/{id}/complete", {
        params: { path: { id }, header: ifMatch(version) },
      }),
    ),
  );
}

/** Moves appointment `id` to another free slot of its doctor. */
export function useMoveAppointment(id: string) {
  return useAppointmentChange(
    id,
    async (client, { version, slot }: { version: number; slot: Slot }) =>
      unwrap(
        await client.PATCH("/appointments/{id}", {
          params: { path: { id }, header: ifMatch(version) },
          body: { starts_at: slot.starts_at },
        }),
      ),
  );
}
