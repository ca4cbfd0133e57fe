import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Appointment } from "../api/types";
import { answer, fakeApi } from "../test/api";
import { CancelAppointment } from "./CancelAppointment";

const appointment: Appointment = {
  id: "0b6f3c2e-8a4d-4f1e-9c7b-2d5e6f7a8b91",
  patient_id: "7e1d2c3b-4a5f-4e6d-8c7b-9a0b1c2d3e04",
  patient_name: "Ada Lovelace",
  doctor_id: "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02",
  doctor_name: "Grace Hopper",
  starts_at: "2030-03-04T09:00:00Z",
  ends_at: "2030-03-04T09:30:00Z",
  duration_minutes: 30,
  reason: "check-up",
  priority: "normal",
  status: "scheduled",
  version: 3,
  created_at: "2030-03-01T08:00:00Z",
  updated_at: "2030-03-01T08:00:00Z",
};

function cancelButton() {
  const { Wrapper, requests } = fakeApi(() =>
    answer(200, { ...appointment, status: "cancelled", version: 4 }),
  );
  render(
    <Wrapper>
      <CancelAppointment appointment={appointment} />
    </Wrapper>,
  );
  return { requests };
}

describe("CancelAppointment", () => {
  it("asks before it cancels, and keeping the appointment sends nothing", async () => {
    const { requests } = cancelButton();

    await userEvent.click(screen.getByRole("button", { name: "Cancel appointment" }));
    const dialog = screen.getByRole("dialog", { name: "Cancel this appointment?" });
    expect(dialog).toHaveAttribute("open");
    await userEvent.click(screen.getByRole("button", { name: "Keep it" }));

    expect(dialog).not.toHaveAttribute("open");
    expect(requests()).toHaveLength(0);
  });

  it("cancels with the reason given, against the version read", async () => {
    const { requests } = cancelButton();

    await userEvent.click(screen.getByRole("button", { name: "Cancel appointment" }));
    await userEvent.type(screen.getByLabelText("Why (optional)"), "Feeling better");
    await userEvent.click(screen.getByRole("button", { name: "Yes, cancel it" }));

    await expect.poll(() => requests().length).toBe(1);
    const [request] = requests();
    expect(request?.url).toMatch(/\/appointments\/0b6f3c2e-[^/]+\/cancel$/);
    expect(request?.headers.get("If-Match")).toBe('"3"');
    expect(await request?.json()).toEqual({ reason: "Feeling better" });
  });
});
