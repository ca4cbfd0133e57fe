import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import type { Appointment } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { strings } from "../strings";
import { formatDateTime } from "../time";

/** One appointment in a list: when, with whom, its status. */
export function AppointmentItem({ appointment }: { appointment: Appointment }) {
  const { timeZone } = useApi();
  const { user } = useAuth();
  const isDoctor = user?.profile.sub === appointment.doctor_id;
  const other = isDoctor
    ? strings.appointments.for(appointment.patient_name)
    : strings.appointments.with(appointment.doctor_name);
  return (
    <li className={`card appointment ${appointment.status}`}>
      <Link to={`/appointments/${appointment.id}`}>
        {formatDateTime(appointment.starts_at, timeZone)}
      </Link>{" "}
      <span>{other}</span>{" "}
      <span className="badge">{strings.appointments.status[appointment.status]}</span>
      {appointment.priority === "emergency" ? (
        <span className="badge emergency">{strings.booking.emergency}</span>
      ) : null}
    </li>
  );
}
