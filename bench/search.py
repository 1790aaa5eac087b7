"""Job search latency: sequential `GET /api/v1/jobs?q=…&status=…&limit=50`
over one keep-alive connection, so each figure is one request's own time
(no queueing behind other clients)."""

from __future__ import annotations

import random
import time
from urllib.parse import quote

from common import Api, BenchError, percentile
from gen import CITY_NAMES, LAST, STREETS

STATUSES = ["new", "in_progress", "completed", "cancelled"]


def queries(count: int, jobs: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(kind, q, status) triples of varied selectivity: a last name (~2 % of
    jobs), a street (~4 %), a city (up to 40 %: the hardest), a phone
    fragment (~0.1 %) and a reference (one job)."""
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        kind = ("last_name", "street", "city", "phone", "reference")[i % 5]
        if kind == "last_name":
            q = rnd.choice(LAST)
        elif kind == "street":
            q = rnd.choice(STREETS).split()[-1]
        elif kind == "city":
            q = rnd.choice(CITY_NAMES)
        elif kind == "phone":
            q = f"{rnd.randrange(10000):04d}"
        else:
            q = f"ORD-{rnd.randrange(jobs):08d}"
        out.append((kind, q, rnd.choice(STATUSES)))
    return out


def search_latency(port: int, auth: str, count: int, jobs: int) -> dict:
    api = Api(port, auth)
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    found = 0
    qs = queries(count, jobs)
    # A few unmeasured queries first: the first requests open pooled
    # connections and warm statement caches.
    for _, q, status in qs[:10]:
        api.call("GET", f"/api/v1/jobs?q={quote(q)}&status={status}&limit=50")
    for kind, q, status in qs:
        t0 = time.perf_counter()
        got, body = api.call("GET", f"/api/v1/jobs?q={quote(q)}&status={status}&limit=50")
        ms = (time.perf_counter() - t0) * 1000
        if got != 200:
            raise BenchError(f"search {q!r} {status} answered {got}: {body!r:.200}")
        found += len(body["data"])
        times.append(ms)
        by_kind.setdefault(kind, []).append(ms)
    return {
        "queries": len(times),
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "max_ms": max(times),
        "mean_results": found / len(times),
        "p99_by_kind_ms": {k: round(percentile(v, 99), 1) for k, v in by_kind.items()},
    }
