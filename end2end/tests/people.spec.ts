import type { ChildProcess } from "node:child_process";
import { expect, test } from "./fixtures";
import { createAdmin, createApiKey, startServer } from "./env";
import { ADMIN, expectAccessible, expectAccessibleMarkup, signIn, waitForHydration } from "./helpers";
import { type Credentials, onboard } from "./onboard";
import { startSink } from "./sink";

// Invitations and password resets (docs/people.md), e-mailed through a
// real SMTP server (end2end/smtp_sink.py, aiosmtpd) to a server of its own.
const port = 3193;
let server: ChildProcess;
let sink: Awaited<ReturnType<typeof startSink>>;
let admin: Credentials;
const suffix = Date.now().toString(36);

test.use({ baseURL: `http://127.0.0.1:${port}` });

const mails = () => sink.mails();

/** The link in the latest message to `to`, once it has arrived. */
async function linkMailedTo(to: string): Promise<string> {
  let link = "";
  await expect(async () => {
    const mine = mails().filter((m) => m.rcpt_tos.includes(to));
    expect(mine.length).toBeGreaterThan(0);
    link = mine[mine.length - 1].body.match(/http\S+set-password\?token=\S+/)![0];
  }).toPass({ timeout: 20_000 });
  return link;
}

test.beforeAll(async () => {
  sink = await startSink();
  server = await startServer(port, {
    LIVREUR_SMTP_URL: sink.url,
    LIVREUR_MAIL_FROM: "Livreur <noreply@example.com>",
    LIVREUR_PUBLIC_URL: `http://127.0.0.1:${port}`,
    LIVREUR_REAUTH_SECONDS: "3",
  });
  createAdmin(ADMIN.email, ADMIN.password, port);
  admin = createApiKey(ADMIN.email, port);
});

test.afterAll(() => {
  server?.kill();
  sink?.process.kill();
});

test("an administrator invites a merchant user, who sets a password from the e-mailed link", async ({
  page,
  browser,
  request,
}) => {
  const email = `invited-${suffix}@velo.example`;
  const { merchantId } = await onboard(request, admin, {
    name: `Invités ${suffix}`,
    email: `first-${suffix}@velo.example`,
    role: "merchant_l1",
    password: "a long password",
  });

  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto(`/organization/merchants/${merchantId}/users/new`);
  await waitForHydration(page);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Name", { exact: true }).fill("Inès");
  // No password: the user is invited (the form says so).
  await expect(page.getByText("Leave empty to invite the user")).toBeVisible();
  await page.getByRole("button", { name: "Save" }).click();
  const shown = page.getByTestId("invitation");
  await expect(shown).toContainText(`The invitation link was e-mailed to ${email}`);
  const url = (await page.getByTestId("invitation-url").textContent())!;
  await expectAccessible(page);

  // The e-mail carries the same link.
  expect(await linkMailedTo(email)).toBe(url);

  // On the user's page: the invitation is pending, and a new link replaces
  // the first one (e-mailed too).
  const users = await request.get(`/api/v1/merchants/${merchantId}/users`, {
    headers: { Authorization: `Basic ${Buffer.from(`${admin.accountId}:${admin.key}`).toString("base64")}` },
  });
  const userId = (await users.json()).data.find((u: { email: string }) => u.email === email).id;
  await page.goto(`/organization/merchants/${merchantId}/users/${userId}`);
  await waitForHydration(page);
  await expect(page.getByTestId("invitation-pending")).toContainText("Invitation pending");
  await page.getByTestId("reinvite").click();
  const newer = page.getByTestId("invitation-pending").getByTestId("invitation-url");
  await expect(newer).toContainText("set-password?token=");
  const url2 = (await newer.textContent())!;
  expect(url2).not.toBe(url);
  await expectAccessible(page);
  await expect(async () => expect(await linkMailedTo(email)).toBe(url2)).toPass({ timeout: 20_000 });

  // The invited user, in a browser of their own: the first link is dead,
  // the new one sets a password.
  const context = await browser.newContext({ javaScriptEnabled: true });
  const invited = await context.newPage();
  await invited.goto(url);
  await expect(invited.getByTestId("link-expired")).toBeVisible();
  await invited.goto(url2);
  await waitForHydration(invited);
  await expect(invited.getByRole("heading", { level: 1 })).toHaveText("Welcome: choose your password");
  await expect(invited.getByText(`For ${email}.`)).toBeVisible();
  await expectAccessible(invited);
  await invited.getByLabel("New password", { exact: true }).fill("my own long password");
  await invited.getByLabel("The same password again").fill("my own long passwort");
  await invited.getByRole("button", { name: "Set my password" }).click();
  await expect(invited.getByTestId("set-password-error")).toHaveText("The two passwords differ.");
  await invited.getByLabel("The same password again").fill("my own long password");
  await invited.getByRole("button", { name: "Set my password" }).click();
  await expect(invited.getByTestId("welcome")).toContainText("Inès");

  // The link worked once.
  await invited.goto(url2);
  await expect(invited.getByTestId("link-expired")).toBeVisible();
  await context.close();
});

