import { type ReactNode, useEffect, useId, useRef } from "react";

/** A modal dialog on the native `<dialog>`: the browser traps focus, Escape closes it, and
 * focus returns to what opened it. `onClose` runs however it closes. */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose}>
      <h3 id={titleId}>{title}</h3>
      {open ? children : null}
    </dialog>
  );
}
