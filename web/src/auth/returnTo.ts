/**
 * Where to go after Keycloak's sign-in: `returnTo` when it is a path of this app, else `/`.
 * It comes from the page the sign-in started on, which anyone can link to: `//evil.example`,
 * `/\evil.example` or `/..//evil.example` are paths a browser reads as another host, so the
 * path is resolved as the browser would and kept only when it stays on this origin.
 */
export function safeReturnTo(returnTo: unknown, origin = window.location.origin): string {
  if (typeof returnTo !== "string" || !returnTo.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(returnTo, origin);
  } catch {
    return "/";
  }
  const path = url.pathname + url.search + url.hash;
  return url.origin === origin && !/^\/[/\\]/.test(path) ? path : "/";
}