test("a forgotten password is reset from the e-mail, without JavaScript too", async ({ browser, request }) => {
  const email = `forgot-${suffix}@velo.example`;
  await onboard(request, admin, {
    name: `Oublis ${suffix}`,
    email,
    role: "merchant_l2",
    password: "the old long password",
  });

  for (const javaScriptEnabled of [true, false]) {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const before = mails().filter((m) => m.rcpt_tos.includes(email)).length;
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Reset your password");
    if (javaScriptEnabled) {
      await waitForHydration(page);
      await expectAccessible(page);
    } else {
      await expectAccessibleMarkup(page);
    }
    await page.getByLabel("E-mail address").fill(email);
    await page.getByRole("button", { name: "E-mail me a link" }).click();
    await expect(page.getByTestId("reset-sent")).toContainText("If this address belongs to an account");
    await expect(async () => {
      expect(mails().filter((m) => m.rcpt_tos.includes(email)).length).toBe(before + 1);
    }).toPass({ timeout: 20_000 });
    const link = await linkMailedTo(email);

    const password = `a new long password ${javaScriptEnabled}`;
    await page.goto(link);
    if (javaScriptEnabled) await waitForHydration(page);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Choose a new password");
    await page.getByLabel("New password", { exact: true }).fill(password);
    await page.getByLabel("The same password again").fill(password);
    await page.getByRole("button", { name: "Set my password" }).click();
    await expect(page.getByTestId("welcome")).toBeVisible();
    await context.close();

    // The new password signs in.
    const again = await browser.newContext({ javaScriptEnabled: true });
    const check = await again.newPage();
    await signIn(check, email, password);
    await expect(check.getByTestId("welcome")).toBeVisible();
    await again.close();
  }

  // An unknown address gets the same answer, and no mail.
  const context = await browser.newContext({ javaScriptEnabled: true });
  const page = await context.newPage();
  const count = mails().length;
  await page.goto("/forgot-password");
  await waitForHydration(page);
  await page.getByTestId("language-switch").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Réinitialiser votre mot de passe");
  await page.getByLabel("Adresse courriel").fill(`nobody-${suffix}@velo.example`);
  await page.getByRole("button", { name: "M’envoyer un lien" }).click();
  await expect(page.getByTestId("reset-sent")).toContainText("Si cette adresse correspond à un compte");
  await expectAccessible(page);
  await page.waitForTimeout(500);
  expect(mails().length).toBe(count);
  await context.close();
});

test("'Sign out everywhere else' ends another browser's session", async ({ browser, request }) => {
  const email = `sessions-${suffix}@velo.example`;
  await onboard(request, admin, { name: `Sessions ${suffix}`, email, role: "merchant_l1", password: "a long password" });
  const contexts = [];
  for (let i = 0; i < 2; i++) {
    const context = await browser.newContext({ javaScriptEnabled: true });
    const page = await context.newPage();
    await signIn(page, email, "a long password");
    await expect(page.getByTestId("welcome")).toBeVisible();
    contexts.push({ context, page });
  }
  const [here, there] = contexts;
  await here.page.goto("/profile");
  await waitForHydration(here.page);
  await expect(here.page.getByTestId("sessions-table").getByRole("row")).toHaveCount(3);
  await expect(here.page.getByTestId("session-current")).toContainText("This browser");
  await expect(here.page.getByTestId("session-current")).toContainText("Chrome");
  await expectAccessible(here.page);
  await here.page.getByTestId("end-other-sessions").click();
  await expect(here.page.getByTestId("sessions-table").getByRole("row")).toHaveCount(2);

  // The other browser is signed out; this one is not.
  await there.page.goto("/jobs");
  await expect(there.page).toHaveURL(/\/sign-in/);
  await here.page.goto("/jobs");
  await expect(here.page).toHaveURL(/\/jobs$/);

  // In French, the profile names the same things.
  await here.page.goto("/profile");
  await waitForHydration(here.page);
  await here.page.getByTestId("language-switch").first().click();
  await expect(here.page.getByRole("heading", { name: "Où vous êtes connecté" })).toBeVisible();
  await expect(here.page.getByTestId("session-current")).toContainText("Ce navigateur");
  await expectAccessible(here.page);
  for (const c of contexts) await c.context.close();
});

