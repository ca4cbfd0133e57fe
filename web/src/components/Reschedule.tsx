import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { useApi } from "../api/ApiContext";
import { isStale, useMoveAppointment } from "../api/appointments";
import { doctorQueries } from "../api/doctors";
import type { Appointment } from "../api/types";
import { strings } from "../strings";
import { addDays, dateIn, formatDate } from "../time";
import { ErrorNotice } from "./Feedback";
import { SlotPicker } from "./SlotPicker";

/** Move a scheduled appointment to another free slot of its doctor in the next 31 days. */
export function Reschedule({ appointment }: { appointment: Appointment }) {
  const { client, timeZone } = useApi();
  const today = dateIn(new Date(), timeZone);
  const [date, setDate] = useState<string | null>(null);
  const availability = useQuery(
    doctorQueries.availability(client, appointment.doctor_id, today, addDays(today, 30)),
  );
  const move = useMoveAppointment(appointment.id);
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
        <option value="">{strings.appointments.noDay}</option>
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
            move.mutate({ version: appointment.version, slot });
          }}
        />
      ) : null}
      {move.error ? (
        isStale(move.error) ? (
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
