import type { UserManager } from "oidc-client-ts";
import { lazy, type ReactNode, Suspense, useEffect } from "react";
import { Route, Routes } from "react-router";

import { useAuth } from "./auth/AuthContext";
import { AppShell } from "./components/AppShell";
import { Loading } from "./components/Feedback";
import { AppointmentDetail } from "./pages/AppointmentDetail";
import { Appointments } from "./pages/Appointments";
import { BookDoctor } from "./pages/BookDoctor";
import { Callback } from "./pages/Callback";
import { Doctors } from "./pages/Doctors";
import { Emails } from "./pages/Emails";
import { Home } from "./pages/Home";
import { NotFound } from "./pages/NotFound";
import { Profile } from "./pages/Profile";

// Doctors' and admins' pages load as chunks of their own: a patient's first visit downloads
// none of them (the initial JavaScript budget, SPEC §9).
const Agenda = lazy(() => import("./pages/Agenda").then((m) => ({ default: m.Agenda })));
const WorkingHours = lazy(() =>
  import("./pages/WorkingHours").then((m) => ({ default: m.WorkingHours })),
);
const TimeOff = lazy(() => import("./pages/TimeOff").then((m) => ({ default: m.TimeOff })));
const Closures = lazy(() => import("./pages/Closures").then((m) => ({ default: m.Closures })));
const Onboard = lazy(() => import("./pages/Onboard").then((m) => ({ default: m.Onboard })));
const Figures = lazy(() => import("./pages/Figures").then((m) => ({ default: m.Figures })));

/** Signed-in pages: without a session, Keycloak's login page, then back here. */
function SignedIn({ children }: { children: ReactNode }) {
  const { user, signIn } = useAuth();
  useEffect(() => {
    if (!user) void signIn();
  }, [user, signIn]);
  return user ? <Suspense fallback={<Loading />}>{children}</Suspense> : <Loading />;
}

export function App({ manager }: { manager: UserManager }) {
  const page = (element: ReactNode) => <SignedIn>{element}</SignedIn>;
  return (
    <Routes>
      <Route element={<AppShell />}>
        <Route index element={<Home />} />
        <Route path="callback" element={<Callback manager={manager} />} />
        <Route path="book" element={page(<Doctors />)} />
        <Route path="book/:doctorId" element={page(<BookDoctor />)} />
        <Route path="appointments" element={page(<Appointments />)} />
        <Route path="appointments/:id" element={page(<AppointmentDetail />)} />
        <Route path="agenda" element={page(<Agenda />)} />
        <Route path="hours" element={page(<WorkingHours />)} />
        <Route path="time-off" element={page(<TimeOff />)} />
        <Route path="admin/closures" element={page(<Closures />)} />
        <Route path="profile" element={page(<Profile />)} />
        <Route path="emails" element={page(<Emails />)} />
        <Route path="admin/onboard" element={page(<Onboard />)} />
        <Route path="admin/figures" element={page(<Figures />)} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
