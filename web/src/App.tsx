import type { UserManager } from "oidc-client-ts";
import { type ReactNode, useEffect } from "react";
import { NavLink, Outlet, Route, Routes } from "react-router";

import type { Role } from "./api/types";
import { useAuth } from "./auth/AuthContext";
import { Loading } from "./components/Feedback";
import { Agenda } from "./pages/Agenda";
import { AppointmentDetail } from "./pages/AppointmentDetail";
import { Appointments } from "./pages/Appointments";
import { BookDoctor } from "./pages/BookDoctor";
import { Callback } from "./pages/Callback";
import { Doctors } from "./pages/Doctors";
import { Emails } from "./pages/Emails";
import { Figures } from "./pages/Figures";
import { Home } from "./pages/Home";
import { Onboard } from "./pages/Onboard";
import { Profile } from "./pages/Profile";
import { WorkingHours } from "./pages/WorkingHours";
import { strings } from "./strings";

const LINKS: { to: string; label: string; roles: Role[] }[] = [
  { to: "/book", label: strings.nav.book, roles: ["patient", "admin"] },
  { to: "/agenda", label: strings.nav.agenda, roles: ["doctor"] },
  { to: "/appointments", label: strings.nav.appointments, roles: ["patient", "doctor", "admin"] },
  { to: "/hours", label: strings.nav.hours, roles: ["doctor"] },
  { to: "/admin/onboard", label: strings.nav.onboard, roles: ["admin"] },
  { to: "/admin/figures", label: strings.nav.figures, roles: ["admin"] },
  { to: "/emails", label: strings.nav.emails, roles: ["patient", "doctor", "admin"] },
  { to: "/profile", label: strings.nav.profile, roles: ["patient", "doctor", "admin"] },
];

function Layout() {
  const { user, roles, signOut } = useAuth();
  return (
    <>
      <a className="skip" href="#main">
        {strings.skipToContent}
      </a>
      <header>
        <h1>{strings.appName}</h1>
        {user ? (
          <nav aria-label={strings.nav.label}>
            <ul>
              {LINKS.filter((link) => link.roles.some((role) => roles.includes(role))).map(
                (link) => (
                  <li key={link.to}>
                    <NavLink to={link.to}>{link.label}</NavLink>
                  </li>
                ),
              )}
              <li>
                <button type="button" className="link" onClick={() => void signOut()}>
                  {strings.nav.signOut}
                </button>
              </li>
            </ul>
          </nav>
        ) : null}
      </header>
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}

/** Signed-in pages: without a session, Keycloak's login page, then back here. */
function SignedIn({ children }: { children: ReactNode }) {
  const { user, signIn } = useAuth();
  useEffect(() => {
    if (!user) void signIn();
  }, [user, signIn]);
  return user ? children : <Loading />;
}

export function App({ manager }: { manager: UserManager }) {
  const page = (element: ReactNode) => <SignedIn>{element}</SignedIn>;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Home />} />
        <Route path="callback" element={<Callback manager={manager} />} />
        <Route path="book" element={page(<Doctors />)} />
        <Route path="book/:doctorId" element={page(<BookDoctor />)} />
        <Route path="appointments" element={page(<Appointments />)} />
        <Route path="appointments/:id" element={page(<AppointmentDetail />)} />
        <Route path="agenda" element={page(<Agenda />)} />
        <Route path="hours" element={page(<WorkingHours />)} />
        <Route path="profile" element={page(<Profile />)} />
        <Route path="emails" element={page(<Emails />)} />
        <Route path="admin/onboard" element={page(<Onboard />)} />
        <Route path="admin/figures" element={page(<Figures />)} />
        <Route path="*" element={<p>{strings.notFound}</p>} />
      </Route>
    </Routes>
  );
}
