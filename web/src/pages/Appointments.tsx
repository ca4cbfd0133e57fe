import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";

import { useApi } from "../api/ApiContext";
import { unwrap } from "../api/problem";
import type { AppointmentPage, AppointmentStatus, Priority } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { AppointmentItem } from "../components/AppointmentItem";
import { Empty, ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";

interface Filters {
  status?: AppointmentStatus;
  priority?: Priority;
  from?: string;
  to?: string;
}

/** A patient's appointments, upcoming then past; a doctor's schedule; for an admin every
 * appointment, with filters. */
export function Appointments() {
  const { client } = useApi();
  const { roles } = useAuth();
  const [filters, setFilters] = useState<Filters>({});
  const list = useInfiniteQuery({
    queryKey: ["appointments", filters],
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: AppointmentPage) => page.next_cursor ?? undefined,
    queryFn: async ({ pageParam }): Promise<AppointmentPage> =>
      unwrap(
        await client.GET("/appointments", {
          params: { query: { ...filters, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const now = new Date().toISOString();
  const upcoming = items.filter((a) => a.ends_at > now);
  const past = items.filter((a) => a.ends_at <= now).reverse();

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
      {list.hasNextPage ? (
        <button type="button" onClick={() => void list.fetchNextPage()}>
          {strings.appointments.more}
        </button>
      ) : null}
    </section>
  );
}

function FilterBar({ filters, onChange }: { filters: Filters; onChange: (f: Filters) => void }) {
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
        Status
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
