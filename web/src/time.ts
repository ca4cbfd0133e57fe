/** Times as people read them: in the clinic's time zone, in the browser's locale (which
 * decides 12 or 24 hours). */
export function formatDateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    dateStyle: "full",
    timeStyle: "short",
    timeZone,
  }).format(new Date(iso));
}

/** An instant as a short weekday, day, month and time ("Tue 8 Dec, 09:00" in English), for a
 * line on a card. */
export function formatShortDateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "numeric",
    minute: "2-digit",
    timeZone,
  }).format(new Date(iso));
}

export function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone }).format(new Date(iso));
}

/** A calendar date (`YYYY-MM-DD`), which has no time zone of its own. */
export function formatDate(date: string, style: "full" | "medium" = "full"): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: style, timeZone: "UTC" }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** `YYYY-MM-DD` of an instant in `timeZone`. */
export function dateIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
  return parts;
}

/** `date` moved by `days` (calendar arithmetic, no time zone). */
export function addDays(date: string, days: number): string {
  const moved = new Date(`${date}T00:00:00Z`);
  moved.setUTCDate(moved.getUTCDate() + days);
  return moved.toISOString().slice(0, 10);
}

/** The instant (ISO, UTC) at which the wall clock of `timeZone` reads `time` (`HH:MM`) on
 * `date` (`YYYY-MM-DD`). */
export function instantAt(date: string, time: string, timeZone: string): string {
  const wallUtc = Date.parse(`${date}T${time}:00Z`);
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  /** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
  const offsetAt = (instant: number) => {
    const part = Object.fromEntries(
      format.formatToParts(new Date(instant)).map((p) => [p.type, Number(p.value)]),
    );
    const wall = Date.UTC(
      part.year ?? 0,
      (part.month ?? 1) - 1,
      part.day ?? 1,
      part.hour ?? 0,
      part.minute ?? 0,
      part.second ?? 0,
    );
    return wall - instant;
  };
  // The offset at the guess, then at the answer: right across a daylight-saving change.
  const guess = wallUtc - offsetAt(wallUtc);
  return new Date(wallUtc - offsetAt(guess)).toISOString();
}

/** The instant (ISO, UTC) at which `date` (`YYYY-MM-DD`) begins in `timeZone`. */
export function startOfDay(date: string, timeZone: string): string {
  let start = Date.parse(instantAt(date, "00:00", timeZone));
  // Where clocks go forward at midnight (Chile, for one), the day has no 00:00: it begins at
  // the change, which falls on a quarter hour.
  while (dateIn(new Date(start), timeZone) < date) start += 15 * 60 * 1000;
  return new Date(start).toISOString();
}
