import { useQuery } from "@tanstack/react-query";
import { type SyntheticEvent, useState } from "react";

import { useApi } from "../api/ApiContext";
import { doctorQueries, useSaveWorkingHours } from "../api/doctors";
import { fieldErrors } from "../api/fieldErrors";
import type { DayName, HoursSpan } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { Alert } from "../ui/Alert";
import { PageHeader } from "../ui/PageHeader";

const WEEK: DayName[] = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
];

/** A doctor's own week: spans per day, saved at once; the API's errors land on the row. */
export function WorkingHours() {
  const { client, timeZone } = useApi();
  const { user } = useAuth();
  const id = user?.profile.sub ?? "";
  const hours = useQuery(doctorQueries.workingHours(client, id));
  const [draft, setDraft] = useState<HoursSpan[] | null>(null);
  const rows = draft ?? hours.data?.hours ?? [];
  const save = useSaveWorkingHours(id);
  const { fields, form } = fieldErrors(save.error);
  const edit = (index: number, change: Partial<HoursSpan>) => {
    setDraft(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  };
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    save.mutate(rows, {
      onSuccess: () => {
        setDraft(null);
      },
    });
  };

  if (hours.isPending) return <Loading />;
  if (hours.error) return <ErrorNotice error={hours.error} />;
  return (
    <form onSubmit={submit} aria-labelledby="hours-title">
      <PageHeader id="hours-title" title={strings.hours.title} lead={strings.timesIn(timeZone)} />
      {hours.data.source === "clinic" && !draft ? (
        <Alert tone="info">{strings.hours.clinicDefault}</Alert>
      ) : null}
      <div className="table-wrap">
        <table className="data hours">
          <thead>
            <tr>
              <th scope="col">{strings.hours.weekday}</th>
              <th scope="col">{strings.hours.opens}</th>
              <th scope="col">{strings.hours.closes}</th>
              <th scope="col">
                <span className="visually-hidden">{strings.hours.remove}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const error =
                fields[`hours[${index}]`] ??
                fields[`hours[${index}].opens`] ??
                fields[`hours[${index}].closes`];
              return (
                <tr key={index} aria-invalid={error ? true : undefined}>
                  <td data-label={strings.hours.weekday}>
                    <select
                      aria-label={`${strings.hours.weekday} ${index + 1}`}
                      value={row.weekday}
                      onChange={(event) => {
                        edit(index, {
                          weekday: WEEK.find((d) => d === event.target.value) ?? row.weekday,
                        });
                      }}
                    >
                      {WEEK.map((day) => (
                        <option key={day} value={day}>
                          {strings.hours.days[day]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td data-label={strings.hours.opens}>
                    <input
                      type="time"
                      aria-label={`${strings.hours.opens} ${index + 1}`}
                      value={row.opens}
                      onChange={(event) => {
                        edit(index, { opens: event.target.value });
                      }}
                    />
                  </td>
                  <td data-label={strings.hours.closes}>
                    <input
                      type="time"
                      aria-label={`${strings.hours.closes} ${index + 1}`}
                      value={row.closes}
                      onChange={(event) => {
                        edit(index, { closes: event.target.value });
                      }}
                    />
                    {error ? (
                      <p role="alert" className="field-error">
                        {error}
                      </p>
                    ) : null}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        setDraft(rows.filter((_, i) => i !== index));
                      }}
                    >
                      {strings.hours.remove}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft([...rows, { weekday: "monday", opens: "09:00", closes: "17:00" }]);
          }}
        >
          {strings.hours.add}
        </button>
      </div>
      {form ? <Alert tone="danger">{form}</Alert> : null}
      {save.isSuccess ? (
        <Alert tone="success" announce>
          {strings.hours.saved}
        </Alert>
      ) : null}
      <button type="submit" disabled={save.isPending}>
        {strings.hours.save}
      </button>
    </form>
  );
}
