// First contentful paint and time to interactive (hydrated) of the
// merchants page in headless Chromium, signed in as an administrator.
// Usage: node bench/fcp.mjs BASE_URL EMAIL PASSWORD RUNS
// Prints one JSON object. Uses the Playwright of end2end/ and Debian's
// Chromium, launched as the end-to-end tests launch it.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// PLAYWRIGHT_FROM: another folder with node_modules/@playwright/test.
const from = process.env.PLAYWRIGHT_FROM ?? path.join(here, "..", "end2end");
const require = createRequire(path.join(from, "package.json"));
const { chromium } = require("@playwright/test");

const [base, email, password, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 10);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
  await page.close();

  const fcp = [], tti = [];
  let first = null;
  // Run 0 is the first visit (empty HTTP cache): reported apart, as one
  // sample. The counted runs are a returning user's (cached wasm).
  for (let i = 0; i <= runs; i++) {
    const p = await context.newPage();
    // The app sets body[data-hydrated] once hydrated (helpers.ts); note the
    // moment it happens, relative to navigation start.
    await p.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.body?.hasAttribute("data-hydrated")) {
          window.__hydratedAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
    });
    await p.goto("/organization/merchants", { waitUntil: "commit" });
    await p.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 15000 });
    await p.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0,
      null, { timeout: 5000 });
    const m = await p.evaluate(() => ({
      fcp: performance.getEntriesByName("first-contentful-paint")[0].startTime,
      tti: window.__hydratedAt,
    }));
    if (i > 0) {
      fcp.push(m.fcp);
      tti.push(m.tti);
    } else {
      first = m;
    }
    await p.close();
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const k = Math.floor(s.length / 2);
    return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
  };
  console.log(JSON.stringify({ runs, fcp_ms: median(fcp), tti_ms: median(tti), fcp_all: fcp, tti_all: tti,
    first_visit: first }));
} finally {
  await browser.close();
}
