import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";

import { useApi } from "../api/ApiContext";
import { appointmentQueries, useCompleteAppointment } from "../api/appointments";
import { ApiProblem } from "../api/problem";
import type { Appointment } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { CancelAppointment } from "../components/CancelAppointment";
import { ChangeRefused, ErrorNotice, Loading } from "../components/Feedback";
import { Reschedule } from "../components/Reschedule";
import { PriorityBadge, StatusBadge } from "../components/StatusBadge";
import { strings } from "../strings";
import { formatDateTime } from "../time";
import { Alert } from "../ui/Alert";
import { DetailsList } from "../ui/DetailsList";
import { PageHeader } from "../ui/PageHeader";
import { NotFound } from "./NotFound";

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
  // A cancel or complete changes the page under the reader: the title takes the focus, as the
  // button that did it is gone.
  const title = useRef<HTMLHeadingElement>(null);
  const status = appointment.data?.status;
  const statusBefore = useRef(status);
  useEffect(() => {
    if (statusBefore.current && status !== statusBefore.current) title.current?.focus();
    statusBefore.current = status;
  }, [status]);

  if (appointment.isPending) return <Loading />;
  if (appointment.error instanceof ApiProblem && appointment.error.status === 404) {
    return (
      <NotFound
        title={strings.appointments.notFound.title}
        lead={strings.appointments.notFound.lead}
      />
    );
  }
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
      <PageHeader
        id="appointment-title"
        title={when}
        lead={strings.timesIn(timeZone)}
        headingRef={title}
        actions={
          <Link className="button ghost" to="/appointments">
            {strings.appointments.backToAll}
          </Link>
        }
      />
      {shown.booked && scheduled && !shown.movedFrom ? (
        <Confirmation title={strings.appointments.booked.title}>
          <p>
            {isPatient
              ? strings.appointments.booked.emailed
              : strings.appointments.booked.emailedTo(a.patient_name)}
          </p>
        </Confirmation>
      ) : null}
      {shown.movedFrom && scheduled ? (
        <Moved key={shown.movedFrom} from={shown.movedFrom} appointment={a} />
      ) : null}
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
      <ChangeRefused error={complete.error} />
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
        {mayChange && !rescheduling ? <CancelAppointment appointment={a} /> : null}
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

/** What a booking or move just did. Its heading takes the focus, so that a screen reader reads
 * it, and the next Tab goes on from there. */
function Confirmation({ title, children }: { title: string; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <Alert tone="success">
      <h3 ref={heading} tabIndex={-1}>
        {title}
      </h3>
      {children}
    </Alert>
  );
}

/** The confirmation of a move: the old time struck through, the new one beside it. */
function Moved({ from, appointment }: { from: string; appointment: Appointment }) {
  const { timeZone } = useApi();
  return (
    <Confirmation title={strings.appointments.moved.title}>
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
    </Confirmation>
  );
}
