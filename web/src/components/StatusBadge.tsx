import type { AppointmentStatus, Priority } from "../api/types";
import { strings } from "../strings";
import { Badge, type Tone } from "../ui/Badge";

const TONES: Record<AppointmentStatus, Tone> = {
  scheduled: "info",
  completed: "success",
  cancelled: "neutral",
};

/** An appointment's status as a coloured badge, and an emergency flagged beside it. */
export function StatusBadge({ status }: { status: AppointmentStatus }) {
  return <Badge tone={TONES[status]}>{strings.appointments.status[status]}</Badge>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return priority === "emergency" ? <Badge tone="danger">{strings.booking.emergency}</Badge> : null;
}
