import type { ReactNode } from "react";

import type { Tone } from "./Badge";

/** A message in a tone: `danger` is announced at once (`role="alert"`), the others politely
 * (`role="status"`). */
export function Alert({ tone, children }: { tone: Exclude<Tone, "neutral">; children: ReactNode }) {
  return (
    <div className={`alert ${tone}`} role={tone === "danger" ? "alert" : "status"}>
      {children}
    </div>
  );
}
