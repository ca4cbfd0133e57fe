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
// A surname of one long word: names may be long (the API allows 100 characters), and no page
// may scroll sideways for it.
const doctorLastName = `Hopper${run}Wolfeschlegelsteinhausenbergerdorff`;
const doctor = {
  name: `Grace ${doctorLastName}`,
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
  // Reloaded, the page still says whom it books.
  await expect(page.getByRole("heading", { name: doctor.name, level: 2 })).toBeVisible();
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
  await expect(page.locator("button.day.free").first()).toBeVisible();
  if ((await day.count()) === 0) await page.getByRole("button", { name: "Next month" }).click();
  await expect(day).toHaveClass(/free/);
  await day.click();
}

/** The doctor directory, filtered to this run's doctor by picking the specialty from those
 * doctors have; returns the doctor's card. */
async function findDoctor(page: Page) {
  await page.getByLabel("Specialty").selectOption({ label: `${doctor.specialty} (1 doctor)` });
  const card = page.locator(".doctor", { hasText: doctor.name });
  await expect(page.locator(".doctor")).toHaveCount(1);
  return card;
}

/** The doctor's calendar, from the directory. */
async function chooseDoctor(page: Page) {
  const card = await findDoctor(page);
  await card.getByRole("link", { name: `Book with ${doctor.name}` }).click();
}

/** Picks the first free slot shown; the reason field takes the focus. */
async function pickFirstSlot(page: Page): Promise<string> {
  const slot = page.getByRole("button", { name: /^Choose / }).first();
  const name = (await slot.getAttribute("aria-label")) ?? "";
  await slot.click();
  await expect(slot).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByLabel("Reason for the visit")).toBeFocused();
  return name;
}

