import { TimeOffEditor } from "../components/TimeOffEditor";

/** The clinic's closures (public holidays), which apply to every doctor. */
export function Closures() {
  return <TimeOffEditor owner="clinic" />;
}
