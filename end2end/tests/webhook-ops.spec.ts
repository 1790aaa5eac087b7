import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./fixtures";
import { basicAuth, createAdmin, createApiKey, root, startServer } from "./env";
import { ADMIN, expectAccessible, signIn, waitForHydration } from "./helpers";
import { type Credentials, onboard } from "./onboard";
import { freePort, python, startSink } from "./sink";

// Webhook operations (docs/webhooks.md): a receiver goes down, the endpoint
// fails and is disabled, administrators are alerted (in the app and by
// e-mail, through end2end/smtp_sink.py), the receiver comes back, the
// endpoint is turned on again and its missed messages recovered. The
// receiver (end2end/webhook_receiver.py) checks every signature with the
// reference Standard Webhooks verifier.
const port = 3195;
let server: ChildProcess;
let sink: Awaited<ReturnType<typeof startSink>>;
let receiver: ChildProcess | undefined;
let admin: Credentials;
const receipts = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "livreur-hooks-")), "receipts.jsonl");

test.use({ baseURL: `http://127.0.0.1:${port}` });

async function listening(p: number): Promise<void> {
  await expect(async () => {
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(p, "127.0.0.1", () => {
        c.end();
        resolve();
      });
      c.on("error", reject);
    });
  }).toPass({ timeout: 20_000 });
}

