import { useQuery } from "@tanstack/react-query";

import { useApi } from "../api/ApiContext";
import { userQueries } from "../api/users";
import { strings } from "../strings";
import { Alert } from "../ui/Alert";
import { PersonPicker } from "./PersonPicker";

/** An admin books for a patient: first whom, then "Booking for …" stays on screen while they
 * choose the time. */
export function BookingFor({
  patientId,
  onChange,
}: {
  patientId: string | null;
  onChange: (patientId: string | null) => void;
}) {
  const { client } = useApi();
  const patient = useQuery({
    ...userQueries.person(client, patientId ?? ""),
    enabled: patientId !== null,
  });
  if (patientId === null) {
    return (
      <PersonPicker
        role="patient"
        legend={strings.booking.whoFor}
        selected={null}
        onSelect={onChange}
        error={undefined}
      />
    );
  }
  const name = patient.data
    ? [patient.data.first_name, patient.data.last_name].filter(Boolean).join(" ")
    : patient.error
      ? strings.notFound
      : strings.loading;
  return (
    <Alert tone="info">
      <div className="actions booking-for">
        <p>
          {strings.booking.bookingFor} <strong>{name}</strong>
          {patient.data?.email ? ` (${patient.data.email})` : null}
        </p>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            onChange(null);
          }}
        >
          {strings.booking.changePatient}
        </button>
      </div>
    </Alert>
  );
}
