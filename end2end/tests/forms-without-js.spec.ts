import { expect, test } from "./fixtures";
import { createAdmin } from "./env";
import { ADMIN, expectAccessibleMarkup, signIn } from "./helpers";

// The core forms as plain HTML forms: each posts to its own page, and the
// server answers with the next page or the same form with what was typed
// and the errors under their fields.
const suffix = Date.now().toString(36);

test.beforeAll(() => {
  createAdmin(ADMIN.email, ADMIN.password);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an administrator adds a location and a merchant with plain forms", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByTestId("welcome")).toBeVisible();

    // A location: refused first, with the typed values kept.
    await page.goto("/organization/locations");
    await page.getByRole("link", { name: "New location" }).click();
    await page.getByLabel("Reference number").fill(`NJ-${suffix}`);
    await page.getByLabel("Kind").selectOption("warehouse");
    await page.getByLabel("Time zone").fill("Mars/Olympus_Mons");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("form-error")).toHaveText("Some fields need your attention.");
    await expect(page.locator("#name-error")).toHaveText("This field is required.");
    await expect(page.locator("#timezone-error")).toHaveText(
      "Enter a time zone like America/Montreal or UTC.",
    );
    await expect(page.getByLabel("Reference number")).toHaveValue(`NJ-${suffix}`);
    await expect(page.getByLabel("Kind")).toHaveValue("warehouse");
    await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
    await expectAccessibleMarkup(page);

    await page.getByLabel("Name").fill(`Sans JS ${suffix}`);
    await page.getByLabel("Time zone").fill("America/Montreal");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(/\/organization\/locations$/);
    const row = page.getByTestId("locations-table").getByRole("row", { name: `Sans JS ${suffix}` });
    await expect(row).toContainText("Warehouse");
    await expect(row).toContainText("America/Montreal");

    // Its edit form shows the saved values.
    await row.getByRole("link", { name: `Sans JS ${suffix}` }).click();
    await expect(page.getByLabel("Name")).toHaveValue(`Sans JS ${suffix}`);
    await expect(page.getByLabel("Kind")).toHaveValue("warehouse");
    await page.getByLabel("Address").fill("10 Rue Sans Script");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(/\/organization\/locations$/);

    // A merchant at that location: the first location ticked is the default.
    await page.goto("/organization/merchants");
    await page.getByRole("link", { name: "New merchant" }).click();
    await page.getByLabel("Business name").fill(`Fleurs sans JS ${suffix}`);
    await page.getByLabel("Contact e-mail").fill("not an address");
    await page.getByLabel(`Sans JS ${suffix} (NJ-${suffix})`).check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator("#contact_email-error")).toHaveText(
      "Enter a valid e-mail address, like name@example.com.",
    );
    await expect(page.getByLabel(`Sans JS ${suffix} (NJ-${suffix})`)).toBeChecked();
    await expectAccessibleMarkup(page);
    await page.getByLabel("Contact e-mail").fill(`nojs-${suffix}@fleurs.example`);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `Fleurs sans JS ${suffix}` })).toBeVisible();
    await expect(page.getByTestId("merchant-default-location")).toContainText(`Sans JS ${suffix}`);
  });

  test("the plain forms answer in French", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByTestId("welcome")).toBeVisible();
    await page.getByTestId("language-switch").click();
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    try {
      await page.goto("/organization/locations/new");
      await page.getByLabel("Numéro de référence").fill(`FR-${suffix}`);
      await page.getByRole("button", { name: "Enregistrer" }).click();
      await expect(page.getByTestId("form-error")).toHaveText(
        "Certains champs demandent votre attention.",
      );
      await expect(page.locator("#name-error")).toHaveText("Ce champ est obligatoire.");
      await expect(page.getByLabel("Numéro de référence")).toHaveValue(`FR-${suffix}`);
      await expectAccessibleMarkup(page);

      await page.goto("/organization/merchants/new");
      await page.getByLabel("Raison sociale").fill(`Fleurs FR ${suffix}`);
      await page.getByLabel("Courriel de contact").fill("pas une adresse");
      await page.getByRole("button", { name: "Enregistrer" }).click();
      await expect(page.locator("#contact_email-error")).toHaveText(
        "Saisissez une adresse courriel valide, comme nom@exemple.com.",
      );
      await expect(page.getByLabel("Raison sociale")).toHaveValue(`Fleurs FR ${suffix}`);
    } finally {
      await page.getByTestId("language-switch").click();
      await expect(page.locator("html")).toHaveAttribute("lang", "en");
    }
  });
});
