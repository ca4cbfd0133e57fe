import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { unwrap } from "../api/problem";
import { Empty, ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";

/** The doctor directory, by specialty. */
export function Doctors() {
  const { client } = useApi();
  const [specialty, setSpecialty] = useState("");
  const doctors = useQuery({
    queryKey: ["doctors"],
    queryFn: async () =>
      unwrap(await client.GET("/doctors", { params: { query: { limit: 100 } } })),
  });
  const all = doctors.data?.items ?? [];
  const specialties = [...new Set(all.map((d) => d.specialty).filter((s) => s != null))].sort();
  const shown = all.filter((d) => !specialty || d.specialty === specialty);
  return (
    <section aria-labelledby="doctors-title">
      <h2 id="doctors-title">{strings.doctors.title}</h2>
      <label htmlFor="specialty">{strings.doctors.specialty}</label>
      <select
        id="specialty"
        value={specialty}
        onChange={(event) => {
          setSpecialty(event.target.value);
        }}
      >
        <option value="">{strings.doctors.any}</option>
        {specialties.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      {doctors.isPending ? <Loading /> : null}
      {doctors.error ? <ErrorNotice error={doctors.error} /> : null}
      {doctors.isSuccess && shown.length === 0 ? <Empty /> : null}
      <ul className="cards">
        {shown.map((doctor) => {
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
    </section>
  );
}
