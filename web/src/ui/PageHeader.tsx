import type { ReactNode } from "react";

/** A page's title (the `h2` its section is labelled by), an optional lead and actions. */
export function PageHeader({
  id,
  title,
  lead,
  actions,
}: {
  id: string;
  title: ReactNode;
  lead?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <h2 id={id}>{title}</h2>
      {lead ? <p>{lead}</p> : null}
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  );
}
