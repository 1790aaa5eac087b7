#!/usr/bin/env python3
"""End-to-end durability test of Livreur's webhook delivery (docs/rules.md, Webhooks).

A real `livreur serve` delivers `job.created` events to a receiver running in
this process, which verifies every request with the reference Standard
Webhooks library (PyPI `standardwebhooks`), so a signing bug cannot hide
behind a home-made verifier.

    --backend sqlite    one instance, killed with SIGKILL three times while
                        deliveries are under way and restarted on the same
                        database and key file: nothing may be lost
                        (duplicates are allowed: delivery is at-least-once).
    --backend postgres  several instances sharing one database and the
                        delivery queue, no kills: nothing may be lost and
                        nothing should be sent twice (duplicates are printed
                        as a WARNING, not a failure).

Exit status: 0 when every created job's event arrived with a valid signature
within the time bound, 1 otherwise, 2 for a usage or set-up error.
Needs only the standard library and `standardwebhooks`.
"""

from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ROOT = Path(__file__).resolve().parent.parent
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "crash test password"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"


class Failure(Exception):
    """The run cannot go on or has failed; the message says why."""


def now() -> float:
    return time.monotonic()


def free_port() -> int:
    # The port may be taken again between close and the server's bind; on a
    # test machine that race is negligible, and a failed bind shows in the
    # server log.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# The receiver
# --------------------------------------------------------------------------


