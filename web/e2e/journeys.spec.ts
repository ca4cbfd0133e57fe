import { execFileSync } from "node:child_process";

import { type Browser, expect, test, type Page } from "@playwright/test";

import { checkPage, signIn } from "./pages";

/** make smoke's people and tag (localstack/test_people.py): the journeys never sign in as the
 * seeded people a newcomer's `make dev` shows, and whom they make carries the tag, so that the
 * run takes them away again. */
function fromRun(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: make smoke sets it (localstack/test_people.py)`);
  return value;
}
const run = fromRun("CAREBOOK_TEST_TAG");
const staff = {
  username: fromRun("CAREBOOK_TEST_ADMIN"),
  password: fromRun("CAREBOOK_TEST_ADMIN_PASSWORD"),
};
const otherPatient = {
  username: fromRun("CAREBOOK_TEST_PATIENT"),
  password: fromRun("CAREBOOK_TEST_PATIENT_PASSWORD"),
};
const doctor = {
  name: `Grace Hopper${run}`,
  specialty: `cardiology-${run}`,
  email: `e2e-doctor-${run}@carebook.test`,
  password: "e2e-Temporary-1",
};
const patient = { username: `e2e-patient-${run}`, password: "e2e-Patient-pass-1" };
const axe: Record<string, string[]> = {};

test.describe.configure({ mode: "serial" });

test.afterAll(() => {
  console.log(`axe (violations of any impact) per page: ${JSON.stringify(axe, null, 1)}`);
});

/** A page in a browser context of its own: another person, with no session of the others. */
async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

async function check(page: Page, name: string) {
  axe[name] = await checkPage(page, name);
}

/** The doctor reaches the appointments service through user-events (until then their
 * availability is "not found"): reload until the calendar loads, then open the last free day
 * of this month, or of the next when this one has fewer than two: late in the day, today may
 * have a single slot left, which a booking would take, closing the day for the next person. */
async function openFreeDay(page: Page): Promise<string> {
  await expect(async () => {
    await page.reload();
    await expect(page.locator("button.day").first()).toBeVisible();
    await expect(page.getByRole("status")).toHaveCount(0, { timeout: 5_000 });
    await expect(page.getByRole("alert")).toHaveCount(0);
  }).toPass({ timeout: 120_000 });
  if ((await page.locator("button.day.free").count()) < 2) {
    await page.getByRole("button", { name: "Next month" }).click();
  }
  const day = page.locator("button.day.free").last();
  const date = (await day.getAttribute("data-date")) ?? "";
  await day.click();
  return date;
}

/** Opens `date` in the calendar, moving to its month first. */
async function openDay(page: Page, date: string) {
  const day = page.locator(`button[data-date="${date}"]`);
  await expect(page.locator("button.day").first()).toBeVisible();
  if ((await day.count()) === 0) await page.getByRole("button", { name: "Next month" }).click();
  await day.click();
}

/** The doctor directory, filtered to this run's doctor, then the doctor's calendar. */
async function chooseDoctor(page: Page) {
  await page.getByLabel("Specialty").fill(doctor.specialty);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByRole("link", { name: `Book with ${doctor.name}` }).click();
}

async function bookFirstSlot(page: Page, reason: string): Promise<string> {
  const slot = page.getByRole("button", { name: /^Choose / }).first();
  const name = (await slot.getAttribute("aria-label")) ?? "";
  await slot.click();
  await page.getByLabel("Reason for the visit").fill(reason);
  await page.getByRole("button", { name: "Book", exact: true }).click();
  await expect(page.getByText(/^Booked for/)).toBeVisible();
  return name;
}

test("an admin onboards a doctor and reads the clinic's figures", async ({ page }) => {
  await signIn(page, staff.username, staff.password);
  await expect(page.getByRole("heading", { name: "Appointments", level: 2 })).toBeVisible();
  await check(page, "admin-appointments");

  await page.getByRole("link", { name: "Onboard" }).click();
  await page.getByLabel("Email", { exact: true }).fill(doctor.email);
  await page.getByLabel("First name").fill("Grace");
  await page.getByLabel("Last name").fill(`Hopper${run}`);
  await page.getByLabel("Specialty (doctors)").fill(doctor.specialty);
  await page.getByLabel("Temporary password").fill(doctor.password);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("status")).toContainText(doctor.email);
  await check(page, "admin-onboard");

  await page.getByRole("link", { name: "Figures" }).click();
  await expect(page.getByRole("heading", { name: "Clinic figures" })).toBeVisible();
  await check(page, "admin-figures");
});

test("a new patient registers, books, gets the email, moves and cancels", async ({ browser }) => {
  const page = await newPage(browser);
  await page.goto("/");
  await check(page, "home");
  await page.getByRole("button", { name: "Register as a patient" }).click();
  await page.locator("#username").fill(patient.username);
  await page.locator("#email").fill(`${patient.username}@carebook.test`);
  await page.locator("#firstName").fill("Ada");
  await page.locator("#lastName").fill(`Lovelace${run}`);
  await page.locator("#password").fill(patient.password);
  await page.locator("#password-confirm").fill(patient.password);
  await page.getByRole("button", { name: "Register" }).click();

  await expect(page.getByRole("heading", { name: "Choose a doctor" })).toBeVisible();
  await check(page, "patient-doctors");
  await chooseDoctor(page);
  const date = await openFreeDay(page);
  const taken = await bookFirstSlot(page, "E2E check-up");
  await check(page, "patient-book");

  // Another patient finds that slot gone.
  const other = await newPage(browser);
  await signIn(other, otherPatient.username, otherPatient.password);
  await chooseDoctor(other);
  await openDay(other, date);
  await expect(other.getByRole("heading", { name: /^Free slots on/ })).toBeVisible();
  await expect(other.getByRole("button", { name: taken })).toHaveCount(0);
  await other.close();

  await page.getByRole("link", { name: "Emails" }).click();
  await expect(async () => {
    await page.reload();
    await expect(page.getByText("Your appointment is booked")).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 120_000 });
  await check(page, "patient-emails");

  await page.getByRole("link", { name: "Appointments" }).click();
  await check(page, "patient-appointments");
  await page.locator(".appointment a").first().click();
  const heading = page.getByRole("heading", { level: 2 });
  const before = await heading.textContent();
  await check(page, "patient-appointment");
  // The last day offered is a whole day ahead: today may have one slot left, or none.
  const newDay = page.getByLabel("New day");
  await newDay.selectOption((await newDay.locator("option").last().getAttribute("value")) ?? "");
  await page
    .getByRole("button", { name: /^Choose / })
    .first()
    .click();
  await expect(heading).not.toHaveText(before ?? "");

  await page.getByLabel("Why (optional)").fill("Feeling better");
  await page.getByRole("button", { name: "Cancel it" }).click();
  await expect(page.getByText("Cancelled", { exact: true })).toBeVisible();

  await page.getByRole("link", { name: "Profile" }).click();
  await expect(page.getByLabel("First name")).toHaveValue("Ada");
  await check(page, "patient-profile");
  await page.close();
});

test("the doctor sees the patient by name and completes the appointment", async ({ browser }) => {
  // A booking of the patient's, moved into the past so it can be completed.
  const patientPage = await newPage(browser);
  await signIn(patientPage, patient.username, patient.password);
  await chooseDoctor(patientPage);
  await openFreeDay(patientPage);
  await bookFirstSlot(patientPage, "E2E follow-up");
  await patientPage.getByRole("status").getByRole("link").click();
  await patientPage.waitForURL(/\/appointments\/[0-9a-f-]{36}$/);
  const id = patientPage.url().split("/").pop() ?? "";
  await patientPage.close();
  execFileSync("psql", [
    process.env.APPOINTMENTS_DATABASE_URL ??
      "set APPOINTMENTS_DATABASE_URL (localstack/stack.sh env)",
    "-c",
    `update appointments set starts_at = now() - interval '1 hour',
       ends_at = now() - interval '30 minutes' where id = '${id}'`,
  ]);

  const page = await newPage(browser);
  await signIn(page, doctor.email, doctor.password);
  // Keycloak makes an onboarded person choose their own password first.
  await page.locator("#password-new").fill("e2e-Doctor-pass-1");
  await page.locator("#password-confirm").fill("e2e-Doctor-pass-1");
  await page.locator("[type=submit]").click();
  await expect(page.getByRole("heading", { name: "Agenda" })).toBeVisible();
  await check(page, "doctor-agenda");

  await page.goto(`/appointments/${id}`);
  await expect(page.getByText(`Ada Lovelace${run}`)).toBeVisible();
  await page.getByRole("button", { name: "Mark as completed" }).click();
  await expect(page.getByText("Completed", { exact: true })).toBeVisible();
  await check(page, "doctor-appointment");

  await page.getByRole("link", { name: "Working hours" }).click();
  await expect(page.getByRole("heading", { name: "Working hours" })).toBeVisible();
  await check(page, "doctor-hours");
  await page.close();
});

test("an admin books for the patient; only that patient sees it, after signing in again", async ({
  browser,
}) => {
  const admin = await newPage(browser);
  await signIn(admin, staff.username, staff.password);
  await admin.getByRole("link", { name: "Book" }).click();
  await chooseDoctor(admin);
  await openFreeDay(admin);
  await admin
    .getByRole("button", { name: /^Choose / })
    .first()
    .click();
  await admin.getByLabel("Name or email").fill(`Lovelace${run}`);
  await admin.getByRole("radio", { name: new RegExp(`Ada Lovelace${run}`) }).check();
  await admin.getByLabel("Reason for the visit").fill("Booked by the front desk");
  await admin.getByRole("button", { name: "Book", exact: true }).click();
  await expect(admin.getByText(/^Booked for/)).toBeVisible();
  await check(admin, "admin-book");
  await admin.getByRole("status").getByRole("link").click();
  await admin.waitForURL(/\/appointments\/[0-9a-f-]{36}$/);
  const path = new URL(admin.url()).pathname;
  await admin.close();

  // Another patient's URL answers "not found", as the API does: nothing shows it exists.
  const other = await newPage(browser);
  await signIn(other, otherPatient.username, otherPatient.password);
  await expect(other.getByRole("heading", { name: "Choose a doctor" })).toBeVisible();
  await other.goto(path);
  await expect(other.getByText("Not found.")).toBeVisible();
  await expect(other.getByText("Booked by the front desk")).toHaveCount(0);
  await check(other, "patient-not-found");
  await other.close();

  // The patient's session ends (its tokens no longer valid, Keycloak's session gone, as after
  // the idle timeout): opening the appointment goes through Keycloak's login and back to it.
  const page = await newPage(browser);
  await signIn(page, patient.username, patient.password);
  await expect(page.getByRole("heading", { name: "Choose a doctor" })).toBeVisible();
  await page.evaluate(() => {
    for (const key of Object.keys(sessionStorage).filter((k) => k.startsWith("oidc.user:"))) {
      const user = JSON.parse(sessionStorage.getItem(key) ?? "{}") as Record<string, unknown>;
      sessionStorage.setItem(
        key,
        JSON.stringify({
          ...user,
          access_token: "expired",
          refresh_token: undefined,
          expires_at: Math.floor(Date.now() / 1000) - 60,
        }),
      );
    }
  });
  await page.context().clearCookies();
  await page.goto(path);
  await page.locator("#username").fill(patient.username);
  await page.locator("#password").fill(patient.password);
  await page.locator("#kc-login").click();
  await page.waitForURL((url) => url.pathname === path);
  await expect(page.getByText("Booked by the front desk")).toBeVisible();
  await page.close();
});
