import { useState } from "react";

import { useApi } from "../api/ApiContext";
import { useMoveAppointment } from "../api/appointments";
import type { Appointment, Slot } from "../api/types";
import { strings } from "../strings";
import { formatDateTime } from "../time";
import { ChangeRefused } from "./Feedback";
import { SlotCalendar, useSlotCalendar } from "./SlotCalendar";

/** Move a scheduled appointment with the calendar booking uses: pick a day and a slot, then
 * confirm the move. `onMoved` gets where it was. */
export function Reschedule({
  appointment,
  onMoved,
  onClose,
}: {
  appointment: Appointment;
  onMoved: (from: string) => void;
  onClose: () => void;
}) {
  const { timeZone } = useApi();
  const calendar = useSlotCalendar(appointment.doctor_id);
  const [slot, setSlot] = useState<Slot | null>(null);
  const move = useMoveAppointment(appointment.id);
  return (
    <div className="card">
      <h3>{strings.appointments.rescheduleTitle}</h3>
      <SlotCalendar state={calendar} selected={slot} onPick={setSlot}>
        <ChangeRefused error={move.error} />
        <div className="actions">
          {slot ? (
            <button
              type="button"
              disabled={move.isPending}
              onClick={() => {
                move.mutate(
                  { version: appointment.version, slot },
                  {
                    onSuccess: () => {
                      onMoved(appointment.starts_at);
                    },
                  },
                );
              }}
            >
              {strings.appointments.moveTo(formatDateTime(slot.starts_at, timeZone))}
            </button>
          ) : null}
          <button type="button" className="secondary" onClick={onClose}>
            {strings.appointments.close}
          </button>
        </div>
      </SlotCalendar>
    </div>
  );
}
