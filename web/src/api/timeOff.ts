import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { useApi } from "./ApiContext";
import type { ApiClient } from "./client";
import { doctorKeys } from "./doctors";
import { unwrap } from "./problem";
import type { TimeOffBody } from "./types";

/** Whose time off: one doctor's, or the clinic's closures. */
export type Owner = { doctorId: string } | "clinic";

export const timeOffKeys = {
  of: (owner: Owner) => ["time-off", owner === "clinic" ? "clinic" : owner.doctorId] as const,
};

export const timeOffQueries = {
  /** Time off not over yet, by start, notes included. */
  upcoming: (client: ApiClient, owner: Owner) =>
    queryOptions({
      queryKey: timeOffKeys.of(owner),
      queryFn: async () =>
        unwrap(
          owner === "clinic"
            ? await client.GET("/closures")
            : await client.GET("/doctors/{id}/time-off", {
                params: { path: { id: owner.doctorId } },
              }),
        ),
    }),
};

/** Time off changes what is free: every doctor's slots for a closure, one doctor's otherwise. */
function useRefresh(owner: Owner) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: timeOffKeys.of(owner) }),
      queryClient.invalidateQueries({
        queryKey: owner === "clinic" ? ["doctors"] : doctorKeys.availabilityOf(owner.doctorId),
      }),
      queryClient.invalidateQueries({ queryKey: doctorKeys.nextFrees() }),
    ]);
}

/** Records time off; the answer lists the scheduled appointments inside it. */
export function useRecordTimeOff(owner: Owner) {
  const { client } = useApi();
  const refresh = useRefresh(owner);
  return useMutation({
    mutationFn: async (body: TimeOffBody) =>
      unwrap(
        owner === "clinic"
          ? await client.POST("/closures", { body })
          : await client.POST("/doctors/{id}/time-off", {
              params: { path: { id: owner.doctorId } },
              body,
            }),
      ),
    onSuccess: refresh,
  });
}

/** Takes time off back: its slots are bookable again. */
export function useDeleteTimeOff(owner: Owner) {
  const { client } = useApi();
  const refresh = useRefresh(owner);
  return useMutation({
    mutationFn: async (id: string) => {
      const { error, response } =
        owner === "clinic"
          ? await client.DELETE("/closures/{id}", { params: { path: { id } } })
          : await client.DELETE("/doctors/{id}/time-off/{time_off_id}", {
              params: { path: { id: owner.doctorId, time_off_id: id } },
            });
      if (error) unwrap({ error, response });
    },
    onSuccess: refresh,
  });
}
