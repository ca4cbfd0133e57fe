import { useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { appointmentQueries, type AppointmentFilters } from "../api/appointments";
import { useCursorPages } from "../api/cursorPages";
import { useAuth } from "../auth/AuthContext";
import { AppointmentFilterBar } from "../components/AppointmentFilterBar";
import { AppointmentItem } from "../components/AppointmentItem";
import { ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import { Segmented } from "../ui/Segmented";

export type View = "upcoming" | "past" | "cancelled";
const VIEWS: View[] = ["upcoming", "past", "cancelled"];

/** What the API is asked for one view, within the admin's filters: upcoming is scheduled and
 * not yet over; past has started (cancelled ones are left to their own view); `now` is an
 * instant, compared as ISO text. */
export function viewFilters(view: View, filters: AppointmentFilters, now: string) {
  switch (view) {
    case "upcoming":
      return {
        ...filters,
        status: "scheduled",
        from: filters.from && filters.from > now ? filters.from : now,
      } satisfies AppointmentFilters;
    case "past":
      return {
        ...filters,
        to: filters.to && filters.to < now ? filters.to : now,
      } satisfies AppointmentFilters;
    case "cancelled":
      return { ...filters, status: "cancelled" } satisfies AppointmentFilters;
  }
}

/** A patient's appointments; a doctor's; for an admin every appointment, with filters. One
 * view at a time: upcoming, past or cancelled. */
export function Appointments() {
  const { client } = useApi();
  const { roles } = useAuth();
  const [filters, setFilters] = useState<AppointmentFilters>({});
  const [view, setView] = useState<View>("upcoming");
  // Fixed when the page opens: a query key that changed on every render would refetch forever.
  const [now] = useState(() => new Date().toISOString());
  const list = useCursorPages(appointmentQueries.pages(client, viewFilters(view, filters, now)));
  const items = view === "past" ? list.items.filter((a) => a.status !== "cancelled") : list.items;
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
      <Segmented
        label={strings.appointments.show}
        options={VIEWS.map((each) => [each, strings.appointments.views[each]] as const)}
        value={view}
        onChange={setView}
      />
      {list.isPending ? <Loading /> : null}
      {list.error ? <ErrorNotice error={list.error} /> : null}
      {list.isSuccess && items.length === 0 ? (
        <EmptyState
          message={strings.appointments.none[view]}
          action={
            view === "upcoming" && canBook ? (
              <Link to="/book">{strings.appointments.bookOne}</Link>
            ) : undefined
          }
        />
      ) : null}
      <ul className="list" aria-label={strings.appointments.views[view]}>
        {items.map((a) => (
          <AppointmentItem key={a.id} appointment={a} />
        ))}
      </ul>
      {list.hasMore ? (
        <button type="button" className="secondary" onClick={list.loadMore}>
          {strings.more}
        </button>
      ) : null}
    </section>
  );
}
