import type { ChildProcess } from "node:child_process";
import { expect, test } from "./fixtures";
import { basicAuth, createAdmin, createApiKey, startServer } from "./env";
import { ADMIN, expectAccessible, signIn, waitForHydration } from "./helpers";
import { type Credentials, onboard } from "./onboard";

// Keys that do less and live shorter (docs/api-keys.md). This file runs
// against a server of its own: behind a "proxy" (the tests' own loopback
// address is trusted, so `X-Forwarded-For` names the client), and with
// keys capped at 90 days.
const port = 3192;
let server: ChildProcess;
let admin: Credentials;
const suffix = Date.now().toString(36);
const email = `keys-${suffix}@velo.example`;
const password = "a long password";

test.use({ baseURL: `http://127.0.0.1:${port}` });

test.beforeAll(async () => {
  server = await startServer(port, {
    LIVREUR_TRUST_PROXY: "true",
    LIVREUR_TRUSTED_PROXIES: "127.0.0.1",
    LIVREUR_API_KEY_MAX_DAYS: "90",
  });
  createAdmin(ADMIN.email, ADMIN.password, port);
  admin = createApiKey(ADMIN.email, port);
});

test.afterAll(() => {
  server?.kill();
});

test("a merchant makes a read-only, 30-day key limited to some addresses, and the API holds it to that", async ({
  page,
  request,
}) => {
  const { userId } = await onboard(request, admin, { name: `Clés ${suffix}`, email, role: "merchant_l2", password });
  const access = await request.put(`/api/v1/users/${userId}/api-access`, {
    headers: { Authorization: basicAuth(admin.accountId, admin.key) },
    data: { enabled: true },
  });
  expect(access.status()).toBe(200);
  const accountId = (await access.json()).account_id;

  await signIn(page, email, password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/integrations/api");
  await waitForHydration(page);
  const form = page.getByTestId("generate-form");
  // Under the 90-day cap, "never" is not offered.
  await expect(form.getByLabel("Expires after").locator("option")).toHaveText(["30 days", "90 days"]);
  await expect(form).toContainText("Keys expire after at most 90 days here.");
  await expectAccessible(page);

  // A bad address is refused on its field, and nothing is made.
  await form.getByLabel("Read only").check();
  await form.getByLabel("Expires after").selectOption({ label: "30 days" });
  await form.getByLabel(/Allowed addresses/).fill("203.0.113.0/24\nthe office");
  await page.getByTestId("generate-key").click();
  await expect(form.getByText("Enter IP addresses or networks in CIDR notation")).toBeVisible();
  await expect(form.getByLabel(/Allowed addresses/)).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("keys-table")).toHaveCount(0);
  await expectAccessible(page);

  // The tests reach the server from 127.0.0.1; "203.0.113.0/24" is a
  // network our forwarded requests claim to come from.
  await form.getByLabel(/Allowed addresses/).fill("203.0.113.0/24\n127.0.0.1");
  await page.getByTestId("generate-key").click();
  const key = (await page.getByTestId("new-key-value").textContent())!;
  expect(key).toMatch(/^lvr_/);
  const row = page.getByTestId(`key-${key.slice(-4)}`);
  await expect(row.getByTestId("key-scope")).toHaveText("Read only");
  await expect(row.getByTestId("key-nets")).toHaveText("203.0.113.0/24127.0.0.1/32");
  const in30Days = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await expect(row).toContainText(in30Days);
  await expect(row.getByTestId("expiring-soon")).toHaveCount(0);
  await expectAccessible(page);

  // The API: reading works, writing is refused, and so is an address
  // outside the list (a forwarded client the proxy saw).
  const auth = { Authorization: basicAuth(accountId, key) };
  const list = await request.get("/api/v1/jobs", { headers: auth });
  expect(list.status(), await list.text()).toBe(200);
  const write = await request.post("/api/v1/jobs", { headers: auth, data: {} });
  expect(write.status()).toBe(403);
  expect(await write.json()).toMatchObject({ status: 403, code: "key_read_only" });
  const elsewhere = await request.get("/api/v1/ping", { headers: { ...auth, "X-Forwarded-For": "198.51.100.7" } });
  expect(elsewhere.status()).toBe(401);
  const unknown = await request.get("/api/v1/ping", { headers: { Authorization: basicAuth(accountId, "lvr_x") } });
  expect(await elsewhere.text()).toBe(await unknown.text());
  const allowed = await request.get("/api/v1/ping", { headers: { ...auth, "X-Forwarded-For": "203.0.113.5" } });
  expect(allowed.status()).toBe(200);
  expect(await allowed.json()).toMatchObject({ account_id: accountId, client_ip: "203.0.113.5" });

  // The owner sees the key's use: the requests of today on the 30-day
  // chart (counts reach the database every few seconds), and where from.
  await expect(async () => {
    await page.reload();
    await expect(row.getByRole("img")).toHaveAttribute("aria-label", /^[1-9]\d* requests over the last 30 days/, {
      timeout: 1_000,
    });
  }).toPass({ timeout: 20_000 });
  await expect(row).toContainText("from 127.0.0.1");

  // Lifting the list lets the other address in.
  await waitForHydration(page);
  await row.getByTestId("edit-nets").click();
  await page.getByTestId("nets-form").getByRole("textbox").fill("");
  await page.getByTestId("save-nets").click();
  await expect(row.getByTestId("key-nets")).toHaveText("Any address");
  const now = await request.get("/api/v1/ping", { headers: { ...auth, "X-Forwarded-For": "198.51.100.7" } });
  expect(now.status()).toBe(200);

  // In French too.
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(row.getByTestId("key-scope")).toHaveText("Lecture seule");
  await expect(page.getByRole("columnheader", { name: "Adresses autorisées" })).toBeVisible();
  await expect(row.getByTestId("key-nets")).toHaveText("Toute adresse");
  await expectAccessible(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  // The administrators' list shows the key's access and expiry.
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/integrations/api");
  await waitForHydration(page);
  const account = page.getByTestId(`account-${email}`).getByTestId("account-keys");
  await expect(account).toContainText(`lvr_…${key.slice(-4)} · Read only · ${in30Days}`);
  await expectAccessible(page);
});
