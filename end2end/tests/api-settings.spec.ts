import { expect, test } from "./fixtures";
import type { APIRequestContext } from "@playwright/test";
import { basicAuth, createAdmin, createApiKey } from "./env";
import { ADMIN, expectAccessible, signIn, waitForHydration } from "./helpers";
import { type Credentials, onboard } from "./onboard";

const suffix = Date.now().toString(36);
const merchantEmail = `api-${suffix}@velo.example`;
const password = "a long password";
let admin: Credentials;

/** Onboards a merchant with a Level 2 user and turns its API access on. */
async function onboardWithAccess(request: APIRequestContext): Promise<string> {
  const { userId } = await onboard(request, admin, {
    name: `Vélo ${suffix}`,
    email: merchantEmail,
    role: "merchant_l2",
    password,
  });
  const access = await request.put(`/api/v1/users/${userId}/api-access`, {
    headers: { Authorization: basicAuth(admin.accountId, admin.key) },
    data: { enabled: true },
  });
  expect(access.status(), await access.text()).toBe(200);
  return (await access.json()).account_id;
}

test.beforeAll(() => {
  createAdmin(ADMIN.email, ADMIN.password);
  admin = createApiKey(ADMIN.email);
});

test("a merchant makes a key, uses it, and loses it when an admin deactivates access", async ({
  page,
  context,
  request,
}) => {
  const accountId = await onboardWithAccess(request);

  // The merchant generates a key on API settings and copies it.
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, merchantEmail, password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "API", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API settings" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId("account-id")).toHaveText(accountId);
  await expect(page.getByText("API Account ID", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { level: 3, name: "API Auth Keys" })).toBeVisible();
  await expect(page.getByTestId("curl-example")).toContainText(`curl -u ${accountId}:YOUR_AUTH_KEY`);
  await expectAccessible(page);
  await page.getByTestId("generate-key").click();
  const shown = page.getByTestId("new-key-value");
  await expect(shown).toHaveText(/^lvr_[0-9a-z]{59}$/);
  await expect(page.getByTestId("new-key")).toContainText("will not be shown again");
  await expectAccessible(page);
  await page.getByTestId("copy-key").click();
  await expect(page.getByTestId("copy-key")).toHaveText("Copied");
  const key = await page.evaluate(() => navigator.clipboard.readText());
  expect(key).toBe(await shown.textContent());

  const ping = await request.get("/api/v1/ping", {
    headers: { Authorization: basicAuth(accountId, key) },
  });
  expect(ping.status(), await ping.text()).toBe(200);
  expect(await ping.json()).toMatchObject({ account_id: accountId, role: "merchant_l2" });

  // Shown once: after a reload only the hint is left.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  await expect(page.getByTestId("keys-table")).toContainText(`lvr_…${key.slice(-4)}`);
  await expect(page.content()).resolves.not.toContain(key);

  // Rolling with a grace period: both keys work until the old one expires.
  await page.getByTestId("roll-key").click();
  await page.getByLabel("1 hour").check();
  await page.getByTestId("confirm-roll").click();
  const rolled = await page.getByTestId("new-key-value").textContent();
  expect(rolled).not.toBe(key);
  await expect(page.getByTestId("keys-table").getByRole("row")).toHaveCount(3);
  for (const k of [key, rolled!]) {
    const r = await request.get("/api/v1/ping", { headers: { Authorization: basicAuth(accountId, k) } });
    expect(r.status()).toBe(200);
  }

  // The administrator sees the account and deactivates it, with a confirmation.
  await page.getByTestId("sign-out").click();
  // Let the sign-out redirect finish: a new navigation would abort it.
  await expect(page).toHaveURL(/\/sign-in$/);
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/integrations/api");
  await waitForHydration(page);
  // The seed's words: "API settings", "API Account ID", "Manage webhooks",
  // "Manage merchants", and in French.
  await expect(page.getByRole("columnheader", { name: "API Account ID" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Manage webhooks" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Manage merchants" })).toBeVisible();
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1, name: "Paramètres API" })).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "Identifiant de compte API" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Gérer les webhooks" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Gérer les marchands" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Navigation principale" });
  await expect(nav.getByRole("link", { name: "Travaux" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Marchands" })).toBeVisible();
  await expectAccessible(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  const row = page.getByTestId(`account-${merchantEmail}`);
  await expect(row).toContainText(accountId);
  await expect(row).toContainText(`Vélo ${suffix}`);
  await expect(row.getByRole("img")).toHaveAttribute("aria-label", /requests over the last 7 days/);
  await expectAccessible(page);
  await row.getByTestId("deactivate-access").click();
  await expect(page.getByRole("alertdialog")).toContainText("Deactivate API access for this user?");
  await page.getByTestId("confirm-deactivate-access").click();
  await expect(row).toHaveCount(0);

  for (const k of [key, rolled!]) {
    const r = await request.get("/api/v1/ping", { headers: { Authorization: basicAuth(accountId, k) } });
    expect(r.status()).toBe(401);
    expect(r.headers()["www-authenticate"]).toContain("Basic");
  }
  // "Manage merchants" leads to Organization > Merchants.
  await page.getByRole("link", { name: "Manage merchants" }).click();
  await expect(page).toHaveURL(/\/organization\/merchants$/);
  await expect(page.getByRole("heading", { level: 1, name: "Merchants" })).toBeVisible();

  // Every step is in the audit log.
  await page.goto("/audit?action=api_access.revoked");
  await expectAccessible(page);
  const revoked = page.getByTestId("audit-row").first();
  await expect(revoked).toContainText("API access revoked");
  await expect(revoked).toContainText(ADMIN.email);
  await page.goto(`/audit?actor=${encodeURIComponent(merchantEmail)}`);
  await expect(page.getByTestId("audit-table")).toContainText("API key rolled");
  await expect(page.getByTestId("audit-table")).toContainText("API key created");
});

test("a merchant without access is told an administrator must enable it", async ({ page, request }) => {
  const headers = { Authorization: basicAuth(admin.accountId, admin.key) };
  const merchants = await request.get(`/api/v1/merchants?q=${suffix}`, { headers });
  const merchantId = (await merchants.json()).data[0].id;
  const email = `noapi-${suffix}@velo.example`;
  const user = await request.post(`/api/v1/merchants/${merchantId}/users`, {
    headers,
    data: { email, display_name: "Noa", role: "merchant_l2", password },
  });
  expect(user.status()).toBe(201);
  await signIn(page, email, password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/integrations/api");
  await expect(page.getByTestId("api-access-off")).toContainText("An administrator must enable it");
  await expect(page.getByTestId("generate-key")).toHaveCount(0);
  await expectAccessible(page);

  // And in French.
  await waitForHydration(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Paramètres API");
  await expect(page.getByTestId("api-access-off")).toContainText("Un administrateur doit l’activer");
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});

test("turning API access off from the merchant page asks first", async ({ page, request }) => {
  const headers = { Authorization: basicAuth(admin.accountId, admin.key) };
  const merchants = await request.get(`/api/v1/merchants?q=${suffix}`, { headers });
  const merchantId = (await merchants.json()).data[0].id;
  const email = `toggle-${suffix}@velo.example`;
  const user = await request.post(`/api/v1/merchants/${merchantId}/users`, {
    headers,
    data: { email, display_name: "Tom", role: "merchant_l2", password },
  });
  const userId = (await user.json()).id;
  const access = await request.put(`/api/v1/users/${userId}/api-access`, {
    headers,
    data: { enabled: true },
  });
  expect(access.status()).toBe(200);

  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto(`/organization/merchants/${merchantId}`);
  await waitForHydration(page);
  const row = page.getByTestId(`user-${email}`);
  await expect(row.getByTestId("api-on")).toBeVisible();
  await row.getByTestId("turn-off-access").click();
  await expect(page.getByRole("alertdialog")).toContainText("Deactivate API access for this user?");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(row.getByTestId("api-on")).toBeVisible();
  await row.getByTestId("turn-off-access").click();
  await page.getByTestId("confirm-turn-off-access").click();
  await expect(row.getByTestId("api-off")).toBeVisible();
});
