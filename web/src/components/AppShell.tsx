import { useState } from "react";
import { NavLink, Outlet } from "react-router";

import type { Role } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { mainRole } from "../auth/roles";
import { strings } from "../strings";

const LINKS: { to: string; label: string; roles: Role[] }[] = [
  { to: "/book", label: strings.nav.book, roles: ["patient", "admin"] },
  { to: "/agenda", label: strings.nav.agenda, roles: ["doctor"] },
  { to: "/appointments", label: strings.nav.appointments, roles: ["patient", "doctor", "admin"] },
  { to: "/hours", label: strings.nav.hours, roles: ["doctor"] },
  { to: "/time-off", label: strings.nav.timeOff, roles: ["doctor"] },
  { to: "/admin/onboard", label: strings.nav.onboard, roles: ["admin"] },
  { to: "/admin/figures", label: strings.nav.figures, roles: ["admin"] },
  { to: "/admin/closures", label: strings.nav.closures, roles: ["admin"] },
  { to: "/emails", label: strings.nav.emails, roles: ["patient", "doctor", "admin"] },
  { to: "/profile", label: strings.nav.profile, roles: ["patient", "doctor", "admin"] },
];

/** The header every page shares: the app's name, who is signed in and as what, the pages their
 * roles open (behind a menu button on a phone), and the page itself. */
export function AppShell() {
  const { user, roles, signOut } = useAuth();
  const [menuOpen, setMenuOpen] = useState(false);
  const role = mainRole(roles);
  const name = user?.profile.name ?? user?.profile.preferred_username ?? user?.profile.email ?? "";
  const close = () => {
    setMenuOpen(false);
  };
  return (
    <>
      <a className="skip" href="#main">
        {strings.skipToContent}
      </a>
      <header className="shell-header">
        <div className="shell-bar">
          <h1 className="brand">{strings.appName}</h1>
          {user ? (
            <>
              <button
                type="button"
                className="menu-toggle secondary"
                aria-expanded={menuOpen}
                aria-controls="main-nav who"
                onClick={() => {
                  setMenuOpen(!menuOpen);
                }}
              >
                {strings.shell.menu}
              </button>
              <nav
                id="main-nav"
                aria-label={strings.nav.label}
                className={menuOpen ? "shell-nav open" : "shell-nav"}
              >
                <ul>
                  {LINKS.filter((link) => link.roles.some((r) => roles.includes(r))).map((link) => (
                    <li key={link.to}>
                      <NavLink to={link.to} onClick={close}>
                        {link.label}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </nav>
              <p id="who" className={menuOpen ? "who open" : "who"}>
                <span className="who-name">
                  {strings.shell.signedInAs} <strong>{name}</strong>
                </span>
                {role ? <span className="who-role">· {strings.roles[role]}</span> : null}
                <button type="button" className="ghost" onClick={() => void signOut()}>
                  {strings.nav.signOut}
                </button>
              </p>
            </>
          ) : null}
        </div>
      </header>
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}
