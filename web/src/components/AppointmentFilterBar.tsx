import { useState } from "react";

import { useApi } from "../api/ApiContext";
import type { AppointmentFilters } from "../api/appointments";
import { strings } from "../strings";
import { addDays, startOfDay } from "../time";
import { PersonPicker } from "./PersonPicker";

/** What an admin narrows the appointment list by: doctor, patient, days (in the clinic's time
 * zone, both included) and priority. */
export function AppointmentFilterBar({
  filters,
  onChange,
}: {
  filters: AppointmentFilters;
  onChange: (filters: AppointmentFilters) => void;
}) {
  const { timeZone } = useApi();
  const [days, setDays] = useState({ from: "", to: "" });
  // Clearing starts the people searches afresh.
  const [searches, setSearches] = useState(0);

  const setDay = (edge: "from" | "to", date: string) => {
    setDays({ ...days, [edge]: date });
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
        <PersonPicker
          role="doctor"
          legend={strings.appointments.filter.doctor}
          searchLabel={strings.appointments.filter.findDoctor}
          selected={filters.doctor_id ?? null}
          onSelect={(id) => {
            onChange({ ...filters, doctor_id: id });
          }}
          error={undefined}
        />
        <PersonPicker
          role="patient"
          legend={strings.appointments.filter.patient}
          searchLabel={strings.appointments.filter.findPatient}
          selected={filters.patient_id ?? null}
          onSelect={(id) => {
            onChange({ ...filters, patient_id: id });
          }}
          error={undefined}
        />
      </div>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          setDays({ from: "", to: "" });
          setSearches(searches + 1);
          onChange({});
        }}
      >
        {strings.appointments.filter.clear}
      </button>
    </fieldset>
  );
}
