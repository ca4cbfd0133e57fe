import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { useApi } from "../api/ApiContext";
import { ApiProblem, unwrap } from "../api/problem";
import type { Appointment, Slot } from "../api/types";
import { strings } from "../strings";
import { addDays, dateIn, formatDate } from "../time";
import { ErrorNotice } from "./Feedback";
import { SlotPicker } from "./SlotPicker";

/** Move a scheduled appointment to another free slot of its doctor in the next 31 days. */
export function Reschedule({
  appointment,
  onMoved,
}: {
  appointment: Appointment;
  onMoved: (moved: Appointment) => Promise<void>;
}) {
  const { client, timeZone } = useApi();
  const queryClient = useQueryClient();
  const today = dateIn(new Date(), timeZone);
  const [date, setDate] = useState<string | null>(null);
  const availability = useQuery({
    queryKey: ["availability", appointment.doctor_id, today],
    queryFn: async () =>
      unwrap(
        await client.GET("/doctors/{id}/availability", {
          params: {
            path: { id: appointment.doctor_id },
            query: { from: today, to: addDays(today, 30) },
          },
        }),
      ),
  });
  const move = useMutation({
    mutationFn: async (slot: Slot) =>
      unwrap(
        await client.PATCH("/appointments/{id}", {
          params: {
            path: { id: appointment.id },
            header: { "If-Match": `"${String(appointment.version)}"` },
          },
          body: { starts_at: slot.starts_at },
        }),
      ),
    onSuccess: onMoved,
    onError: async (error) => {
      if (error instanceof ApiProblem && error.status === 412) {
        await queryClient.invalidateQueries({ queryKey: ["appointment", appointment.id] });
      }
    },
  });
  const days = availability.data?.days.filter((day) => day.slots.length > 0) ?? [];
  const slots = days.find((day) => day.date === date)?.slots ?? [];
  return (
    <div className="card">
      <h3>{strings.appointments.reschedule}</h3>
      <label htmlFor="reschedule-day">{strings.appointments.newDay}</label>
      <select
        id="reschedule-day"
        value={date ?? ""}
        onChange={(event) => {
          setDate(event.target.value || null);
        }}
      >
        <option value="">—</option>
        {days.map((day) => (
          <option key={day.date} value={day.date}>
            {formatDate(day.date)}
          </option>
        ))}
      </select>
      {date ? (
        <SlotPicker
          date={date}
          slots={slots}
          selected={null}
          onPick={(slot) => {
            move.mutate(slot);
          }}
        />
      ) : null}
      {move.error ? (
        move.error instanceof ApiProblem && move.error.status === 412 ? (
          <p role="alert" className="error">
            {strings.appointments.stale}
          </p>
        ) : (
          <ErrorNotice error={move.error} />
        )
      ) : null}
    </div>
  );
}
