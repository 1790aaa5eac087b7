import type { ChildProcess } from "node:child_process";
import { expect, test } from "./fixtures";
import { createAdmin, startServer } from "./env";
import { ADMIN, expectAccessible, signIn, waitForHydration } from "./helpers";

// The organization's settings change every page (its name in the header
// and titles, its time zone in every date): this file runs against a
// server of its own, so the other files keep the defaults.
const port = 3191;
let server: ChildProcess;

test.use({ baseURL: `http://127.0.0.1:${port}` });

test.beforeAll(async () => {
  server = await startServer(port);
  createAdmin(ADMIN.email, ADMIN.password, port);
});

test.afterAll(() => {
  server?.kill();
});

test("an administrator names the organization and sets its time zone", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await expect(page.getByTestId("organization-name")).toHaveText("Livreur");

  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Organization settings" })).toBeVisible();
  await expect(page).toHaveTitle("Organization settings · Livreur");
  await waitForHydration(page);
  await expectAccessible(page);
  await expect(page.getByLabel("Time zone")).toHaveValue("UTC");

  // Errors come back on their fields, and nothing changes.
  await page.getByLabel("Organization name").fill("  ");
  await page.getByLabel("Time zone").fill("Mars/Olympus_Mons");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("Some fields need your attention.");
  await expect(page.locator("#name-error")).toHaveText("This field is required.");
  await expect(page.locator("#timezone-error")).toHaveText(
    "Enter a time zone like America/Montreal or UTC.",
  );
  await expectAccessible(page);

  await page.getByLabel("Organization name").fill("Livraisons Rapides");
  await page.getByLabel("Default language").selectOption("fr");
  await page.getByLabel("Time zone").fill("America/Montreal");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("settings-saved")).toHaveText("Settings saved.");
  await expect(page.getByTestId("organization-name")).toHaveText("Livraisons Rapides");
  await expect(page).toHaveTitle("Organization settings · Livraisons Rapides");
  await expect(page.getByLabel("Default language")).toHaveValue("fr");
  await expect(page.getByLabel("Time zone")).toHaveValue("America/Montreal");

  // Dates and times now show in Montreal's time: the audit log's newest
  // entry (this change) ends with EST or EDT, not UTC.
  await page.goto("/audit");
  await expect(page).toHaveTitle("Audit log · Livraisons Rapides");
  const when = page.getByTestId("audit-row").first().locator("td").first();
  await expect(when).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} E[SD]T$/);
  // The hydrated page agrees with the server's rendering.
  await waitForHydration(page);
  await expect(when).toHaveText(/ E[SD]T$/);

  // The same page in French.
  await page.goto("/organization/settings");
  await waitForHydration(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1, name: "Paramètres de l’organisation" })).toBeVisible();
  await expect(page).toHaveTitle("Paramètres de l’organisation · Livraisons Rapides");
  await expect(page.getByLabel("Nom de l’organisation")).toHaveValue("Livraisons Rapides");
  await expect(page.getByLabel("Langue par défaut")).toHaveValue("fr");
  await expect(page.getByLabel("Fuseau horaire")).toHaveValue("America/Montreal");
  await expect(
    page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "Paramètres" }),
  ).toBeVisible();
  await expectAccessible(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});
