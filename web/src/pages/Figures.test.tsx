import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Daily, Summary } from "../api/types";
import { answer, fakeApi } from "../test/api";
import { Figures } from "./Figures";

/** Twelve doctors, the busiest first as the API orders them; no bookings in the last days. */
const summary: Summary = {
  total_appointments: 78,
  by_status: [{ label: "scheduled", count: 78 }],
  by_priority: [{ label: "normal", count: 78 }],
  open_emergencies: 0,
  doctor_load: Array.from({ length: 12 }, (_, index) => ({
    doctor_id: `5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e${String(index).padStart(2, "0")}`,
    doctor_name: `Doctor ${String(index + 1)}`,
    scheduled: 12 - index,
    total: 12 - index,
  })),
  registrations_by_role: [],
  latest: [],
};
const daily: Daily = {
  from: "2030-03-01",
  to: "2030-03-02",
  days: [
    { date: "2030-03-01", created: 0, rescheduled: 0, cancelled: 0, completed: 0 },
    { date: "2030-03-02", created: 0, rescheduled: 0, cancelled: 0, completed: 0 },
  ],
};

describe("Figures", () => {
  it("shows the ten busiest doctors, all of them on asking, and a month without bookings as none", async () => {
    const { Wrapper } = fakeApi((request) =>
      answer(200, new URL(request.url).pathname.endsWith("summary") ? summary : daily),
    );
    render(
      <Wrapper>
        <Figures />
      </Wrapper>,
    );

    expect(await screen.findByText("Doctor 10")).toBeVisible();
    expect(screen.queryByText("Doctor 11")).toBeNull();
    expect(screen.getByText("0 in all; the tallest bar is 0.")).toBeVisible();

    await userEvent.click(screen.getByRole("button", { name: "Show all 12 doctors" }));

    expect(screen.getByText("Doctor 12")).toBeVisible();
    // The button stays, saying what it does now, and keeps the focus.
    expect(screen.getByRole("button", { name: "Show the 10 busiest only" })).toHaveFocus();
  });
});
