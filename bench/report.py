"""Front-end bytes, browser timings, the Rust insert ceiling, and the one
table the harness prints."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

from common import ADMIN_EMAIL, ADMIN_PASSWORD, ROOT, BenchError, bench_binary

SITE_PKG = ROOT / "target" / "site" / "pkg"


def front_end_bytes() -> dict:
    """Raw and gzip -9 sizes of what a browser downloads: the wasm, the JS
    glue and the CSS (type declarations are not served to browsers)."""
    out = {}
    for ext in ("wasm", "js", "css"):
        raw = gz = 0
        for f in sorted(SITE_PKG.glob(f"*.{ext}")):
            data = f.read_bytes()
            raw += len(data)
            gz += len(gzip.compress(data, 9))
        out[ext] = {"raw": raw, "gzip": gz}
    out["total"] = {k: sum(v[k] for v in out.values()) for k in ("raw", "gzip")}
    return out


def browser_timings(base: str, runs: int) -> dict:
    done = subprocess.run(["node", str(ROOT / "bench" / "fcp.mjs"), base, ADMIN_EMAIL, ADMIN_PASSWORD, str(runs)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise BenchError(f"fcp.mjs failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ceiling_binary() -> Path | None:
    """The insert-ceiling program `cargo bench --no-run` built (newest)."""
    return bench_binary("insert_ceiling")


def insert_ceiling(url: str, seconds: float, concurrency: int, location: str, user: str, merchant: str,
                   pool: int = 10) -> dict:
    exe = ceiling_binary()
    if exe is None:
        raise BenchError("insert ceiling not built: cargo bench --features ssr --bench insert_ceiling --no-run "
                         "--target-dir target/bench")
    # Pool size 10: the server's default LIVREUR_DB_POOL_SIZE.
    done = subprocess.run([str(exe), "--url", url, "--seconds", str(seconds), "--concurrency", str(concurrency),
                           "--pool", str(pool), "--location", location, "--user", user, "--merchant", merchant], cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise BenchError(f"insert_ceiling failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


def _n(x, digits=0) -> str:
    if x is None or x != x:  # None or NaN
        return "—"
    return f"{x:,.{digits}f}"


def _mib(kib) -> str:
    return "—" if not kib else f"{kib / 1024:.0f} MiB"


def _verdict(ok) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def table(results: dict, sizes: list[int]) -> str:
    backends = [b for b in ("sqlite", "postgres") if b in results]
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    rows: list[tuple[str, str, list[str], list]] = []  # figure, target, cells, verdicts

    def row(figure, target, cell, check=None):
        cells, verdicts = [], []
        for b in backends:
            r = results[b]
            try:
                cells.append(cell(r, b))
                verdicts.append(check(r, b) if check else None)
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append(r.get("error", "not run")[:60].replace("|", "/").replace("\n", " ")
                             if "error" in r else "not run")
                verdicts.append(None)
        rows.append((figure, target, cells, verdicts))

    h = lambda r: r["http"]  # noqa: E731
    row("`/healthz` req/s (HTTP ceiling)", "—", lambda r, b: _n(h(r)["healthz"]["rps"]))
    row("authenticated `GET /api/v1/ping`: req/s (ratio)", "≥ 0.50",
        lambda r, b: f"{_n(h(r)['ping']['rps'])} ({h(r)['ping']['ratio']:.2f})",
        lambda r, b: h(r)["ping"]["ratio"] >= 0.50)
    row("`GET /api/v1/jobs/{id}`: req/s (ratio)", "≥ 0.35",
        lambda r, b: f"{_n(h(r)['get_job']['rps'])} ({h(r)['get_job']['ratio']:.2f})",
        lambda r, b: h(r)["get_job"]["ratio"] >= 0.35)
    row("insert ceiling: job + 3 actions + outbox per transaction, tx/s", "—",
        lambda r, b: _n(r["ceiling"]["tx_per_s"]))
    row("`POST /api/v1/jobs` (3 actions): req/s (ratio to insert ceiling)", "≥ 2,000/s on SQLite; ≥ 0.60",
        lambda r, b: f"{_n(h(r)['post_job']['rps'])} ({h(r)['post_job']['rps'] / r['ceiling']['tx_per_s']:.2f})"
        if "ceiling" in r else f"{_n(h(r)['post_job']['rps'])} (no ceiling)",
        lambda r, b: (h(r)["post_job"]["rps"] >= 2000 or b != "sqlite")
        and (h(r)["post_job"]["rps"] / r["ceiling"]["tx_per_s"] >= 0.60 if "ceiling" in r else False))
    row("CPU per request, µs, server + PostgreSQL: healthz / ping / get / post", "—",
        lambda r, b: " / ".join(f"{h(r)[k]['server_cpu_us_per_req']:.0f}"
                                + (f"+{h(r)[k]['pg_cpu_us_per_req']:.0f}" if b == "postgres" else "")
                                for k in ("healthz", "ping", "get_job", "post_job")))
    for size in sizes:
        for scope in ("admin", "merchant"):
            key = f"search_{scope}"
            target = "p99 ≤ 15 ms" if size >= 1_000_000 else "—"
            row(f"search `q`+`status`, limit 50, {size:,} jobs, {scope} key: p50 / p99 ms", target,
                lambda r, b, s=size, k=key: f"{r['data'][s][k]['p50_ms']:.1f} / {r['data'][s][k]['p99_ms']:.1f}"
                if "skipped" not in r["data"][s] else "skipped",
                (lambda r, b, s=size, k=key: r["data"][s][k]["p99_ms"] <= 15) if size >= 1_000_000 else None)
    row("one fsync of 4 KiB in the database's folder (what a durable commit waits for): p50 / p99 ms", "—",
        lambda r, b: f"{r['fsync']['p50_ms']:.2f} / {r['fsync']['p99_ms']:.2f}")
    # The webhook targets are the Svix server's figures on this kind of
    # machine (docs/benchmarks.md, "Webhooks").
    w = lambda r: r["webhooks"]  # noqa: E731
    row("webhooks at 100 events/s, empty database: create→receipt p50 / p99 ms", "p99 ≤ 2.65 ms",
        lambda r, b: f"{w(r)['latency']['p50_ms']:.2f} / {w(r)['latency']['p99_ms']:.2f}",
        lambda r, b: w(r)["latency"]["p99_ms"] <= 2.65)
    row("the same creates' own time, `POST` sent → `201` read: p50 / p99 ms", "—",
        lambda r, b: f"{w(r)['latency']['create_p50_ms']:.2f} / {w(r)['latency']['create_p99_ms']:.2f}")
    row("webhooks, `POST /api/v1/jobs` at full speed: created and delivered per s", "≥ 2,240/s SQLite; ≥ 1,700/s PostgreSQL",
        lambda r, b: f"{_n(w(r)['combined']['combined_per_s'])} (created {_n(w(r)['combined']['created_per_s'])}/s)",
        lambda r, b: w(r)["combined"]["combined_per_s"] >= (2240 if b == "sqlite" else 1700))
    row("webhooks: backlog delivery, events/s", "≥ 4,500/s",
        lambda r, b: _n(w(r)["backlog"]["events_per_s"]),
        lambda r, b: w(r)["backlog"]["events_per_s"] >= 4500)
    row("server RSS idle / peak under load (VmHWM, every server process of the run)", "≤ 64 MiB under load",
        lambda r, b: f"{_mib(r['idle_rss_kib'])} / {_mib(r['hwm_kib'])}",
        lambda r, b: r["hwm_kib"] <= 64 * 1024)
    big = max(sizes)
    row(f"cold start to `/readyz` with {big:,} jobs (median of 3)", "≤ 1 s",
        lambda r, b: f"{r['data'][big]['cold_start_s'] * 1000:.0f} ms",
        lambda r, b: r["data"][big]["cold_start_s"] <= 1.0)

    head = "| figure | target | " + " | ".join(names[b] for b in backends) + " | verdict |"
    lines = [head, "|---|---|" + "---|" * len(backends) + "---|"]
    for figure, target, cells, verdicts in rows:
        vs = [v for v in verdicts if v is not None]
        verdict = _verdict(all(vs)) if vs else "—"
        if vs and not all(vs) and any(vs):
            verdict = "; ".join(f"{names[b]} {_verdict(v)}" for b, v in zip(backends, verdicts) if v is not None)
        lines.append(f"| {figure} | {target} | " + " | ".join(cells) + f" | {verdict} |")
    fe = results.get("front_end")
    if fe and fe["total"]["raw"] == 0:
        lines.append("| release front end: wasm + JS + CSS, raw / gzip -9 | ≤ 350 KB gzip | not built (`make build`) |"
                     + " |" * len(backends))
    elif fe:
        t = fe["total"]
        parts = ", ".join(f"{k} {fe[k]['raw'] / 1024:,.0f} KiB / {fe[k]['gzip'] / 1024:,.0f} KiB" for k in ("wasm", "js", "css"))
        cells = [f"{t['raw'] / 1000:,.0f} KB raw / {t['gzip'] / 1000:,.0f} KB gzip ({parts})"]
        lines.append(f"| release front end: wasm + JS + CSS, raw / gzip -9 | ≤ 350 KB gzip | "
                     + " | ".join(cells + [""] * (len(backends) - 1)) + f" | {_verdict(t['gzip'] <= 350_000)} |")
    br = results.get("browser")
    if br and "error" not in br:
        fv = br.get("first_visit") or {}
        lines.append(f"| merchants page, headless Chromium, admin, SQLite server: FCP / hydrated (median of "
                     f"{br['runs']} cached loads; first visit) | ≤ 300 ms; ≤ 1 s | "
                     f"{br['fcp_ms']:.0f} ms / {br['tti_ms']:.0f} ms (first visit {fv.get('fcp', 0):.0f} / "
                     f"{fv.get('tti', 0):.0f} ms)" + " | " * (len(backends) - 1)
                     + f" | {_verdict(br['fcp_ms'] <= 300 and br['tti_ms'] <= 1000)} |")
    elif br:
        err = br["error"].replace("\n", " ").replace("|", "/")[-100:]
        lines.append(f"| merchants page, headless Chromium | ≤ 300 ms; ≤ 1 s | not measured: {err} |" + " |" * len(backends))
    return "\n".join(lines)
