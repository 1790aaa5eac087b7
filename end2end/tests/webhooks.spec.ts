import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./fixtures";
import type { Page } from "@playwright/test";
import { basicAuth, baseURL, createAdmin, createApiKey } from "./env";
import { ADMIN, expectAccessible, signIn, waitForHydration } from "./helpers";
import { type Credentials, onboard } from "./onboard";

const suffix = Date.now().toString(36);
const password = "a long password";
// An administrator of its own: the shared one already has the two API keys
// an account may hold once the other specs have run.
const HOOKS_ADMIN = { email: "webhooks-admin@example.com", password: ADMIN.password };
let admin: Credentials;

/** What the test receiver got: one entry per request. */
type Received = { method: string; path: string; headers: http.IncomingHttpHeaders; body: string };
const received: Received[] = [];
let receiver: http.Server;
let receiverUrl: string;

test.beforeAll(async () => {
  createAdmin(HOOKS_ADMIN.email, HOOKS_ADMIN.password);
  admin = createApiKey(HOOKS_ADMIN.email);
  // A receiver on loopback (serve.sh allows 127.0.0.0/8): it records every
  // request and answers 200 with a bit of markup, which the deliveries
  // table must show as text.
  receiver = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<b>ok</b>");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/livreur`;
});

test.afterAll(async () => {
  if (!receiver) return;
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body`, keyed by the secret's bytes. */
function sign(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
}

/** Clicks Refresh until the message's delivery shows `state`. */
async function expectDelivery(page: Page, messageId: string, state: string) {
  const row = page.locator(`[data-testid="delivery-row"][data-message-id="${messageId}"]`);
  await expect(async () => {
    await page.getByTestId("refresh-deliveries").click();
    await expect(row).toHaveAttribute("data-state", state, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  return row;
}

test("an administrator adds a webhook, sends a test event and resends it", async ({ page, request }) => {
  test.setTimeout(90_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    // Refused form submissions (422) are logged by the browser; panics are not that.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      errors.push(`${page.url()}: ${m.text()}`);
    }
  });
  const ref = `WH-${suffix}`;
  const loc = await request.post("/api/v1/locations", {
    headers: { Authorization: basicAuth(admin.accountId, admin.key) },
    data: { name: `Entrepôt Webhook ${suffix}`, kind: "warehouse", ref_no: ref },
  });
  expect(loc.status(), await loc.text()).toBe(201);
  const locationLabel = `Entrepôt Webhook ${suffix} (${ref})`;

  // From API settings to the webhooks, by the "Manage webhooks" link.
  await signIn(page, HOOKS_ADMIN.email, HOOKS_ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/integrations/api");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Manage webhooks" }).click();
  await expect(page).toHaveURL(/\/integrations\/api\/webhooks$/);
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
  await expectAccessible(page);

  // The form: errors in place, in words.
  await page.getByRole("link", { name: "New webhook" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New webhook" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#url-error")).toHaveText("This field is required.");
  await page.getByLabel("Endpoint URL").fill("https://10.1.2.3/hook");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#url-error")).toContainText("not public");
  await page.locator("#events-all").uncheck();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#events-error")).toHaveText("This field is required.");
  await expectAccessible(page);

  await page.getByLabel("Endpoint URL").fill(receiverUrl);
  await page.locator("#location_id").selectOption({ label: locationLabel });
  await page.locator("#event-job-created").check();
  await page.locator("#event-job-status_changed").check();
  await page.getByLabel("Description").fill("Warehouse screens");
  await page.getByRole("button", { name: "Save" }).click();

  // The secret, once, with the way to check signatures.
  const secretBox = page.getByTestId("webhook-secret");
  await expect(secretBox).toContainText("it will not be shown again");
  const secret = (await page.getByTestId("webhook-secret-value").textContent()) ?? "";
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
  await expect(page.getByText("Standard Webhooks specification")).toBeVisible();
  await expectAccessible(page);
  await page.getByTestId("go-to-webhook").click();
  await expect(page).toHaveURL(/\/integrations\/api\/webhooks\/whk_[0-9a-z]+$/);
  await expect(page.getByRole("heading", { level: 1, name: receiverUrl })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId("webhook-location")).toHaveText(locationLabel);
  await expect(page.getByTestId("webhook-events")).toContainText("job.created");
  await expect(page.getByTestId("webhook-events")).toContainText("job.status_changed");
  await expect(page.getByTestId("webhook-events")).not.toContainText("job.deleted");
  await expect(page.getByTestId("webhook-health").first()).toHaveText("OK");
  await expect(page.getByTestId("deliveries")).toContainText("Nothing sent yet");
  expect(await page.content()).not.toContain(secret);
  await expectAccessible(page);

  // A test event reaches the receiver, signed, and shows as delivered.
  await page.getByTestId("send-test").click();
  await expect(page.getByTestId("test-sent")).toBeVisible();
  await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
  const first = received[0];
  expect(first.method).toBe("POST");
  expect(first.path).toBe("/hooks/livreur");
  const messageId = String(first.headers["webhook-id"]);
  const timestamp = String(first.headers["webhook-timestamp"]);
  expect(messageId).toMatch(/^msg_/);
  expect(first.body).toContain('"type":"webhook.test"');
  const signatures = String(first.headers["webhook-signature"]).split(" ");
  expect(signatures).toContain(`v1,${sign(secret, messageId, timestamp, first.body)}`);

  const row = await expectDelivery(page, messageId, "succeeded");
  await expect(row.getByTestId("delivery-state")).toHaveText("Delivered");
  await expect(row).toContainText("webhook.test");
  await expect(row.getByTestId("delivery-status")).toHaveText("200");
  // The receiver's answer is text, never markup.
  await expect(row.getByTestId("delivery-response")).toHaveText("<b>ok</b>");
  await expect(row.locator("b")).toHaveCount(0);
  await expect(page.getByTestId("last-success")).not.toHaveText("Never");
  await expectAccessible(page);

  // Resend: the same message, with the same webhook-id.
  await row.getByTestId("resend-delivery").click();
  await expect.poll(() => received.length, { timeout: 10_000 }).toBe(2);
  expect(received[1].headers["webhook-id"]).toBe(messageId);
  expect(received[1].body).toBe(first.body);
  await expectDelivery(page, messageId, "succeeded");

  // The message's history: both attempts, newest first, and the body sent;
  // the receiver's answer still as text.
  await row.getByTestId("delivery-history").click();
  await expect(page).toHaveURL(new RegExp(`/messages/${messageId}$`));
  await expect(page.getByRole("heading", { level: 1, name: "Message" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId("message-id")).toHaveText(messageId);
  const attempts = page.getByTestId("attempt-row");
  await expect(attempts).toHaveCount(2);
  await expect(attempts.first().getByTestId("attempt-status")).toHaveText("200");
  await expect(attempts.first().getByTestId("attempt-response")).toHaveText("<b>ok</b>");
  await expect(page.getByTestId("attempts").locator("b")).toHaveCount(0);
  await expect(page.getByTestId("payload")).toContainText('"type": "webhook.test"');
  await expectAccessible(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 2, name: "Tentatives, la plus récente d’abord" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Contenu envoyé" })).toBeVisible();
  await expectAccessible(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByRole("link", { name: "Endpoint" }).click();
  await waitForHydration(page);
  await expectDelivery(page, messageId, "succeeded");

  // In French.
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByTestId("send-test")).toHaveText("Envoyer un événement de test");
  await expect(page.getByRole("heading", { level: 2, name: "Envois" })).toBeVisible();
  await expect(row.getByTestId("resend-delivery")).toHaveText("Renvoyer");
  await expect(row.getByTestId("delivery-state")).toHaveText("Livré");
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  // The list shows it with its location, events and health.
  await page.goto("/integrations/api/webhooks");
  const listed = page.getByTestId("webhook-row").filter({ hasText: receiverUrl });
  await expect(listed).toContainText(locationLabel);
  await expect(listed).toContainText("job.status_changed");
  await expect(listed.getByTestId("webhook-health")).toHaveText("OK");

  // Every step is in the audit log.
  await page.goto("/audit?action=webhook.resent");
  await expect(page.getByTestId("audit-row").first()).toContainText("Webhook message resent");
  await expect(page.getByTestId("audit-row").first()).toContainText(HOOKS_ADMIN.email);
  await page.goto("/audit?action=webhook.created");
  await expect(page.getByTestId("audit-row").first()).toContainText("Webhook created");
  expect(errors).toEqual([]);
});

test("a merchant sees no webhook menu and cannot open the webhook pages", async ({ page }) => {
  const email = `hooks-${suffix}@velo.example`;
  await onboard(page.request, admin, {
    name: `Crochet ${suffix}`,
    email,
    role: "merchant_l2",
    password,
  });
  await signIn(page, email, password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main navigation" });
  await expect(nav.getByRole("link", { name: "API", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: /webhook/i })).toHaveCount(0);
  await page.goto("/integrations/api");
  await expect(page.getByRole("heading", { level: 1, name: "API settings" })).toBeVisible();
  await expect(page.getByRole("link", { name: /webhook/i })).toHaveCount(0);
  await expect(page.getByTestId("webhooks-panel")).toHaveCount(0);

  for (const path of ["/integrations/api/webhooks", "/integrations/api/webhooks/new"]) {
    const res = await page.goto(path);
    expect(res?.status()).toBe(403);
    await expect(page.getByTestId("forbidden")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Access denied");
    await expect(page.getByTestId("new-webhook")).toHaveCount(0);
  }

  // The server functions refuse too, whatever the page shows.
  const call = await page.request.post("/_fn/list_webhooks", {
    headers: { Origin: baseURL, "Content-Type": "application/json" },
    data: {},
  });
  expect(call.status()).toBe(403);
});
