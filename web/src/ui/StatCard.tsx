import type { ReactNode } from "react";

/** A figure with its label; several sit in a `Stats` grid. */
export function StatCard({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export function Stats({ label, children }: { label?: string; children: ReactNode }) {
  return (
    <dl className="stats" aria-label={label}>
      {children}
    </dl>
  );
}
