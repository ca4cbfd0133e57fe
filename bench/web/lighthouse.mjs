// make bench's web figures (SPEC §10): Lighthouse, with Debian's Chromium, on the production
// bundle served compressed (`make dev` with WEB_MODE=preview), for the sign-in landing and,
// signed in through Keycloak's page as the realm's patient, the booking page of the first
// doctor in the directory. Each load starts with an empty HTTP cache, so its JavaScript is
// what a first visit downloads. Writes the figures as JSON to the path given.
//
//   node lighthouse.mjs http://127.0.0.1:5173 ../results/web-results.json

import { readdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { startFlow } from "lighthouse";
import puppeteer from "puppeteer-core";

const [web, out] = process.argv.slice(2);
if (!web || !out) {
  console.error("usage: node lighthouse.mjs WEB_URL OUT.json");
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SCRIPT_BUDGET_KB = 150;
const SCORE_TARGET = 90;

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  // Chromium's sandbox needs user namespaces, which a root CI shell does not offer.
  args: ["--no-sandbox"],
});
try {
  const page = await browser.newPage();
  const cdp = await page.createCDPSession();
  const flow = await startFlow(page, {
    config: {
      extends: "lighthouse:default",
      settings: { onlyCategories: ["performance", "accessibility"] },
    },
  });

  await flow.navigate(`${web}/`, { name: "sign-in landing" });

  await page.locator("button::-p-text(Sign in)").click();
  await page.locator("#username").fill("patient");
  await page.locator("#password").fill("patient");
  await Promise.all([page.waitForNavigation(), page.locator("#kc-login").click()]);
  await page.waitForFunction(() => location.pathname === "/");
  await page.goto(`${web}/book`);
  const booking = await page
    .locator('a[href^="/book/"]')
    .map((link) => link.href)
    .wait();

  // The session lives in this tab's session storage, which a storage reset would clear.
  await cdp.send("Network.clearBrowserCache");
  await flow.navigate(booking, { name: "booking page", flags: { disableStorageReset: true } });

  const result = await flow.createFlowResult();
  const landed = result.steps[1]?.lhr.finalDisplayedUrl;
  if (landed !== booking) throw new Error(`the booking page ${booking} ended at ${landed}`);
  const figures = result.steps.flatMap(({ name, lhr }) => {
    const script = lhr.audits["resource-summary"].details.items.find(
      (item) => item.resourceType === "script",
    );
    const figures = [
      {
        name: `${name}: initial JavaScript (compressed)`,
        unit: "KB",
        value: (script?.transferSize ?? 0) / 1000,
        target: `< ${SCRIPT_BUDGET_KB} KB`,
        met: (script?.transferSize ?? 0) / 1000 < SCRIPT_BUDGET_KB,
      },
    ];
    for (const category of ["performance", "accessibility"]) {
      const score = Math.round((lhr.categories[category].score ?? 0) * 100);
      figures.push({
        name: `${name}: Lighthouse ${category}`,
        unit: "points",
        value: score,
        target: `≥ ${SCORE_TARGET}`,
        met: score >= SCORE_TARGET,
      });
    }
    const lcp = lhr.audits["largest-contentful-paint"].numericValue;
    figures.push({ name: `${name}: largest contentful paint (simulated mobile)`, unit: "ms", value: lcp });
    return figures;
  });
  figures.push(...(await chunkFigures()));
  await writeFile(out, JSON.stringify({ lighthouse: result.steps[0].lhr.lighthouseVersion, figures }, null, 2));
  for (const figure of figures) console.log(`${figure.name}: ${figure.value} ${figure.unit}`);
} finally {
  await browser.close();
}

/** Each JavaScript chunk of the production bundle (web/dist, which `make dev` built for the
 * preview), gzipped as the preview server sends it: doctors' and admins' pages are chunks of
 * their own, loaded only when opened, and what they cost shows here. */
async function chunkFigures() {
  const assets = fileURLToPath(new URL("../../web/dist/assets/", import.meta.url));
  const chunks = (await readdir(assets)).filter((file) => file.endsWith(".js")).sort();
  return Promise.all(
    chunks.map(async (file) => ({
      // Vite names a chunk after its module, then a content hash: `Agenda-BkX1c2.js`.
      name: `chunk ${file.replace(/-[\w-]{8}\.js$/, "")}: JavaScript (gzip)`,
      unit: "KB",
      value: Math.round(gzipSync(await readFile(assets + file)).length / 100) / 10,
    })),
  );
}
