import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { useApi } from "./ApiContext";
import type { ApiClient } from "./client";
import { cursorPagesOptions } from "./cursorPages";
import { unwrap } from "./problem";
import type { HoursSpan } from "./types";

const all = ["doctors"] as const;

/** Query keys of doctors: the directory, and per doctor their free slots and working hours. */
export const doctorKeys = {
  /** Every page of the directory, whatever the specialty: what onboarding a doctor changes. */
  directories: () => [...all, "directory"] as const,
  directory: (specialty: string, limit: number) =>
    [...doctorKeys.directories(), { specialty, limit }] as const,
  /** The specialties the directory filters by: what onboarding a doctor changes. */
  specialties: () => [...all, "specialties"] as const,
  /** Every doctors' next free slots: what any booking or change may move. */
  nextFrees: () => [...all, "next-free"] as const,
  nextFree: (doctorIds: readonly string[]) => [...doctorKeys.nextFrees(), doctorIds] as const,
  /** Every range of a doctor's free slots: what a booking or new working hours change. */
  availabilityOf: (doctorId: string) => [...all, doctorId, "availability"] as const,
  availability: (doctorId: string, from: string, to: string) =>
    [...all, doctorId, "availability", { from, to }] as const,
  workingHours: (doctorId: string) => [...all, doctorId, "working-hours"] as const,
};

export const doctorQueries = {
  /** The doctor directory by last name, `limit` a page; an empty `specialty` is every doctor. */
  directory: (client: ApiClient, specialty: string, limit: number) =>
    cursorPagesOptions(doctorKeys.directory(specialty, limit), async (cursor) =>
      unwrap(
        await client.GET("/doctors", {
          params: {
            query: {
              limit,
              ...(specialty ? { specialty } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    ),
  /** Every specialty a doctor has, by name, each with how many doctors have it. */
  specialties: (client: ApiClient) =>
    queryOptions({
      queryKey: doctorKeys.specialties(),
      queryFn: async () => unwrap(await client.GET("/doctors/specialties")),
      staleTime: 5 * 60_000,
    }),
  /** The first free slot of each of `doctorIds` (at most 50) within the next eight weeks. */
  nextFree: (client: ApiClient, doctorIds: readonly string[]) =>
    queryOptions({
      queryKey: doctorKeys.nextFree(doctorIds),
      queryFn: async () =>
        unwrap(
          await client.GET("/doctors/next-free-slots", {
            params: { query: { doctor_id: [...doctorIds] } },
          }),
        ),
    }),
  /** A doctor's free slots on each day from `from` to `to` (dates, both included). */
  availability: (client: ApiClient, doctorId: string, from: string, to: string) =>
    queryOptions({
      queryKey: doctorKeys.availability(doctorId, from, to),
      queryFn: async () =>
        unwrap(
          await client.GET("/doctors/{id}/availability", {
            params: { path: { id: doctorId }, query: { from, to } },
          }),
        ),
    }),
  /** A doctor's week, their own or else the clinic's default. */
  workingHours: (client: ApiClient, doctorId: string) =>
    queryOptions({
      queryKey: doctorKeys.workingHours(doctorId),
      queryFn: async () =>
        unwrap(
          await client.GET("/doctors/{id}/working-hours", { params: { path: { id: doctorId } } }),
        ),
    }),
};

/** Replaces a doctor's whole week; their free slots are fetched again, as they follow it. */
export function useSaveWorkingHours(doctorId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (hours: HoursSpan[]) =>
      unwrap(
        await client.PUT("/doctors/{id}/working-hours", {
          params: { path: { id: doctorId } },
          body: { hours },
        }),
      ),
    onSuccess: async (saved) => {
      queryClient.setQueryData(doctorKeys.workingHours(doctorId), saved);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: doctorKeys.availabilityOf(doctorId) }),
        queryClient.invalidateQueries({ queryKey: doctorKeys.nextFrees() }),
      ]);
    },
  });
}
