import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import { answer, fakeApi } from "../test/api";
import { describeRange, TimeOffEditor, timeOffBody } from "./TimeOffEditor";

const doctorId = "5d0c1f8e-2f1b-4c5e-9a57-1b8f3c1d2e3f";
const blank = { first: "", last: "", from: "", until: "", note: "" };

describe("timeOffBody", () => {
  it("is whole days from the first day's midnight to the one after the last, on the clinic's clock", () => {
    expect(
      timeOffBody({ ...blank, first: "2030-07-01", last: "2030-07-03" }, "Europe/London"),
    ).toEqual({
      starts_at: "2030-06-30T23:00:00.000Z",
      ends_at: "2030-07-03T23:00:00.000Z",
    });
  });

  it("is one day without a last day, and from a time to a time when given, with its note", () => {
    expect(
      timeOffBody(
        { ...blank, first: "2030-12-02", from: "13:00", until: "17:30", note: " course " },
        "UTC",
      ),
    ).toEqual({
      starts_at: "2030-12-02T13:00:00.000Z",
      ends_at: "2030-12-02T17:30:00.000Z",
      note: "course",
    });
  });
});

describe("describeRange", () => {
  it("says whole days by their dates, and anything else by its times", () => {
    expect(describeRange("2030-06-30T23:00:00Z", "2030-07-03T23:00:00Z", "Europe/London")).toMatch(
      /^Jul 1, 2030 to Jul 3, 2030, all day$/,
    );
    expect(describeRange("2030-07-01T00:00:00Z", "2030-07-02T00:00:00Z", "UTC")).toMatch(
      /^Jul 1, 2030, all day$/,
    );
    expect(describeRange("2030-07-01T13:00:00Z", "2030-07-01T17:00:00Z", "UTC")).not.toMatch(
      /all day/,
    );
  });
});

describe("TimeOffEditor", () => {
  it("records the days asked for and lists the appointments they cover", async () => {
    const { Wrapper, requests } = fakeApi((request) =>
      request.method === "POST"
        ? answer(201, {
            time_off: {
              id: "0b6f3c2e-0000-4000-8000-000000000001",
              doctor_id: doctorId,
              starts_at: "2030-12-02T00:00:00Z",
              ends_at: "2030-12-03T00:00:00Z",
            },
            covers: [
              {
                appointment_id: "0b6f3c2e-0000-4000-8000-000000000002",
                doctor_id: doctorId,
                patient_name: "Ada Lovelace",
                starts_at: "2030-12-02T10:00:00Z",
                ends_at: "2030-12-02T10:30:00Z",
              },
            ],
          })
        : answer(200, { items: [] }),
    );
    render(
      <MemoryRouter>
        <Wrapper>
          <TimeOffEditor owner={{ doctorId }} />
        </Wrapper>
      </MemoryRouter>,
    );

    expect(await screen.findByText(/No time off ahead/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("First day"), "2030-12-02");
    await userEvent.click(screen.getByRole("button", { name: "Save time off" }));

    const covered = await screen.findByRole("link", { name: /Ada Lovelace/ });
    expect(covered).toHaveAttribute("href", "/appointments/0b6f3c2e-0000-4000-8000-000000000002");
    expect(screen.getByRole("status")).toHaveTextContent("inside it and still scheduled");
    const posted = requests().find((request) => request.method === "POST");
    expect(posted?.url).toBe(`http://api.test/doctors/${doctorId}/time-off`);
    expect(await posted?.json()).toEqual({
      starts_at: "2030-12-02T00:00:00.000Z",
      ends_at: "2030-12-03T00:00:00.000Z",
    });
  });
});
