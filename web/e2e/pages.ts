import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** Where the test run writes every page's screenshots (README, "The web app"). */
export const SCREENSHOTS = "test-results/screenshots";

const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

/** Keycloak's own login page, as a person fills it in. */
export async function signIn(page: Page, username: string, password = username) {
  await page.goto("/");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("#kc-login").click();
}

/** Axe finds no serious or critical violation; then a screenshot at desktop and phone width. */
export async function checkPage(page: Page, name: string) {
  await page.waitForLoadState("networkidle");
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations.filter(
    (violation) => violation.impact === "serious" || violation.impact === "critical",
  );
  expect(
    severe.map((violation) => `${violation.id}: ${violation.help}`),
    `axe on ${name}`,
  ).toEqual([]);
  for (const [width, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    // Nothing scrolls sideways (WCAG 1.4.10, reflow), long names included.
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} is wider than the ${width} viewport`).toBeLessThanOrEqual(
      size.width,
    );
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize(WIDTHS.desktop);
  return results.violations.map((violation) => `${violation.id} (${violation.impact ?? "?"})`);
}
