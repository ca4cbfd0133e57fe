import { render, screen } from "@testing-library/react";
import type { UserManager } from "oidc-client-ts";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { describe, expect, it } from "vitest";

import { Callback } from "../pages/Callback";
import { safeReturnTo } from "./returnTo";

const ORIGIN = "https://carebook.example";

describe("safeReturnTo", () => {
  it("keeps a path of this app, with its query and fragment", () => {
    expect(safeReturnTo("/appointments?status=scheduled#next", ORIGIN)).toBe(
      "/appointments?status=scheduled#next",
    );
    expect(safeReturnTo("/", ORIGIN)).toBe("/");
  });

  it.each([
    "//evil.example",
    "//evil.example/appointments",
    "/\\evil.example",
    "/\t/evil.example",
    "/..//evil.example",
    "https://evil.example/",
    `${ORIGIN}/appointments`,
    "javascript:alert(1)",
    "evil.example",
    " /appointments",
    "",
  ])("sends %j to the home page", (returnTo) => {
    expect(safeReturnTo(returnTo, ORIGIN)).toBe("/");
  });

  it("sends a missing or odd state to the home page", () => {
    for (const returnTo of [undefined, null, 42, { href: "/x" }]) {
      expect(safeReturnTo(returnTo, ORIGIN)).toBe("/");
    }
  });
});

function Here() {
  const location = useLocation();
  return <p>at {location.pathname + location.search}</p>;
}

/** Keycloak's answer redeemed, as oidc-client-ts returns it, with the state the app stored. */
function signedIn(returnTo: string): UserManager {
  const user = { state: { returnTo } };
  return { signinRedirectCallback: () => Promise.resolve(user) } as unknown as UserManager;
}

function callback(manager: UserManager) {
  render(
    <MemoryRouter initialEntries={["/callback?code=abc&state=xyz"]}>
      <Routes>
        <Route path="/callback" element={<Callback manager={manager} />} />
        <Route path="*" element={<Here />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe("Callback", () => {
  it("returns to the page the sign-in started on", async () => {
    callback(signedIn("/book/42?date=2030-03-04"));

    expect(await screen.findByText("at /book/42?date=2030-03-04")).toBeInTheDocument();
  });

  it("lands on the home page when the return path leads to another host", async () => {
    callback(signedIn("//evil.example/steal"));

    expect(await screen.findByText("at /")).toBeInTheDocument();
  });
});
