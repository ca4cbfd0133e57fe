import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import createClient from "openapi-fetch";
import { describe, expect, it, vi } from "vitest";

import { ApiContext } from "../api/ApiContext";
import type { paths } from "../api/schema";
import type { Slot } from "../api/types";
import { AuthContext, type Auth } from "../auth/AuthContext";
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

function problem(status: number, body: object) {
  return new Response(JSON.stringify({ status, title: "refused", ...body }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

function form(answer: Response, onPickSlot = vi.fn()) {
  const fetch = vi.fn(() => Promise.resolve(answer));
  const client = createClient<paths>({ baseUrl: "http://api.test", fetch });
  render(
    <AuthContext.Provider value={patient}>
      <ApiContext.Provider value={{ client, timeZone: "UTC" }}>
        <QueryClientProvider client={new QueryClient()}>
          <BookingForm
            doctorId="5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02"
            slot={slot}
            nextFree={() => later}
            onPickSlot={onPickSlot}
            onBooked={() => Promise.resolve()}
            onClash={() => Promise.resolve()}
          />
        </QueryClientProvider>
      </ApiContext.Provider>
    </AuthContext.Provider>,
  );
  return { fetch, onPickSlot };
}

describe("BookingForm", () => {
  it("puts the API's field error on its field and keeps what was typed", async () => {
    form(
      problem(400, {
        type: "urn:carebook:problem:validation",
        errors: { reason: "must be at most 2000 characters" },
      }),
    );
    const reason = screen.getByLabelText("Reason for the visit");

    await userEvent.type(reason, "persistent cough");
    await userEvent.click(screen.getByRole("button", { name: "Book" }));

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
    await userEvent.click(screen.getByRole("button", { name: "Book" }));
    const alert = await screen.findByRole("alert");
    const next = screen.getByRole("button", { name: /next free slot/ });

    expect(alert).toHaveTextContent(/just taken/);
    expect(next).toHaveTextContent(formatTime(later.starts_at, "UTC"));
    await userEvent.click(next);
    expect(onPickSlot).toHaveBeenCalledWith(later);
  });

  it("sends the booking with an Idempotency-Key, so a retried click books once", async () => {
    const { fetch } = form(new Response("{}", { status: 201 }));

    await userEvent.type(screen.getByLabelText("Reason for the visit"), "check-up");
    await userEvent.click(screen.getByRole("button", { name: "Book" }));

    await vi.waitFor(() => {
      expect(fetch).toHaveBeenCalled();
    });
    const request = fetch.mock.calls[0] as unknown as [Request];
    expect(request[0].headers.get("Idempotency-Key")).toBeTruthy();
    expect(await request[0].json()).toMatchObject({
      starts_at: slot.starts_at,
      reason: "check-up",
    });
  });
});
