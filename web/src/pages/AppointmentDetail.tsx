import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useParams } from "react-router";

import { useApi } from "../api/ApiContext";
import {
  appointmentQueries,
  isStale,
  useCancelAppointment,
  useCompleteAppointment,
} from "../api/appointments";
import { fieldErrors } from "../api/fieldErrors";
import { useAuth } from "../auth/AuthContext";
import { ErrorNotice, Field, Loading } from "../components/Feedback";
import { Reschedule } from "../components/Reschedule";
import { strings } from "../strings";
import { formatDateTime } from "../time";

/** One appointment: who, when, why; cancel, complete or move it as the caller may. Another
 * person's appointment is "not found", as the API answers. */
export function AppointmentDetail() {
  const { id = "" } = useParams();
  const { client, timeZone } = useApi();
  const { user, roles } = useAuth();
  const appointment = useQuery(appointmentQueries.detail(client, id));
  const [reason, setReason] = useState("");
  const [openedAt] = useState(() => Date.now());
  const cancel = useCancelAppointment(id);
  const complete = useCompleteAppointment(id);

  if (appointment.isPending) return <Loading />;
  if (appointment.error) return <ErrorNotice error={appointment.error} />;
  const a = appointment.data;
  const scheduled = a.status === "scheduled";
  const isAdmin = roles.includes("admin");
  const isDoctor = user?.profile.sub === a.doctor_id;
  const started = Date.parse(a.starts_at) <= openedAt;
  const failure = cancel.error ?? complete.error;
  const stale = isStale(failure);

  return (
    <section aria-labelledby="appointment-title">
      <h2 id="appointment-title">{formatDateTime(a.starts_at, timeZone)}</h2>
      <p className="hint">{strings.timesIn(timeZone)}</p>
      <dl className="details">
        <dt>{strings.appointments.labels.doctor}</dt>
        <dd>{a.doctor_name}</dd>
        <dt>{strings.appointments.labels.patient}</dt>
        <dd>{a.patient_name}</dd>
        <dt>{strings.booking.reason}</dt>
        <dd>{a.reason}</dd>
        <dt>{strings.appointments.labels.status}</dt>
        <dd>{strings.appointments.status[a.status]}</dd>
      </dl>
      {stale ? (
        <p role="alert" className="error">
          {strings.appointments.stale}
        </p>
      ) : failure ? (
        <ErrorNotice error={failure} />
      ) : null}
      {scheduled && (isDoctor || isAdmin) && started ? (
        <button
          type="button"
          onClick={() => {
            complete.mutate({ version: a.version });
          }}
          disabled={complete.isPending}
        >
          {strings.appointments.complete}
        </button>
      ) : null}
      {scheduled ? (
        <form
          className="card"
          onSubmit={(event) => {
            event.preventDefault();
            cancel.mutate({ version: a.version, reason });
          }}
        >
          <h3>{strings.appointments.cancel}</h3>
          <Field
            id="cancel-reason"
            label={strings.appointments.cancelReason}
            error={fieldErrors(cancel.error).fields.reason}
          >
            <input
              id="cancel-reason"
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
              }}
            />
          </Field>
          <button type="submit" className="danger" disabled={cancel.isPending}>
            {strings.appointments.confirmCancel}
          </button>
        </form>
      ) : null}
      {scheduled && !isDoctor ? <Reschedule appointment={a} /> : null}
    </section>
  );
}