test("making an API key asks for the password again once the last proof is old", async ({ page, request }) => {
  const email = `proof-${suffix}@velo.example`;
  const { userId } = await onboard(request, admin, {
    name: `Preuve ${suffix}`,
    email,
    role: "merchant_l2",
    password: "a long password",
  });
  const access = await request.put(`/api/v1/users/${userId}/api-access`, {
    headers: { Authorization: `Basic ${Buffer.from(`${admin.accountId}:${admin.key}`).toString("base64")}` },
    data: { enabled: true },
  });
  expect(access.status()).toBe(200);
  await signIn(page, email, "a long password");
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/integrations/api");
  await waitForHydration(page);
  // This server keeps a proof for 3 seconds (LIVREUR_REAUTH_SECONDS).
  await page.waitForTimeout(3_500);
  await page.getByTestId("generate-key").click();
  const prompt = page.getByTestId("reauth");
  await expect(prompt).toContainText("Confirm it’s you");
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  await expectAccessible(page);
  await prompt.getByLabel("Password").fill("not my password");
  await page.getByTestId("reauth-confirm").click();
  await expect(prompt.getByTestId("form-error")).toBeVisible();
  await prompt.getByLabel("Password").fill("a long password");
  await page.getByTestId("reauth-confirm").click();
  await expect(page.getByTestId("reauth-done")).toBeVisible();
  await page.getByTestId("generate-key").click();
  await expect(page.getByTestId("new-key-value")).toHaveText(/^lvr_/);
});

