import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { anAppointment, answer, fakeApi } from "../test/api";
import { CancelAppointment } from "./CancelAppointment";

const appointment = anAppointment();

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
