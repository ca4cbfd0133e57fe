import type { ReactNode } from "react";

import { isStale } from "../api/appointments";
import { ApiProblem } from "../api/problem";
import { strings } from "../strings";
import { Alert } from "../ui/Alert";

export function Loading() {
  return (
    <p role="status" aria-live="polite">
      {strings.loading}
    </p>
  );
}

/** A failed request as the API explained it (its `detail`, else its `title`). */
export function ErrorNotice({ error }: { error: unknown }) {
  const message =
    error instanceof ApiProblem
      ? error.status === 404
        ? strings.notFound
        : error.message
      : strings.errors.generic;
  return <Alert tone="danger">{message}</Alert>;
}

/** Why a change to an appointment was refused: that it changed meanwhile (412, and it has been
 * fetched again), else as the API explained it. */
export function ChangeRefused({ error }: { error: unknown }) {
  if (!error) return null;
  return isStale(error) ? (
    <Alert tone="danger">{strings.appointments.stale}</Alert>
  ) : (
    <ErrorNotice error={error} />
  );
}

/** A form field with its label and, when the API named it, its error. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  /** What to enter, or how, read out with the input (see {@link describedBy}). */
  hint?: string;
  error: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {children}
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The `aria-*` attributes tying an input to its {@link Field}'s hint and error. */
export function describedBy(id: string, error: string | undefined, hint?: string) {
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean);
  return {
    ...(error ? { "aria-invalid": true } : {}),
    ...(described.length > 0 ? { "aria-describedby": described.join(" ") } : {}),
  };
}
