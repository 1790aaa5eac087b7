import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;
export const root = path.resolve(__dirname, "..", "..");
// The server under test: the release build, or the one LIVREUR_BIN names
// (a path from the project root).
export const binary = path.join(root, process.env.LIVREUR_BIN ?? "target/release/livreur");

// Debian's Chromium: Playwright cannot download a browser on these machines.
// The flags keep it from reaching for the network it does not have.
export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export function databaseUrl(forPort = port): string {
  return `sqlite://${path.join(root, "end2end", ".data", String(forPort), "livreur.db")}`;
}

/** Runs `livreur create-admin` against the test server's database. */
export function createAdmin(email: string, password: string, forPort = port): void {
  execFileSync(binary, ["create-admin", "--email", email, "--password-stdin"], {
    input: `${password}\n`,
    env: { ...process.env, DATABASE_URL: databaseUrl(forPort) },
    stdio: ["pipe", "ignore", "inherit"],
  });
}

/**
 * Starts a second server on its own fresh database, with `env` added to its
 * settings; stop it with `kill()`.
 */
export async function startServer(forPort: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(path.join(root, "end2end", "serve.sh"), [String(forPort)], {
    stdio: "ignore",
    env: { ...process.env, ...env },
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${forPort}/readyz`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`server on port ${forPort} did not become ready`);
}

/** Runs `livreur api-key create` and returns what it prints once. */
export function createApiKey(email: string, forPort = port): { accountId: string; key: string } {
  const out = execFileSync(binary, ["api-key", "create", "--email", email], {
    env: { ...process.env, DATABASE_URL: databaseUrl(forPort) },
    stdio: ["ignore", "pipe", "ignore"],
  }).toString();
  const value = (name: string) => {
    const line = out.split("\n").find((l) => l.startsWith(`${name}=`));
    if (!line) throw new Error(`no ${name} in: ${out}`);
    return line.slice(name.length + 1);
  };
  return { accountId: value("account_id"), key: value("key") };
}

export function basicAuth(accountId: string, key: string): string {
  return `Basic ${Buffer.from(`${accountId}:${key}`).toString("base64")}`;
}