/** Books with `reason`; the appointment's own page confirms it. Returns the appointment's id. */
async function book(page: Page, reason: string): Promise<string> {
  await page.getByLabel("Reason for the visit").fill(reason);
  await page.getByRole("button", { name: "Confirm booking" }).click();
  await expect(page.getByRole("heading", { name: "You're booked" })).toBeVisible();
  await page.waitForURL(/\/appointments\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop() ?? "";
}

test("an admin onboards a doctor and reads the clinic's figures", async ({ page }) => {
  await signIn(page, staff.username, staff.password);
  await expect(page.getByRole("heading", { name: "Appointments", level: 2 })).toBeVisible();
  await check(page, "admin-appointments");

  await page.getByRole("link", { name: "Onboard" }).click();
  await page.getByLabel("Email", { exact: true }).fill(doctor.email);
  await page.getByLabel("First name").fill("Grace");
  await page.getByLabel("Last name").fill(doctorLastName);
  await page.getByLabel("Specialty").fill(doctor.specialty);
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
  const taken = await pickFirstSlot(page);
  // A patient does not triage their own visit: the emergency flag is the clinic's.
  await expect(page.getByLabel("Priority")).toHaveCount(0);
  await check(page, "patient-book");
  await book(page, "E2E check-up");
  await expect(page.getByText("A confirmation is on its way to you by email.")).toBeVisible();
  await expect(page.locator(".who")).toContainText(`Ada Lovelace${run}`);
  await expect(page.locator(".who")).toContainText("Patient");
  await check(page, "patient-booked");

  // Another patient finds that slot gone.
  const other = await newPage(browser);
  await signIn(other, otherPatient.username, otherPatient.password);
  // The directory says when the doctor is next free.
  const card = await findDoctor(other);
  await expect(card.locator(".next-free")).toContainText(/^Next free: /);
  await card.getByRole("link", { name: `Book with ${doctor.name}` }).click();
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
  await page.waitForURL(/\/appointments\/[0-9a-f-]{36}$/);
  const heading = page.getByRole("heading", { level: 2 });
  await expect(heading).not.toHaveText("Appointments");
  const before = (await heading.textContent()) ?? "";
  await check(page, "patient-appointment");

  // Rescheduling uses booking's calendar, and moves only once the new time is confirmed.
  await page.getByRole("button", { name: "Reschedule" }).click();
  await expect(page.locator("button.day.free").first()).toBeVisible();
  if ((await page.locator("button.day.free").count()) < 2) {
    await page.getByRole("button", { name: "Next month" }).click();
    await expect(page.locator("button.day.free").first()).toBeVisible();
  }
  // The last day offered is a whole day ahead: today may have one slot left, or none.
  await page.locator("button.day.free").last().click();
  await page
    .getByRole("button", { name: /^Choose / })
    .first()
    .click();
  await expect(heading).toHaveText(before);
  await check(page, "patient-reschedule");
  await page.getByRole("button", { name: /^Move to / }).click();
  await expect(page.getByRole("heading", { name: "Moved" })).toBeVisible();
  await expect(page.locator(".moved del")).toContainText(before);
  await expect(heading).not.toHaveText(before);
  await check(page, "patient-moved");

  // Cancelling asks first.
  await page.getByRole("button", { name: "Cancel appointment" }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel this appointment?" });
  await dialog.getByLabel("Why (optional)").fill("Feeling better");
  await check(page, "patient-cancel");
  await dialog.getByRole("button", { name: "Yes, cancel it" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Cancelled", { exact: true })).toBeVisible();

  // Upcoming holds what is still to come: the cancelled visit is in a view of its own.
  await page.getByRole("link", { name: "All appointments" }).click();
  await expect(page.getByText("No upcoming appointments.")).toBeVisible();
  await page.getByRole("button", { name: "Cancelled" }).click();
  await expect(page.locator(".appointment", { hasText: "E2E check-up" })).toContainText(
    "Cancelled",
  );

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
  await pickFirstSlot(patientPage);
  const id = await book(patientPage, "E2E follow-up");
  await patientPage.close();
  execFileSync("psql", [
    process.env.APPOINTMENTS_DATABASE_URL ??
      "set APPOINTMENTS_DATABASE_URL (localstack/stack.sh env)",
    "-c",
    // An hour ago, but today (in UTC, the dev clinic's time zone), so today's agenda holds it.
    `update appointments set starts_at = greatest(date_trunc('day', now()), now() - interval '1 hour'),
       ends_at = greatest(date_trunc('day', now()), now() - interval '1 hour') + interval '30 minutes'
     where id = '${id}'`,
  ]);

  const page = await newPage(browser);
  await signIn(page, doctor.email, doctor.password);
  // Keycloak makes an onboarded person choose their own password first.
  await page.locator("#password-new").fill("e2e-Doctor-pass-1");
  await page.locator("#password-confirm").fill("e2e-Doctor-pass-1");
  await page.locator("[type=submit]").click();
  await expect(page.getByRole("heading", { name: "Agenda" })).toBeVisible();
  // Each entry under its day: its times, its patient and the reason.
  const entry = page.locator(".appointment", { hasText: "E2E follow-up" });
  await expect(entry).toContainText(`Patient: Ada Lovelace${run}`);
  await expect(entry.locator(".when")).toHaveText(/^\S.* – \S/);
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

test("the doctor takes a day off, and the patient's calendar closes it", async ({ browser }) => {
  const patientPage = await newPage(browser);
  await signIn(patientPage, patient.username, patient.password);
  await chooseDoctor(patientPage);
  const day = await openFreeDay(patientPage);

  const page = await newPage(browser);
  await signIn(page, doctor.email, "e2e-Doctor-pass-1");
  await page.getByRole("link", { name: "Time off" }).click();
  await expect(page.getByRole("heading", { name: "Time off", level: 2 })).toBeVisible();
  await page.getByLabel("First day").fill(day);
  await page.getByLabel("Note").fill("E2E course");
  await page.getByRole("button", { name: "Save time off" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(page.getByRole("list", { name: "Upcoming time off" })).toContainText("E2E course");
  await check(page, "doctor-time-off");
  await page.close();

  await patientPage.reload();
  const closed = patientPage.locator(`button[data-date="${day}"]`);
  // The calendar first, then whether the day is in this month's page of it.
  await expect(patientPage.locator("button.day").first()).toBeVisible();
  if ((await closed.count()) === 0) {
    await patientPage.getByRole("button", { name: "Next month" }).click();
  }
  await expect(closed).not.toHaveClass(/free/);
  await patientPage.close();

  const admin = await newPage(browser);
  await signIn(admin, staff.username, staff.password);
  await admin.getByRole("link", { name: "Closures" }).click();
  await expect(admin.getByRole("heading", { name: "Clinic closures", level: 2 })).toBeVisible();
  await check(admin, "admin-closures");
  await admin.close();
});

test("an admin books for the patient; only that patient sees it, after signing in again", async ({
  browser,
}) => {
  const admin = await newPage(browser);
  await signIn(admin, staff.username, staff.password);
  await admin.getByRole("link", { name: "Book", exact: true }).click();
  await chooseDoctor(admin);
  // Whom for comes first, and stays on screen (and in the address, through a reload).
  await admin.getByLabel("Name or email").fill(`Lovelace${run}`);
  // A click, not check(): the choice replaces the search with "Booking for …" at once.
  await admin.getByRole("radio", { name: new RegExp(`Ada Lovelace${run}`) }).click();
  await expect(admin.locator(".booking-for")).toContainText(`Booking for Ada Lovelace${run}`);
  await openFreeDay(admin);
  await expect(admin.locator(".booking-for")).toContainText(`Booking for Ada Lovelace${run}`);
  await pickFirstSlot(admin);
  await check(admin, "admin-book");
  await book(admin, "Booked by the front desk");
  await expect(
    admin.getByText(`Ada Lovelace${run} and the doctor each get a confirmation by email.`),
  ).toBeVisible();
  await check(admin, "admin-booked");
  const path = new URL(admin.url()).pathname;

  // The admin's list says who: both people, the reason and the status, filtered by doctor.
  await admin.getByRole("link", { name: "Appointments", exact: true }).click();
  await admin.getByLabel("Doctor's name or email").fill(doctorLastName);
  await admin.getByRole("radio", { name: new RegExp(doctorLastName) }).check();
  const booked = admin.locator(".appointment", { hasText: "Booked by the front desk" });
  await expect(booked).toContainText(`Patient: Ada Lovelace${run}`);
  await expect(booked).toContainText(`Doctor: ${doctor.name}`);
  await expect(booked).toContainText("Scheduled");
  await check(admin, "admin-appointments-filtered");

  // On a phone the navigation is a menu.
  await admin.setViewportSize({ width: 390, height: 844 });
  const figuresLink = admin.getByRole("link", { name: "Figures" });
  const signOut = admin.getByRole("button", { name: "Sign out" });
  await expect(figuresLink).toBeHidden();
  await expect(signOut).toBeHidden();
  await admin.getByRole("button", { name: "Menu" }).click();
  await expect(figuresLink).toBeVisible();
  await expect(signOut).toBeVisible();
  await admin.setViewportSize({ width: 1280, height: 900 });

  // An address with no page says so, and leads back.
  await admin.goto("/no-such-page");
  await expect(admin.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await check(admin, "not-found");
  await admin.getByRole("link", { name: "Go to your start page" }).click();
  await expect(admin.getByRole("heading", { name: "Appointments", level: 2 })).toBeVisible();
  await admin.close();

  // Another patient's URL answers "not found", as the API does: nothing shows it exists.
  const other = await newPage(browser);
  await signIn(other, otherPatient.username, otherPatient.password);
  await expect(other.getByRole("heading", { name: "Choose a doctor" })).toBeVisible();
  await other.goto(path);
  await expect(other.getByRole("heading", { name: "Appointment not found" })).toBeVisible();
  await expect(other.getByText("Booked by the front desk")).toHaveCount(0);
  await check(other, "patient-not-found");
  await other.close();

  // The patient's session ends (its tokens no longer valid, Keycloak's session gone, as after
  // the idle timeout): opening the appointment goes through Keycloak's login and back to it.
  const page = await newPage(browser);
  await signIn(page, patient.username, patient.password);
  await expect(page.getByRole("heading", { name: "Choose a doctor" })).toBeVisible();
  // The directory's requests answered first: one still under way when the token is spoiled
  // below is refused, and sends this page, not the appointment's, to sign in again.
  await page.waitForLoadState("networkidle");
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
