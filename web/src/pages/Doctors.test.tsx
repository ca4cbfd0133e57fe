import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";

import { strings } from "../strings";
import { answer, fakeApi } from "../test/api";
import { formatDate } from "../time";
import { Doctors } from "./Doctors";

const hopper = "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02";
const curie = "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e03";

/** The directory's three endpoints: two doctors (one when filtered to dermatology), Hopper
 * free on 8 March 2030 at 09:00, Curie not within the eight weeks looked at. */
function directory(request: Request): Response {
  const url = new URL(request.url);
  switch (url.pathname) {
    case "/doctors/specialties":
      return answer(200, {
        items: [
          { name: "Cardiology", doctors: 1 },
          { name: "Dermatology", doctors: 1 },
        ],
      });
    case "/doctors/next-free-slots":
      return answer(200, {
        time_zone: "UTC",
        searched_to: "2030-04-30",
        items: url.searchParams.getAll("doctor_id").map((doctor_id) => ({
          doctor_id,
          slot:
            doctor_id === hopper
              ? { starts_at: "2030-03-08T09:00:00Z", ends_at: "2030-03-08T09:30:00Z" }
              : null,
        })),
      });
    default: {
      const hopperListing = {
        id: hopper,
        first_name: "Grace",
        last_name: "Hopper",
        specialty: "Cardiology",
      };
      const curieListing = {
        id: curie,
        first_name: "Marie",
        last_name: "Curie",
        specialty: "Dermatology",
      };
      const items =
        url.searchParams.get("specialty") === "Dermatology"
          ? [curieListing]
          : [curieListing, hopperListing];
      return answer(200, { items, next_cursor: null });
    }
  }
}

describe("Doctors", () => {
  it("filters by a specialty picked from the list and shows when each doctor is next free", async () => {
    const { Wrapper, requests } = fakeApi(directory);
    render(
      <MemoryRouter>
        <Wrapper>
          <Doctors />
        </Wrapper>
      </MemoryRouter>,
    );

    const hopperCard = (await screen.findByRole("heading", { name: "Grace Hopper" })).closest("li");
    expect(await within(hopperCard as HTMLElement).findByText(/^Next free: /)).toBeVisible();
    const curieCard = screen.getByRole("heading", { name: "Marie Curie" }).closest("li");
    expect(
      within(curieCard as HTMLElement).getByText(
        strings.doctors.noneFreeUntil(formatDate("2030-04-30", "medium")),
      ),
    ).toBeVisible();
    const nextFree = requests().filter((request) => request.url.includes("next-free"));
    expect(nextFree).toHaveLength(1);
    expect(new URL(nextFree[0]?.url ?? "").searchParams.getAll("doctor_id")).toEqual([
      curie,
      hopper,
    ]);

    await userEvent.selectOptions(
      screen.getByLabelText("Specialty"),
      screen.getByRole("option", { name: "Dermatology (1 doctor)" }),
    );

    expect(await screen.findByRole("heading", { name: "Marie Curie" })).toBeVisible();
    expect(screen.queryByRole("heading", { name: "Grace Hopper" })).toBeNull();
  });
});
