"""Pieces shared by the benchmark steps: a `livreur serve` process, a small
keep-alive JSON client, the set-up of credentials, and statistics.

Standard library only, so `make bench` needs nothing installed."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "livreur"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"
ADMIN_EMAIL = "admin@bench.example"
ADMIN_PASSWORD = "bench admin password"


class BenchError(Exception):
    """A step cannot go on; the message says why."""


def bench_binary(name: str) -> Path | None:
    """A program of `benches/` that `cargo bench --no-run` built (newest)."""
    # target/bench/release is where `make bench` builds it; target/release
    # where a plain `cargo bench` would.
    dirs = (ROOT / "target" / "bench" / "release" / "deps", ROOT / "target" / "release" / "deps")
    found = [p for d in dirs for p in d.glob(f"{name}-*")
             if p.is_file() and p.stat().st_mode & 0o111 and p.suffix == ""]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def fsync_times(folder: Path, count: int = 500) -> dict:
    """What one commit's wait for the disk costs here: append 4 KiB to a
    file in `folder` (where the database lives) and fsync it, `count`
    times, as SQLite's WAL does at every commit under synchronous=FULL."""
    path = folder / "fsync-probe"
    times = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        block = b"x" * 4096
        for _ in range(count):
            os.write(fd, block)
            t0 = time.perf_counter()
            os.fsync(fd)
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return {"count": count, "p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99),
            "max_ms": max(times)}


def free_port() -> int:
    # The port could be taken between close and the server's bind; on a
    # loopback-only benchmark machine that race is negligible.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(values):
    return statistics.median(values) if values else float("nan")


def percentile(values, p: float) -> float:
    """Nearest-rank percentile: with a few hundred samples, interpolation
    would suggest a precision the data does not have."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of a process in KiB (0 when it is gone)."""
    out = {"VmRSS": 0, "VmHWM": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in out:
                out[key] = int(rest.split()[0])
    except OSError:
        pass
    return out


def psql(sql: str, db: str = "postgres", stdin: bytes | None = None) -> str:
    done = subprocess.run(
        ["psql", f"{PG_ADMIN_URL}/{db}", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
        input=stdin, capture_output=True, timeout=1800,
    )
    if done.returncode != 0:
        raise BenchError(f"psql {sql[:80]!r} failed: {done.stderr.decode().strip()}")
    return done.stdout.decode()


def postgres_reachable() -> bool:
    try:
        psql("SELECT 1")
        return True
    except (BenchError, OSError, subprocess.TimeoutExpired):
        return False


class Server:
    """One `livreur serve` process on its own database and key file."""

    def __init__(self, database_url: str, workdir: Path, extra_env: dict[str, str] | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.env = dict(
            os.environ,
            DATABASE_URL=database_url,
            LIVREUR_LISTEN=f"127.0.0.1:{self.port}",
            LIVREUR_KEY_FILE=str(workdir / "livreur.key"),
            # Benchmarks are one credential sending thousands of requests.
            LIVREUR_RATE_LIMIT="1000000",
            LIVREUR_WEBHOOK_ALLOWED_NETS="127.0.0.0/8",
            LEPTOS_SITE_ROOT=str(ROOT / "target" / "site"),
            LIVREUR_LOG="warn",
        )
        if extra_env:
            self.env.update(extra_env)
        self.proc: subprocess.Popen | None = None

    def cli(self, args: list[str], stdin: str | None = None) -> str:
        done = subprocess.run([str(BINARY), *args], env=self.env, cwd=ROOT, input=stdin,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BenchError(f"livreur {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self) -> float:
        """Starts the server and returns the seconds until /readyz said 200,
        polling every 5 ms (the cold-start figure)."""
        log = open(self.log_path, "ab")
        t0 = time.monotonic()
        # Own session: a Ctrl-C reaches only the orchestrator, which stops
        # the server itself.
        self.proc = subprocess.Popen([str(BINARY), "serve"], env=self.env, cwd=ROOT,
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        deadline = t0 + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/readyz")
                ok = conn.getresponse().status == 200
                conn.close()
                if ok:
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.005)
        raise BenchError(f"server not ready after 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0


def basic(account_id: str, key: str) -> str:
    return "Basic " + base64.b64encode(f"{account_id}:{key}".encode()).decode()


class Api:
    """A keep-alive JSON client (one per thread)."""

    def __init__(self, port: int, auth: str | None):
        self.port, self.auth = port, auth
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, body=None) -> tuple[int, object]:
        headers = {"accept": "application/json"}
        if self.auth:
            headers["authorization"] = self.auth
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        if resp.will_close:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        if raw and "json" in (resp.getheader("content-type") or ""):
            return resp.status, json.loads(raw)
        return resp.status, raw

    def expect(self, status: int, method: str, path: str, body=None):
        got, answer = self.call(method, path, body)
        if got != status:
            raise BenchError(f"{method} {path} answered {got} (wanted {status}): {answer!r:.300}")
        return answer


def job_body(location_id: str, reference: str | None = None, actions: int = 3) -> dict:
    body = {
        "type": "delivery",
        "date": "2026-12-01",
        "time_window": {"start": "09:00", "end": "12:00"},
        "location_id": location_id,
        "customer": {"first_name": "Ana", "last_name": "Roy", "phone": "+15145550100"},
        "address": {"line1": "100 Rue Saint-Paul", "city": "Montréal", "postal_code": "H2Y 1Z1",
                    "country": "CA"},
        "actions": [{"sku": f"SKU-{i}", "description": "Chair", "quantity": 2, "quantity_unit": "box"}
                    for i in range(actions)],
    }
    if reference is not None:
        body["reference_id"] = reference
    return body


class Fixture:
    """Admin and Level 2 merchant credentials, a location, a merchant and one
    job of the merchant's, created through the CLI and the API as a real
    operator would."""

    def __init__(self, server: Server):
        server.cli(["migrate"])
        server.cli(["create-admin", "--email", ADMIN_EMAIL, "--password-stdin"], stdin=ADMIN_PASSWORD + "\n")
        out = server.cli(["api-key", "create", "--email", ADMIN_EMAIL])
        fields = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        self.admin_auth = basic(fields["account_id"], fields["key"])
        self.server = server

    def populate(self) -> None:
        """Needs the server running."""
        admin = Api(self.server.port, self.admin_auth)
        self.location_id = admin.expect(201, "POST", "/api/v1/locations",
                                        {"name": "Bench depot", "kind": "branch", "ref_no": "B1"})["id"]
        self.merchant_id, self.merchant_user_id, self.merchant_auth = self.add_merchant(admin, "bench", True)
        merchant = Api(self.server.port, self.merchant_auth)
        self.job_id = merchant.expect(201, "POST", "/api/v1/jobs", job_body(self.location_id, "BENCH-GET"))["id"]

    def add_merchant(self, admin: Api, name: str, with_key: bool):
        mer = admin.expect(201, "POST", "/api/v1/merchants", {
            "business_name": f"Merchant {name}", "contact_email": f"{name}@bench.example",
            "location_ids": [self.location_id], "default_location_id": self.location_id})["id"]
        usr = admin.expect(201, "POST", f"/api/v1/merchants/{mer}/users", {
            "email": f"l2-{name}@bench.example", "display_name": f"L2 {name}", "role": "merchant_l2",
            "password": "a long bench password"})["id"]
        auth = None
        if with_key:
            admin.expect(200, "PUT", f"/api/v1/users/{usr}/api-access", {"enabled": True})
            key = admin.expect(201, "POST", f"/api/v1/users/{usr}/api-keys")
            auth = basic(key["account_id"], key["key"])
        return mer, usr, auth
