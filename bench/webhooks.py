"""Webhook delivery to a local receiver: throughput of a backlog, and
create→receipt latency at a steady 100 events/s."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
import subprocess
import threading
import time

from pathlib import Path

from common import ROOT, Api, BenchError, bench_binary, job_body, percentile, psql
from gen import new_id
from http_load import lua_script, wrk


class Receiver:
    """The compiled receiver (`benches/receiver.rs`) in its own process: it
    answers 204 at once and prints, for each request, the wall-clock time
    its first byte was read, its webhook-id and the job's reference. A
    thread here reads those lines; the receiver's own work never shares
    this Python process."""

    def __init__(self):
        exe = bench_binary("receiver") or compile_receiver()
        self.proc = subprocess.Popen([str(exe), "--serve"], stdout=subprocess.PIPE, text=True, bufsize=1)
        first = self.proc.stdout.readline().split()
        if len(first) != 2 or first[0] != "port":
            raise BenchError(f"the receiver did not start: {first}")
        self.port = int(first[1])
        self.lock = threading.Lock()
        self.first_seen: dict[str, float] = {}  # webhook-id -> arrival (time.time())
        self.by_reference: dict[str, float] = {}  # job reference_id -> arrival
        self.requests = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) != 3:
                continue
            at = int(parts[0]) / 1e9
            with self.lock:
                self.requests += 1
                self.first_seen.setdefault(parts[1], at)
                if parts[2] != "-":
                    self.by_reference.setdefault(parts[2], at)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def count(self) -> int:
        with self.lock:
            return len(self.first_seen)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def compile_receiver() -> Path:
    """The receiver uses the standard library only: without the `cargo
    bench` build, rustc makes it in a few seconds."""
    out = ROOT / "target" / "bench" / "receiver"
    src = ROOT / "benches" / "receiver.rs"
    if not out.exists() or out.stat().st_mtime < src.stat().st_mtime:
        out.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["rustc", "--edition", "2024", "-C", "opt-level=3", "-o", str(out), str(src)],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BenchError(f"cannot compile the receiver: {done.stderr[-800:]}")
    return out


def create_webhook(admin: Api, url: str) -> str:
    return admin.expect(201, "POST", "/api/v1/webhooks", {
        "url": url, "location_id": None, "events": ["job.created"], "description": "bench"})["id"]


def delete_webhook(admin: Api, webhook_id: str) -> None:
    admin.expect(204, "DELETE", f"/api/v1/webhooks/{webhook_id}")


def latency(port: int, auth: str, location_id: str, receiver: Receiver, rate: float, seconds: float) -> dict:
    """One client creates jobs on a fixed schedule (not back-to-back), so
    the figure is the latency at that load, not under saturation. Time runs
    from just before the POST is sent: the event may arrive before the 201."""
    api = Api(port, auth)
    sent: dict[str, float] = {}
    created_ms: list[float] = []  # each POST's own time, sent to 201 read
    count = int(rate * seconds)
    tag = f"LAT{random.randrange(10**6):06d}"
    t0 = time.monotonic()
    for i in range(count):
        wait = t0 + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        ref = f"{tag}-{i:05d}"
        body = job_body(location_id, ref, 3)
        # Wall clock, as the receiver stamps arrivals.
        sent[ref] = time.time()
        api.expect(201, "POST", "/api/v1/jobs", body)
        created_ms.append((time.time() - sent[ref]) * 1000)
    achieved = count / (time.monotonic() - t0)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with receiver.lock:
            if all(r in receiver.by_reference for r in sent):
                break
        time.sleep(0.05)
    with receiver.lock:
        lat = [(receiver.by_reference[r] - s) * 1000 for r, s in sent.items() if r in receiver.by_reference]
    return {"events": count, "received": len(lat), "achieved_rate": achieved,
            "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "max_ms": max(lat) if lat else None,
            "create_p50_ms": percentile(created_ms, 50), "create_p99_ms": percentile(created_ms, 99)}


def combined(port: int, auth: str, location_id: str, receiver: Receiver, tmp, seconds: float,
             connections: int) -> dict:
    """`POST /api/v1/jobs` at full speed (wrk, `connections` connections)
    with one endpoint subscribed: jobs created and delivered per second,
    from the start of the load to the last arrival."""
    before = receiver.count()
    script = lua_script(tmp / "combined.lua", auth, "POST", job_body(location_id, None, 3))
    started = time.time()
    res = wrk(f"http://127.0.0.1:{port}/api/v1/jobs", script, seconds, 2, connections)
    created = round(res["rps"] * max(1, round(seconds)))
    # wrk's count is a rate times its duration; wait for the receiver to
    # stop growing rather than for an exact number.
    last, still = receiver.count(), time.monotonic()
    while time.monotonic() - still < 2 and time.monotonic() - started < seconds + 60:
        time.sleep(0.05)
        now = receiver.count()
        if now != last:
            last, still = now, time.monotonic()
    with receiver.lock:
        arrivals = sorted(receiver.first_seen.values())[before:]
    delivered = len(arrivals)
    span = (arrivals[-1] - started) if arrivals else None
    return {"created_per_s": res["rps"], "created": created, "delivered": delivered,
            "combined_per_s": delivered / span if span else None, "non2xx": res["non2xx"]}


def backlog_rows(template: tuple, count: int) -> list[tuple]:
    """`count` copies of a real outbox event (so the worker sends what it
    normally sends), each with its own message id and reference."""
    ev_id, kind, job_id, location_id, actor_user_id, actor_label, payload, created_at = template
    base = json.loads(payload)
    rnd = random.Random(3)
    now_ms = int(time.time() * 1000)
    rows = []
    for i in range(count):
        base["data"]["reference_id"] = f"BACKLOG-{i:06d}"
        rows.append((new_id("msg", now_ms, rnd), kind, job_id, location_id, actor_user_id, actor_label,
                     json.dumps(base), now_ms))
    rows.sort()  # ids within one millisecond: keep the queue's order stable
    return rows


OUTBOX_SELECT = ("SELECT id, type, job_id, location_id, actor_user_id, actor_label, payload, created_at "
                 "FROM outbox WHERE type = 'job.created' ORDER BY id DESC LIMIT 1")
OUTBOX_INSERT = ("INSERT INTO outbox (id, type, job_id, location_id, actor_user_id, actor_label, payload, "
                 "created_at) VALUES ({})")


def insert_backlog(backend: str, target: str, count: int) -> None:
    """Writes `count` undispatched events straight into the outbox while the
    server is stopped, as if they had been committed just before a restart."""
    if backend == "sqlite":
        db = sqlite3.connect(target, isolation_level=None)
        template = db.execute(OUTBOX_SELECT).fetchone()
        if not template:
            raise BenchError("no job.created event in the outbox to copy")
        db.execute("BEGIN")
        db.executemany(OUTBOX_INSERT.format(", ".join("?" * 8)), backlog_rows(template, count))
        db.execute("COMMIT")
        db.close()
        return
    line = psql(f"SELECT row_to_json(t) FROM ({OUTBOX_SELECT}) t", target).strip()
    if not line:
        raise BenchError("no job.created event in the outbox to copy")
    r = json.loads(line)
    template = (r["id"], r["type"], r["job_id"], r["location_id"], r["actor_user_id"], r["actor_label"],
                r["payload"], r["created_at"])
    buf = io.StringIO()
    csv.writer(buf).writerows(backlog_rows(template, count))
    psql("COPY outbox (id, type, job_id, location_id, actor_user_id, actor_label, payload, created_at) "
         "FROM STDIN WITH (FORMAT csv)", target, buf.getvalue().encode())


def drain(receiver: Receiver, before: int, count: int, started: float, timeout: float) -> dict:
    """Waits for `count` new messages; the rate runs from the first arrival
    to the last (the server's start-up is not delivery time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and receiver.count() < before + count:
        time.sleep(0.02)
    with receiver.lock:
        arrivals = sorted(receiver.first_seen.values())[before:]
    if len(arrivals) < 2:
        return {"events": count, "received": len(arrivals), "events_per_s": None}
    span = arrivals[-1] - arrivals[0]
    return {"events": count, "received": len(arrivals), "seconds": span,
            "events_per_s": (len(arrivals) - 1) / span if span > 0 else None,
            "events_per_s_from_start": len(arrivals) / (arrivals[-1] - started)}
