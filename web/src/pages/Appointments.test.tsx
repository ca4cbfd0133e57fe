import { describe, expect, it } from "vitest";

import type { Appointment } from "../api/types";
import { splitAppointments } from "./Appointments";

function appointment(id: string, status: Appointment["status"], endsAt: string): Appointment {
  return {
    id,
    patient_id: "7e1d2c3b-4a5f-4e6d-8c7b-9a0b1c2d3e04",
    patient_name: "Ada Lovelace",
    doctor_id: "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02",
    doctor_name: "Grace Hopper",
    starts_at: endsAt,
    ends_at: endsAt,
    duration_minutes: 30,
    reason: "check-up",
    priority: "normal",
    status,
    version: 1,
    created_at: "2030-03-01T08:00:00Z",
    updated_at: "2030-03-01T08:00:00Z",
  };
}

describe("splitAppointments", () => {
  it("keeps only future scheduled appointments under upcoming", () => {
    const now = "2030-03-10T12:00:00Z";
    const items = [
      appointment("done", "completed", "2030-03-01T10:00:00Z"),
      appointment("missed", "scheduled", "2030-03-02T10:00:00Z"),
      appointment("soon", "scheduled", "2030-03-11T10:00:00Z"),
      appointment("dropped", "cancelled", "2030-03-12T10:00:00Z"),
      appointment("later", "scheduled", "2030-03-13T10:00:00Z"),
    ];

    const { upcoming, past, cancelled } = splitAppointments(items, now);

    expect(upcoming.map((a) => a.id)).toEqual(["soon", "later"]);
    expect(past.map((a) => a.id)).toEqual(["missed", "done"]);
    expect(cancelled.map((a) => a.id)).toEqual(["dropped"]);
  });
});
