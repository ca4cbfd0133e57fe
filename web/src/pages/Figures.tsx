import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { analyticsQueries } from "../api/analytics";
import { useApi } from "../api/ApiContext";
import type { Daily, DoctorLoad } from "../api/types";
import { ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { formatDate } from "../time";
import { DataTable } from "../ui/DataTable";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import { StatCard, Stats } from "../ui/StatCard";

/** A count's label as people read it (the API's labels are enum values). */
function label(raw: string): string {
  return strings.figures.labels[raw] ?? raw;
}

/** The clinic's figures: totals, by status and priority, bookings per day over the last 30
 * days, and each doctor's load. */
export function Figures() {
  const { client } = useApi();
  const summary = useQuery(analyticsQueries.summary(client));
  const daily = useQuery(analyticsQueries.daily(client));
  if (summary.isPending || daily.isPending) return <Loading />;
  if (summary.error) return <ErrorNotice error={summary.error} />;
  if (daily.error) return <ErrorNotice error={daily.error} />;
  const figures = summary.data;
  return (
    <section aria-labelledby="figures-title">
      <PageHeader id="figures-title" title={strings.figures.title} />
      <Stats>
        <StatCard label={strings.figures.total} value={figures.total_appointments} />
        <StatCard label={strings.figures.emergencies} value={figures.open_emergencies} />
      </Stats>
      <h3>{strings.figures.byStatus}</h3>
      <Stats>
        {figures.by_status.map((count) => (
          <StatCard key={count.label} label={label(count.label)} value={count.count} />
        ))}
      </Stats>
      <h3>{strings.figures.byPriority}</h3>
      <Stats>
        {figures.by_priority.map((count) => (
          <StatCard key={count.label} label={label(count.label)} value={count.count} />
        ))}
      </Stats>
      <DailyChart daily={daily.data} />
      <h3>{strings.figures.load}</h3>
      <DoctorLoadTable load={figures.doctor_load} />
    </section>
  );
}

/** The busiest doctors shown at first; a clinic of many doctors is one click from all. */
const BUSIEST = 10;

/** Each doctor's upcoming and all-time appointments, busiest first as the API orders them. */
function DoctorLoadTable({ load }: { load: DoctorLoad[] }) {
  const [all, setAll] = useState(false);
  if (load.length === 0) return <EmptyState message={strings.figures.noLoad} />;
  const rows = all ? load : load.slice(0, BUSIEST);
  return (
    <>
      <DataTable<DoctorLoad>
        caption={strings.figures.load}
        columns={[
          { header: strings.figures.doctor, cell: (row) => row.doctor_name },
          { header: strings.figures.upcoming, cell: (row) => row.scheduled },
          { header: strings.figures.allTime, cell: (row) => row.total },
        ]}
        rows={rows}
        rowKey={(row) => row.doctor_id}
      />
      {load.length > BUSIEST ? (
        <button
          type="button"
          className="secondary"
          aria-expanded={all}
          onClick={() => {
            setAll(!all);
          }}
        >
          {all ? strings.figures.busiestDoctors(BUSIEST) : strings.figures.allDoctors(load.length)}
        </button>
      ) : null}
    </>
  );
}

/** Bookings per day as bars over a date axis, with the numbers in a table for screen readers. */
function DailyChart({ daily }: { daily: Daily }) {
  const most = Math.max(0, ...daily.days.map((day) => day.created));
  // Bars are drawn against the tallest, and a month without bookings against one.
  const scale = Math.max(1, most);
  const first = daily.days[0];
  const middle = daily.days[Math.floor(daily.days.length / 2)];
  const last = daily.days[daily.days.length - 1];
  const total = daily.days.reduce((sum, day) => sum + day.created, 0);
  return (
    <figure className="chart">
      <figcaption>
        {strings.figures.daily}
        <span className="hint">{strings.figures.dailyTotals(total, most)}</span>
      </figcaption>
      <div aria-hidden="true">
        <div className="bars">
          {daily.days.map((day) => (
            <span
              key={day.date}
              className="bar"
              style={{ height: `${String(Math.round((day.created / scale) * 100))}%` }}
              title={strings.figures.bar(formatDate(day.date, "medium"), day.created)}
            />
          ))}
        </div>
        <div className="axis">
          {/* A short range has fewer than three days to mark: each once. */}
          {[...new Set([first, middle, last])].map((day) =>
            day ? <span key={day.date}>{formatDate(day.date, "medium")}</span> : null,
          )}
        </div>
      </div>
      <div className="visually-hidden">
        <table>
          <thead>
            <tr>
              <th scope="col">{strings.figures.date}</th>
              <th scope="col">{strings.figures.created}</th>
              <th scope="col">{strings.figures.cancelled}</th>
              <th scope="col">{strings.figures.completed}</th>
            </tr>
          </thead>
          <tbody>
            {daily.days.map((day) => (
              <tr key={day.date}>
                <td>{formatDate(day.date, "medium")}</td>
                <td>{day.created}</td>
                <td>{day.cancelled}</td>
                <td>{day.completed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
