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

  test("an administrator adds a location, a merchant and a user with plain forms", async ({ page }) => {
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

    // A user: choosing Level 2 shows the form again with the API access
    // switch (the password is never sent back, so it is typed again).
    const email = `nojs-${suffix}@fleurs.example`;
    await page.getByRole("link", { name: "Add user" }).click();
    await expect(page.getByTestId("api-access-toggle")).toHaveCount(0);
    await page.getByLabel("E-mail address").fill(email);
    await page.getByLabel("Name").fill("Noa Sans Script");
    await page.getByLabel("Initial password").fill("a long password");
    await page.getByLabel("Role").selectOption("merchant_l2");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("api-access-toggle")).toBeVisible();
    await expect(page.getByLabel("E-mail address")).toHaveValue(email);
    await expect(page.getByLabel("Initial password")).toHaveValue("");
    await expectAccessibleMarkup(page);
    await page.getByLabel("Initial password").fill("a long password");
    await page.getByRole("switch", { name: "API access" }).check();
    await page.getByRole("button", { name: "Save" }).click();
    const userRow = page.getByTestId(`user-${email}`);
    await expect(userRow).toContainText("Merchant Level 2");
    await expect(userRow.getByTestId("api-on")).toBeVisible();

    // Demoted on its page: access goes off with the role.
    await userRow.getByRole("link", { name: "Noa Sans Script" }).click();
    await expect(page.getByRole("switch", { name: "API access" })).toBeChecked();
    await page.getByLabel("Role").selectOption("merchant_l1");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(userRow).toContainText("Merchant Level 1");
    await expect(userRow.getByTestId("api-off")).toBeVisible();
  });

  test("an administrator adds a webhook with the plain form", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByTestId("welcome")).toBeVisible();
    await page.goto("/integrations/api/webhooks/new");
    await page.getByLabel("Endpoint URL").fill("https://10.1.2.3/hook");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator("#url-error")).toContainText("not public");
    await expect(page.getByLabel("Endpoint URL")).toHaveValue("https://10.1.2.3/hook");
    await expectAccessibleMarkup(page);

    // Single events can be chosen without JavaScript: untick "All events",
    // keep two.
    const url = `http://127.0.0.1:9/nojs-${suffix}`;
    await page.getByLabel("Endpoint URL").fill(url);
    await page.locator("#events-all").uncheck();
    for (const box of await page.locator(".event-options input").all()) {
      await box.uncheck();
    }
    await page.locator("#event-job-created").check();
    await page.locator("#event-job-status_changed").check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("webhook-secret-value")).toHaveText(/^whsec_[A-Za-z0-9+/=]+$/);
    await expectAccessibleMarkup(page);
    await page.getByTestId("go-to-webhook").click();
    await expect(page.getByRole("heading", { level: 1, name: url })).toBeVisible();
    await expect(page.getByText("job.status_changed")).toBeVisible();
    await expect(page.getByText("job.deleted")).toHaveCount(0);
  });

  test("a job is created and edited with the plain form", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByTestId("welcome")).toBeVisible();
    await page.goto("/jobs/new");
    // Controls that need JavaScript are not offered.
    await expect(page.getByRole("button", { name: "Add an action" })).toBeHidden();
    const reference = `NOJS-${suffix}`;
    await page.getByLabel("Date").fill("2026-12-01");
    await page.getByLabel("First name").fill("Ana");
    await page.getByLabel("Phone", { exact: true }).fill("not a phone");
    await page.getByLabel("Street address").fill("100 Rue Saint-Paul");
    await page.getByLabel("Your reference").fill(reference);
    await page.getByLabel("Item").fill("Chair");
    await page.getByLabel("Quantity").fill("2");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator("[id='customer.phone-error']")).toBeVisible();
    await expect(page.getByLabel("Your reference")).toHaveValue(reference);
    await expect(page.getByLabel("Item")).toHaveValue("Chair");
    await expectAccessibleMarkup(page);
    await page.getByLabel("Phone", { exact: true }).fill("+1 514 555 0100");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { level: 1, name: reference })).toBeVisible();
    await expect(page.getByTestId("job-actions")).toContainText("Chair");

    // Its edit form, plain too.
    await page.goto(`${page.url()}/edit`);
    await expect(page.getByLabel("Your reference")).toHaveValue(reference);
    await page.getByLabel("Street address").fill("200 Rue Saint-Paul");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { level: 1, name: reference })).toBeVisible();
    await expect(page.getByText("200 Rue Saint-Paul")).toBeVisible();
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
