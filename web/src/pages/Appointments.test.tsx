import { describe, expect, it } from "vitest";

import { viewFilters } from "./Appointments";

const now = "2030-03-10T12:00:00.000Z";

describe("viewFilters", () => {
  it("asks for upcoming as scheduled and not yet over, within the admin's days", () => {
    expect(viewFilters("upcoming", {}, now)).toEqual({ status: "scheduled", from: now });
    expect(viewFilters("upcoming", { from: "2030-03-01T00:00:00.000Z" }, now)).toEqual({
      status: "scheduled",
      from: now,
    });
    expect(viewFilters("upcoming", { from: "2030-04-01T00:00:00.000Z" }, now).from).toBe(
      "2030-04-01T00:00:00.000Z",
    );
  });

  it("asks for past as started before now, and cancelled by status, keeping other filters", () => {
    const doctor = { doctor_id: "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02" };
    expect(viewFilters("past", doctor, now)).toEqual({ ...doctor, to: now });
    expect(viewFilters("past", { to: "2030-03-05T00:00:00.000Z" }, now).to).toBe(
      "2030-03-05T00:00:00.000Z",
    );
    expect(viewFilters("cancelled", doctor, now)).toEqual({ ...doctor, status: "cancelled" });
  });
});
