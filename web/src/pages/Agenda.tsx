import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { appointmentQueries } from "../api/appointments";
import { AppointmentItem } from "../components/AppointmentItem";
import { ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { addDays, dateIn, formatDate, startOfDay } from "../time";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import { Segmented } from "../ui/Segmented";

/** A doctor's day or week (from the day shown), appointments by time with their patients and
 * reasons; previous, today and next move it. */
export function Agenda() {
  const { client, timeZone } = useApi();
  const today = dateIn(new Date(), timeZone);
  const [span, setSpan] = useState<1 | 7>(1);
  const [first, setFirst] = useState(today);
  const last = addDays(first, span - 1);
  const agenda = useQuery(
    appointmentQueries.agenda(
      client,
      startOfDay(first, timeZone),
      startOfDay(addDays(first, span), timeZone),
    ),
  );
  const items = agenda.data?.items ?? [];
  const days = [...new Set(items.map((a) => dateIn(new Date(a.starts_at), timeZone)))];
  const shown =
    span === 1 ? formatDate(first) : strings.agenda.range(formatDate(first), formatDate(last));
  return (
    <section aria-labelledby="agenda-title">
      <PageHeader id="agenda-title" title={strings.agenda.title} lead={strings.timesIn(timeZone)} />
      <div className="agenda-bar">
        <div className="actions" role="group" aria-label={strings.agenda.move}>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setFirst(addDays(first, -span));
            }}
          >
            {span === 1 ? strings.agenda.previousDay : strings.agenda.previousWeek}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setFirst(today);
            }}
          >
            {strings.agenda.today}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setFirst(addDays(first, span));
            }}
          >
            {span === 1 ? strings.agenda.nextDay : strings.agenda.nextWeek}
          </button>
        </div>
        <Segmented
          label={strings.agenda.span}
          options={[
            [1, strings.agenda.day],
            [7, strings.agenda.week],
          ]}
          value={span}
          onChange={setSpan}
        />
      </div>
      <h3 aria-live="polite">{shown}</h3>
      {agenda.isPending ? <Loading /> : null}
      {agenda.error ? <ErrorNotice error={agenda.error} /> : null}
      {agenda.isSuccess && items.length === 0 ? (
        <EmptyState
          message={strings.agenda.nothing}
          action={<Link to="/hours">{strings.agenda.setHours}</Link>}
        />
      ) : null}
      {days.map((day) => (
        <div key={day}>
          {span === 7 ? <h4>{formatDate(day)}</h4> : null}
          <ul className="list">
            {items
              .filter((a) => dateIn(new Date(a.starts_at), timeZone) === day)
              .map((a) => (
                <AppointmentItem key={a.id} appointment={a} timeOnly />
              ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
