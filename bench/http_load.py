"""HTTP throughput with wrk, always next to its ceiling (`/healthz` on the same
server, same wrk settings), so the figures are ratios that survive a noisy
shared machine."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

from common import BenchError, job_body, median, proc_status

WRK = "/usr/bin/wrk"

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def lua_script(path: Path, auth: str | None, method: str = "GET", body: dict | None = None) -> Path:
    lines = []
    if auth:
        lines.append(f'wrk.headers["Authorization"] = "{auth}"')
    if method != "GET":
        lines.append(f'wrk.method = "{method}"')
    if body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        # A Lua long string needs no escaping of the JSON.
        lines.append(f"wrk.body = [==[{json.dumps(body)}]==]")
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(url: str, script: Path | None, seconds: float, threads: int, connections: int) -> dict:
    cmd = [WRK, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps:
        raise BenchError(f"wrk printed no rate:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    return {
        "rps": float(rps.group(1)),
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
        "p50_ms": _ms(lat.get("50", "")),
        "p99_ms": _ms(lat.get("99", "")),
    }


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds of each of these processes so far."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return out


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings by the processes alive at
    both (a PostgreSQL backend that exits in between would count negative)."""
    return sum(after[p] - before[p] for p in before if p in after)


def postgres_pids() -> list[int]:
    """Every PostgreSQL process (the backends serving the server come and go
    with its pool, so they are listed again around each run)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() == "postgres":
                    out.append(int(d.name))
            except OSError:
                pass
    return out


class RssSampler:
    """Highest VmRSS of the server seen while a load runs (every 50 ms), as
    well as the kernel's own high-water mark VmHWM."""

    def __init__(self, pid: int):
        self.pid, self.peak_kib, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, proc_status(self.pid)["VmRSS"])
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def http_ratios(server, fixture, tmp: Path, runs: int, seconds: float, threads: int, connections: int) -> dict:
    """Interleaves the ceiling and the endpoints within each run, so each
    run's ratios compare figures taken moments apart; reports medians."""
    scripts = {
        "healthz": ("/healthz", None),
        "ping": ("/api/v1/ping", lua_script(tmp / "ping.lua", fixture.merchant_auth)),
        "get_job": (f"/api/v1/jobs/{fixture.job_id}", lua_script(tmp / "get.lua", fixture.merchant_auth)),
        # No reference_id: it must be unique per creator, and wrk sends one
        # fixed body; the job is otherwise a realistic 3-action delivery.
        "post_job": ("/api/v1/jobs", lua_script(tmp / "post.lua", fixture.merchant_auth, "POST",
                                                 job_body(fixture.location_id, None, 3))),
    }
    samples: dict[str, list[dict]] = {k: [] for k in scripts}
    idle = proc_status(server.pid)["VmRSS"]
    with RssSampler(server.pid) as rss:
        for _ in range(runs):
            for name, (path, script) in scripts.items():
                # CPU spent per request by the server and by PostgreSQL: on
                # 2 shared cores this, not waiting, is what sets the rates.
                pg = postgres_pids()
                cpu0, pg0 = cpu_seconds([server.pid]), cpu_seconds(pg)
                r = wrk(server.base + path, script, seconds, threads, connections)
                requests = r["rps"] * seconds
                r["server_cpu_us"] = cpu_used(cpu0, cpu_seconds([server.pid])) / requests * 1e6
                r["pg_cpu_us"] = cpu_used(pg0, cpu_seconds(pg)) / requests * 1e6
                if r["non2xx"] or r["socket_errors"]:
                    raise BenchError(f"{name}: {r['non2xx']} non-2xx answers, {r['socket_errors']} socket errors")
                samples[name].append(r)
    out = {"idle_rss_kib": idle, "load_rss_kib": rss.peak_kib, "hwm_kib": proc_status(server.pid)["VmHWM"]}
    for name, rs in samples.items():
        out[name] = {
            "rps": median([r["rps"] for r in rs]),
            "p50_ms": median([r["p50_ms"] for r in rs]),
            "p99_ms": median([r["p99_ms"] for r in rs]),
            "runs": [round(r["rps"]) for r in rs],
            "server_cpu_us_per_req": median([r["server_cpu_us"] for r in rs]),
            "pg_cpu_us_per_req": median([r["pg_cpu_us"] for r in rs]),
            # Per-run ratio to that run's ceiling, then the median.
            "ratio": median([r["rps"] / h["rps"] for r, h in zip(rs, samples["healthz"])]),
        }
    return out
