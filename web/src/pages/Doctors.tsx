import { useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { useCursorPages } from "../api/cursorPages";
import { doctorQueries } from "../api/doctors";
import { Empty, ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";

/** The doctor directory by last name, filtered by specialty on the server, page by page. */
export function Doctors() {
  const { client } = useApi();
  const [typed, setTyped] = useState("");
  const [specialty, setSpecialty] = useState("");
  const doctors = useCursorPages(doctorQueries.directory(client, specialty));
  return (
    <section aria-labelledby="doctors-title">
      <h2 id="doctors-title">{strings.doctors.title}</h2>
      <form
        role="search"
        className="actions"
        onSubmit={(event) => {
          event.preventDefault();
          setSpecialty(typed.trim());
        }}
      >
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
        <button type="submit">{strings.doctors.filter}</button>
      </form>
      {doctors.isPending ? <Loading /> : null}
      {doctors.error ? <ErrorNotice error={doctors.error} /> : null}
      {doctors.isSuccess && doctors.items.length === 0 ? <Empty /> : null}
      <ul className="cards">
        {doctors.items.map((doctor) => {
          const name = [doctor.first_name, doctor.last_name].filter(Boolean).join(" ");
          return (
            <li key={doctor.id} className="card">
              <h3>{name}</h3>
              <p>{doctor.specialty ?? strings.doctors.noSpecialty}</p>
              <Link to={`/book/${doctor.id}`} state={{ name }}>
                {strings.doctors.choose(name)}
              </Link>
            </li>
          );
        })}
      </ul>
      {doctors.hasMore ? (
        <button type="button" onClick={doctors.loadMore}>
          {strings.more}
        </button>
      ) : null}
    </section>
  );
}
