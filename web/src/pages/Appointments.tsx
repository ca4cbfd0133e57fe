import { type ReactNode, useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { appointmentQueries, type AppointmentFilters } from "../api/appointments";
import { useCursorPages } from "../api/cursorPages";
import type { Appointment } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { AppointmentFilterBar } from "../components/AppointmentFilterBar";
import { AppointmentItem } from "../components/AppointmentItem";
import { ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";

/** Upcoming (scheduled, not yet over) soonest first; past (completed, or over) and cancelled
 * latest first. */
export function splitAppointments(items: readonly Appointment[], now: string) {
  const upcoming = items.filter((a) => a.status === "scheduled" && a.ends_at > now);
  const past = items
    .filter((a) => a.status === "completed" || (a.status === "scheduled" && a.ends_at <= now))
    .reverse();
  const cancelled = items.filter((a) => a.status === "cancelled").reverse();
  return { upcoming, past, cancelled };
}

/** A patient's appointments; a doctor's; for an admin every appointment, with filters. */
export function Appointments() {
  const { client } = useApi();
  const { roles } = useAuth();
  const [filters, setFilters] = useState<AppointmentFilters>({});
  const list = useCursorPages(appointmentQueries.pages(client, filters));
  const { upcoming, past, cancelled } = splitAppointments(list.items, new Date().toISOString());
  const canBook = roles.includes("patient") || roles.includes("admin");

  return (
    <section aria-labelledby="appointments-title">
      <PageHeader
        id="appointments-title"
        title={strings.appointments.title}
        actions={
          canBook ? (
            <Link className="button" to="/book">
              {strings.appointments.bookOne}
            </Link>
          ) : null
        }
      />
      {roles.includes("admin") ? (
        <AppointmentFilterBar filters={filters} onChange={setFilters} />
      ) : null}
      {list.isPending ? <Loading /> : null}
      {list.error ? <ErrorNotice error={list.error} /> : null}
      {list.isSuccess ? (
        <>
          <Group
            title={strings.appointments.upcoming}
            items={upcoming}
            empty={
              <EmptyState
                message={strings.appointments.noUpcoming}
                action={
                  canBook ? <Link to="/book">{strings.appointments.bookOne}</Link> : undefined
                }
              />
            }
          />
          <Group
            title={strings.appointments.past}
            items={past}
            empty={<EmptyState message={strings.appointments.noPast} />}
          />
          <Group
            title={strings.appointments.cancelled}
            items={cancelled}
            empty={<EmptyState message={strings.appointments.noCancelled} />}
          />
        </>
      ) : null}
      {list.hasMore ? (
        <button type="button" className="secondary" onClick={list.loadMore}>
          {strings.more}
        </button>
      ) : null}
    </section>
  );
}

function Group({
  title,
  items,
  empty,
}: {
  title: string;
  items: readonly Appointment[];
  empty: ReactNode;
}) {
  return (
    <>
      <h3>{title}</h3>
      {items.length === 0 ? (
        empty
      ) : (
        <ul className="list">
          {items.map((a) => (
            <AppointmentItem key={a.id} appointment={a} />
          ))}
        </ul>
      )}
    </>
  );
}
