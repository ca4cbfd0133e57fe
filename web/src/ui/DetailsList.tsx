import { Fragment, type ReactNode } from "react";

/** Label and value pairs, as a description list. */
export function DetailsList({ items }: { items: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="details">
      {items.map(([label, value]) => (
        <Fragment key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
