#!/usr/bin/env python3
"""Livreur benchmark harness (`make bench`). Loopback only, bounded in time,
no pass/fail gate: it prints one table and writes it to
bench/results/latest.md (docs/benchmarks.md quotes a run by hand).

Every throughput figure is a ratio to a ceiling measured in the same run on
the same machine (`/healthz` for HTTP), because the machines here are shared
and noisy; rates are medians of several interleaved runs.

    python3 bench/run.py            # full run, ~15 min on 2 cores
    python3 bench/run.py --quick    # smoke run, ~2 min
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen  # noqa: E402
from common import (BINARY, PG_ADMIN_URL, ROOT, Api, BenchError, Fixture, Server, fsync_times, median,  # noqa: E402
                    postgres_reachable, proc_status, psql)
from http_load import RssSampler, http_ratios  # noqa: E402
from report import browser_timings, front_end_bytes, insert_ceiling, table  # noqa: E402
from search import search_latency  # noqa: E402
from webhooks import Receiver, combined, create_webhook, delete_webhook, drain, insert_backlog, latency  # noqa: E402

PG_DB = "livreur_bench"


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{cores} cores, {mem_kib / 1048576:.1f} GiB RAM, {cpu}, {platform.system()} {platform.release()}"


def commit() -> str:
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return rev + (" (+ uncommitted changes)" if dirty else "")


class Budget:
    """The total time budget: steps that would not fit are skipped and say
    so, rather than the run overstaying."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


def fresh_database(backend: str, work: Path) -> str:
    if backend == "sqlite":
        return f"sqlite://{work}/livreur.db"
    psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {PG_DB}")
    return f"{PG_ADMIN_URL}/{PG_DB}"


def run_backend(backend: str, args, budget: Budget, results: dict) -> None:
    res = results.setdefault(backend, {})
    work = Path(tempfile.mkdtemp(prefix=f"livreur-bench-{backend}-"))
    url = fresh_database(backend, work)
    # What the generator and the backlog writer open directly.
    target = str(work / "livreur.db") if backend == "sqlite" else PG_DB
    server = Server(url, work)
    fill = gen.fill_sqlite if backend == "sqlite" else gen.fill_postgres
    try:
        fixture = Fixture(server)
        server.start()
        fixture.populate()
        res["idle_rss_kib"] = proc_status(server.pid)["VmRSS"]

        res["fsync"] = fsync_times(work)
        step(backend, f"fsync of 4 KiB in the database's folder: {json.dumps(res['fsync'])}")
        # Webhooks first, on an empty database, as the Svix figures were taken.
        webhooks_phase(backend, server, fixture, target, work, args, res)
        if args.webhooks_only:
            return

        step(backend, f"HTTP: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, {args.runs} runs")
        res["http"] = http_ratios(server, fixture, work, args.runs, args.seconds, args.threads, args.connections)
        res["http_load_rss_kib"] = res["http"]["load_rss_kib"]

        if args.ceiling:
            step(backend, f"insert ceiling: {args.seconds} s x {args.runs}, concurrency {args.connections}")
            try:
                runs = [insert_ceiling(url, args.seconds, args.connections, fixture.location_id,
                                       fixture.merchant_user_id, fixture.merchant_id) for _ in range(args.runs)]
                res["ceiling"] = {"tx_per_s": median([r["tx_per_s"] for r in runs]),
                                  "runs": [round(r["tx_per_s"]) for r in runs]}
            except BenchError as err:
                res["ceiling_error"] = str(err)
                step(backend, f"no insert ceiling: {err}")

        # Creators of the generated jobs: the bench merchant's user and
        # others, each through the API (their passwords are hashed as usual).
        admin = Api(server.port, fixture.admin_auth)
        creators = [(fixture.merchant_user_id, fixture.merchant_id)]
        for i in range(args.merchants - 1):
            mer, usr, _ = fixture.add_merchant(admin, f"m{i:03d}", False)
            creators.append((usr, mer))
        if args.browser and "browser" not in results:
            step(backend, f"browser: merchants page x{args.browser_runs}")
            try:
                results["browser"] = browser_timings(server.base, args.browser_runs)
            except (BenchError, OSError, ValueError) as err:
                results["browser"] = {"error": str(err)}

        now_ms = int(time.time() * 1000)
        done, rate = 0, None
        res["data"] = {}
        for size in args.sizes:
            need = size - done
            if rate and need / rate > budget.left() - args.reserve:
                res["data"][size] = {"skipped": f"generating {need} jobs (~{need / rate:.0f} s) would overrun the budget"}
                step(backend, res["data"][size]["skipped"])
                break
            step(backend, f"generating jobs {done}..{size}")
            server.stop()
            t0 = time.monotonic()
            fill(target, done, need, creators, [fixture.location_id], now_ms, seed=size)
            gen_s = time.monotonic() - t0
            rate = need / gen_s
            done = size
            # Cold start: each restart from a stopped process to /readyz 200
            # (the database files are in the page cache: a warm-cache cold start).
            starts = []
            for _ in range(3):
                server.stop()
                starts.append(server.start())
            row = {"gen_seconds": gen_s, "cold_start_s": median(starts), "cold_starts_s": starts}
            step(backend, f"{size} jobs: generated in {gen_s:.0f} s; search")
            row["search_admin"] = search_latency(server.port, fixture.admin_auth, args.queries, size)
            row["search_merchant"] = search_latency(server.port, fixture.merchant_auth, args.queries, size)
            st = proc_status(server.pid)
            row["rss_kib"], row["hwm_kib"] = st["VmRSS"], st["VmHWM"]
            res["data"][size] = row
            step(backend, json.dumps(row))

    except BenchError as err:
        res["error"] = str(err)
        step(backend, f"FAILED: {err}")
    except Exception:  # noqa: BLE001 - report and go on with the other backend
        res["error"] = traceback.format_exc(limit=4)
        step(backend, f"FAILED:\n{res['error']}")
    finally:
        # Peak memory over every server process of this backend: the HTTP
        # load, the searches at each size, the webhook backlog.
        peaks = [res.get("http", {}).get("hwm_kib", 0), res.get("webhooks", {}).get("hwm_kib", 0)]
        peaks += [d.get("hwm_kib", 0) for d in res.get("data", {}).values()]
        res["hwm_kib"] = max(peaks)
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            if backend == "postgres":
                psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def webhooks_phase(backend: str, server: Server, fixture: Fixture, target: str, work: Path, args,
                   res: dict) -> None:
    """Latency at a steady rate, creates at full speed with delivery, and a
    backlog, to the compiled receiver; the endpoint is deleted afterwards so
    the later figures are without webhooks, as before."""
    receiver = Receiver()
    admin = Api(server.port, fixture.admin_auth)
    hook = create_webhook(admin, receiver.url)
    try:
        step(backend, f"webhooks: latency at {args.wh_rate}/s for {args.wh_seconds} s")
        res["webhooks"] = {"latency": latency(server.port, fixture.merchant_auth, fixture.location_id,
                                              receiver, args.wh_rate, args.wh_seconds)}
        step(backend, f"webhooks: creates at full speed for {args.seconds} s, delivered")
        res["webhooks"]["combined"] = combined(server.port, fixture.merchant_auth, fixture.location_id, receiver,
                                               work, args.seconds, args.connections)
        step(backend, f"webhooks: backlog of {args.wh_backlog} events")
        server.stop()
        insert_backlog(backend, target, args.wh_backlog)
        before = receiver.count()
        started = time.time()
        with RssSampler(server.pid) as rss:
            server.start()
            rss.pid = server.pid
            res["webhooks"]["backlog"] = drain(receiver, before, args.wh_backlog, started, timeout=120)
        res["webhooks"]["backlog"]["rss_peak_kib"] = rss.peak_kib
        res["webhooks"]["hwm_kib"] = proc_status(server.pid)["VmHWM"]
        step(backend, json.dumps(res["webhooks"]))
    finally:
        receiver.close()
        # The server restarted: a new connection.
        delete_webhook(Api(server.port, fixture.admin_auth), hook)


