import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";

import { useApi } from "../api/ApiContext";
import { doctorQueries } from "../api/doctors";
import type { Slot } from "../api/types";
import { addDays, dateIn } from "../time";
import { Calendar } from "./Calendar";
import { ErrorNotice, Loading } from "./Feedback";
import { SlotPicker } from "./SlotPicker";

/** The last day of `month` (`YYYY-MM-01`). */
function monthEnd(month: string): string {
  const date = new Date(`${month}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + 1);
  return addDays(date.toISOString().slice(0, 10), -1);
}

/** A doctor's free days a month at a time (from the first month with one), and the free slots
 * of the day picked: what booking and rescheduling both choose from. `nextFree` is the first
 * free slot after another, in the month shown. */
export function useSlotCalendar(doctorId: string) {
  const { client, timeZone } = useApi();
  const today = dateIn(new Date(), timeZone);
  const [month, setMonth] = useState(`${today.slice(0, 7)}-01`);
  const [date, setDate] = useState<string | null>(null);
  const from = month < today ? today : month;
  const to = monthEnd(month);
  const availability = useQuery({
    ...doctorQueries.availability(client, doctorId, from, to),
    enabled: from <= to,
  });
  const days = availability.data?.days ?? [];
  // Open on the first month with a free day: decided once, on the first answer, so a month
  // chosen later stays put, and a doctor with no hours does not send the calendar on and on.
  const [opened, setOpened] = useState(false);
  if (!opened && availability.isSuccess) {
    setOpened(true);
    if (days.every((day) => day.slots.length === 0)) setMonth(addDays(to, 1));
  }
  const nextFree = (after: Slot): Slot | undefined =>
    days.flatMap((day) => day.slots).find((free) => free.starts_at > after.starts_at);
  const showSlot = (slot: Slot) => {
    setDate(dateIn(new Date(slot.starts_at), timeZone));
  };
  return { month, setMonth, date, setDate, availability, days, nextFree, showSlot };
}

export type SlotCalendarState = ReturnType<typeof useSlotCalendar>;

/** The calendar beside the chosen day's free slots, and under them what follows a pick. */
export function SlotCalendar({
  state,
  selected,
  onPick,
  children,
}: {
  state: SlotCalendarState;
  selected: Slot | null;
  onPick: (slot: Slot | null) => void;
  children?: ReactNode;
}) {
  const { month, setMonth, date, setDate, availability, days } = state;
  const slots = days.find((day) => day.date === date)?.slots ?? [];
  return (
    <div className="booking-layout">
      <Calendar
        month={month}
        freeByDate={new Map(days.map((day) => [day.date, day.slots.length]))}
        selected={date}
        onSelect={(day) => {
          setDate(day);
          onPick(null);
        }}
        onMonthChange={setMonth}
      />
      <div>
        {availability.isPending && availability.fetchStatus !== "idle" ? <Loading /> : null}
        {availability.error ? <ErrorNotice error={availability.error} /> : null}
        {date ? <SlotPicker date={date} slots={slots} selected={selected} onPick={onPick} /> : null}
        {children}
      </div>
    </div>
  );
}
