import type { ReactNode } from "react";

import { ApiProblem } from "../api/problem";
import { strings } from "../strings";

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
  return (
    <p role="alert" className="alert danger">
      {message}
    </p>
  );
}

/** A form field with its label and, when the API named it, its error. */
export function Field({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The `aria-*` attributes tying an input to its error. */
export function describedBy(id: string, error: string | undefined) {
  return error ? { "aria-invalid": true, "aria-describedby": `${id}-error` } : {};
}
