import { useState } from "react";
import { useLocation, useNavigate, useParams, useSearchParams } from "react-router";

import { useApi } from "../api/ApiContext";
import type { Slot } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { BookingFor } from "../components/BookingFor";
import { BookingForm } from "../components/BookingForm";
import { SlotCalendar, useSlotCalendar } from "../components/SlotCalendar";
import { strings } from "../strings";
import { Alert } from "../ui/Alert";
import { PageHeader } from "../ui/PageHeader";
import type { AppointmentPageState } from "./AppointmentDetail";

/** Who the directory said the doctor is, carried in the link from it. */
export interface DoctorState {
  name?: string;
  specialty?: string;
}

/** A patient (or an admin for one) picks a free day of the doctor, a slot, and books; then
 * the appointment's own page confirms it. */
export function BookDoctor() {
  const { doctorId = "" } = useParams();
  const doctor = useLocation().state as DoctorState | null;
  const navigate = useNavigate();
  const { timeZone } = useApi();
  const { roles } = useAuth();
  const isAdmin = roles.includes("admin");
  // In the address, so a reload keeps whom the admin is booking for.
  const [params, setParams] = useSearchParams();
  const patientId = params.get("patient");
  const calendar = useSlotCalendar(doctorId);
  const [slot, setSlot] = useState<Slot | null>(null);
  // Opened by its address (a reload, a shared link) the page has no state: the doctor's free
  // slots name them too, kept while another month loads.
  const [learnt, setLearnt] = useState<DoctorState | null>(null);
  const loaded = calendar.availability.data;
  if (!doctor && !learnt && loaded) {
    setLearnt({
      name: loaded.doctor_name ?? undefined,
      specialty: loaded.specialty ?? strings.doctors.noSpecialty,
    });
  }
  const { name, specialty } = doctor ?? learnt ?? {};

  return (
    <section aria-labelledby="book-title">
      <PageHeader
        id="book-title"
        title={name ?? strings.nav.book}
        lead={specialty ? `${specialty} · ${strings.timesIn(timeZone)}` : strings.timesIn(timeZone)}
      />
      {isAdmin ? (
        <BookingFor
          patientId={patientId}
          onChange={(id) => {
            setParams(id ? { patient: id } : {}, { replace: true, state: doctor });
          }}
        />
      ) : null}
      <SlotCalendar state={calendar} selected={slot} onPick={setSlot}>
        {slot && isAdmin && !patientId ? (
          <Alert tone="info">{strings.booking.pickPatientFirst}</Alert>
        ) : null}
        {slot && (!isAdmin || patientId) ? (
          <BookingForm
            doctorId={doctorId}
            doctorName={name}
            patientId={patientId ?? undefined}
            slot={slot}
            nextFree={calendar.nextFree}
            onPickSlot={(next) => {
              calendar.showSlot(next);
              setSlot(next);
            }}
            onBooked={(appointment) => {
              const state: AppointmentPageState = {
                booked: true,
                specialty,
              };
              void navigate(`/appointments/${appointment.id}`, { state });
            }}
          />
        ) : null}
      </SlotCalendar>
    </section>
  );
}
