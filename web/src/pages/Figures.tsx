import { useQuery } from "@tanstack/react-query";

import { analyticsQueries } from "../api/analytics";
import { useApi } from "../api/ApiContext";
import type { Daily } from "../api/types";
import { ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { formatDate } from "../time";

/** The clinic's figures: totals, by status, and the last 30 days as a bar chart. */
export function Figures() {
  const { client } = useApi();
  const summary = useQuery(analyticsQueries.summary(client));
  const daily = useQuery(analyticsQueries.daily(client));
  if (summary.isPending || daily.isPending) return <Loading />;
  if (summary.error) return <ErrorNotice error={summary.error} />;
  if (daily.error) return <ErrorNotice error={daily.error} />;
  return (
    <section aria-labelledby="figures-title">
      <h2 id="figures-title">{strings.figures.title}</h2>
      <dl className="figures">
        <div>
          <dt>{strings.figures.total}</dt>
          <dd>{summary.data.total_appointments}</dd>
        </div>
        <div>
          <dt>{strings.figures.emergencies}</dt>
          <dd>{summary.data.open_emergencies}</dd>
        </div>
        {summary.data.by_status.map((count) => (
          <div key={count.label}>
            <dt>{count.label}</dt>
            <dd>{count.count}</dd>
          </div>
        ))}
      </dl>
      <DailyChart daily={daily.data} />
    </section>
  );
}

/** Bookings per day as bars, with the numbers in a table for screen readers. */
function DailyChart({ daily }: { daily: Daily }) {
  const most = Math.max(1, ...daily.days.map((day) => day.created));
  return (
    <figure>
      <figcaption>{strings.figures.daily}</figcaption>
      <div className="bars" aria-hidden="true">
        {daily.days.map((day) => (
          <span
            key={day.date}
            className="bar"
            style={{ height: `${String(Math.round((day.created / most) * 100))}%` }}
            title={strings.figures.bar(day.date, day.created)}
          />
        ))}
      </div>
      <table className="visually-hidden">
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
    </figure>
  );
}
