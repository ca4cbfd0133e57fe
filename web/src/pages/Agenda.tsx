import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { useApi } from "../api/ApiContext";
import { appointmentQueries } from "../api/appointments";
import { AppointmentItem } from "../components/AppointmentItem";
import { Empty, ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { addDays, dateIn, formatDate } from "../time";

/** A doctor's day or week, appointments by time with their patients' names. */
export function Agenda() {
  const { client, timeZone } = useApi();
  const [span, setSpan] = useState<1 | 7>(1);
  const today = dateIn(new Date(), timeZone);
  const from = `${today}T00:00:00Z`;
  const to = `${addDays(today, span)}T00:00:00Z`;
  const agenda = useQuery(appointmentQueries.agenda(client, from, to));
  const items = agenda.data?.items ?? [];
  const days = [...new Set(items.map((a) => dateIn(new Date(a.starts_at), timeZone)))];
  return (
    <section aria-labelledby="agenda-title">
      <h2 id="agenda-title">{strings.agenda.title}</h2>
      <p className="hint">{strings.timesIn(timeZone)}</p>
      <div role="group" aria-label={strings.agenda.title} className="actions">
        <button
          type="button"
          aria-pressed={span === 1}
          onClick={() => {
            setSpan(1);
          }}
        >
          {strings.agenda.day}
        </button>
        <button
          type="button"
          aria-pressed={span === 7}
          onClick={() => {
            setSpan(7);
          }}
        >
          {strings.agenda.week}
        </button>
      </div>
      {agenda.isPending ? <Loading /> : null}
      {agenda.error ? <ErrorNotice error={agenda.error} /> : null}
      {agenda.isSuccess && items.length === 0 ? <Empty>{strings.agenda.nothing}</Empty> : null}
      {days.map((day) => (
        <div key={day}>
          <h3>{formatDate(day)}</h3>
          <ul className="list">
            {items
              .filter((a) => dateIn(new Date(a.starts_at), timeZone) === day)
              .map((a) => (
                <AppointmentItem key={a.id} appointment={a} />
              ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
