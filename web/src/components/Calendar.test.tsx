import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { formatDate } from "../time";
import { Calendar, monthGrid } from "./Calendar";

/** A day button's name starts with the date as the browser's locale writes it. */
function day(date: string): RegExp {
  return new RegExp(`^${formatDate(date)},`);
}

function calendar(free: [string, number][], onSelect = vi.fn(), onMonthChange = vi.fn()) {
  render(
    <Calendar
      month="2030-03-01"
      freeByDate={new Map(free)}
      selected={null}
      onSelect={onSelect}
      onMonthChange={onMonthChange}
    />,
  );
  return { onSelect, onMonthChange };
}

describe("Calendar", () => {
  it("lays a month out in weeks that start on Monday", () => {
    // 1 March 2030 is a Friday: four empty cells before it.
    const weeks = monthGrid("2030-03-01");

    expect(weeks[0]).toEqual([null, null, null, null, "2030-03-01", "2030-03-02", "2030-03-03"]);
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
    expect(weeks.every((week) => week.length === 7)).toBe(true);
  });

  it("names each day with its full date and free slots, and offers only days with some", async () => {
    const { onSelect } = calendar([
      ["2030-03-04", 3],
      ["2030-03-05", 0],
    ]);
    const free = screen.getByRole("button", { name: /3 free slots$/ });
    const full = screen.getByRole("button", { name: day("2030-03-05") });

    await userEvent.click(full);
    await userEvent.click(free);

    expect(free).toHaveAccessibleName(day("2030-03-04"));
    expect(full).toHaveAccessibleName(/fully booked$/);
    expect(full).toHaveAttribute("aria-disabled", "true");
    expect(onSelect).toHaveBeenCalledTimes(1);
    expect(onSelect).toHaveBeenCalledWith("2030-03-04");
  });

  it("moves by day and week with arrow keys, and to the next month with Page Down", async () => {
    const { onMonthChange } = calendar([["2030-03-01", 1]]);
    const first = screen.getByRole("button", { name: day("2030-03-01") });
    first.focus();

    await userEvent.keyboard("{ArrowRight}");
    expect(screen.getByRole("button", { name: day("2030-03-02") })).toHaveFocus();
    await userEvent.keyboard("{ArrowDown}");
    expect(screen.getByRole("button", { name: day("2030-03-09") })).toHaveFocus();
    await userEvent.keyboard("{Home}");
    expect(screen.getByRole("button", { name: day("2030-03-04") })).toHaveFocus();
    await userEvent.keyboard("{PageDown}");
    expect(onMonthChange).toHaveBeenCalledWith("2030-04-01");
  });

  it("keeps one day in the tab order", () => {
    calendar([]);

    const tabbable = screen
      .getAllByRole("button")
      .filter((button) => button.getAttribute("tabindex") === "0");

    expect(tabbable).toHaveLength(1);
  });
});
