import { useQuery } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { anAppointment, answer, fakeApi } from "../test/api";
import { useApi } from "./ApiContext";
import {
  appointmentKeys,
  appointmentQueries,
  useBookAppointment,
  useCancelAppointment,
} from "./appointments";
import { doctorKeys } from "./doctors";
import type { Appointment, Availability } from "./types";

const doctorId = "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e02";
const otherDoctorId = "5d9c8e1f-2b7a-4e3d-8c6f-1a2b3c4d5e03";

const appointment = anAppointment({ doctor_id: doctorId });

/** A month of a doctor's free slots, in the cache as the booking page left it. */
function freeSlots(doctor: string) {
  const slots: Availability = {
    doctor_id: doctor,
    doctor_name: "Grace Hopper",
    time_zone: "UTC",
    slot_minutes: 30,
    from: "2030-03-01",
    to: "2030-03-31",
    days: [],
  };
  return [doctorKeys.availability(doctor, slots.from, slots.to), slots] as const;
}

const cancelled: Appointment = { ...appointment, status: "cancelled", version: 4 };

function problem(status: number, slug: string) {
  return answer(status, { type: `urn:carebook:problem:${slug}`, title: slug, status });
}

/** The appointment page's queries and its cancel, as `AppointmentDetail` runs them. */
function useDetailPage() {
  const { client } = useApi();
  return {
    detail: useQuery(appointmentQueries.detail(client, appointment.id)),
    cancel: useCancelAppointment(appointment.id),
  };
}

describe("useCancelAppointment", () => {
  it("cancels the version read, leaves a blank reason out, and shows the answer everywhere", async () => {
    const { Wrapper, queryClient, requests } = fakeApi((request) =>
      request.method === "GET" ? answer(200, appointment) : answer(200, cancelled),
    );
    const agenda = appointmentKeys.agenda("2030-03-04T00:00:00Z", "2030-03-05T00:00:00Z");
    const [mine, mySlots] = freeSlots(doctorId);
    const [others, otherSlots] = freeSlots(otherDoctorId);
    queryClient.setQueryData(agenda, { items: [appointment] });
    queryClient.setQueryData(mine, mySlots);
    queryClient.setQueryData(others, otherSlots);
    const { result } = renderHook(useDetailPage, { wrapper: Wrapper });
    await waitFor(() => {
      expect(result.current.detail.data).toEqual(appointment);
    });

    await act(() => result.current.cancel.mutateAsync({ version: 3, reason: "  " }));

    const sent = requests().at(-1);
    expect(sent?.method).toBe("POST");
    expect(sent?.url).toBe(`http://api.test/appointments/${appointment.id}/cancel`);
    expect(sent?.headers.get("If-Match")).toBe('"3"');
    expect(await sent?.json()).toEqual({});
    expect(result.current.detail.data).toEqual(cancelled);
    const stale = (key: readonly unknown[]) => queryClient.getQueryState(key)?.isInvalidated;
    expect(stale(agenda)).toBe(true);
    expect(stale(mine)).toBe(true);
    expect(stale(others)).toBe(false);
  });

  it("fetches the appointment again when the version read is stale", async () => {
    let current = appointment;
    const { Wrapper } = fakeApi((request) => {
      if (request.method === "GET") return answer(200, current);
      current = { ...appointment, starts_at: "2030-03-05T09:00:00Z", version: 4 };
      return problem(412, "stale-version");
    });
    const { result } = renderHook(useDetailPage, { wrapper: Wrapper });
    await waitFor(() => {
      expect(result.current.detail.data?.version).toBe(3);
    });

    await act(async () => {
      await result.current.cancel.mutateAsync({ version: 3, reason: "" }).catch(() => undefined);
    });

    await waitFor(() => {
      expect(result.current.detail.data?.starts_at).toBe("2030-03-05T09:00:00Z");
    });
    expect(result.current.cancel.error).toMatchObject({ status: 412 });
  });
});

describe("useBookAppointment", () => {
  it("fetches the doctor's free slots again when the slot was just taken", async () => {
    const { Wrapper, queryClient } = fakeApi(() => problem(409, "slot-taken"));
    const [mine, mySlots] = freeSlots(doctorId);
    const [others, otherSlots] = freeSlots(otherDoctorId);
    queryClient.setQueryData(mine, mySlots);
    queryClient.setQueryData(others, otherSlots);
    const { result } = renderHook(useBookAppointment, { wrapper: Wrapper });

    await act(async () => {
      await result.current
        .mutateAsync({
          idempotencyKey: "key",
          body: {
            doctor_id: doctorId,
            starts_at: appointment.starts_at,
            duration_minutes: 30,
            reason: "check-up",
          },
        })
        .catch(() => undefined);
    });

    expect(queryClient.getQueryState(mine)?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(others)?.isInvalidated).toBe(false);
  });
});
