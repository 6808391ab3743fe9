"""One audit of one org, timed phase by phase, inside the process (no interpreter start-up).

Run by ``bench/run.py`` in a child process per size, so each size's peak resident memory is its
own: ``python -m bench.phases ORG [--tracemalloc]`` prints one JSON object. The phases are what
``leadaudit audit`` does, in its order: read the files, parse them into the model, read the
process file, run the engine (graph, rules, overview) and render every report. The rules are
timed one by one in a second pass over the same graph, so the engine's own number stays the one
a user waits for. The lxml floor parses the same bytes with lxml alone: what no XML tool could
avoid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

NOW = dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc)
REPORTS = ("text", "json", "junit", "sarif", "html")


def _timed(timings: dict[str, float], name: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = action()
    timings[name] = time.perf_counter() - start
    return value


def lxml_floor(files: list[tuple[str, bytes]]) -> tuple[float, int]:
    """Seconds lxml alone takes to parse the metadata XML among ``files``, and how many it parsed."""
    from lxml import etree

    from auditor.parse import classify

    xml = [data for path, data in files if classify(path) is not None]  # the files leadaudit parses
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    start = time.perf_counter()
    for data in xml:
        etree.fromstring(data, parser)
    return time.perf_counter() - start, len(xml)


def measure(org: Path) -> dict[str, Any]:
    """Every phase of a full audit with every report; seconds, plus counts that show the size."""
    start_imports = time.perf_counter()
    # what `leadaudit audit` imports, timed on its own; _measure_audit finds them loaded
    import auditor.engine
    import auditor.graph
    import auditor.process
    import auditor.registry
    import auditor.sources  # noqa: F401
    import reports  # noqa: F401
    from auditor.parse import cyclic_gc_paused

    imports = time.perf_counter() - start_imports
    with cyclic_gc_paused():  # as `leadaudit audit` runs it
        return _measure_audit(org, imports)


def _measure_audit(org: Path, imports: float) -> dict[str, Any]:
    from auditor import registry
    from auditor.engine import CheckContext, run_audit
    from auditor.graph import build_graph
    from auditor.parse import load_files
    from auditor.process import load_process
    from auditor.sources import read_source
    from reports import FORMATS, html, sarif

    timings: dict[str, float] = {}
    source = _timed(timings, "load", lambda: read_source(org))
    model = _timed(timings, "parse", lambda: load_files(source.name, source.files))
    process = _timed(timings, "process file", lambda: load_process(org / "process.yaml"))
    checks = registry.all_checks()
    result = _timed(timings, "engine", lambda: run_audit(model, process, checks, now=NOW, tool_version="bench"))
    docs = {rule.id: doc for rule, doc in registry.catalogue()}
    renderers: dict[str, Callable[[Any], str | bytes]] = dict(FORMATS)
    renderers["html"] = functools.partial(html.render, rule_docs=docs)
    renderers["sarif"] = functools.partial(sarif.render, rule_docs=docs)
    sizes = {}
    for name in REPORTS:
        output = _timed(timings, f"report {name}", lambda: renderers[name](result))
        sizes[name] = len(output)
    audit_seconds = sum(timings.values())
    rss_after_audit = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # the breakdown of the engine: the graph, then each rule on it (a second pass)
    graph = _timed(timings, "graph", lambda: build_graph(model, process))
    rules: dict[str, float] = {}
    options = {"today": NOW.date()}
    for check in checks:
        ctx = CheckContext(rule=check.RULE, model=model, graph=graph, process=process, options=options)
        started = time.perf_counter()
        try:
            list(check.check(ctx))
        except Exception:  # not applicable (or a crash the engine reports): its time still counts
            pass
        rules[check.RULE.id] = time.perf_counter() - started
    timings["checks"] = sum(rules.values())
    floor, parsed = lxml_floor(source.files)
    return {
        "org": str(org),
        "files": len(source.files),
        "xml_files": parsed,
        "megabytes": round(sum(len(data) for _, data in source.files) / 1e6, 2),
        "findings": len(result.findings),
        "complete": result.complete,
        "unreadable": sum(1 for f in model.files if f.status == "unreadable"),
        "imports_seconds": imports,
        "audit_seconds": audit_seconds,
        "phases": timings,
        "rules": dict(sorted(rules.items(), key=lambda item: -item[1])),
        "lxml_floor_seconds": floor,
        "report_bytes": sizes,
        "max_rss_mb": rss_after_audit / 1024,  # Linux reports kilobytes
    }


def measure_heap(org: Path) -> dict[str, float]:
    """Peak Python heap of the same audit under tracemalloc (slower, so measured on its own)."""
    tracemalloc.start()
    measure(org)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_heap_mb": peak / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="time one audit of ORG, phase by phase")
    parser.add_argument("org", type=Path)
    parser.add_argument("--tracemalloc", action="store_true", help="measure the peak Python heap instead")
    args = parser.parse_args(argv)
    print(json.dumps(measure_heap(args.org) if args.tracemalloc else measure(args.org)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
