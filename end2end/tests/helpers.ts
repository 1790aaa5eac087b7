import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const ADMIN = { email: "admin@example.com", password: "correct horse battery" };

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Waits until the WebAssembly has hydrated the page (event handlers live). */
export async function waitForHydration(page: Page) {
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
}

/** No serious or critical accessibility violation on the current page. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
  ).toEqual([]);
}

/**
 * axe on the HTML a page was given, for pages opened with JavaScript off
 * (axe itself runs as a script): the same markup in a scripted page that
 * loads nothing else, so the structure, names and ARIA are checked (not the
 * colours, which need the stylesheet).
 */
export async function expectAccessibleMarkup(page: Page) {
  const html = await page.content();
  // A new context takes the test's options (`javaScriptEnabled: false`)
  // unless told otherwise.
  const context = await page.context().browser()!.newContext({ javaScriptEnabled: true });
  try {
    const copy = await context.newPage();
    await copy.route("**/*", (route) => route.abort());
    await copy.setContent(html);
    await expectAccessible(copy);
  } finally {
    await context.close();
  }
}
