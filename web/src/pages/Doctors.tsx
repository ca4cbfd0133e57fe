import { useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { useCursorPages } from "../api/cursorPages";
import { doctorQueries } from "../api/doctors";
import { ErrorNotice, Loading } from "../components/Feedback";
import { fullName } from "../people";
import { strings } from "../strings";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import type { DoctorState } from "./BookDoctor";

/** The doctor directory by last name, filtered by specialty on the server, page by page. */
export function Doctors() {
  const { client } = useApi();
  const [typed, setTyped] = useState("");
  const [specialty, setSpecialty] = useState("");
  const doctors = useCursorPages(doctorQueries.directory(client, specialty));
  return (
    <section aria-labelledby="doctors-title">
      <PageHeader id="doctors-title" title={strings.doctors.title} lead={strings.doctors.lead} />
      <form
        role="search"
        className="card search"
        onSubmit={(event) => {
          event.preventDefault();
          setSpecialty(typed.trim());
        }}
      >
        <div className="field">
          <label htmlFor="specialty">{strings.doctors.specialty}</label>
          <input
            id="specialty"
            type="search"
            value={typed}
            placeholder={strings.doctors.any}
            onChange={(event) => {
              setTyped(event.target.value);
            }}
          />
        </div>
        <button type="submit">{strings.doctors.filter}</button>
      </form>
      {doctors.isPending ? <Loading /> : null}
      {doctors.error ? <ErrorNotice error={doctors.error} /> : null}
      {doctors.isSuccess && doctors.items.length === 0 ? (
        <EmptyState message={strings.doctors.none} />
      ) : null}
      <ul className="cards">
        {doctors.items.map((doctor) => {
          const name = fullName(doctor);
          const state: DoctorState = {
            name,
            specialty: doctor.specialty ?? strings.doctors.noSpecialty,
          };
          return (
            <li key={doctor.id} className="card doctor">
              <h3>{name}</h3>
              <p className="hint">{state.specialty}</p>
              <Link className="button" to={`/book/${doctor.id}`} state={state}>
                {strings.doctors.choose(name)}
              </Link>
            </li>
          );
        })}
      </ul>
      {doctors.hasMore ? (
        <button type="button" className="secondary" onClick={doctors.loadMore}>
          {strings.more}
        </button>
      ) : null}
    </section>
  );
}
