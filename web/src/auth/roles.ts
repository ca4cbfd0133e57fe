import type { Role } from "../api/types";

const ROLES: readonly Role[] = ["patient", "doctor", "admin"];

/** The Carebook realm roles an access token carries (`realm_access.roles`). The API verifies
 * the token; this only decides what the app shows. */
export function rolesOf(accessToken: string): Role[] {
  const payload = accessToken.split(".")[1];
  if (!payload) return [];
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as { realm_access?: { roles?: unknown } };
    const roles = claims.realm_access?.roles;
    if (!Array.isArray(roles)) return [];
    return ROLES.filter((role) => roles.includes(role));
  } catch {
    return [];
  }
}

/** The role that decides what a person mainly does here: admin, else doctor, else patient. */
export function mainRole(roles: readonly Role[]): Role | undefined {
  return ROLES.slice()
    .reverse()
    .find((role) => roles.includes(role));
}
