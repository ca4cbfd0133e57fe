import type { UserManager } from "oidc-client-ts";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";

import type { SignInState } from "../auth/AuthProvider";
import { safeReturnTo } from "../auth/returnTo";
import { strings } from "../strings";

/** Keycloak sends the browser back here with the code; PKCE's verifier redeems it. */
export function Callback({ manager }: { manager: UserManager }) {
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    manager
      .signinRedirectCallback()
      .then((user) => {
        const state = user.state as Partial<SignInState> | undefined;
        void navigate(safeReturnTo(state?.returnTo), { replace: true });
      })
      .catch(() => {
        setFailed(true);
      });
  }, [manager, navigate]);
  return <p role="status">{failed ? strings.signInFailed : strings.signingIn}</p>;
}
