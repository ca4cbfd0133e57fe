import { type ReactNode, useEffect, useMemo, useState } from "react";
import type { User, UserManager } from "oidc-client-ts";

import { AuthContext, type Auth } from "./AuthContext";
import { rolesOf } from "./roles";

/** Where to come back to after signing in. */
export interface SignInState {
  returnTo: string;
}

export function AuthProvider({
  manager,
  initialUser,
  children,
}: {
  manager: UserManager;
  initialUser: User | null;
  children: ReactNode;
}) {
  const [user, setUser] = useState<User | null>(initialUser);

  useEffect(() => {
    const loaded = (next: User) => {
      setUser(next);
    };
    const unloaded = () => {
      setUser(null);
    };
    manager.events.addUserLoaded(loaded);
    manager.events.addUserUnloaded(unloaded);
    manager.events.addUserSignedOut(unloaded);
    return () => {
      manager.events.removeUserLoaded(loaded);
      manager.events.removeUserUnloaded(unloaded);
      manager.events.removeUserSignedOut(unloaded);
    };
  }, [manager]);

  const auth = useMemo<Auth>(
    () => ({
      user,
      roles: user ? rolesOf(user.access_token) : [],
      signIn: (returnTo = window.location.pathname + window.location.search) =>
        manager.signinRedirect({ state: { returnTo } satisfies SignInState }),
      register: () =>
        manager.signinRedirect({
          state: { returnTo: "/" } satisfies SignInState,
          extraQueryParams: { prompt: "create" },
        }),
      signOut: () => manager.signoutRedirect(),
    }),
    [manager, user],
  );

  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}
