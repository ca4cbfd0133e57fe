import { useState } from "react";

import { useApi } from "../api/ApiContext";
import { appointmentQueries, type AppointmentFilters } from "../api/appointments";
import { useCursorPages } from "../api/cursorPages";
import type { AppointmentStatus } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { AppointmentItem } from "../components/AppointmentItem";
import { Empty, ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";

/** A patient's appointments, upcoming then past; a doctor's schedule; for an admin every
 * appointment, with filters. */
export function Appointments() {
  const { client } = useApi();
  const { roles } = useAuth();
  const [filters, setFilters] = useState<AppointmentFilters>({});
  const list = useCursorPages(appointmentQueries.pages(client, filters));
  const now = new Date().toISOString();
  const upcoming = list.items.filter((a) => a.ends_at > now);
  const past = list.items.filter((a) => a.ends_at <= now).reverse();

  return (
    <section aria-labelledby="appointments-title">
      <h2 id="appointments-title">{strings.appointments.title}</h2>
      {roles.includes("admin") ? <FilterBar filters={filters} onChange={setFilters} /> : null}
      {list.isPending ? <Loading /> : null}
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <h3>{strings.appointments.upcoming}</h3>
      {list.isSuccess && upcoming.length === 0 ? <Empty /> : null}
      <ul className="list">
        {upcoming.map((a) => (
          <AppointmentItem key={a.id} appointment={a} />
        ))}
      </ul>
      <h3>{strings.appointments.past}</h3>
      {list.isSuccess && past.length === 0 ? <Empty /> : null}
      <ul className="list">
        {past.map((a) => (
          <AppointmentItem key={a.id} appointment={a} />
        ))}
      </ul>
      {list.hasMore ? (
        <button type="button" onClick={list.loadMore}>
          {strings.more}
        </button>
      ) : null}
    </section>
  );
}

function FilterBar({
  filters,
  onChange,
}: {
  filters: AppointmentFilters;
  onChange: (f: AppointmentFilters) => void;
}) {
  const statuses: AppointmentStatus[] = ["scheduled", "cancelled", "completed"];
  return (
    <fieldset className="filters">
      <legend>{strings.appointments.filters}</legend>
      <label>
        {strings.booking.priority}
        <select
          value={filters.priority ?? ""}
          onChange={(event) => {
            const value = event.target.value;
            onChange({
              ...filters,
              priority: value === "normal" || value === "emergency" ? value : undefined,
            });
          }}
        >
          <option value="">{strings.appointments.all}</option>
          <option value="normal">{strings.booking.normal}</option>
          <option value="emergency">{strings.booking.emergency}</option>
        </select>
      </label>
      <label>
        {strings.appointments.labels.status}
        <select
          value={filters.status ?? ""}
          onChange={(event) => {
            onChange({
              ...filters,
              status: statuses.find((status) => status === event.target.value),
            });
          }}
        >
          <option value="">{strings.appointments.all}</option>
          {statuses.map((status) => (
            <option key={status} value={status}>
              {strings.appointments.status[status]}
            </option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}
