import { describe, expect, it } from "vitest";

import { newTraceparent } from "./traceparent";

describe("newTraceparent", () => {
  it("is a version 00, sampled W3C traceparent", () => {
    expect(newTraceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it("starts a new trace for every request", () => {
    const traceIds = new Set(Array.from({ length: 50 }, () => newTraceparent().slice(3, 35)));
    expect(traceIds.size).toBe(50);
  });
});
