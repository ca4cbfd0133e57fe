import { Navigate } from "react-router";

import { useAuth } from "../auth/AuthContext";
import { mainRole } from "../auth/roles";
import { strings } from "../strings";

const START: Record<string, string> = {
  patient: "/book",
  doctor: "/agenda",
  admin: "/appointments",
};

/** Signed out: what Carebook is, sign in or register. Signed in: where the role starts. */
export function Home() {
  const { user, roles, signIn, register } = useAuth();
  const role = mainRole(roles);
  if (user && role) return <Navigate to={START[role] ?? "/book"} replace />;
  return (
    <section className="hero" aria-labelledby="home-title">
      <h2 id="home-title">{strings.home.title}</h2>
      <p>{strings.home.lead}</p>
      <div className="actions">
        <button type="button" onClick={() => void signIn("/")}>
          {strings.home.signIn}
        </button>
        <button type="button" className="secondary" onClick={() => void register()}>
          {strings.home.register}
        </button>
      </div>
    </section>
  );
}
