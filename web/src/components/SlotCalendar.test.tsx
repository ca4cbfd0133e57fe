import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { answer, fakeApi } from "../test/api";
import { addDays, dateIn } from "../time";
import { SlotCalendar, useSlotCalendar } from "./SlotCalendar";

const doctorId = "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02";

function Booking() {
  const state = useSlotCalendar(doctorId);
  return <SlotCalendar state={state} selected={null} onPick={() => undefined} />;
}

/** The doctor's availability for the range asked, free on `freeDays` only. */
function availability(freeDays: (date: string) => boolean) {
  return (request: Request) => {
    const url = new URL(request.url);
    const from = url.searchParams.get("from") ?? "";
    const to = url.searchParams.get("to") ?? "";
    const days = [];
    for (let date = from; date <= to; date = addDays(date, 1)) {
      const starts_at = `${date}T09:00:00Z`;
      days.push({
        date,
        slots: freeDays(date) ? [{ starts_at, ends_at: `${date}T09:30:00Z` }] : [],
      });
    }
    return answer(200, { doctor_id: doctorId, time_zone: "UTC", slot_minutes: 30, from, to, days });
  };
}

describe("SlotCalendar", () => {
  it("opens on the next month when this one has no free day", async () => {
    const nextMonth = `${addDays(`${dateIn(new Date(), "UTC").slice(0, 7)}-28`, 7).slice(0, 7)}-01`;
    const { Wrapper, requests } = fakeApi(availability((date) => date >= nextMonth));
    render(
      <Wrapper>
        <Booking />
      </Wrapper>,
    );

    await expect.poll(() => requests().length).toBe(2);
    expect(new URL(requests()[1]?.url ?? "").searchParams.get("from")).toBe(nextMonth);
    expect(await screen.findAllByRole("button", { name: /1 free slots/ })).not.toHaveLength(0);
  });

  it("stays on this month when it has a free day", async () => {
    const { Wrapper, requests } = fakeApi(availability(() => true));
    render(
      <Wrapper>
        <Booking />
      </Wrapper>,
    );

    expect(await screen.findAllByRole("button", { name: /1 free slots/ })).not.toHaveLength(0);
    expect(requests()).toHaveLength(1);
  });
});
