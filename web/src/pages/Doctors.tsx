import { useQueries, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { useApi } from "../api/ApiContext";
import { useCursorPages } from "../api/cursorPages";
import { doctorQueries } from "../api/doctors";
import type { DoctorListing, Slot } from "../api/types";
import { ErrorNotice, Loading } from "../components/Feedback";
import { fullName } from "../people";
import { strings } from "../strings";
import { formatDate, formatShortDateTime } from "../time";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";
import type { DoctorState } from "./BookDoctor";

/** As many doctors as one directory page holds: one next-free request per page. */
const PAGE = 24;

/** A doctor's first free slot, or none up to `searchedTo`, in the clinic's time zone. */
interface NextFreeSlot {
  slot?: Slot | null;
  searchedTo: string;
  timeZone: string;
}

/** The doctor directory by last name, filtered by specialty on the server, page by page, each
 * doctor with their next free time. */
export function Doctors() {
  const { client } = useApi();
  const [specialty, setSpecialty] = useState("");
  const doctors = useCursorPages(doctorQueries.directory(client, specialty, PAGE));
  const nextFree = useNextFree(doctors.items);
  return (
    <section aria-labelledby="doctors-title">
      <PageHeader id="doctors-title" title={strings.doctors.title} lead={strings.doctors.lead} />
      <SpecialtyFilter value={specialty} onChange={setSpecialty} />
      {doctors.isPending ? <Loading /> : null}
      {doctors.error ? <ErrorNotice error={doctors.error} /> : null}
      {doctors.isSuccess && doctors.items.length === 0 ? (
        <EmptyState message={strings.doctors.none} />
      ) : null}
      <ul className="cards">
        {doctors.items.map((doctor) => (
          <DoctorCard key={doctor.id} doctor={doctor} next={nextFree.get(doctor.id)} />
        ))}
      </ul>
      {doctors.hasMore ? (
        <button type="button" className="secondary" onClick={doctors.loadMore}>
          {strings.more}
        </button>
      ) : null}
    </section>
  );
}

/** The specialties doctors have, to pick one from; the list filters as soon as one is picked. */
function SpecialtyFilter({
  value,
  onChange,
}: {
  value: string;
  onChange: (specialty: string) => void;
}) {
  const { client } = useApi();
  const specialties = useQuery(doctorQueries.specialties(client));
  const names = specialties.data?.items.map((specialty) => specialty.name) ?? [];
  // The list is fetched again now and then: a spelling picked before stays pickable, so the
  // box never shows "Any specialty" over a filtered list.
  const kept = value && !names.includes(value) ? [value] : [];
  return (
    <div className="card search">
      <div className="field">
        <label htmlFor="specialty">{strings.doctors.specialty}</label>
        <select
          id="specialty"
          value={value}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        >
          <option value="">{strings.doctors.any}</option>
          {specialties.data?.items.map((specialty) => (
            <option key={specialty.name} value={specialty.name}>
              {strings.doctors.specialtyOption(specialty.name, specialty.doctors)}
            </option>
          ))}
          {kept.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {specialties.error ? <ErrorNotice error={specialties.error} /> : null}
    </div>
  );
}

/** What the directory knows of each listed doctor's next free slot, by doctor id: one request
 * per page of doctors. */
function useNextFree(doctors: DoctorListing[]) {
  const { client } = useApi();
  const pages: string[][] = [];
  for (let start = 0; start < doctors.length; start += PAGE) {
    pages.push(doctors.slice(start, start + PAGE).map((doctor) => doctor.id));
  }
  return useQueries({
    queries: pages.map((ids) => doctorQueries.nextFree(client, ids)),
    combine: (results) => {
      const byDoctor = new Map<string, NextFreeSlot>();
      for (const { data } of results) {
        for (const next of data?.items ?? []) {
          byDoctor.set(next.doctor_id, {
            slot: next.slot,
            searchedTo: data?.searched_to ?? "",
            timeZone: data?.time_zone ?? "UTC",
          });
        }
      }
      return byDoctor;
    },
  });
}

function DoctorCard({ doctor, next }: { doctor: DoctorListing; next: NextFreeSlot | undefined }) {
  const name = fullName(doctor);
  const state: DoctorState = {
    name,
    specialty: doctor.specialty ?? strings.doctors.noSpecialty,
  };
  return (
    <li className="card doctor">
      <h3>{name}</h3>
      <p className="hint">{state.specialty}</p>
      {next ? (
        <p className="next-free">
          {next.slot
            ? strings.doctors.nextFree(formatShortDateTime(next.slot.starts_at, next.timeZone))
            : strings.doctors.noneFreeUntil(formatDate(next.searchedTo, "medium"))}
        </p>
      ) : null}
      <Link className="button" to={`/book/${doctor.id}`} state={state}>
        {strings.doctors.choose}
        <span className="visually-hidden">{strings.doctors.chooseWhom(name)}</span>
      </Link>
    </li>
  );
}
