import type { ReactNode } from "react";

/** Nothing to show yet, and what to do next (a link or a button), when there is something. */
export function EmptyState({ message, action }: { message: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <p>{message}</p>
      {action ? <p>{action}</p> : null}
    </div>
  );
}
