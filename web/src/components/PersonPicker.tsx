import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";

import { useApi } from "../api/ApiContext";
import type { Role } from "../api/types";
import { userQueries } from "../api/users";
import { fullName } from "../people";
import { strings } from "../strings";
import { describedBy, Field } from "./Feedback";

/** An admin finds a person of `role` by name or email (`GET /users?role=&q=`) and picks one. */
export function PersonPicker({
  role,
  legend,
  searchLabel = strings.booking.findPatient,
  selected,
  onSelect,
  error,
}: {
  role: Role;
  legend: string;
  searchLabel?: string;
  selected: string | null;
  onSelect: (id: string) => void;
  error?: string;
}) {
  const { client } = useApi();
  const id = useId();
  const [q, setQ] = useState("");
  const people = useQuery({
    ...userQueries.search(client, role, q),
    enabled: q.trim().length > 0,
  });
  return (
    <fieldset>
      <legend>{legend}</legend>
      <Field id={id} label={searchLabel} error={error}>
        <input
          id={id}
          type="search"
          value={q}
          onChange={(event) => {
            setQ(event.target.value);
          }}
          {...describedBy(id, error)}
        />
      </Field>
      <ul className="choices">
        {(people.data?.items ?? []).map((person) => (
          <li key={person.id}>
            <label>
              <input
                type="radio"
                name={id}
                checked={selected === person.id}
                onChange={() => {
                  onSelect(person.id);
                }}
              />
              {strings.booking.patientChoice(fullName(person), person.email ?? "")}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