class Receipts:
    """Everything the receiver saw, shared between its handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times_received: collections.Counter[str] = collections.Counter()
        self.job_msgs: dict[str, set[str]] = collections.defaultdict(set)
        self.first_seen: dict[str, float] = {}  # job id -> first arrival
        self.last_new_at: float | None = None
        self.other_types: collections.Counter[str] = collections.Counter()
        self.sig_failures = 0
        self.sig_failure_samples: list[str] = []
        self.truncated = 0
        self.sample: tuple[bytes, dict[str, str]] | None = None

    def record(self, msg_id: str, payload: dict) -> None:
        at = now()
        with self.lock:
            self.times_received[msg_id] += 1
            kind = payload.get("type")
            if kind != "job.created":
                self.other_types[str(kind)] += 1
                return
            job_id = (payload.get("data") or {}).get("id")
            self.job_msgs[job_id].add(msg_id)
            if job_id not in self.first_seen:
                self.first_seen[job_id] = at
                self.last_new_at = at

    def fail(self, reason: str) -> None:
        with self.lock:
            self.sig_failures += 1
            if len(self.sig_failure_samples) < 5:
                self.sig_failure_samples.append(reason)

    def jobs_seen(self) -> int:
        with self.lock:
            return len(self.first_seen)

    def snapshot(self):
        with self.lock:
            return (
                dict(self.times_received),
                {k: set(v) for k, v in self.job_msgs.items()},
                dict(self.first_seen),
            )


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True
    # Up to 32 connections per instance open at once, more while a killed
    # instance's are still being torn down.
    request_queue_size = 1024

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.delay = delay
        self.verifier: Webhook | None = None  # set once the secret is known
        self.receipts = Receipts()
        self.negative_checks: list[tuple[str, bool, str]] | None = None

    def handle_error(self, request, client_address) -> None:
        # A sender killed mid-request resets its connection: expected here.
        pass


class ReceiverHandler(BaseHTTPRequestHandler):
    # Keep-alive, as a production receiver would offer it.
    protocol_version = "HTTP/1.1"
    server: ReceiverServer

    def do_POST(self) -> None:
        srv = self.server
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:
            # The sender died while sending (SIGKILL): not a signature
            # failure, and nothing was delivered.
            with srv.receipts.lock:
                srv.receipts.truncated += 1
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        if srv.verifier is None:
            srv.receipts.fail("request before the webhook secret was known")
            return self.answer(503)
        try:
            payload = srv.verifier.verify(body, headers)
        except Exception as err:  # noqa: BLE001 - malformed headers raise ValueError etc.
            srv.receipts.fail(f"{headers.get('webhook-id')}: {type(err).__name__}: {err}")
            return self.answer(400)
        srv.receipts.record(headers["webhook-id"], payload)
        if srv.negative_checks is None:
            srv.negative_checks = negative_checks(srv.verifier, body, headers)
        # The slow receiver: the sender holds the delivery open meanwhile,
        # so a kill lands on deliveries that are truly in flight.
        time.sleep(srv.delay)
        self.answer(200)

    def answer(self, status: int) -> None:
        try:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()
        except OSError:
            self.close_connection = True  # the sender is gone

    def log_message(self, *args) -> None:
        pass


def negative_checks(verifier: Webhook, body: bytes, headers: dict[str, str]):
    """Proves the verifier really checks: a genuine request, altered, must be
    refused. Returns (what, passed, detail) triples."""
    results = []

    def must_fail(what: str, b: bytes, h: dict[str, str], expect: str | None = None):
        try:
            verifier.verify(b, h)
        except WebhookVerificationError as err:
            ok = expect is None or expect in str(err)
            results.append((what, ok, f"refused ({err})"))
            return
        except Exception as err:  # noqa: BLE001
            results.append((what, False, f"raised the wrong error {type(err).__name__}: {err}"))
            return
        results.append((what, False, "ACCEPTED"))

    try:
        verifier.verify(body, headers)
        results.append(("the genuine request", True, "accepted"))
    except Exception as err:  # noqa: BLE001
        results.append(("the genuine request", False, f"refused on re-check: {err}"))
    tampered = body.replace(b'"job.created"', b'"job.deleted"', 1)
    if tampered == body:
        tampered = body + b" "
    must_fail("a tampered body", tampered, headers)
    old = dict(headers, **{"webhook-timestamp": str(int(time.time()) - 600)})
    must_fail("a timestamp 10 minutes old", body, old, expect="too old")
    other_id = dict(headers, **{"webhook-id": headers["webhook-id"] + "x"})
    must_fail("another webhook-id", body, other_id)
    return results


# --------------------------------------------------------------------------
# Livreur processes and API
# --------------------------------------------------------------------------


class Instance:
    """One `livreur serve` process, restartable on the same port and data."""

    def __init__(self, name: str, binary: Path, env: dict[str, str], port: int, log: Path):
        self.name, self.binary, self.port, self.log_path = name, binary, port, log
        self.env = dict(env, LIVREUR_LISTEN=f"127.0.0.1:{port}")
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.expected_down = False

    def start(self) -> None:
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== {self.name}: start #{self.starts} at {time.strftime('%H:%M:%S')} =====\n".encode())
            # Own session: a Ctrl-C in the terminal reaches only this script,
            # which then stops the servers itself.
            self.proc = subprocess.Popen(
                [str(self.binary), "serve"],
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 30) -> None:
        end = now() + timeout
        while now() < end:
            if self.proc.poll() is not None:
                raise Failure(f"{self.name} exited with status {self.proc.returncode} while starting")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.05)
        raise Failure(f"{self.name} was not ready after {timeout:.0f} s")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if not self.alive():
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError as err:
            return f"(no log: {err})"
        return "\n".join(text[-lines:])

    def log_problems(self, limit: int = 8) -> tuple[int, list[str]]:
        """Lines that report errors or panics, for the summary."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return 0, []
        bad = [l for l in text if " ERROR " in l or "panicked" in l or '"level":"ERROR"' in l]
        return len(bad), bad[:limit]


class Refused(Exception):
    """Could not connect: the request certainly did not reach the server."""


class Broken(Exception):
    """The connection failed after the request was sent: it may have run."""


