import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import type { Appointment } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { strings } from "../strings";
import { formatDateTime, formatTime } from "../time";
import { PriorityBadge, StatusBadge } from "./StatusBadge";

/** One appointment in a list: when, the people in it other than the reader (an admin sees
 * both), why, and its status. */
export function AppointmentItem({
  appointment,
  timeOnly = false,
}: {
  appointment: Appointment;
  /** Under a heading naming its day: the start and end times alone. */
  timeOnly?: boolean;
}) {
  const { timeZone } = useApi();
  const { user } = useAuth();
  const me = user?.profile.sub;
  const people = [
    appointment.doctor_id !== me
      ? `${strings.appointments.labels.doctor}: ${appointment.doctor_name}`
      : null,
    appointment.patient_id !== me
      ? `${strings.appointments.labels.patient}: ${appointment.patient_name}`
      : null,
  ].filter((person) => person !== null);
  return (
    <li className="card appointment">
      <p>
        <Link className="when" to={`/appointments/${appointment.id}`}>
          {timeOnly
            ? strings.appointments.timeRange(
                formatTime(appointment.starts_at, timeZone),
                formatTime(appointment.ends_at, timeZone),
              )
            : formatDateTime(appointment.starts_at, timeZone)}
        </Link>
      </p>
      <p className="badges">
        <StatusBadge status={appointment.status} />
        <PriorityBadge priority={appointment.priority} />
      </p>
      <p className="people">{people.join(" · ")}</p>
      <p className="reason">{appointment.reason}</p>
    </li>
  );
}
