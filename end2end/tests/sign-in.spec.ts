import { expect, test } from "./fixtures";
import { baseURL, createAdmin, startServer } from "./env";
import { ADMIN, signIn, waitForHydration } from "./helpers";

test.beforeAll(() => {
  // create-admin creates or resets: safe to run before every file.
  createAdmin(ADMIN.email, ADMIN.password);
});

test.describe("with JavaScript", () => {
  test("a fresh installation says how to create the first administrator", async ({ page }) => {
    const port = 3190;
    const server = await startServer(port);
    try {
      await page.goto(`http://127.0.0.1:${port}/sign-in`);
      const hint = page.getByTestId("no-admin-hint");
      await expect(hint).toBeVisible();
      await expect(hint).toContainText("livreur create-admin --email");
      createAdmin("first@example.com", "first admin password", port);
      await page.reload();
      await expect(page.getByRole("heading", { name: "Sign in to Livreur" })).toBeVisible();
      await expect(page.getByTestId("no-admin-hint")).toHaveCount(0);
    } finally {
      server.kill();
    }
  });

  test("wrong password is refused in place, right password signs in", async ({ page }) => {
    await page.goto("/sign-in");
    await waitForHydration(page);
    await page.getByLabel("E-mail address").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("sign-in-error")).toHaveText(
      "The e-mail address or password is incorrect.",
    );
    // Answered by the hydrated form, not by a page load.
    expect(page.url()).toBe(`${baseURL}/sign-in`);

    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`${baseURL}/`);
    await expect(page.getByTestId("welcome")).toHaveText("Welcome, admin");
    await expect(page.getByRole("navigation", { name: "Main navigation" })).toContainText("Merchants");
  });

  test("the session cookie is HttpOnly and SameSite=Strict", async ({ page, context }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByTestId("welcome")).toBeVisible();
    const cookie = (await context.cookies()).find((c) => c.name === "livreur_session");
    expect(cookie).toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite).toBe("Strict");
    expect(cookie!.secure).toBe(false); // plain http on loopback
  });

  test("switches to French and back, and the choice is remembered", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByTestId("welcome")).toBeVisible();
    await waitForHydration(page);
    await page.getByTestId("language-switch").click();
    await expect(page.getByTestId("welcome")).toHaveText("Bienvenue, admin");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("navigation", { name: "Navigation principale" })).toContainText(
      "Marchands",
    );
    await page.reload();
    await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();

    // Remembered with the account: a new browser signs in in French.
    const other = await page.context().browser()!.newContext({ baseURL, locale: "en-US" });
    const second = await other.newPage();
    await signIn(second, ADMIN.email, ADMIN.password);
    await expect(second.getByTestId("welcome")).toHaveText("Bienvenue, admin");
    await other.close();

    await page.getByTestId("language-switch").click();
    await expect(page.getByTestId("welcome")).toHaveText("Welcome, admin");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
  });

  test("signing out ends the session", async ({ page }) => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByTestId("welcome")).toBeVisible();
    await waitForHydration(page);
    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(`${baseURL}/sign-in`);
    await page.goto("/");
    await expect(page).toHaveURL(`${baseURL}/sign-in`);
  });

  test("a cross-site POST to a server function is refused", async ({ request }) => {
    const res = await request.post("/_fn/sign_in", {
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
      form: { email: ADMIN.email, password: ADMIN.password },
    });
    expect(res.status()).toBe(403);
    expect(res.headers()["set-cookie"]).toBeUndefined();
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the plain form signs in, switches language and signs out", async ({ page }) => {
    await signIn(page, ADMIN.email, "not the password");
    await expect(page).toHaveURL(`${baseURL}/sign-in?error=invalid`);
    await expect(page.getByTestId("sign-in-error")).toHaveText(
      "The e-mail address or password is incorrect.",
    );

    await page.getByLabel("E-mail address").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`${baseURL}/`);
    await expect(page.getByTestId("welcome")).toContainText("admin");

    const current = await page.locator("html").getAttribute("lang");
    await page.getByTestId("language-switch").click();
    await expect(page.locator("html")).not.toHaveAttribute("lang", current ?? "");
    await page.getByTestId("language-switch").click();
    await expect(page.locator("html")).toHaveAttribute("lang", current ?? "en");

    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(`${baseURL}/sign-in`);
    await page.goto("/");
    await expect(page).toHaveURL(`${baseURL}/sign-in`);
  });
});
