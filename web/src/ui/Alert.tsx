import type { ReactNode } from "react";

import type { Tone } from "./Badge";

/** A message that stands out in its tone. `danger` interrupts a screen reader
 * (`role="alert"`); `announce` has another tone read politely (`role="status"`); without it the
 * message is read in its place, like the text around it. */
export function Alert({
  tone,
  announce = tone === "danger",
  children,
}: {
  tone: Exclude<Tone, "neutral">;
  announce?: boolean;
  children: ReactNode;
}) {
  const role = announce ? (tone === "danger" ? "alert" : "status") : undefined;
  return (
    <div className={`alert ${tone}`} role={role}>
      {children}
    </div>
  );
}
