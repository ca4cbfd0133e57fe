import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { fakeApi } from "../test/api";
import { AppointmentFilterBar } from "./AppointmentFilterBar";

describe("AppointmentFilterBar", () => {
  it("asks for whole days in the clinic's zone and shows them as they were picked", () => {
    const { Wrapper } = fakeApi(() => new Response(null, { status: 500 }));
    const onChange = vi.fn();
    const filters = { from: "2030-03-04T00:00:00.000Z", to: "2030-03-06T00:00:00.000Z" };
    render(
      <Wrapper>
        <AppointmentFilterBar filters={filters} onChange={onChange} />
      </Wrapper>,
    );

    expect(screen.getByLabelText("From")).toHaveValue("2030-03-04");
    expect(screen.getByLabelText("To")).toHaveValue("2030-03-05");

    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2030-03-09" } });
    expect(onChange).toHaveBeenLastCalledWith({ ...filters, to: "2030-03-10T00:00:00.000Z" });
  });
});