def step(backend: str, text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} {backend}] {text}", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes and short runs (smoke test)")
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--runs", type=int, help="wrk runs per endpoint (median)")
    p.add_argument("--seconds", type=int, help="seconds per wrk run")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--budget", type=float, help="total seconds; later steps are skipped past it")
    p.add_argument("--sizes", help="job counts to grow the database to, comma separated")
    p.add_argument("--merchants", type=int, help="merchant users creating the generated jobs")
    p.add_argument("--queries", type=int, help="search queries per scope and size")
    p.add_argument("--wh-rate", type=float, default=100, help="events/s for the webhook latency test")
    p.add_argument("--wh-seconds", type=float, help="duration of the webhook latency test")
    p.add_argument("--wh-backlog", type=int, help="events in the webhook throughput backlog")
    p.add_argument("--reserve", type=float, default=90, help="seconds kept for the steps after the data")
    p.add_argument("--no-ceiling", dest="ceiling", action="store_false", help="skip the Rust insert ceiling")
    p.add_argument("--no-browser", dest="browser", action="store_false", help="skip the Chromium timings")
    p.add_argument("--browser-runs", type=int, help="page loads measured (median)")
    p.add_argument("--webhooks-only", action="store_true", help="only the webhook figures (empty database)")
    p.add_argument("--keep", action="store_true", help="keep the databases and logs")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    args = p.parse_args()
    quick = args.quick
    args.runs = args.runs or (1 if quick else 3)
    args.seconds = args.seconds or (2 if quick else 5)
    args.sizes = [int(x) for x in (args.sizes or ("20000" if quick else "100000,1000000")).split(",")]
    args.queries = args.queries or (50 if quick else 300)
    args.browser_runs = args.browser_runs or (3 if quick else 10)
    args.merchants = args.merchants or (5 if quick else 20)
    args.wh_seconds = args.wh_seconds or (3 if quick else 10)
    args.wh_backlog = args.wh_backlog or (1000 if quick else 10000)
    budget = Budget(args.budget or (180 if quick else 900))
    if not BINARY.exists():
        print(f"{BINARY} is missing: run `make build` first", file=sys.stderr)
        return 2

    started = datetime.datetime.now(datetime.timezone.utc)
    results: dict = {"front_end": front_end_bytes()}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend == "postgres" and not postgres_reachable():
            results[backend] = {"error": f"PostgreSQL not reachable at {PG_ADMIN_URL}"}
            continue
        run_backend(backend, args, budget, results)
    text = "\n".join([
        f"Livreur benchmark, {started:%Y-%m-%d %H:%M} UTC, commit {commit()}",
        f"Machine: {machine()}",
        f"Settings: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, median of {args.runs} runs; "
        f"sizes {', '.join(f'{s:,}' for s in args.sizes)}; {args.queries} search queries per scope; "
        f"{args.merchants} merchant users; webhook backlog {args.wh_backlog:,}; took "
        f"{(datetime.datetime.now(datetime.timezone.utc) - started).total_seconds():.0f} s",
        "",
        table(results, args.sizes),
        "",
    ])
    print("\n" + text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    print(f"written to {args.out} and {args.out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
