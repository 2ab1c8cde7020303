"""Benchmark of the generated notebooks: every solution (and exercise) notebook run top to bottom.

    python benchmarks/notebooks.py --json runs/notebooks.json [--kind solutions|exercises|both]
        [--modules ex01_convolutions]

Each notebook runs in a fresh kernel of this Python (nbclient, `tests/grading/notebook_runs.py`).
A solution notebook must run without an error, every check-yourself cell scoring full points and every
figure cell drawing a figure; an exercise notebook may fail only in its check and figure cells, and
only with its stubs' `NotImplementedError`. Reports per notebook the wall-clock seconds, the cells
that failed, the figures drawn, and the total. Prints the JSON and writes it to --json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "grading"))

from notebook_runs import errors_of, execute, has_figure  # noqa: E402 - the tests' helper
from reporting import write_report  # noqa: E402 - benchmarks/ is the script's folder


def run_notebook(path: Path, *, exercise: bool) -> dict:
    """Executes one notebook; returns its timing and the cells that failed or drew."""
    notebook, seconds = execute(path, allow_errors=exercise, cwd=REPO)
    failed, figures = [], 0
    for cell in notebook.cells:
        figures += has_figure(cell)
        for error in errors_of(cell):
            failed.append({"cell": cell.get("id"), "error": error["ename"], "message": error["evalue"][:3000]})
    return {"notebook": str(path.relative_to(REPO)), "seconds": round(seconds, 1), "figures": figures, "failed": failed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="where to write the report")
    parser.add_argument("--kind", choices=("solutions", "exercises", "both"), default="solutions")
    parser.add_argument("--modules", help="comma-separated modules (default: every notebook)")
    options = parser.parse_args(argv)
    kinds = ("solutions", "exercises") if options.kind == "both" else (options.kind,)
    wanted = set(options.modules.split(",")) if options.modules else None
    results, start = [], time.monotonic()
    for kind in kinds:
        for path in sorted((REPO / kind).glob("ex[0-9][0-9]_*.ipynb")):
            if wanted is None or path.stem in wanted:
                results.append(run_notebook(path, exercise=kind == "exercises") | {"kind": kind})
                print(f"{results[-1]['notebook']}: {results[-1]['seconds']} s", file=sys.stderr)
    report = {
        "notebooks": results,
        "total_seconds": {kind: round(sum(r["seconds"] for r in results if r["kind"] == kind), 1) for kind in kinds},
        "wall_seconds": round(time.monotonic() - start, 1),
    }
    write_report(report, options.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
