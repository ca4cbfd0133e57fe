import { type SyntheticEvent, useState } from "react";

import { useApi } from "../api/ApiContext";
import { useCancelAppointment } from "../api/appointments";
import { fieldErrors } from "../api/fieldErrors";
import type { Appointment } from "../api/types";
import { strings } from "../strings";
import { formatDateTime } from "../time";
import { Dialog } from "../ui/Dialog";
import { ChangeRefused, Field } from "./Feedback";

/** "Cancel appointment", and a dialog that asks before it cancels (with an optional reason). */
export function CancelAppointment({ appointment }: { appointment: Appointment }) {
  const { timeZone } = useApi();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const cancel = useCancelAppointment(appointment.id);
  const close = () => {
    setOpen(false);
    cancel.reset();
  };
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    cancel.mutate({ version: appointment.version, reason }, { onSuccess: close });
  };
  return (
    <>
      <button
        type="button"
        className="quiet-danger"
        onClick={() => {
          setOpen(true);
        }}
      >
        {strings.appointments.cancel}
      </button>
      <Dialog open={open} title={strings.appointments.cancelTitle} onClose={close}>
        <form onSubmit={submit} noValidate>
          <p>{strings.appointments.cancelLead(formatDateTime(appointment.starts_at, timeZone))}</p>
          <Field
            id="cancel-reason"
            label={strings.appointments.cancelReason}
            error={fieldErrors(cancel.error).fields.reason}
          >
            <input
              id="cancel-reason"
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
              }}
            />
          </Field>
          <ChangeRefused error={cancel.error} />
          <div className="actions">
            <button type="submit" className="danger" disabled={cancel.isPending}>
              {strings.appointments.confirmCancel}
            </button>
            <button type="button" className="secondary" onClick={close}>
              {strings.appointments.keep}
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
