import { createContext, useContext } from "react";
import type { User } from "oidc-client-ts";

import type { Role } from "../api/types";

export interface Auth {
  user: User | null;
  roles: Role[];
  /** Keycloak's login page, then back to `returnTo`. */
  signIn: (returnTo?: string) => Promise<void>;
  /** Keycloak's registration page: a new patient. */
  register: () => Promise<void>;
  signOut: () => Promise<void>;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
