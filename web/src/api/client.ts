import createClient, { type Middleware } from "openapi-fetch";

import type { paths } from "./schema";
import { newTraceparent } from "./traceparent";

export type ApiClient = ReturnType<typeof createClient<paths>>;

/**
 * The typed API client; every request carries the current access token and starts a trace of
 * its own (`traceparent`), which the handlers and the events they emit continue.
 */
export function createApiClient(
  baseUrl: string,
  accessToken: () => Promise<string | undefined>,
  onUnauthorized: () => void,
): ApiClient {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = await accessToken();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      request.headers.set("traceparent", newTraceparent());
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  };
  client.use(auth);
  return client;
}
