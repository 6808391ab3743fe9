"""Generate a realistic Lead org in SFDX layout, seeded and deterministic, at a benchmark size.

    python bench/generate.py --size L --out /tmp/org-L [--seed 8]

The org is what a large B2B company builds over years: a long lifecycle, regional routing with a
catch-all, a flow per stage with decisions, record updates and scheduled SLA paths, legacy
workflow rules, many queues and reports, record types with their business processes, and a
process.yaml describing it. A few real-world defects (an undocumented status, an empty queue, a
draft flow) are included so the rules have something to report, as they would on a real org.
The same size and seed always write byte-identical files.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make 'bench' importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import orgfiles  # noqa: E402
from bench.sizes import SIZES, Size  # noqa: E402

DEFAULT_SEED = 8


def status_names(count: int) -> list[str]:
    """The lifecycle in order: the usual funnel with qualifying steps between Contacted and Engaged."""
    head, tail = ["New", "Contacted"], ["Engaged", "MQL", "SAL", "SQL", "Nurture", "Disqualified", "Converted"]
    steps = [f"Qualifying_Step_{n:02d}" for n in range(1, max(count - len(head) - len(tail), 0) + 1)]
    return (head + steps + tail)[: max(count, len(head) + len(tail))]


def write_org(size: Size, out: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the org into ``out`` (emptied first) and return the files written, sorted."""
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(f"{seed}:{size.name}")  # string seeds hash the same on every run
    plan = orgfiles.OrgPlan.build(size, status_names(size.statuses), rng)
    files = orgfiles.render(plan)
    written = []
    for relpath, text in sorted(files.items()):
        path = out / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", choices=sorted(SIZES), required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder to write (emptied first)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    written = write_org(SIZES[args.size], args.out, args.seed)
    print(f"wrote {len(written)} files to {args.out} (size {args.size}, seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
