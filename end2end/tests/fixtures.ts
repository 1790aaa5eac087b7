import { test as base, expect } from "@playwright/test";

/**
 * Every test's pages are watched for Content-Security-Policy violations:
 * the server sends a policy with a nonce per render (docs/security.md), and
 * a script or style it blocks would break the page silently. Chromium
 * reports each refusal on the console; any one fails the test.
 */
export const test = base.extend<{ cspWatch: void }>({
  cspWatch: [
    async ({ context }, use) => {
      const violations: string[] = [];
      const watch = (page: import("@playwright/test").Page) =>
        page.on("console", (m) => {
          if (m.text().includes("Content Security Policy")) {
            violations.push(`${page.url()}: ${m.text()}`);
          }
        });
      context.pages().forEach(watch);
      context.on("page", watch);
      await use();
      expect(violations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
