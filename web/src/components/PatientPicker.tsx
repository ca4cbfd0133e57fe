import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { useApi } from "../api/ApiContext";
import { userQueries } from "../api/users";
import { strings } from "../strings";
import { describedBy, Field } from "./Feedback";

/** An admin finds the patient to book for by name or email (`GET /users?role=patient&q=`). */
export function PatientPicker({
  selected,
  onSelect,
  error,
}: {
  selected: string | null;
  onSelect: (id: string) => void;
  error: string | undefined;
}) {
  const { client } = useApi();
  const [q, setQ] = useState("");
  const people = useQuery({
    ...userQueries.search(client, "patient", q),
    enabled: q.trim().length > 0,
  });
  return (
    <fieldset>
      <legend>{strings.booking.patient}</legend>
      <Field id="patient-search" label={strings.booking.findPatient} error={error}>
        <input
          id="patient-search"
          type="search"
          value={q}
          onChange={(event) => {
            setQ(event.target.value);
          }}
          {...describedBy("patient-search", error)}
        />
      </Field>
      <ul className="choices">
        {(people.data?.items ?? []).map((person) => (
          <li key={person.id}>
            <label>
              <input
                type="radio"
                name="patient"
                checked={selected === person.id}
                onChange={() => {
                  onSelect(person.id);
                }}
              />
              {strings.booking.patientChoice(
                [person.first_name, person.last_name].filter(Boolean).join(" "),
                person.email ?? "",
              )}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
