"""Webhook delivery to a local receiver: throughput of a backlog, and
create→receipt latency at a steady 100 events/s."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from common import Api, BenchError, job_body, percentile, psql
from gen import new_id


class Receiver(ThreadingHTTPServer):
    """Answers 204 at once and notes when each message first arrived. It
    does not verify signatures (the crash tests do): here it must cost as
    little as possible, since it shares the CPU with the server."""

    daemon_threads = True
    request_queue_size = 1024

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.first_seen: dict[str, float] = {}  # webhook-id -> arrival
        self.by_reference: dict[str, float] = {}  # job reference_id -> arrival
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def count(self) -> int:
        with self.lock:
            return len(self.first_seen)

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address) -> None:
        pass  # a sender closing its keep-alive connection is not news


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver offers
    server: Receiver

    def do_POST(self) -> None:
        at = time.monotonic()
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        msg_id = self.headers.get("webhook-id", "")
        ref = None
        try:
            ref = (json.loads(body).get("data") or {}).get("reference_id")
        except ValueError:
            pass
        with self.server.lock:
            self.server.first_seen.setdefault(msg_id, at)
            if ref:
                self.server.by_reference.setdefault(ref, at)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def create_webhook(admin: Api, url: str) -> str:
    return admin.expect(201, "POST", "/api/v1/webhooks", {
        "url": url, "location_id": None, "events": ["job.created"], "description": "bench"})["id"]


def latency(port: int, auth: str, location_id: str, receiver: Receiver, rate: float, seconds: float) -> dict:
    """One client creates jobs on a fixed schedule (not back-to-back), so
    the figure is the latency at that load, not under saturation. Time runs
    from just before the POST is sent: the event may arrive before the 201."""
    api = Api(port, auth)
    sent: dict[str, float] = {}
    count = int(rate * seconds)
    tag = f"LAT{random.randrange(10**6):06d}"
    t0 = time.monotonic()
    for i in range(count):
        wait = t0 + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        ref = f"{tag}-{i:05d}"
        sent[ref] = time.monotonic()
        api.expect(201, "POST", "/api/v1/jobs", job_body(location_id, ref, 3))
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
            "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "max_ms": max(lat) if lat else None}


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
