import { describe, expect, it } from "vitest";

import { instantAt, startOfDay } from "./time";

describe("startOfDay", () => {
  it("is midnight on the clinic's wall clock, in UTC", () => {
    expect(startOfDay("2026-07-01", "Europe/London")).toBe("2026-06-30T23:00:00.000Z");
    expect(startOfDay("2026-12-07", "Europe/London")).toBe("2026-12-07T00:00:00.000Z");
    expect(startOfDay("2026-12-07", "America/New_York")).toBe("2026-12-07T05:00:00.000Z");
  });

  it("holds on the days the clocks change", () => {
    expect(startOfDay("2026-03-29", "Europe/London")).toBe("2026-03-29T00:00:00.000Z");
    expect(startOfDay("2026-10-25", "Europe/London")).toBe("2026-10-24T23:00:00.000Z");
  });

  it("begins a day that has no midnight at the change", () => {
    // Chile moves from 23:59:59 on 5 September straight to 01:00 on the 6th.
    expect(startOfDay("2026-09-06", "America/Santiago")).toBe("2026-09-06T04:00:00.000Z");
  });
});

describe("instantAt", () => {
  it("is the clinic's wall clock time, in UTC, either side of a clock change", () => {
    expect(instantAt("2026-03-28", "13:30", "Europe/London")).toBe("2026-03-28T13:30:00.000Z");
    expect(instantAt("2026-03-29", "13:30", "Europe/London")).toBe("2026-03-29T12:30:00.000Z");
    expect(instantAt("2026-12-07", "09:00", "America/New_York")).toBe("2026-12-07T14:00:00.000Z");
  });
});