test("without JavaScript: sessions end from the profile and the user's page, and a new invitation link", async ({
  browser,
  request,
}) => {
  // Three browsers and five sign-ins.
  test.slow();
  const email = `nojs-people-${suffix}@velo.example`;
  const { merchantId, userId } = await onboard(request, admin, {
    name: `Sans JS ${suffix}`,
    email,
    role: "merchant_l1",
    password: "a long password",
  });
  const elsewhere = await browser.newContext({ javaScriptEnabled: true });
  const other = await elsewhere.newPage();
  const signedOutElsewhere = async () => {
    await other.goto("/jobs");
    await expect(other).toHaveURL(/\/sign-in/);
    await signIn(other, email, "a long password");
    await expect(other.getByTestId("welcome")).toBeVisible();
  };
  await signIn(other, email, "a long password");
  await expect(other.getByTestId("welcome")).toBeVisible();

  // The merchant user, without JavaScript: "Sign out" on the other
  // session, then "Sign out everywhere else".
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const page = await nojs.newPage();
  await signIn(page, email, "a long password");
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/profile");
  await expect(page.getByTestId("session-other")).toHaveCount(1);
  await expectAccessibleMarkup(page);
  await page.getByTestId("session-other").getByTestId("end-session").click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("session-other")).toHaveCount(0);
  await expect(page.getByTestId("session-current")).toBeVisible();
  await signedOutElsewhere();
  await page.reload();
  await expect(page.getByTestId("session-other")).toHaveCount(1);
  await page.getByTestId("end-other-sessions").click();
  await expect(page.getByTestId("session-other")).toHaveCount(0);
  await signedOutElsewhere();

  // An administrator, without JavaScript: "Sign out everywhere" on the
  // user's page, then a new invitation link for an invited user.
  const adminContext = await browser.newContext({ javaScriptEnabled: false });
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, ADMIN.email, ADMIN.password);
  await expect(adminPage.getByTestId("welcome")).toBeVisible();
  await adminPage.goto(`/organization/merchants/${merchantId}/users/${userId}`);
  await adminPage.getByTestId("end-user-sessions").click();
  await expect(adminPage.getByTestId("sessions-ended")).toHaveText("Sessions ended: 2.");
  await expectAccessibleMarkup(adminPage);
  await other.goto("/jobs");
  await expect(other).toHaveURL(/\/sign-in/);
  await page.goto("/jobs");
  await expect(page).toHaveURL(/\/sign-in/);

  const invitedEmail = `nojs-invited-${suffix}@velo.example`;
  const made = await request.post(`/api/v1/merchants/${merchantId}/users`, {
    headers: { Authorization: `Basic ${Buffer.from(`${admin.accountId}:${admin.key}`).toString("base64")}` },
    data: { email: invitedEmail, display_name: "Invitée", role: "merchant_l1" },
  });
  expect(made.status()).toBe(201);
  const invited = await made.json();
  await adminPage.goto(`/organization/merchants/${merchantId}/users/${invited.id}`);
  await expect(adminPage.getByTestId("invitation-pending")).toContainText("Invitation pending");
  await adminPage.getByTestId("reinvite").click();
  const link = adminPage.getByTestId("invitation-pending").getByTestId("invitation-url");
  await expect(link).toContainText("set-password?token=");
  const url = (await link.textContent())!;
  expect(url).not.toBe(invited.invitation_url);
  expect(await linkMailedTo(invitedEmail)).toBe(url);
  // The user's form is still the user's, and the page is not cached.
  await expect(adminPage.getByLabel("Name", { exact: true })).toHaveValue("Invitée");
  await expectAccessibleMarkup(adminPage);

  // The same buttons in French.
  await adminPage.goto(`/organization/merchants/${merchantId}/users/${userId}`);
  await adminPage.getByTestId("language-switch").first().click();
  await expect(adminPage.getByTestId("end-user-sessions")).toHaveText("Déconnecter partout");
  await adminPage.getByTestId("end-user-sessions").click();
  await expect(adminPage.getByTestId("sessions-ended")).toHaveText("Sessions fermées : 0.");
  await expectAccessibleMarkup(adminPage);
  await adminPage.getByTestId("language-switch").first().click();
  await expect(adminPage.locator("html")).toHaveAttribute("lang", "en");
  for (const c of [elsewhere, nojs, adminContext]) await c.close();
});

test("without JavaScript: 'Confirm it's you' comes before a new webhook once the proof is old", async ({ browser }) => {
  const adminContext = await browser.newContext({ javaScriptEnabled: false });
  const adminPage = await adminContext.newPage();
  await signIn(adminPage, ADMIN.email, ADMIN.password);
  await expect(adminPage.getByTestId("welcome")).toBeVisible();
  // This server keeps a proof for 3 seconds (LIVREUR_REAUTH_SECONDS).
  await adminPage.waitForTimeout(3_500);
  await adminPage.goto("/integrations/api/webhooks/new");
  const hook = `http://127.0.0.1:9/nojs-proof-${suffix}`;
  await adminPage.getByLabel("Endpoint URL").fill(hook);
  await adminPage.getByRole("button", { name: "Save" }).click();
  const prompt = adminPage.getByTestId("reauth");
  await expect(prompt).toContainText("Confirm it’s you");
  await expect(adminPage.getByLabel("Endpoint URL")).toHaveValue(hook);
  await expectAccessibleMarkup(adminPage);
  await prompt.getByLabel("Password").fill("not my password");
  await adminPage.getByTestId("reauth-confirm").click();
  await expect(prompt.getByTestId("form-error")).toBeVisible();
  await prompt.getByLabel("Password").fill(ADMIN.password);
  await adminPage.getByTestId("reauth-confirm").click();
  await expect(adminPage).toHaveURL(/\/integrations\/api\/webhooks\/new$/);
  await expect(adminPage.getByTestId("reauth")).toHaveCount(0);
  await adminPage.getByLabel("Endpoint URL").fill(hook);
  await adminPage.getByRole("button", { name: "Save" }).click();
  await expect(adminPage.getByTestId("webhook-secret-value")).toHaveText(/^whsec_/);
  await adminContext.close();
});
