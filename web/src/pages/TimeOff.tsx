import { useAuth } from "../auth/AuthContext";
import { TimeOffEditor } from "../components/TimeOffEditor";

/** A doctor's own time off. */
export function TimeOff() {
  const { user } = useAuth();
  return <TimeOffEditor owner={{ doctorId: user?.profile.sub ?? "" }} />;
}
