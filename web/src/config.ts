/** Where the app finds the API and Keycloak: `/config.json`, written by `make deploy` from the
 * stack's outputs (the checked-in one is `make dev`'s). */
export interface RuntimeConfig {
  apiUrl: string;
  authority: string;
  clientId: string;
  /** The clinic's IANA time zone (`CLINIC_TIME_ZONE` of the services). */
  timeZone: string;
}

function isConfig(value: unknown): value is RuntimeConfig {
  if (typeof value !== "object" || value === null) return false;
  const config = value as Record<string, unknown>;
  return ["apiUrl", "authority", "clientId", "timeZone"].every(
    (key) => typeof config[key] === "string",
  );
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  const config: unknown = await response.json();
  if (!isConfig(config))
    throw new Error("/config.json lacks apiUrl, authority, clientId or timeZone");
  return config;
}
