import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { UserManager, WebStorageStateStore } from "oidc-client-ts";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";

import { ApiContext } from "./api/ApiContext";
import { createApiClient } from "./api/client";
import { ApiProblem } from "./api/problem";
import { App } from "./App";
import { AuthProvider } from "./auth/AuthProvider";
import { loadConfig } from "./config";
import "./styles.css";

const config = await loadConfig();
const manager = new UserManager({
  authority: config.authority,
  client_id: config.clientId,
  redirect_uri: `${window.location.origin}/callback`,
  post_logout_redirect_uri: `${window.location.origin}/`,
  scope: "openid profile email",
  // Tokens live in this tab's session storage: gone when the tab closes, never in a cookie.
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  automaticSilentRenew: true,
});
const user = await manager.getUser();
const api = createApiClient(
  config.apiUrl,
  async () => (await manager.getUser())?.access_token,
  () => {
    // An expired session: sign in again, then come back to this page.
    void manager.signinRedirect({
      state: { returnTo: window.location.pathname + window.location.search },
    });
  },
);
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change on retry; a network failure may.
      retry: (count, error) => !(error instanceof ApiProblem && error.status < 500) && count < 2,
    },
  },
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <AuthProvider manager={manager} initialUser={user}>
          <ApiContext.Provider value={{ client: api, timeZone: config.timeZone }}>
            <QueryClientProvider client={queryClient}>
              <App manager={manager} />
            </QueryClientProvider>
          </ApiContext.Provider>
        </AuthProvider>
      </BrowserRouter>
    </StrictMode>,
  );
}
