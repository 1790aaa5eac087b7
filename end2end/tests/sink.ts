import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { root } from "./env";

/** The Python of end2end/.venv (make tools-python). */
export const python = path.join(root, "end2end", ".venv", "bin", "python3");

/** A loopback port nobody listens on (yet). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export type Mail = { rcpt_tos: string[]; subject: string; body: string };

/**
 * A real SMTP server on loopback (end2end/smtp_sink.py, aiosmtpd) keeping
 * each message as a file: `url` for LIVREUR_SMTP_URL, `mails()` for what
 * it has received, oldest first. Stop it with `process.kill()`.
 */
export async function startSink(): Promise<{ process: ChildProcess; url: string; mails: () => Mail[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "livreur-mail-"));
  const port = await freePort();
  const child = spawn(python, [path.join(root, "end2end", "smtp_sink.py"), "--port", String(port), "--dir", dir], {
    stdio: "ignore",
  });
  const mails = () =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
  return { process: child, url: `smtp://127.0.0.1:${port}`, mails };
}
