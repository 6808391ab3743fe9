"""The benchmark: generated orgs of every size, audited with every report, against the budgets.

    python bench/run.py [--sizes S,M,L,XL] [--work /tmp/leadaudit-bench] [--no-live]

For each size: the phases of a full audit inside one process (``bench.phases``, in a child
process so its peak memory is its own), the peak Python heap (tracemalloc, a separate run), the
lxml floor, and the whole ``leadaudit audit`` command with every report as a user runs it
(wall time and peak resident memory of that process). Then ``leadaudit --version`` and a live
retrieval of the L org from the local fake Salesforce with 50 ms latency per call. Writes
bench/results/latest.json and latest.md, with the machine the numbers come from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make 'bench', 'auditor' and 'tests' importable
    sys.path.insert(0, str(REPO))

from bench.generate import write_org  # noqa: E402
from bench.report import BUDGETS, check_budgets, markdown  # noqa: E402
from bench.sizes import SIZES  # noqa: E402

LEADAUDIT = Path(sys.executable).with_name("leadaudit")
LIVE_LATENCY = 0.05


def machine() -> dict[str, Any]:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": model, "cores": usable, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "system": f"{platform.system()} {platform.release()}"}


def _child_json(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run_process(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB and exit code of one command, measured by the parent."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "SOURCE_DATE_EPOCH": "1740787200"})
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, child.returncode


def measure_size(name: str, work: Path, repeat: int) -> dict[str, Any]:
    org = work / f"org-{name}"
    started = time.perf_counter()
    write_org(SIZES[name], org)
    generated = time.perf_counter() - started
    runs = [_child_json(["bench.phases", str(org)]) for _ in range(repeat)]
    best = min(runs, key=lambda run: run["audit_seconds"])  # the least disturbed run
    best["audit_seconds_median"] = statistics.median(run["audit_seconds"] for run in runs)
    best.update(_child_json(["bench.phases", str(org), "--tracemalloc"]))
    out = work / f"reports-{name}"
    command = [str(LEADAUDIT), "audit", str(org), "--process", str(org / "process.yaml"), "--format", "text",
               "--html", str(out / "r.html"), "--junit", str(out / "r.xml"), "--sarif", str(out / "r.sarif"),
               "--json", str(out / "r.json")]
    processes = [run_process(command, work) for _ in range(repeat)]
    seconds, rss, code = min(processes)
    best["process"] = {"seconds": seconds, "max_rss_mb": rss, "exit_code": code,
                       "seconds_median": statistics.median(p[0] for p in processes)}
    best["generate_seconds"] = generated
    best["size"] = SIZES[name].__dict__
    return best


def measure_version(work: Path, repeat: int = 5) -> dict[str, float]:
    times = [run_process([str(LEADAUDIT), "--version"], work)[0] for _ in range(repeat)]
    return {"seconds": min(times), "seconds_median": statistics.median(times)}


def measure_live(org: Path, work: Path) -> dict[str, Any]:
    """Retrieve the org from the local fake Salesforce with LIVE_LATENCY on every endpoint."""
    from auditor.sources.org import OrgCredentials, connect, retrieve_org
    from tests.fakesf import FakeSalesforce

    with tempfile.TemporaryDirectory(dir=work) as tmp, FakeSalesforce(org_dir=org, tmp=Path(tmp)) as sf:
        for endpoint in ("soap_login", "oauth_token", "metadata", "query", "tooling"):
            getattr(sf.faults, endpoint).latency = LIVE_LATENCY
        creds = OrgCredentials(method="password", login_url=sf.instance_url, username=sf.username,
                               password=sf.password, security_token=sf.security_token)
        started = time.perf_counter()
        conn = connect(creds, ca_bundle=str(sf.ca_bundle))
        report = retrieve_org(conn, Path(tmp) / "out", progress=False)
        elapsed = time.perf_counter() - started
        return {"seconds": elapsed, "round_trips": len(sf.requests), "round_trips_after_login": report.round_trips,
                "files": report.files, "complete": report.complete, "latency_seconds": LIVE_LATENCY}


def live_results(work: Path, sizes: list[str]) -> dict[str, Any]:
    """The live retrieval of L; when it fails, the failure and the largest smaller org that works."""
    found: dict[str, Any] = {}
    for name in ("L", "M", "S"):
        if name not in sizes:
            continue
        print(f"live retrieval of {name} ...", file=sys.stderr, flush=True)
        try:
            found[name] = measure_live(work / f"org-{name}", work)
            break
        except Exception as exc:  # a failed retrieval is a result too: report it, keep the rest
            found[name] = {"error": f"{type(exc).__name__}: {exc}", "latency_seconds": LIVE_LATENCY}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "leadaudit-bench")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (XL runs once)")
    parser.add_argument("--no-live", action="store_true", help="skip the live retrieval")
    parser.add_argument("--live-only", action="store_true",
                        help="measure only the live retrieval again, into the existing latest.json")
    args = parser.parse_args(argv)
    if args.live_only:
        earlier: dict[str, Any] = json.loads((args.out / "latest.json").read_text(encoding="utf-8"))
        earlier["live"] = live_results(args.work, list(earlier["sizes"]))
        return _write(earlier, args.out)
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    results: dict[str, Any] = {"machine": machine(), "sizes": {}, "budgets": {}}
    for name in sizes:
        print(f"size {name} ...", file=sys.stderr, flush=True)
        results["sizes"][name] = measure_size(name, args.work, 1 if name == "XL" else args.repeat)
    results["version"] = measure_version(args.work)
    if not args.no_live and "L" in sizes:
        results["live"] = live_results(args.work, sizes)
    return _write(results, args.out)


def _write(results: dict[str, Any], out: Path) -> int:
    results["budgets"] = check_budgets(results)
    results["budget_definitions"] = BUDGETS
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "latest.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
