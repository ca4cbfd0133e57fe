/** Lowercase hex of `bytes`, two digits each. */
function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Random bytes that are not all zero: W3C Trace Context forbids all-zero ids. */
function randomId(length: number): string {
  const bytes = new Uint8Array(length);
  do crypto.getRandomValues(bytes);
  while (bytes.every((byte) => byte === 0));
  return hex(bytes);
}

/**
 * A `traceparent` header starting a new sampled trace whose root is this request, so the
 * handler's spans, the event's publish and its consumers share one trace id per click
 * (https://www.w3.org/TR/trace-context/#traceparent-header).
 */
export function newTraceparent(): string {
  return `00-${randomId(16)}-${randomId(8)}-01`;
}
