import { expect, test } from "./fixtures";
import { createAdmin, createApiKey } from "./env";
import { ADMIN, expectAccessible, signIn, waitForHydration } from "./helpers";
import { type Credentials, onboard } from "./onboard";

const suffix = Date.now().toString(36);
const password = "a long password";
const owner = `owner-${suffix}@jobs.example`;
const rival = `rival-${suffix}@jobs.example`;
const reference = `ORD-${suffix}`.toUpperCase();
const phone = `514 555 ${String(Date.now() % 10000).padStart(4, "0")}`;
let admin: Credentials;

test.beforeAll(async ({ request }) => {
  createAdmin(ADMIN.email, ADMIN.password);
  admin = createApiKey(ADMIN.email);
  await onboard(request, admin, { name: `Fleurs ${suffix}`, email: owner, role: "merchant_l1", password });
  await onboard(request, admin, { name: `Rival ${suffix}`, email: rival, role: "merchant_l2", password });
});

test("a merchant creates a job in the portal, finds it, and no other merchant can", async ({ page }) => {
  await signIn(page, owner, password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Jobs" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My jobs" })).toBeVisible();
  await page.getByRole("link", { name: "New job" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New job" })).toBeVisible();
  await waitForHydration(page);

  // The server's field messages appear under the fields.
  await page.getByLabel("Date").fill("2026-12-01");
  await page.getByLabel("First name").fill("Ana");
  await page.getByLabel("Street address").fill("100 Rue Saint-Paul");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("Some fields need your attention.");
  await expect(page.locator("[id='customer.phone-error']")).toHaveText("This field is required.");
  await expect(page.getByTestId("action-line").locator(".field-error").first()).toHaveText(
    "This field is required.",
  );
  await expectAccessible(page);

  await page.getByLabel("Phone", { exact: true }).fill(phone);
  await page.getByLabel("Your reference").fill(reference);
  await page.getByLabel("Item").fill("Chair");
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add an action" }).click();
  await page.getByLabel("Item").nth(1).fill("Lamp");
  await page.getByRole("button", { name: "Save" }).click();

  // The job's page: its actions and its history.
  await expect(page.getByRole("heading", { level: 1, name: reference })).toBeVisible();
  await expect(page.getByTestId("job-status")).toHaveText("New");
  await expect(page.getByTestId("job-actions")).toContainText("Chair");
  await expect(page.getByTestId("job-actions")).toContainText("Lamp");
  await expect(page.getByTestId("job-history")).toContainText("Created");
  await expectAccessible(page);
  const jobUrl = page.url();

  // Found by searching the phone number.
  await page.goto(`/jobs?q=${encodeURIComponent(phone)}`);
  await expect(page.getByTestId("jobs-table")).toContainText(reference);
  await expect(page.getByTestId("jobs-table").getByRole("row")).toHaveCount(2);

  // Another merchant sees none of it: not in the list, not by search, not
  // at its address.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(/\/sign-in$/);
  await signIn(page, rival, password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto(`/jobs?q=${encodeURIComponent(phone)}`);
  await expect(page.getByTestId("jobs-table")).toContainText("No jobs match these filters.");
  await page.goto("/jobs");
  await expect(page.getByTestId("jobs-table")).not.toContainText(reference);
  await page.goto(jobUrl);
  await expect(page.getByRole("alert")).toContainText("There is nothing at this address");
  await expect(page.getByText(reference)).toHaveCount(0);
});

test("an administrator moves the job along; the owner cancels another, in French", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto(`/jobs?q=${encodeURIComponent(reference.toLowerCase())}`);
  await waitForHydration(page);
  await page.getByRole("link", { name: reference }).click();
  await expect(page.getByRole("heading", { level: 1, name: reference })).toBeVisible();
  await waitForHydration(page);
  await page.getByTestId("status-moves").getByRole("button", { name: "In progress" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("In progress");
  await expect(page.getByTestId("job-history")).toContainText("New → In progress");
  await page.getByTestId("status-moves").getByRole("button", { name: "Damaged" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("Damaged");
  await expect(page.getByText("This job is finished")).toBeVisible();
  await expect(page.getByTestId("action-form")).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(/\/sign-in$/);

  // The owner, in French, creates and cancels a job.
  await signIn(page, owner, password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await waitForHydration(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await page.goto("/jobs/new");
  await expect(page.getByRole("heading", { level: 1, name: "Nouveau travail" })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel("Date").fill("2026-12-02");
  await page.getByLabel("Prénom").fill("Luc");
  await page.getByLabel("Téléphone", { exact: true }).fill("abc");
  await page.getByLabel("Adresse municipale").fill("1 Rue Notre-Dame");
  await page.getByLabel("Article").fill("Table");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.locator("[id='customer.phone-error']")).toHaveText(
    "Saisissez un numéro de téléphone : chiffres, avec + - ( ) . ou espaces.",
  );
  await page.getByLabel("Téléphone", { exact: true }).fill("514 555 0142");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByTestId("job-status")).toHaveText("Nouvelle");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Annuler le travail" }).click();
  await page.getByTestId("confirm-cancel-job").click();
  await expect(page.getByTestId("job-status")).toHaveText("Annulée");
  await expect(page.getByTestId("job-history")).toContainText("Annulée");
  await expectAccessible(page);
});

test("every page hydrates without an error, for an administrator and a merchant", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
  });
  const visit = async (paths: string[]) => {
    for (const path of paths) {
      await page.goto(path);
      await waitForHydration(page);
    }
  };
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto(`/jobs?q=${encodeURIComponent(reference.toLowerCase())}`);
  const jobPath = await page.getByRole("link", { name: reference }).getAttribute("href");
  await visit([
    "/",
    "/organization/merchants",
    "/organization/locations",
    "/integrations/api",
    "/integrations/api/reference",
    "/jobs",
    "/jobs/new",
    jobPath!,
    "/audit",
    "/profile",
  ]);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(/\/sign-in$/);
  await signIn(page, rival, password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await visit(["/", "/jobs", "/jobs/new", "/integrations/api", "/integrations/api/reference", "/profile"]);
  expect(errors).toEqual([]);
});
