import { useQuery } from "@tanstack/react-query";
import { type SyntheticEvent, useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { fieldErrors } from "../api/fieldErrors";
import { type Owner, timeOffQueries, useDeleteTimeOff, useRecordTimeOff } from "../api/timeOff";
import type { TimeOffBody } from "../api/types";
import { strings } from "../strings";
import { addDays, dateIn, formatDate, formatShortDateTime, instantAt, startOfDay } from "../time";
import { Alert } from "../ui/Alert";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import { describedBy, ErrorNotice, Field, Loading } from "./Feedback";

/** Whole days from `first` to `last`, or from a time on the first to a time on the last, on
 * the clinic's wall clock. */
export function timeOffBody(
  form: { first: string; last: string; from: string; until: string; note: string },
  timeZone: string,
): TimeOffBody {
  const last = form.last || form.first;
  return {
    starts_at: form.from
      ? instantAt(form.first, form.from, timeZone)
      : startOfDay(form.first, timeZone),
    ends_at: form.until
      ? instantAt(last, form.until, timeZone)
      : startOfDay(addDays(last, 1), timeZone),
    ...(form.note.trim() ? { note: form.note.trim() } : {}),
  };
}

/** A range as a reader says it: whole days by their dates, anything else by its times. */
export function describeRange(startsAt: string, endsAt: string, timeZone: string): string {
  const first = dateIn(new Date(startsAt), timeZone);
  const last = addDays(dateIn(new Date(endsAt), timeZone), -1);
  const wholeDays =
    Date.parse(startOfDay(first, timeZone)) === Date.parse(startsAt) &&
    Date.parse(startOfDay(addDays(last, 1), timeZone)) === Date.parse(endsAt);
  if (!wholeDays) {
    return `${formatShortDateTime(startsAt, timeZone)} – ${formatShortDateTime(endsAt, timeZone)}`;
  }
  return first === last
    ? strings.timeOff.wholeDayOf(formatDate(first, "medium"))
    : strings.timeOff.wholeDays(formatDate(first, "medium"), formatDate(last, "medium"));
}

const EMPTY = { first: "", last: "", from: "", until: "", note: "" };

/** A doctor's time off, or the clinic's closures: what is coming, a form to add one, and the
 * appointments a new one covers (they stay scheduled until someone moves or cancels them). */
export function TimeOffEditor({ owner }: { owner: Owner }) {
  const { client, timeZone } = useApi();
  const text = owner === "clinic" ? strings.closures : strings.timeOff;
  const upcoming = useQuery(timeOffQueries.upcoming(client, owner));
  const record = useRecordTimeOff(owner);
  const remove = useDeleteTimeOff(owner);
  const [form, setForm] = useState(EMPTY);
  const { fields, form: formError } = fieldErrors(record.error);
  const dateError = fields.starts_at ?? fields.ends_at;
  const today = dateIn(new Date(), timeZone);

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    record.mutate(timeOffBody(form, timeZone), {
      onSuccess: () => {
        setForm(EMPTY);
      },
    });
  };
  const input = (name: keyof typeof EMPTY) => ({
    id: `time-off-${name}`,
    value: form[name],
    onChange: (event: { target: { value: string } }) => {
      setForm({ ...form, [name]: event.target.value });
    },
  });

  return (
    <section aria-labelledby="time-off-title">
      <PageHeader id="time-off-title" title={text.title} lead={strings.timesIn(timeZone)} />
      {upcoming.isPending ? <Loading /> : null}
      {upcoming.error ? <ErrorNotice error={upcoming.error} /> : null}
      {upcoming.data?.items.length === 0 ? <EmptyState message={text.none} /> : null}
      {upcoming.data && upcoming.data.items.length > 0 ? (
        <ul className="time-off-list" aria-label={text.upcoming}>
          {upcoming.data.items.map((item) => (
            <li key={item.id}>
              <span>
                {describeRange(item.starts_at, item.ends_at, timeZone)}
                {item.note ? <em> · {item.note}</em> : null}
              </span>
              <button
                type="button"
                className="secondary"
                aria-label={strings.timeOff.removeOne(
                  describeRange(item.starts_at, item.ends_at, timeZone),
                )}
                disabled={remove.isPending}
                onClick={() => {
                  remove.mutate(item.id);
                }}
              >
                {strings.timeOff.remove}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {remove.error ? <ErrorNotice error={remove.error} /> : null}

      <form onSubmit={submit} aria-labelledby="time-off-add" className="form">
        <h3 id="time-off-add">{text.add}</h3>
        <div className="field-row">
          <Field id="time-off-first" label={strings.timeOff.first} error={dateError}>
            <input
              type="date"
              required
              min={today}
              {...input("first")}
              {...describedBy("time-off-first", dateError)}
            />
          </Field>
          <Field
            id="time-off-last"
            label={strings.timeOff.last}
            hint={strings.timeOff.lastHint}
            error={undefined}
          >
            <input
              type="date"
              min={form.first || today}
              {...input("last")}
              {...describedBy("time-off-last", undefined, strings.timeOff.lastHint)}
            />
          </Field>
        </div>
        <div className="field-row">
          <Field
            id="time-off-from"
            label={strings.timeOff.from}
            hint={strings.timeOff.wholeDay}
            error={undefined}
          >
            <input
              type="time"
              {...input("from")}
              {...describedBy("time-off-from", undefined, strings.timeOff.wholeDay)}
            />
          </Field>
          <Field
            id="time-off-until"
            label={strings.timeOff.until}
            hint={strings.timeOff.wholeDay}
            error={undefined}
          >
            <input
              type="time"
              {...input("until")}
              {...describedBy("time-off-until", undefined, strings.timeOff.wholeDay)}
            />
          </Field>
        </div>
        <Field id="time-off-note" label={text.note} hint={text.noteHint} error={fields.note}>
          <input
            type="text"
            maxLength={200}
            {...input("note")}
            {...describedBy("time-off-note", fields.note, text.noteHint)}
          />
        </Field>
        {formError ? <Alert tone="danger">{formError}</Alert> : null}
        <button type="submit" disabled={record.isPending}>
          {text.save}
        </button>
      </form>

      {record.data ? (
        <Alert tone={record.data.covers.length > 0 ? "warning" : "success"} announce>
          {record.data.covers.length > 0 ? (
            <>
              <p>{strings.timeOff.covers(record.data.covers.length)}</p>
              <ul>
                {record.data.covers.map((covered) => (
                  <li key={covered.appointment_id}>
                    <Link to={`/appointments/${covered.appointment_id}`}>
                      {formatShortDateTime(covered.starts_at, timeZone)} · {covered.patient_name}
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            strings.timeOff.saved
          )}
        </Alert>
      ) : null}
    </section>
  );
}