type Receipt = { id: string; type: string | null; verified: boolean };
function received(): Receipt[] {
  if (!fs.existsSync(receipts)) return [];
  return fs
    .readFileSync(receipts, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

const mails = () => sink.mails();

test.beforeAll(async () => {
  sink = await startSink();
  server = await startServer(port, {
    LIVREUR_SMTP_URL: sink.url,
    LIVREUR_MAIL_FROM: "Livreur <noreply@example.com>",
    LIVREUR_PUBLIC_URL: `http://127.0.0.1:${port}`,
    // Retry every second; off after 3 seconds of failures only.
    LIVREUR_WEBHOOK_RETRY_SCHEDULE: "0,1,1,1,1,1,1,1,1,1",
    LIVREUR_WEBHOOK_DISABLE_AFTER_SECONDS: "3",
  });
  createAdmin(ADMIN.email, ADMIN.password, port);
  admin = createApiKey(ADMIN.email, port);
});

test.afterAll(() => {
  receiver?.kill();
  server?.kill();
  sink?.process.kill();
});

test("a receiver goes down: the endpoint is disabled, administrators are alerted, and its messages are recovered once each", async ({
  page,
  request,
}) => {
  // The receiver's outage takes seconds of real time by itself.
  test.slow();
  const headers = { Authorization: basicAuth(admin.accountId, admin.key) };
  const { locationId } = await onboard(request, admin, {
    name: "Crochets",
    email: "hooks-merchant@velo.example",
    role: "merchant_l1",
    password: "a long password",
  });
  const hookPort = await freePort();
  const made = await request.post("/api/v1/webhooks", {
    headers,
    data: { url: `http://127.0.0.1:${hookPort}/livreur`, location_id: null, events: ["*"] },
  });
  expect(made.status(), await made.text()).toBe(201);
  const hook = await made.json();
  const startReceiver = async () => {
    receiver = spawn(python, [
      path.join(root, "end2end", "webhook_receiver.py"),
      "--port",
      String(hookPort),
      "--secret",
      hook.secret,
      "--log",
      receipts,
    ]);
    await listening(hookPort);
  };
  let made_jobs = 0;
  const createJobs = async (n: number) => {
    for (let i = 0; i < n; i++) {
      made_jobs++;
      const res = await request.post("/api/v1/jobs", {
        headers,
        data: {
          reference_id: `HOOK-${made_jobs}`,
          type: "delivery",
          date: "2026-12-08",
          customer: { first_name: "Ana", phone: "+15145550100" },
          address: { line1: "100 Rue Saint-Paul" },
          location_id: locationId,
        },
      });
      expect(res.status(), await res.text()).toBe(201);
    }
  };

  // Up: two messages arrive.
  await startReceiver();
  await createJobs(2);
  await expect(async () => expect(received().length).toBe(2)).toPass({ timeout: 10_000 });

  // Down: three messages fail, and the endpoint is turned off.
  receiver!.kill();
  await new Promise((r) => receiver!.once("exit", r));
  await createJobs(3);
  await expect(async () => {
    const res = await request.get(`/api/v1/webhooks/${hook.id}`, { headers });
    expect((await res.json()).health).toBe("disabled");
  }).toPass({ timeout: 20_000 });
  // While it is off, two more events happen: they are not sent.
  await createJobs(2);

  // The administrator sees it: a badge, a banner, and e-mails.
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await expect(page.getByTestId("webhook-alert-badge")).toHaveText("1");
  await expect(page.getByTestId("overview-endpoint")).toContainText(`127.0.0.1:${hookPort}`);
  await page.goto("/integrations/api");
  await waitForHydration(page);
  const alert = page.getByTestId("webhook-alert");
  await expect(alert).toContainText("is disabled");
  await expect(alert).toContainText(`http://127.0.0.1:${hookPort}/livreur`);
  await expectAccessible(page);
  await expect(async () => {
    const subjects = mails().map((m) => m.subject);
    expect(subjects).toContain(`Webhook endpoint failing: http://127.0.0.1:${hookPort}/livreur`);
    expect(subjects).toContain(`Webhook endpoint disabled: http://127.0.0.1:${hookPort}/livreur`);
  }).toPass({ timeout: 20_000 });
  const disabledMail = mails().find((m) => m.subject.startsWith("Webhook endpoint disabled"))!;
  expect(disabledMail.rcpt_tos).toEqual([ADMIN.email]);
  expect(disabledMail.body).toContain(`http://127.0.0.1:${port}/integrations/api/webhooks/${hook.id}`);

  // Back up: turn the endpoint on again and take the offer to recover
  // what it missed.
  await startReceiver();
  await alert.getByRole("link", { name: "See the endpoint" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`http://127.0.0.1:${hookPort}/livreur`);
  await waitForHydration(page);
  await page.getByTestId("toggle-webhook").click();
  const offer = page.getByTestId("recover-offer");
  await expect(offer).toContainText("have not got through since");
  await expectAccessible(page);
  await offer.getByTestId("recover-since-disabled").click();
  await expect(page.getByTestId("recover-started")).toHaveText("Messages to send again: 5.");
  await expect(page.getByTestId("recovery-done")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("recovery")).toContainText("5 of 5 queued again");

  // Every message exactly once per webhook-id, each signature verified.
  await expect(async () => expect(new Set(received().map((r) => r.id)).size).toBe(7)).toPass({
    timeout: 20_000,
  });
  await page.waitForTimeout(1_500);
  const all = received();
  expect(all.length).toBe(7);
  expect(all.every((r) => r.verified)).toBe(true);
  expect(all.every((r) => r.type === "job.created")).toBe(true);

  // The alert is gone with the endpoint back on, and the badge with it.
  await page.goto("/integrations/api");
  await waitForHydration(page);
  await expect(page.getByTestId("webhook-alert")).toHaveCount(0);
  await expect(page.getByTestId("webhook-alert-badge")).toHaveCount(0);

  // In French, the endpoint's page and the overview name the same things.
  await page.goto(`/integrations/api/webhooks/${hook.id}`);
  await waitForHydration(page);
  await page.getByTestId("language-switch").first().click();
  await expect(page.getByRole("heading", { name: "Récupérer les messages en échec" })).toBeVisible();
  await expect(page.getByTestId("recovery")).toContainText("5 sur 5 remis en file");
  await expectAccessible(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Les travaux du jour" })).toBeVisible();
  await expectAccessible(page);
  await page.getByTestId("language-switch").first().click();
});

test("the API reference lists every webhook event with an example", async ({ page, request }) => {
  // The reference is the largest page there is.
  test.slow();
  const doc = await (await request.get("/api/v1/openapi.json")).json();
  expect(Object.keys(doc.webhooks).sort()).toEqual(
    [
      "job.created",
      "job.updated",
      "job.status_changed",
      "job.cancelled",
      "job.deleted",
      "action.created",
      "action.updated",
      "action.deleted",
      "webhook.test",
    ].sort(),
  );
  const changedDoc = doc.webhooks["job.status_changed"].post;
  expect(changedDoc.requestBody.content["application/json"].example.data.previous_status).toBe("new");
  expect(changedDoc.parameters.map((p: { name: string }) => p.name)).toEqual([
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
  ]);
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/integrations/api/reference");
  await waitForHydration(page);
  const catalog = page.getByTestId("event-catalog");
  await expect(catalog.getByTestId("event")).toHaveCount(9);
  const changed = catalog.locator("#event-job\\.status_changed");
  await expect(changed).toContainText("previous_status");
  await changed.getByText("Example").click();
  await expect(changed.locator("pre")).toContainText('"type": "job.status_changed"');
  await expectAccessible(page);
});
