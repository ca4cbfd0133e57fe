import { useApi } from "../api/ApiContext";
import type { Slot } from "../api/types";
import { strings } from "../strings";
import { formatDate, formatDateTime, formatTime } from "../time";
import { EmptyState } from "../ui/EmptyState";

/** The free slots of a day, each a button whose name carries the full date and time. */
export function SlotPicker({
  date,
  slots,
  selected,
  onPick,
}: {
  date: string;
  slots: readonly Slot[];
  selected: Slot | null;
  onPick: (slot: Slot) => void;
}) {
  const { timeZone } = useApi();
  return (
    <div className="slots">
      <h3>{strings.slots.title(formatDate(date))}</h3>
      {slots.length === 0 ? (
        <EmptyState message={strings.slots.none} />
      ) : (
        <ul className="slot-list">
          {slots.map((slot) => (
            <li key={slot.starts_at}>
              <button
                type="button"
                aria-pressed={selected?.starts_at === slot.starts_at}
                aria-label={strings.slots.pick(formatDateTime(slot.starts_at, timeZone))}
                onClick={() => {
                  onPick(slot);
                }}
              >
                {formatTime(slot.starts_at, timeZone)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
