import type { ReactNode, Ref } from "react";

/** A page's title (the `h2` its section is labelled by), an optional lead and actions. With
 * `headingRef` the title can take the focus, to say where a change left the reader. */
export function PageHeader({
  id,
  title,
  lead,
  actions,
  headingRef,
}: {
  id: string;
  title: ReactNode;
  lead?: ReactNode;
  actions?: ReactNode;
  headingRef?: Ref<HTMLHeadingElement>;
}) {
  return (
    <header className="page-header">
      <h2 id={id} ref={headingRef} tabIndex={headingRef ? -1 : undefined}>
        {title}
      </h2>
      {lead ? <p>{lead}</p> : null}
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  );
}
