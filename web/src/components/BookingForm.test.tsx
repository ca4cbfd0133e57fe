import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Slot } from "../api/types";
import { AuthContext, type Auth } from "../auth/AuthContext";
import { anAppointment, answer, fakeApi } from "../test/api";
import { formatTime } from "../time";
import { BookingForm } from "./BookingForm";

const slot: Slot = { starts_at: "2030-03-04T09:00:00Z", ends_at: "2030-03-04T09:30:00Z" };
const later: Slot = { starts_at: "2030-03-04T10:00:00Z", ends_at: "2030-03-04T10:30:00Z" };

const patient: Auth = {
  user: null,
  roles: ["patient"],
  signIn: vi.fn(),
  register: vi.fn(),
  signOut: vi.fn(),
};

const doctorId = "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02";

function problem(status: number, body: object) {
  return answer(status, { status, title: "refused", ...body });
}

function form(response: Response) {
  const { Wrapper, requests } = fakeApi(() => response);
  const onPickSlot = vi.fn();
  const onBooked = vi.fn();
  render(
    <AuthContext.Provider value={patient}>
      <Wrapper>
        <BookingForm
          doctorId={doctorId}
          slot={slot}
          nextFree={() => later}
          onPickSlot={onPickSlot}
          onBooked={onBooked}
        />
      </Wrapper>
    </AuthContext.Provider>,
  );
  return { requests, onPickSlot, onBooked };
}

describe("BookingForm", () => {
  it("leads a patient from the slot to the reason, with no emergency flag to set", () => {
    form(answer(500, {}));

    expect(screen.getByLabelText("Reason for the visit")).toHaveFocus();
    expect(screen.queryByLabelText("Priority")).not.toBeInTheDocument();
  });

  it("puts the API's field error on its field and keeps what was typed", async () => {
    form(
      problem(400, {
        type: "urn:carebook:problem:validation",
        errors: { reason: "must be at most 2000 characters" },
      }),
    );
    const reason = screen.getByLabelText("Reason for the visit");

    await userEvent.type(reason, "persistent cough");
    await userEvent.click(screen.getByRole("button", { name: "Confirm booking" }));

    expect(await screen.findByText("must be at most 2000 characters")).toBeInTheDocument();
    expect(reason).toHaveAttribute("aria-invalid", "true");
    expect(reason).toHaveAccessibleDescription("must be at most 2000 characters");
    expect(reason).toHaveValue("persistent cough");
  });

  it("says which slot clashed and offers the next free one", async () => {
    const { onPickSlot } = form(
      problem(409, {
        type: "urn:carebook:problem:slot-taken",
        clash_with: "doctor",
        clashing_slot: slot,
      }),
    );

    await userEvent.type(screen.getByLabelText("Reason for the visit"), "check-up");
    await userEvent.click(screen.getByRole("button", { name: "Confirm booking" }));
    const alert = await screen.findByRole("alert");
    const next = screen.getByRole("button", { name: /next free slot/ });

    expect(alert).toHaveTextContent(/just taken/);
    expect(next).toHaveTextContent(formatTime(later.starts_at, "UTC"));
    await userEvent.click(next);
    expect(onPickSlot).toHaveBeenCalledWith(later);
  });

  it("sends the booking with an Idempotency-Key, so a retried click books once", async () => {
    const booked = anAppointment({
      doctor_id: doctorId,
      starts_at: slot.starts_at,
      ends_at: slot.ends_at,
      version: 1,
    });
    const { requests, onBooked } = form(answer(201, booked));

    await userEvent.type(screen.getByLabelText("Reason for the visit"), "check-up");
    await userEvent.click(screen.getByRole("button", { name: "Confirm booking" }));

    await vi.waitFor(() => {
      expect(onBooked).toHaveBeenCalledWith(booked);
    });
    const [request] = requests();
    expect(request?.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await request?.json()).toMatchObject({
      doctor_id: doctorId,
      starts_at: slot.starts_at,
      duration_minutes: 30,
      reason: "check-up",
    });
  });
});
