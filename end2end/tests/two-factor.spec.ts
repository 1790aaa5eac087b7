import type { ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import { expect, test } from "./fixtures";
import { createAdmin, startServer } from "./env";
import { ADMIN, expectAccessible, expectAccessibleMarkup, signIn, waitForHydration } from "./helpers";

// Two-factor authentication (docs/people.md) on a server of its own that
// requires it of administrators, as a real installation does by default.
const port = 3194;
let server: ChildProcess;

test.use({ baseURL: `http://127.0.0.1:${port}` });

test.beforeAll(async () => {
  server = await startServer(port, { LIVREUR_REQUIRE_2FA_FOR_ADMINS: "true" });
  createAdmin(ADMIN.email, ADMIN.password, port);
});

test.afterAll(() => {
  server?.kill();
});

/** RFC 6238 (SHA-1, 6 digits, 30 s) from the base32 secret, `ahead` steps on. */
function totp(secret: string, ahead = 0): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + ahead));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

test("an administrator is made to set up a second factor, then signs in with codes and recovery codes", async ({
  page,
  browser,
}) => {
  // Seven sign-ins, each with its password hash: longer than one test's
  // default budget on a busy two-core machine.
  test.slow();
  // The password alone leads to the setup, before anything else.
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL(/\/two-factor$/);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Set up two-factor authentication");
  await expect(page.getByRole("img", { name: "QR code to scan with an authenticator app" })).toBeVisible();
  await expectAccessible(page);
  // Nothing else opens meanwhile.
  const sneak = await page.context().newPage();
  await sneak.goto("/organization/merchants");
  await expect(sneak).toHaveURL(/\/sign-in/);
  await sneak.close();

  const secret = (await page.getByTestId("totp-secret").textContent())!;
  const codes = page.getByTestId("recovery-codes").locator("code");
  await expect(codes).toHaveCount(10);
  const recovery = await codes.allTextContents();
  await page.getByLabel("The 6-digit code the app shows now").fill("000000");
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.locator("#setup-code-error")).toContainText("This code is not right");
  await page.getByLabel("The 6-digit code the app shows now").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.goto("/profile");
  await expect(page.getByTestId("two-factor-on")).toContainText("Recovery codes left: 10");
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/sign-in$/);

  // Password, then the code of the next step (the current one was used).
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL(/\/sign-in\/code$/);
  await waitForHydration(page);
  await expectAccessible(page);
  await page.getByLabel("Authentication code").fill(totp(secret, 1));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByTestId("welcome")).toBeVisible();
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/sign-in$/);

  // A recovery code, once; the second time it is refused. Without
  // JavaScript, as a plain form.
  for (const [attempt, works] of [
    [1, true],
    [2, false],
  ] as const) {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const plain = await context.newPage();
    await signIn(plain, ADMIN.email, ADMIN.password);
    await expect(plain).toHaveURL(/\/sign-in\/code$/);
    if (attempt === 1) await expectAccessibleMarkup(plain);
    await plain.getByLabel("Authentication code").fill(recovery[0]);
    await plain.getByRole("button", { name: "Verify" }).click();
    if (works) {
      await expect(plain.getByTestId("welcome")).toBeVisible();
    } else {
      await expect(plain.getByTestId("code-error")).toHaveText("This code is not right, or was already used.");
    }
    await context.close();
  }

  // Without JavaScript, another administrator sets it up from the same
  // page (the recovery codes are shown before it is turned on).
  const secondEmail = `second-${Date.now().toString(36)}@example.com`;
  createAdmin(secondEmail, ADMIN.password, port);
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const second = await nojs.newPage();
  await signIn(second, secondEmail, ADMIN.password);
  await expect(second).toHaveURL(/\/two-factor$/);
  await expect(second.getByTestId("recovery-codes").locator("code")).toHaveCount(10);
  await expectAccessibleMarkup(second);
  const secondSecret = (await second.getByTestId("totp-secret").textContent())!;
  await second.getByLabel("The 6-digit code the app shows now").fill("000000");
  await second.getByRole("button", { name: "Turn on" }).click();
  await expect(second.locator("#setup-code-error")).toContainText("This code is not right");
  await second.getByLabel("The 6-digit code the app shows now").fill(totp(secondSecret));
  await second.getByRole("button", { name: "Turn on" }).click();
  await expect(second.getByTestId("welcome")).toBeVisible();
  await nojs.close();

  // In French too.
  const context = await browser.newContext({ javaScriptEnabled: true });
  const french = await context.newPage();
  await signIn(french, ADMIN.email, ADMIN.password);
  await expect(french).toHaveURL(/\/sign-in\/code$/);
  await waitForHydration(french);
  await french.getByTestId("language-switch").click();
  await expect(french.getByRole("heading", { level: 1 })).toHaveText("Authentification à deux facteurs");
  await expect(french.getByLabel("Code d’authentification")).toBeVisible();
  await expectAccessible(french);
  await context.close();
});