class Api:
    """A keep-alive JSON client for one instance. Not shared between threads."""

    def __init__(self, port: int, auth: str):
        self.port = port
        self.auth = auth
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, method: str, path: str, body=None, timeout: float = 30):
        if self.conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                conn.connect()
            except OSError as err:
                raise Refused(err) from err
            self.conn = conn
        headers = {"authorization": self.auth, "accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as err:
            self.close()
            raise Broken(err) from err
        if resp.will_close:
            self.close()
        ctype = resp.getheader("content-type") or ""
        if raw and "json" in ctype:
            return resp.status, json.loads(raw)
        return resp.status, raw.decode(errors="replace")

    def expect(self, status: int, method: str, path: str, body=None):
        got, answer = self.call(method, path, body)
        if got != status:
            raise Failure(f"{method} {path} answered {got} (wanted {status}): {answer}")
        return answer

    def pages(self, path: str) -> list[dict]:
        """Every item of a cursor-paged list."""
        items, cursor = [], None
        sep = "&" if "?" in path else "?"
        while True:
            url = path + (f"{sep}cursor={quote(cursor)}" if cursor else "")
            page = self.expect(200, "GET", url)
            items.extend(page["data"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items


def run_cli(binary: Path, env: dict[str, str], args: list[str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(binary), *args], env=env, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise Failure(f"livreur {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def issue_key(binary: Path, env: dict[str, str]) -> str:
    """The Basic credentials of a fresh admin API key (`account_id=`/`key=` lines)."""
    out = run_cli(binary, env, ["api-key", "create", "--email", ADMIN_EMAIL])
    fields = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    if "account_id" not in fields or "key" not in fields:
        raise Failure(f"unexpected api-key create output: {out!r}")
    token = base64.b64encode(f"{fields['account_id']}:{fields['key']}".encode()).decode()
    return f"Basic {token}"


def psql(sql: str) -> None:
    done = subprocess.run(
        ["psql", f"{PG_ADMIN_URL}/postgres", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
        capture_output=True, text=True, timeout=60,
    )
    if done.returncode != 0:
        raise Failure(f"psql {sql!r} failed: {done.stderr.strip()}")


# --------------------------------------------------------------------------
# Creating the events
# --------------------------------------------------------------------------


def job_body(reference: str, location_id: str) -> dict:
    return {
        "reference_id": reference,
        "type": "delivery",
        "date": "2026-12-01",
        "location_id": location_id,
        "customer": {"first_name": "Ana", "phone": "+15145550100"},
        "address": {"line1": "100 Rue Saint-Paul"},
    }


class Creator:
    """Creates `count` jobs through the API from a few threads, spread over
    the instances, riding out server kills.

    A create whose connection broke after sending may or may not have
    committed: it is looked up by its unique reference_id before being sent
    again, so each reference ends up as exactly one job. (Idempotency-Key
    would not do here: a claim left by a killed process stays "in flight"
    for minutes.)"""

    def __init__(self, instances, auth, count, threads, location_id, deadline, run_tag):
        self.instances, self.auth, self.count = instances, auth, count
        self.location_id, self.deadline, self.run_tag = location_id, deadline, run_tag
        self.lock = threading.Lock()
        self.next_index = 0
        self.job_ids: dict[str, list[str]] = {}  # reference -> job id(s)
        self.sent_at: dict[str, float] = {}  # job id -> when its successful create was sent
        self.hiccups: collections.Counter[str] = collections.Counter()
        self.server_errors: list[str] = []
        self.fatal: str | None = None
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(threads)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def done(self) -> bool:
        return not any(t.is_alive() for t in self.threads)

    def created(self) -> int:
        with self.lock:
            return len(self.job_ids)

    def all_job_ids(self) -> set[str]:
        with self.lock:
            return {j for ids in self.job_ids.values() for j in ids}

    def _take(self) -> int | None:
        with self.lock:
            if self.fatal or self.next_index >= self.count:
                return None
            self.next_index += 1
            return self.next_index - 1

    def _work(self) -> None:
        apis = {inst.port: Api(inst.port, self.auth) for inst in self.instances}
        try:
            while (i := self._take()) is not None:
                inst = self.instances[i % len(self.instances)]
                self._create(apis[inst.port], f"{self.run_tag}-{i:06d}")
        except Exception as err:  # noqa: BLE001 - reported by the main thread
            with self.lock:
                self.fatal = self.fatal or f"{type(err).__name__}: {err}"
        finally:
            for api in apis.values():
                api.close()

    def _note(self, what: str) -> None:
        with self.lock:
            self.hiccups[what] += 1

    def _record(self, reference: str, ids: list[str], sent: float | None) -> None:
        with self.lock:
            self.job_ids[reference] = ids
            if sent is not None:
                for j in ids:
                    self.sent_at[j] = sent

    def _create(self, api: Api, reference: str) -> None:
        maybe_committed = False
        while True:
            if now() > self.deadline:
                raise Failure(f"time bound reached while creating {reference}")
            if maybe_committed:
                try:
                    status, answer = api.call("GET", f"/api/v1/jobs?reference_id={quote(reference)}&limit=100")
                except (Refused, Broken):
                    time.sleep(0.1)  # still down: ask again once it is back
                    continue
                if status != 200:
                    self._note(f"lookup answered {status}")
                    time.sleep(0.2)
                    continue
                found = [j["id"] for j in answer["data"]]
                if found:
                    self._note("create committed though its answer was lost")
                    if len(found) > 1:
                        self._note("several jobs for one reference")
                    self._record(reference, found, None)
                    return
                maybe_committed = False
            # Latency runs from the send: the event may well arrive before
            # the 201 does, since it is committed before the answer is sent.
            sent = now()
            try:
                status, answer = api.call("POST", "/api/v1/jobs", job_body(reference, self.location_id))
            except Refused:
                self._note("connection refused (server down)")
                time.sleep(0.1)
                continue
            except Broken:
                self._note("connection lost mid-request")
                maybe_committed = True
                time.sleep(0.1)
                continue
            if status == 201:
                self._record(reference, [answer["id"]], sent)
                return
            if status in (429, 503):
                self._note(f"create answered {status}")
                time.sleep(0.2)
                continue
            if status >= 500:
                self._note(f"create answered {status}")
                with self.lock:
                    if len(self.server_errors) < 5:
                        self.server_errors.append(f"{status}: {str(answer)[:300]}")
                maybe_committed = True
                time.sleep(0.2)
                continue
            raise Failure(f"job create answered {status}: {answer}")


# --------------------------------------------------------------------------
# The kills
# --------------------------------------------------------------------------


class Chaos(threading.Thread):
    """Kills the instance with SIGKILL when the receiver has seen each given
    share of the events, and restarts it on the same database and key."""

    def __init__(self, instance: Instance, shares: list[float], count: int, receipts: Receipts):
        super().__init__(daemon=True)
        self.instance, self.shares, self.count, self.receipts = instance, shares, count, receipts
        self.stop = threading.Event()
        self.kills: list[str] = []
        self.error: str | None = None

    def run(self) -> None:
        try:
            for share in self.shares:
                while self.receipts.jobs_seen() < share * self.count:
                    if self.stop.wait(0.005):
                        return
                seen = self.receipts.jobs_seen()
                started = now()
                self.instance.expected_down = True
                self.instance.kill()
                self.instance.start()
                self.instance.wait_ready()
                self.instance.expected_down = False
                line = (
                    f"SIGKILL #{len(self.kills) + 1} at {seen} distinct receipts "
                    f"({100 * seen / self.count:.0f} %), serving again after {now() - started:.2f} s"
                )
                self.kills.append(line)
                print(f"  {line}", flush=True)
        except Exception as err:  # noqa: BLE001 - reported by the main thread
            self.error = f"{type(err).__name__}: {err}"


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run(args: argparse.Namespace, workdir: Path, instances: list[Instance], cleanup: list) -> bool:
    sqlite = args.backend == "sqlite"
    if sqlite:
        db_url = f"sqlite://{workdir}/livreur.db"
    else:
        db_url = f"{PG_ADMIN_URL}/{args.pg_database}"
        psql(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{args.pg_database}"')
        if not args.keep:
            cleanup.append(lambda: psql(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)'))

    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        LIVREUR_KEY_FILE=str(workdir / "livreur.key"),
        LIVREUR_WEBHOOK_ALLOWED_NETS="127.0.0.0/8",
        LIVREUR_WEBHOOK_RETRY_SCHEDULE=args.retry_schedule,
        LIVREUR_RATE_LIMIT="100000",
        LEPTOS_SITE_ROOT=str(ROOT / "target" / "site"),
        LIVREUR_LOG=args.log_filter,
        NO_COLOR="1",
    )
    if args.concurrency:
        env["LIVREUR_WEBHOOK_CONCURRENCY"] = str(args.concurrency)

    if not sqlite:
        # Once, before the instances race each other to migrate.
        run_cli(args.binary, env, ["migrate"])
    run_cli(args.binary, env, ["create-admin", "--email", ADMIN_EMAIL, "--password-stdin"], ADMIN_PASSWORD + "\n")
    auth = issue_key(args.binary, env)

    receiver = ReceiverServer(args.delay)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    cleanup.append(receiver.shutdown)
    receipts = receiver.receipts

    for k in range(args.instances):
        instances.append(Instance(f"instance-{k + 1}", args.binary, env, free_port(), workdir / f"instance-{k + 1}.log"))
    for inst in instances:
        inst.start()
    for inst in instances:
        inst.wait_ready()

    admin = Api(instances[0].port, auth)
    location = admin.expect(201, "POST", "/api/v1/locations", {"name": "Depot", "kind": "branch", "ref_no": "D1"})
    hook = admin.expect(201, "POST", "/api/v1/webhooks", {
        "url": f"http://127.0.0.1:{receiver.server_address[1]}/hook",
        "location_id": None,
        "events": ["*"],
        "description": "crash test",
    })
    receiver.verifier = Webhook(hook["secret"])

    kill_shares = [0.2, 0.5, 0.8][: args.kills] if args.kills <= 3 else [(k + 1) / (args.kills + 1) for k in range(args.kills)]
    print(
        f"== webhooks durability, {args.backend}: {args.events} events, {args.instances} instance(s), "
        f"{len(kill_shares)} kill(s), receiver delay {args.delay * 1000:.0f} ms, bound {args.timeout:.0f} s ==",
        flush=True,
    )

    started = now()
    deadline = started + args.timeout
    creator = Creator(instances, auth, args.events, args.clients, location["id"], deadline, "crash")
    chaos = Chaos(instances[0], kill_shares, args.events, receipts) if kill_shares else None
    creator.start()
    if chaos:
        chaos.start()
        cleanup.append(chaos.stop.set)

    expected: set[str] | None = None  # known once every create is answered
    next_progress = now() + 5
    while True:
        if creator.fatal:
            raise Failure(f"creating jobs failed: {creator.fatal}")
        if chaos and chaos.error:
            raise Failure(f"restarting after a kill failed: {chaos.error}")
        for inst in instances:
            if not inst.alive() and not inst.expected_down:
                raise Failure(f"{inst.name} died (exit status {inst.proc.returncode})")
        if expected is None and creator.done():
            if creator.created() != args.events:
                raise Failure(f"only {creator.created()} of {args.events} jobs were created")
            expected = creator.all_job_ids()
            # The database's own list: a job committed behind a lost answer
            # must be delivered too, even if the client never learnt its id.
            while True:
                try:
                    in_db = {j["id"] for j in admin.pages("/api/v1/jobs?limit=100")}
                    break
                except (Refused, Broken):
                    time.sleep(0.2)  # a kill in progress
            unknown = in_db - expected
            if unknown:
                print(f"  NOTE: {len(unknown)} job(s) in the database the client never saw answered", flush=True)
            expected |= in_db
        if expected is not None:
            _, _, first_seen = receipts.snapshot()
            if expected.issubset(first_seen):
                break
        if now() > deadline:
            break
        if now() >= next_progress:
            print(
                f"  {now() - started:5.1f} s: created {creator.created()}/{args.events}, "
                f"delivered {receipts.jobs_seen()}",
                flush=True,
            )
            next_progress = now() + 5
        time.sleep(0.02)

    timed_out = now() > deadline and (expected is None or not expected.issubset(receipts.snapshot()[2]))
    if chaos:
        chaos.stop.set()
        chaos.join(timeout=35)
        if chaos.is_alive():
            raise Failure("a restart after a kill is still hanging")
        if chaos.error:
            raise Failure(f"restarting after a kill failed: {chaos.error}")
    if expected is None:
        expected = creator.all_job_ids()
        if creator.fatal:
            raise Failure(f"creating jobs failed: {creator.fatal}")

    # Let the server finish acknowledging what it sent, so that retries of
    # deliveries it had not yet marked as done show up as duplicates here
    # rather than after the count. Not part of the timed run.
    finished = receipts.last_new_at or now()
    deliveries, settled_in = settle(admin, hook["id"], args.settle)

    return report(args, started, finished, timed_out, expected, creator, receipts, receiver, chaos, deliveries, settled_in, instances)


def settle(api: Api, webhook_id: str, seconds: float) -> tuple[list[dict], float]:
    """The endpoint's deliveries once none is pending (or after `seconds`),
    and how long that took.

    A delivery sent by a process that was then killed stays claimed until
    its lease runs out (2 x the send timeout + 30 s by default), and only
    then is sent again; on SQLite the restarted server takes its dead
    predecessor's leases back as it starts, so they are due at once.
    Waiting for them is what makes the duplicate count honest."""
    started = now()
    end = started + seconds
    said = False
    while True:
        try:
            rows = api.pages(f"/api/v1/webhooks/{webhook_id}/deliveries?limit=100")
        except (Refused, Broken):
            rows = None
        pending = None if rows is None else sum(r["state"] == "pending" for r in rows)
        if pending == 0 or now() > end:
            return rows or [], now() - started
        if pending and not said:
            print(f"  settling: {pending} deliveries still pending, waiting up to {seconds:.0f} s", flush=True)
            said = True
        time.sleep(0.5)


def report(args, started, finished, timed_out, expected, creator, receipts, receiver, chaos, deliveries, settled_in, instances) -> bool:
    times_received, job_msgs, first_seen = receipts.snapshot()
    delivered = expected & set(first_seen)
    missing = expected - set(first_seen)
    unexpected = set(first_seen) - expected
    total_receipts = sum(times_received.values())
    duplicates = total_receipts - len(times_received)
    dup_pct = 100 * duplicates / max(1, len(times_received))
    split = {j: m for j, m in job_msgs.items() if len(m) > 1}
    elapsed = max(1e-9, finished - started)
    latencies = [
        1000 * (first_seen[j] - creator.sent_at[j]) for j in delivered if j in creator.sent_at
    ]
    states = collections.Counter(d["state"] for d in deliveries)
    listed_not_received = [d for d in deliveries if d["message_id"] not in times_received]
    checks = receiver.negative_checks or []
    checks_ok = bool(checks) and all(ok for _, ok, _ in checks)

    ok = True
    lines = []

    def line(label, value):
        lines.append(f"{label:<28} {value}")

    line("backend", f"{args.backend}, {args.instances} instance(s)")
    line("events created", f"{len(expected)} (job creates asked: {args.events})")
    line("distinct delivered", len(delivered))
    line("missing", len(missing))
    line("duplicates", f"{duplicates} ({dup_pct:.2f} %) of {total_receipts} receipts")
    line("signature failures", receipts.sig_failures)
    line("elapsed", f"{elapsed:.1f} s (first create to last new receipt)")
    line("delivered events/s", f"{len(delivered) / elapsed:.1f}")
    line("create sent->receipt ms", f"p50 {percentile(latencies, 50):.1f}, p99 {percentile(latencies, 99):.1f}, max {max(latencies, default=float('nan')):.1f}")
    line("server deliveries", (", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "(none listed)") + f" (after settling {settled_in:.1f} s)")
    if chaos:
        line("kills", len(chaos.kills))
    if creator.hiccups:
        line("client hiccups", ", ".join(f"{k}: {v}" for k, v in sorted(creator.hiccups.items())))
    if receipts.truncated:
        line("cut-off requests", f"{receipts.truncated} (sender killed mid-send; not counted)")
    if receipts.other_types:
        line("other event types", dict(receipts.other_types))
    for what, passed, detail in checks:
        line(f"negative check", f"{'ok  ' if passed else 'FAIL'} {what}: {detail}")
    for inst in instances:
        count, samples = inst.log_problems()
        if count:
            line(f"{inst.name} log", f"{count} ERROR/panic line(s), e.g.:")
            lines.extend(f"    {s[:300]}" for s in samples)

    problems = []
    if missing:
        problems.append(f"{len(missing)} event(s) never delivered, e.g. {sorted(missing)[:5]}")
    if receipts.sig_failures:
        problems.append(f"{receipts.sig_failures} signature failure(s), e.g. {receipts.sig_failure_samples}")
    if timed_out:
        problems.append(f"the time bound of {args.timeout:.0f} s was exceeded")
    if not checks_ok:
        problems.append("the verifier's negative checks did not pass" if checks else "no request to run the negative checks on")
    if split:
        problems.append(f"{len(split)} job(s) delivered under several webhook-ids, e.g. {list(split.items())[:3]}")
    warnings = []
    if duplicates and not chaos:
        warnings.append(f"{duplicates} duplicate deliveries without any crash (expected none)")
    if unexpected:
        warnings.append(f"{len(unexpected)} delivered job id(s) the test did not create, e.g. {sorted(unexpected)[:5]}")
    if states.get("pending") or states.get("failed"):
        warnings.append(f"deliveries not succeeded after settling: {dict(states)}")
        for d in [d for d in deliveries if d["state"] != "succeeded"][:5]:
            warnings.append(f"  {d['message_id']} {d['state']} attempts={d['attempts']} last_status={d.get('last_status')} last_error={d.get('last_error')}")
    if deliveries and len(deliveries) != len(expected):
        warnings.append(f"the server lists {len(deliveries)} deliveries for {len(expected)} events")
    if listed_not_received:
        warnings.append(f"{len(listed_not_received)} listed deliveries never reached the receiver, e.g. {[d['message_id'] for d in listed_not_received[:5]]}")
    for err in creator.server_errors:
        warnings.append(f"job create 5xx: {err}")

    print("\n".join(lines))
    for w in warnings:
        print(f"WARNING: {w}")
    for p in problems:
        print(f"FAIL: {p}")
    ok = not problems
    print(f"RESULT: {'PASS' if ok else 'FAIL'} ({args.backend})", flush=True)
    return ok


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--instances", type=int, help="servers sharing the database (sqlite: 1; postgres: 3)")
    p.add_argument("--events", type=int, help="jobs to create (sqlite: 2000; postgres: 4000)")
    p.add_argument("--kills", type=int, help="SIGKILLs during the run (sqlite: 3; postgres: 0)")
    p.add_argument("--clients", type=int, help="client threads creating jobs (default: 4, or 2 per instance)")
    p.add_argument("--delay", type=float, default=0.05, help="receiver delay before answering, seconds")
    p.add_argument("--timeout", type=float, default=240, help="bound in seconds from the first create to the last receipt")
    p.add_argument("--settle", type=float, default=120,
                   help="seconds to wait afterwards for pending deliveries (leases of killed sends run out after ~50 s)")
    p.add_argument("--retry-schedule", default="0,1,1,2,2,5,5,5")
    p.add_argument("--concurrency", type=int, help="LIVREUR_WEBHOOK_CONCURRENCY (server default when unset)")
    p.add_argument("--log-filter", default=os.environ.get("LIVREUR_LOG", "info,sqlx=warn"))
    p.add_argument("--pg-database", default="livreur_crash")
    p.add_argument("--binary", type=Path, default=ROOT / "target" / "release" / "livreur")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (and database)")
    args = p.parse_args(argv)
    sqlite = args.backend == "sqlite"
    args.instances = args.instances or (1 if sqlite else 3)
    args.events = args.events or (2000 if sqlite else 4000)
    args.kills = (3 if sqlite else 0) if args.kills is None else args.kills
    args.clients = args.clients or max(4, 2 * args.instances)
    if sqlite and args.instances != 1:
        p.error("SQLite takes one instance")
    if args.kills and args.instances != 1:
        p.error("kills are for a single instance")
    if not os.access(args.binary, os.X_OK):
        p.error(f"{args.binary} is missing: build the release binary first")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # `timeout` and CI stop with SIGTERM: unwind through the same clean-up
    # as Ctrl-C.
    def on_sigterm(*_):
        print("stopped by SIGTERM", flush=True)
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix=f"livreur-webhooks-{args.backend}-"))
    instances: list[Instance] = []
    cleanup: list = []
    ok = False
    try:
        ok = run(args, workdir, instances, cleanup)
    except Failure as err:
        print(f"FAIL: {err}")
        print(f"RESULT: FAIL ({args.backend})")
    except KeyboardInterrupt:
        print("interrupted")
    finally:
        if not ok:
            for inst in instances:
                print(f"----- last lines of {inst.name} ({inst.log_path}) -----")
                print(inst.log_tail())
        for inst in instances:
            inst.stop()
        for step in reversed(cleanup):
            try:
                step()
            except Exception as err:  # noqa: BLE001 - clean up the rest anyway
                print(f"clean-up: {err}")
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
