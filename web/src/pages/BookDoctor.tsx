import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useParams } from "react-router";

import { useApi } from "../api/ApiContext";
import { doctorQueries } from "../api/doctors";
import type { Appointment, Slot } from "../api/types";
import { Calendar } from "../components/Calendar";
import { ErrorNotice, Loading } from "../components/Feedback";
import { BookingForm } from "../components/BookingForm";
import { SlotPicker } from "../components/SlotPicker";
import { strings } from "../strings";
import { addDays, dateIn, formatDateTime } from "../time";

/** The last day of `month` (`YYYY-MM-01`). */
function monthEnd(month: string): string {
  const date = new Date(`${month}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + 1);
  return addDays(date.toISOString().slice(0, 10), -1);
}

/** A patient (or an admin for one) picks a free day of the doctor, a slot, and books. */
export function BookDoctor() {
  const { doctorId = "" } = useParams();
  const location = useLocation();
  const doctorName = (location.state as { name?: string } | null)?.name;
  const { client, timeZone } = useApi();
  const today = dateIn(new Date(), timeZone);
  const [month, setMonth] = useState(`${today.slice(0, 7)}-01`);
  const [date, setDate] = useState<string | null>(null);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [booked, setBooked] = useState<Appointment | null>(null);

  const from = month < today ? today : month;
  const to = monthEnd(month);
  const availability = useQuery({
    ...doctorQueries.availability(client, doctorId, from, to),
    enabled: from <= to,
  });

  const days = availability.data?.days ?? [];
  const freeByDate = new Map(days.map((day) => [day.date, day.slots.length]));
  const slots = days.find((day) => day.date === date)?.slots ?? [];
  const nextFree = (after: Slot): Slot | undefined =>
    days.flatMap((day) => day.slots).find((free) => free.starts_at > after.starts_at);

  const onBooked = (appointment: Appointment) => {
    setBooked(appointment);
    setSlot(null);
  };

  return (
    <section aria-labelledby="book-title">
      <h2 id="book-title">{doctorName ?? strings.nav.book}</h2>
      <p className="hint">{strings.timesIn(timeZone)}</p>
      {booked ? (
        <p role="status" className="success">
          {strings.booking.booked(formatDateTime(booked.starts_at, timeZone))}{" "}
          <Link to={`/appointments/${booked.id}`}>{strings.appointments.title}</Link>
        </p>
      ) : null}
      <div className="booking-layout">
        <Calendar
          month={month}
          freeByDate={freeByDate}
          selected={date}
          onSelect={(day) => {
            setDate(day);
            setSlot(null);
          }}
          onMonthChange={(next) => {
            setMonth(next);
          }}
        />
        <div>
          {availability.isPending && availability.fetchStatus !== "idle" ? <Loading /> : null}
          {availability.error ? <ErrorNotice error={availability.error} /> : null}
          {date ? <SlotPicker date={date} slots={slots} selected={slot} onPick={setSlot} /> : null}
          {slot ? (
            <BookingForm
              doctorId={doctorId}
              slot={slot}
              nextFree={nextFree}
              onPickSlot={(next) => {
                setDate(dateIn(new Date(next.starts_at), timeZone));
                setSlot(next);
              }}
              onBooked={onBooked}
            />
          ) : null}
        </div>
      </div>
    </section>
  );
}
