"""The benchmark's budgets and its markdown table (pure functions of the results dict)."""

from __future__ import annotations

from typing import Any

# The budgets, for a 2-core machine.
BUDGETS: dict[str, str] = {
    "L process time": "the whole `leadaudit audit` process on L, every report: under 1.5 s",
    "L process memory": "the same process: under 400 MB peak resident memory",
    "audit vs lxml floor": "the audit's own time at most 8 x the lxml parse floor, at every size",
    "XL growth": "XL at most 12 x L (audit's own time)",
    "--version": "`leadaudit --version` under 0.3 s",
}


def check_budgets(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each budget: measured value, limit, and met (None when the size was not run)."""
    sizes = results["sizes"]
    verdicts: dict[str, dict[str, Any]] = {}

    def verdict(name: str, measured: float | None, limit: float, unit: str) -> None:
        verdicts[name] = {"measured": measured, "limit": limit, "unit": unit,
                          "met": None if measured is None else measured <= limit}

    large = sizes.get("L")
    verdict("L process time", large["process"]["seconds"] if large else None, 1.5, "s")
    verdict("L process memory", large["process"]["max_rss_mb"] if large else None, 400, "MB")
    ratios = [run["audit_seconds"] / run["lxml_floor_seconds"] for run in sizes.values()]
    verdict("audit vs lxml floor", max(ratios) if ratios else None, 8, "x")
    huge = sizes.get("XL")
    verdict("XL growth", huge["audit_seconds"] / large["audit_seconds"] if large and huge else None, 12, "x")
    verdict("--version", results.get("version", {}).get("seconds"), 0.3, "s")
    return verdicts


def _s(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    order = ["S", "M", "L", "XL"]  # JSON keeps keys sorted; the table reads smallest first
    sizes = {name: results["sizes"][name] for name in sorted(results["sizes"], key=lambda n: (n not in order,
                                                                                           order.index(n) if n in order else 0, n))}
    names = list(sizes)
    lines = [
        "# leadaudit benchmark",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['system']}, {m['implementation']} {m['python']}.",
        "Times in seconds (best of the runs), memory in MB. `bench/run.py` regenerates this file.",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("files / MB", [f"{r['files']} / {r['megabytes']}" for r in sizes.values()])
    row("findings", [str(r["findings"]) for r in sizes.values()])
    phases = ["load", "parse", "process file", "engine", "graph", "checks"]
    phases += [p for p in next(iter(sizes.values()))["phases"] if p.startswith("report ")] if sizes else []
    for phase in phases:
        row(phase + (" (in engine)" if phase in ("graph", "checks") else ""), 
            [_s(r["phases"][phase]) if phase in r["phases"] else "-" for r in sizes.values()])
    row("slowest 5 rules", [", ".join(f"{k} {v:.2f}" for k, v in sorted(r["rules"].items(), key=lambda kv: -kv[1])[:5]) for r in sizes.values()])
    row("**audit, in process**", [f"**{_s(r['audit_seconds'])}**" for r in sizes.values()])
    row("lxml parse floor", [_s(r["lxml_floor_seconds"]) for r in sizes.values()])
    row("audit / floor", [f"{r['audit_seconds'] / r['lxml_floor_seconds']:.1f} x" for r in sizes.values()])
    row("**`leadaudit audit` process**", [f"**{_s(r['process']['seconds'])}**" for r in sizes.values()])
    row("peak RSS, process (MB)", [f"{r['process']['max_rss_mb']:.0f}" for r in sizes.values()])
    row("peak RSS, in-process audit (MB)", [f"{r['max_rss_mb']:.0f}" for r in sizes.values()])
    row("peak Python heap, tracemalloc (MB)", [f"{r['peak_heap_mb']:.0f}" for r in sizes.values()])
    lines += ["", f"`leadaudit --version`: {_s(results['version']['seconds'])} s."]
    for name, live in results.get("live", {}).items():
        where = f"Live retrieval of {name} from the local Salesforce, {live['latency_seconds'] * 1000:.0f} ms latency per call"
        if "error" in live:
            lines.append(f"{where}: **failed**: {live['error']}.")
        else:
            lines.append(f"{where}: {_s(live['seconds'])} s, {live['round_trips']} round trips "
                         f"({live['files']} files, {'complete' if live['complete'] else 'incomplete'}).")
    lines += ["", "| budget | limit | measured | |", "|---|---|---:|---|"]
    for name, v in results["budgets"].items():
        measured = "not run" if v["measured"] is None else f"{v['measured']:.2f} {v['unit']}"
        state = "not run" if v["met"] is None else ("met" if v["met"] else "**missed**")
        lines.append(f"| {name} | {BUDGETS[name]} | {measured} | {state} |")
    return "\n".join(lines) + "\n"
