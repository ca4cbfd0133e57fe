import { useState } from "react";

import { useApi } from "../api/ApiContext";
import type { AppointmentFilters } from "../api/appointments";
import { strings } from "../strings";
import { addDays, dateIn, startOfDay } from "../time";
import { PersonPicker } from "./PersonPicker";

const PEOPLE = [
  {
    role: "doctor",
    filter: "doctor_id",
    legend: strings.appointments.filter.doctor,
    searchLabel: strings.appointments.filter.findDoctor,
  },
  {
    role: "patient",
    filter: "patient_id",
    legend: strings.appointments.filter.patient,
    searchLabel: strings.appointments.filter.findPatient,
  },
] as const;

/** What an admin narrows the appointment list by: doctor, patient, days (in the clinic's time
 * zone, both included) and priority. The days shown are read back from the filters' instants:
 * `from` is the first day's start, `to` the start of the day after the last. */
export function AppointmentFilterBar({
  filters,
  onChange,
}: {
  filters: AppointmentFilters;
  onChange: (filters: AppointmentFilters) => void;
}) {
  const { timeZone } = useApi();
  // Clearing starts the people searches afresh.
  const [searches, setSearches] = useState(0);
  const days = {
    from: filters.from ? dateIn(new Date(filters.from), timeZone) : "",
    to: filters.to ? addDays(dateIn(new Date(filters.to), timeZone), -1) : "",
  };

  const setDay = (edge: "from" | "to", date: string) => {
    const instant =
      date === "" ? undefined : startOfDay(edge === "to" ? addDays(date, 1) : date, timeZone);
    onChange({ ...filters, [edge]: instant });
  };

  return (
    <fieldset>
      <legend>{strings.appointments.filters}</legend>
      <div className="filters">
        {(["from", "to"] as const).map((edge) => (
          <div className="field" key={edge}>
            <label htmlFor={`filter-${edge}`}>{strings.appointments.filter[edge]}</label>
            <input
              id={`filter-${edge}`}
              type="date"
              value={days[edge]}
              onChange={(event) => {
                setDay(edge, event.target.value);
              }}
            />
          </div>
        ))}
        <div className="field">
          <label htmlFor="filter-priority">{strings.booking.priority}</label>
          <select
            id="filter-priority"
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
        </div>
      </div>
      <div className="filters pickers" key={searches}>
        {PEOPLE.map((people) => (
          <PersonPicker
            key={people.role}
            role={people.role}
            legend={people.legend}
            searchLabel={people.searchLabel}
            selected={filters[people.filter] ?? null}
            onSelect={(id) => {
              onChange({ ...filters, [people.filter]: id });
            }}
          />
        ))}
      </div>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          setSearches(searches + 1);
          onChange({});
        }}
      >
        {strings.appointments.filter.clear}
      </button>
    </fieldset>
  );
}
