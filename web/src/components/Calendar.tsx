import { type KeyboardEvent, useEffect, useRef, useState } from "react";

import { strings } from "../strings";
import { addDays, formatDate } from "../time";

export interface CalendarProps {
  /** The first day of the month shown, `YYYY-MM-01`. */
  month: string;
  /** Free slots per date; dates missing are not offered. */
  freeByDate: ReadonlyMap<string, number>;
  selected: string | null;
  onSelect: (date: string) => void;
  onMonthChange: (month: string) => void;
}

const KEY_STEPS: Record<string, number> = {
  ArrowLeft: -1,
  ArrowRight: 1,
  ArrowUp: -7,
  ArrowDown: 7,
};

function monthOf(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

function shiftMonth(month: string, by: number): string {
  const date = new Date(`${month}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + by);
  return date.toISOString().slice(0, 10);
}

/** The dates of the weeks (Monday first) that cover `month`; `null` pads the edges. */
export function monthGrid(month: string): (string | null)[][] {
  const first = new Date(`${month}T00:00:00Z`);
  const lead = (first.getUTCDay() + 6) % 7;
  const days: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let date = month; monthOf(date) === month; date = addDays(date, 1)) days.push(date);
  while (days.length % 7 !== 0) days.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  return weeks;
}

/** A month as a grid of days, driven by arrow keys (a day, a week), Home/End (the week's
 * ends) and Page Up/Down (a month), as the WAI-ARIA date picker pattern describes. */
export function Calendar({ month, freeByDate, selected, onSelect, onMonthChange }: CalendarProps) {
  const [focused, setFocused] = useState<string>(selected ?? month);
  const grid = useRef<HTMLTableElement>(null);
  const moved = useRef(false);

  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    grid.current?.querySelector<HTMLButtonElement>(`[data-date="${focused}"]`)?.focus();
  }, [focused, month]);

  const focusDay = (date: string) => {
    moved.current = true;
    setFocused(date);
    if (monthOf(date) !== month) onMonthChange(monthOf(date));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    const step = KEY_STEPS[event.key];
    const weekday = (new Date(`${focused}T00:00:00Z`).getUTCDay() + 6) % 7;
    let next: string | undefined;
    if (step !== undefined) next = addDays(focused, step);
    else if (event.key === "Home") next = addDays(focused, -weekday);
    else if (event.key === "End") next = addDays(focused, 6 - weekday);
    else if (event.key === "PageUp") next = shiftMonth(focused, -1);
    else if (event.key === "PageDown") next = shiftMonth(focused, 1);
    if (next === undefined) return;
    event.preventDefault();
    focusDay(next);
  };

  const title = new Intl.DateTimeFormat(undefined, {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(`${month}T00:00:00Z`));
  const weekdays = monthGrid("2024-01-01")[0] ?? [];
  const focusable = monthOf(focused) === month ? focused : month;

  return (
    <div className="calendar">
      <div className="calendar-header">
        <button
          type="button"
          onClick={() => {
            onMonthChange(shiftMonth(month, -1));
          }}
        >
          <span aria-hidden="true">{strings.calendar.previousMark}</span>
          <span className="visually-hidden">{strings.calendar.previous}</span>
        </button>
        <h3 id={`calendar-${month}`} aria-live="polite">
          {title}
        </h3>
        <button
          type="button"
          onClick={() => {
            onMonthChange(shiftMonth(month, 1));
          }}
        >
          <span aria-hidden="true">{strings.calendar.nextMark}</span>
          <span className="visually-hidden">{strings.calendar.next}</span>
        </button>
      </div>
      <table role="grid" aria-labelledby={`calendar-${month}`} ref={grid} onKeyDown={onKeyDown}>
        <thead>
          <tr>
            {weekdays.map((date) =>
              date ? (
                <th key={date} scope="col" abbr={formatWeekday(date, "long")}>
                  {formatWeekday(date, "short")}
                </th>
              ) : null,
            )}
          </tr>
        </thead>
        <tbody>
          {monthGrid(month).map((week, row) => (
            <tr key={row}>
              {week.map((date, column) =>
                date ? (
                  <td key={date} aria-selected={date === selected}>
                    <DayButton
                      date={date}
                      free={freeByDate.get(date)}
                      selected={date === selected}
                      tabbable={date === focusable}
                      onSelect={() => {
                        setFocused(date);
                        onSelect(date);
                      }}
                    />
                  </td>
                ) : (
                  <td key={`pad-${column}`} />
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function formatWeekday(date: string, style: "short" | "long"): string {
  return new Intl.DateTimeFormat(undefined, { weekday: style, timeZone: "UTC" }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

function DayButton({
  date,
  free,
  selected,
  tabbable,
  onSelect,
}: {
  date: string;
  free: number | undefined;
  selected: boolean;
  tabbable: boolean;
  onSelect: () => void;
}) {
  const offered = free !== undefined && free > 0;
  return (
    <button
      type="button"
      data-date={date}
      tabIndex={tabbable ? 0 : -1}
      className={offered ? "day free" : "day"}
      aria-pressed={selected}
      aria-disabled={!offered}
      aria-label={strings.calendar.day(formatDate(date), free ?? 0)}
      onClick={() => {
        if (offered) onSelect();
      }}
    >
      {Number(date.slice(8, 10))}
    </button>
  );
}
