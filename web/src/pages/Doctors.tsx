import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { unwrap } from "../api/problem";
import type { components } from "../api/schema";
import { Empty, ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";

type DoctorPage = components["schemas"]["Page_DoctorListing"];

/** The doctor directory by last name, filtered by specialty on the server, page by page. */
export function Doctors() {
  const { client } = useApi();
  const [typed, setTyped] = useState("");
  const [specialty, setSpecialty] = useState("");
  const doctors = useInfiniteQuery({
    queryKey: ["doctors", specialty],
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: DoctorPage) => page.next_cursor ?? undefined,
    queryFn: async ({ pageParam }): Promise<DoctorPage> =>
      unwrap(
        await client.GET("/doctors", {
          params: {
            query: {
              limit: 24,
              ...(specialty ? { specialty } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
  });
  const shown = doctors.data?.pages.flatMap((page) => page.items) ?? [];
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
      {doctors.hasNextPage ? (
        <button type="button" onClick={() => void doctors.fetchNextPage()}>
          {strings.appointments.more}
        </button>
      ) : null}
    </section>
  );
}
