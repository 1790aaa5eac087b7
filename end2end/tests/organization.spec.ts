import { expect, test } from "./fixtures";
import { createAdmin } from "./env";
import { ADMIN, expectAccessible, signIn, waitForHydration } from "./helpers";

const suffix = Date.now().toString(36);

test.beforeAll(() => {
  createAdmin(ADMIN.email, ADMIN.password);
});

test("admin onboards a merchant and manages a user's API access", async ({ page }) => {
  // The whole onboarding story in one test: some 30 steps, about 15 s on
  // a quiet machine, 29 s with a build running alongside.
  test.slow();
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();

  // A location, entered with the keyboard alone.
  await page.goto("/organization/locations");
  await expectAccessible(page);
  await page.getByRole("link", { name: "New location" }).click();
  await waitForHydration(page);
  await expectAccessible(page);
  await page.getByLabel("Name").focus();
  await page.keyboard.type(`Dépôt Nord ${suffix}`);
  await page.keyboard.press("Tab");
  await page.keyboard.press("ArrowDown"); // Branch -> Warehouse
  await page.keyboard.press("Tab");
  await page.keyboard.type(`MTL-${suffix}`);
  await page.keyboard.press("Tab"); // address
  await page.keyboard.press("Tab"); // time zone
  await page.keyboard.type("America/Montreal");
  await page.keyboard.press("Tab"); // active switch
  await page.keyboard.press("Tab"); // save
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/organization\/locations$/);
  const row = page.getByTestId("locations-table").getByRole("row", { name: `Dépôt Nord ${suffix}` });
  await expect(row).toContainText("Warehouse");
  await expect(row).toContainText("America/Montreal");

  // A merchant: errors first, in place.
  await page.goto("/organization/merchants");
  await expectAccessible(page);
  await page.getByRole("link", { name: "New merchant" }).click();
  await waitForHydration(page);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("Some fields need your attention.");
  await expect(page.locator("#business_name-error")).toHaveText("This field is required.");
  await expect(page.getByLabel("Business name")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await page.getByLabel("Business name").fill(`Fleurs Roy ${suffix}`);
  await page.getByLabel("Contact e-mail").fill(`contact-${suffix}@fleurs.example`);
  await page.getByLabel(`Dépôt Nord ${suffix} (MTL-${suffix})`).check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Fleurs Roy ${suffix}` })).toBeVisible();
  await expectAccessible(page);

  // A Level 1 user: no API access toggle.
  const email = `sam-${suffix}@fleurs.example`;
  await page.getByRole("link", { name: "Add user" }).click();
  await waitForHydration(page);
  await expect(page.getByLabel("Role")).toHaveValue("merchant_l1");
  await expect(page.getByTestId("api-access-toggle")).toHaveCount(0);
  await expectAccessible(page);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Name").fill("Sam Seller");
  await page.getByLabel("Initial password").fill("a long password");
  // Level 2 shows the toggle, Level 1 hides it again, without a reload.
  await page.getByLabel("Role").selectOption("merchant_l2");
  await expect(page.getByTestId("api-access-toggle")).toBeVisible();
  await page.getByLabel("Role").selectOption("merchant_l1");
  await expect(page.getByTestId("api-access-toggle")).toHaveCount(0);
  await page.getByRole("button", { name: "Save" }).click();
  const userRow = page.getByTestId(`user-${email}`);
  await expect(userRow).toContainText("Merchant Level 1");
  await expect(userRow.getByTestId("api-off")).toBeVisible();

  // Promote to Level 2 and grant API access.
  await userRow.getByRole("link", { name: "Sam Seller" }).click();
  await waitForHydration(page);
  await expect(page.getByTestId("api-access-toggle")).toHaveCount(0);
  await page.getByLabel("Role").selectOption("merchant_l2");
  await page.getByRole("switch", { name: "API access" }).check();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(userRow.getByTestId("api-on")).toBeVisible();
  await expect(userRow).toContainText("Merchant Level 2");

  // Demote: access is shown as revoked.
  await userRow.getByRole("link", { name: "Sam Seller" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("switch", { name: "API access" })).toBeChecked();
  // The seed's words in French: « Accès API », « Marchand niveau 2 ».
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("switch", { name: "Accès API" })).toBeChecked();
  await expect(page.getByLabel("Rôle")).toContainText("Marchand niveau 2");
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByLabel("Role").selectOption("merchant_l1");
  await expect(page.getByTestId("api-access-toggle")).toHaveCount(0);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(userRow.getByTestId("api-off")).toBeVisible();
  await expect(userRow).toContainText("Merchant Level 1");

  // Promoting again does not bring access back.
  await userRow.getByRole("link", { name: "Sam Seller" }).click();
  await waitForHydration(page);
  await page.getByLabel("Role").selectOption("merchant_l2");
  await expect(page.getByRole("switch", { name: "API access" })).not.toBeChecked();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(userRow.getByTestId("api-off")).toBeVisible();

  // The merchant list finds it by e-mail.
  await page.goto(`/organization/merchants?q=contact-${suffix}`);
  await expect(page.getByTestId("merchants-table")).toContainText(`Fleurs Roy ${suffix}`);

  // The merchant user signs in and reaches no admin page.
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await signIn(page, email, "a long password");
  await expect(page.getByTestId("welcome")).toHaveText("Welcome, Sam Seller");
  const nav = page.getByRole("navigation", { name: "Main navigation" });
  await expect(nav).not.toContainText("Merchants");
  await expect(nav).not.toContainText("Locations");
  for (const path of [
    "/organization/merchants",
    "/organization/merchants/new",
    "/organization/locations",
    "/organization/locations/new",
    "/audit",
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByTestId("forbidden")).toBeVisible();
  }
});

test("deactivating a merchant asks first", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto(`/organization/merchants?q=fleurs`);
  await page.getByTestId("merchants-table").getByRole("link").first().click();
  await waitForHydration(page);
  await page.getByTestId("deactivate-merchant").click();
  await expect(page.getByRole("alertdialog")).toContainText("Deactivate this merchant?");
  await expectAccessible(page);
  await page.getByTestId("confirm-deactivate").click();
  await expect(page.locator(".page-header .badge").first()).toHaveText("Inactive");
  await page.getByRole("button", { name: "Activate" }).click();
  await expect(page.locator(".page-header .badge").first()).toHaveText("Active");
});
