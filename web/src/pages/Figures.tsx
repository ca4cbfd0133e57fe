import { useQuery } from "@tanstack/react-query";

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
      {figures.doctor_load.length === 0 ? (
        <EmptyState message={strings.figures.noLoad} />
      ) : (
        <DataTable<DoctorLoad>
          caption={strings.figures.load}
          columns={[
            { header: strings.figures.doctor, cell: (row) => row.doctor_name },
            { header: strings.figures.upcoming, cell: (row) => row.scheduled },
            { header: strings.figures.allTime, cell: (row) => row.total },
          ]}
          rows={figures.doctor_load}
          rowKey={(row) => row.doctor_id}
        />
      )}
    </section>
  );
}

/** Bookings per day as bars over a date axis, with the numbers in a table for screen readers. */
function DailyChart({ daily }: { daily: Daily }) {
  const most = Math.max(1, ...daily.days.map((day) => day.created));
  const first = daily.days[0];
  const middle = daily.days[Math.floor(daily.days.length / 2)];
  const last = daily.days[daily.days.length - 1];
  return (
    <figure className="chart">
      <figcaption>{strings.figures.daily}</figcaption>
      <div aria-hidden="true">
        <div className="bars">
          {daily.days.map((day) => (
            <span
              key={day.date}
              className="bar"
              style={{ height: `${String(Math.round((day.created / most) * 100))}%` }}
              title={strings.figures.bar(formatDate(day.date, "medium"), day.created)}
            />
          ))}
        </div>
        <div className="axis">
          {[first, middle, last].map((day) =>
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
