import { type SyntheticEvent, useEffect, useRef, useState } from "react";

import { useApi } from "../api/ApiContext";
import { isSlotTaken, useBookAppointment } from "../api/appointments";
import { fieldErrors } from "../api/fieldErrors";
import type { Appointment, Priority, Slot } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { strings } from "../strings";
import { formatDateTime } from "../time";
import { Alert } from "../ui/Alert";
import { describedBy, Field } from "./Feedback";

/** The reason for `slot`; an admin (booking for the patient picked before) may also flag an
 * emergency, which a patient cannot: triage is the clinic's call. A refused slot (409) names
 * the clash and offers the next free one; field errors land on their fields, and nothing typed
 * is lost. */
export function BookingForm({
  doctorId,
  doctorName,
  patientId,
  slot,
  nextFree,
  onPickSlot,
  onBooked,
}: {
  doctorId: string;
  /** Whom the booking is with, when known, repeated beside the time before it is confirmed. */
  doctorName?: string;
  /** Whom an admin books for (picked before the slot); a patient books for themselves. */
  patientId?: string;
  slot: Slot;
  nextFree: (after: Slot) => Slot | undefined;
  onPickSlot: (slot: Slot) => void;
  onBooked: (appointment: Appointment) => void;
}) {
  const { timeZone } = useApi();
  const { roles } = useAuth();
  const isAdmin = roles.includes("admin");
  const [reason, setReason] = useState("");
  const [priority, setPriority] = useState<Priority>("normal");
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const book = useBookAppointment();
  const reasonField = useRef<HTMLTextAreaElement>(null);
  // Picking a slot leads on to why: the next thing to fill in.
  useEffect(() => {
    reasonField.current?.focus();
  }, [slot.starts_at]);

  const { fields, form } = fieldErrors(book.error);
  const clash = isSlotTaken(book.error);
  const next = clash ? nextFree(slot) : undefined;

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    book.mutate(
      {
        // One key per slot: a retry books once, another slot is another booking.
        idempotencyKey: `${idempotencyKey}-${slot.starts_at}`,
        body: {
          doctor_id: doctorId,
          starts_at: slot.starts_at,
          duration_minutes: Math.round(
            (Date.parse(slot.ends_at) - Date.parse(slot.starts_at)) / 60000,
          ),
          reason,
          priority,
          ...(patientId ? { patient_id: patientId } : {}),
        },
      },
      {
        onSuccess: (appointment) => {
          setReason("");
          onBooked(appointment);
        },
      },
    );
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="booking-title" noValidate>
      <h3 id="booking-title">{strings.booking.title}</h3>
      <p>
        <strong>{formatDateTime(slot.starts_at, timeZone)}</strong>
        <br />
        {strings.booking.with(
          doctorName,
          strings.appointments.minutes(
            Math.round((Date.parse(slot.ends_at) - Date.parse(slot.starts_at)) / 60_000),
          ),
        )}
      </p>
      {fields.patient_id ? (
        <p role="alert" className="field-error">
          {fields.patient_id}
        </p>
      ) : null}
      <Field id="reason" label={strings.booking.reason} error={fields.reason}>
        <textarea
          ref={reasonField}
          id="reason"
          value={reason}
          required
          maxLength={2000}
          onChange={(event) => {
            setReason(event.target.value);
          }}
          {...describedBy("reason", fields.reason)}
        />
      </Field>
      {isAdmin ? (
        <Field id="priority" label={strings.booking.priority} error={fields.priority}>
          <select
            id="priority"
            value={priority}
            onChange={(event) => {
              setPriority(event.target.value === "emergency" ? "emergency" : "normal");
            }}
          >
            <option value="normal">{strings.booking.normal}</option>
            <option value="emergency">{strings.booking.emergency}</option>
          </select>
        </Field>
      ) : null}
      {fields.starts_at ? (
        <p role="alert" className="field-error">
          {fields.starts_at}
        </p>
      ) : null}
      {clash ? (
        <Alert tone="danger">
          <p>{strings.booking.clash(formatDateTime(slot.starts_at, timeZone))}</p>
          {next ? (
            <button
              type="button"
              onClick={() => {
                book.reset();
                onPickSlot(next);
              }}
            >
              {strings.booking.next(formatDateTime(next.starts_at, timeZone))}
            </button>
          ) : null}
        </Alert>
      ) : form ? (
        <Alert tone="danger">{form}</Alert>
      ) : null}
      <button type="submit" disabled={book.isPending}>
        {strings.booking.submit}
      </button>
    </form>
  );
}
