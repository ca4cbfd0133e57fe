/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import compression from "compression";
import { defineConfig, type Connect, type Plugin } from "vite";

/** `make dev` on other ports (WATCH_PORT) tells the app through CAREBOOK_API_URL; the
 * checked-in public/config.json is the default `make dev`'s. */
function serveConfig(middlewares: Connect.Server) {
  const apiUrl = process.env.CAREBOOK_API_URL;
  if (!apiUrl) return;
  middlewares.use("/config.json", (_request, response) => {
    response.setHeader("Content-Type", "application/json");
    response.end(
      JSON.stringify({
        apiUrl,
        authority: process.env.CAREBOOK_AUTHORITY ?? "http://127.0.0.1:8080/realms/carebook",
        clientId: "carebook-web",
        timeZone: process.env.CLINIC_TIME_ZONE ?? "UTC",
      }),
    );
  });
}

function devConfig(): Plugin {
  return {
    name: "carebook-dev-config",
    configureServer(server) {
      serveConfig(server.middlewares);
    },
    // The production bundle as CloudFront serves it (compressed), for make bench's Lighthouse.
    configurePreviewServer(server) {
      // compression is connect middleware; its types are written against Express's request.
      server.middlewares.use(compression() as unknown as Connect.NextHandleFunction);
      serveConfig(server.middlewares);
    },
  };
}

export default defineConfig({
  plugins: [react(), devConfig()],
  build: { sourcemap: true },
  test: {
    environment: "jsdom",
    // e2e/ is Playwright's, run against make dev.
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
  },
});
