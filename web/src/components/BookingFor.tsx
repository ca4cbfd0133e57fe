import { useQuery } from "@tanstack/react-query";

import { useApi } from "../api/ApiContext";
import { userQueries } from "../api/users";
import { fullName } from "../people";
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
      />
    );
  }
  const name = patient.data
    ? fullName(patient.data)
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
