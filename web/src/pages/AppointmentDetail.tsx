import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useLocation, useNavigate, useParams } from "react-router";

import { useApi } from "../api/ApiContext";
import { appointmentQueries, isStale, useCompleteAppointment } from "../api/appointments";
import type { Appointment } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { CancelAppointment } from "../components/CancelAppointment";
import { ErrorNotice, Loading } from "../components/Feedback";
import { Reschedule } from "../components/Reschedule";
import { PriorityBadge, StatusBadge } from "../components/StatusBadge";
import { strings } from "../strings";
import { formatDateTime } from "../time";
import { Alert } from "../ui/Alert";
import { DetailsList } from "../ui/DetailsList";
import { PageHeader } from "../ui/PageHeader";

/** What the page that led here tells it: a booking or a move just made, to confirm. */
export interface AppointmentPageState {
  booked?: boolean;
  /** Where the appointment was before it moved (`starts_at`). */
  movedFrom?: string;
  specialty?: string;
}

/** One appointment: who, when, why; cancel, complete or move it as the caller may. Another
 * person's appointment is "not found", as the API answers. Right after a booking or a move it
 * opens with the confirmation. */
export function AppointmentDetail() {
  const { id = "" } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const { client, timeZone } = useApi();
  const { user, roles } = useAuth();
  const appointment = useQuery(appointmentQueries.detail(client, id));
  const [openedAt] = useState(() => Date.now());
  const [rescheduling, setRescheduling] = useState(false);
  const complete = useCompleteAppointment(id);
  const shown = (location.state ?? {}) as AppointmentPageState;

  if (appointment.isPending) return <Loading />;
  if (appointment.error) return <ErrorNotice error={appointment.error} />;
  const a = appointment.data;
  const scheduled = a.status === "scheduled";
  const isAdmin = roles.includes("admin");
  const isDoctor = user?.profile.sub === a.doctor_id;
  const isPatient = user?.profile.sub === a.patient_id;
  const started = Date.parse(a.starts_at) <= openedAt;
  const mayChange = scheduled && (isAdmin || isDoctor || !started);
  const when = formatDateTime(a.starts_at, timeZone);

  const confirm = (next: AppointmentPageState) => {
    setRescheduling(false);
    void navigate(location.pathname, { replace: true, state: { ...shown, ...next } });
  };

  return (
    <section aria-labelledby="appointment-title">
      <PageHeader id="appointment-title" title={when} lead={strings.timesIn(timeZone)} />
      {shown.booked && scheduled && !shown.movedFrom ? (
        <Alert tone="success">
          <h3>{strings.appointments.booked.title}</h3>
          <p>
            {isPatient
              ? strings.appointments.booked.emailed
              : strings.appointments.booked.emailedTo(a.patient_name)}
          </p>
        </Alert>
      ) : null}
      {shown.movedFrom && scheduled ? <Moved from={shown.movedFrom} appointment={a} /> : null}
      <div className="card">
        <DetailsList
          items={[
            [strings.appointments.labels.doctor, a.doctor_name],
            ...(shown.specialty
              ? [[strings.appointments.labels.specialty, shown.specialty] as const]
              : []),
            [strings.appointments.labels.patient, a.patient_name],
            [strings.appointments.labels.when, when],
            [
              strings.appointments.labels.duration,
              strings.appointments.minutes(a.duration_minutes),
            ],
            [strings.appointments.labels.reason, a.reason],
            [
              strings.appointments.labels.status,
              <span className="actions" key="status">
                <StatusBadge status={a.status} />
                <PriorityBadge priority={a.priority} />
              </span>,
            ],
          ]}
        />
      </div>
      {isStale(complete.error) ? (
        <p role="alert" className="alert danger">
          {strings.appointments.stale}
        </p>
      ) : complete.error ? (
        <ErrorNotice error={complete.error} />
      ) : null}
      <div className="actions">
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
        {mayChange && !isDoctor && !rescheduling ? (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setRescheduling(true);
            }}
          >
            {strings.appointments.reschedule}
          </button>
        ) : null}
        {mayChange ? <CancelAppointment appointment={a} /> : null}
      </div>
      {rescheduling ? (
        <Reschedule
          appointment={a}
          onMoved={(from) => {
            confirm({ movedFrom: from });
          }}
          onClose={() => {
            setRescheduling(false);
          }}
        />
      ) : null}
    </section>
  );
}

/** The confirmation of a move: the old time struck through, the new one beside it. */
function Moved({ from, appointment }: { from: string; appointment: Appointment }) {
  const { timeZone } = useApi();
  return (
    <Alert tone="success">
      <h3>{strings.appointments.moved.title}</h3>
      <p className="moved">
        <del>
          <span className="visually-hidden">{strings.appointments.moved.was}</span>
          {formatDateTime(from, timeZone)}
        </del>{" "}
        →{" "}
        <ins>
          <span className="visually-hidden">{strings.appointments.moved.now}</span>
          {formatDateTime(appointment.starts_at, timeZone)}
        </ins>
      </p>
    </Alert>
  );
}
