"""Writes the lesson notebooks (`notebooks/*.ipynb`) from their plain-text sources (`notebooks/*.py`).

Each lesson is kept as a percent-format Python file (`# %%` starts a code cell, `# %% [markdown]`
a markdown cell; jupytext's format, https://jupytext.readthedocs.io), so that diffs stay readable
and `ruff` checks the code. The install cell all lessons open with is kept once, here
(`INSTALL_CELL`): a source says where it goes with the line `INSTALL_MARKER`. The `.ipynb` beside
it is generated, never edited by hand: the same source always gives the same bytes (cell ids
`<lesson>-NN`, no outputs, no execution counts, one kernelspec), so a stale or hand-edited notebook is caught by

    python notebooks/build.py           # (re)writes every notebooks/<lesson>.ipynb
    python notebooks/build.py --check   # exit 1, naming the files, when one differs (CI runs this)

Needs `jupytext` and `nbformat` (`pip install -e ".[dev]"`).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
#: Files of this folder that are not lessons.
NOT_LESSONS = ("build.py",)
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
#: A source line that stands for the install cell below, so that every lesson opens with the same one.
INSTALL_MARKER = "# %% install the course (notebooks/build.py writes this cell)"
#: Every lesson's first code cell: installs the course where it is not importable (Colab, a bare
#: Jupyter); a no-op elsewhere. jupytext turns the commented `%pip` line into a real magic.
INSTALL_CELL = """# %%
# Colab, or a Python without the course: install it first. COURSE is where the course is for you:
# its folder (the checkout, ".." seen from this notebook) or its git URL ("git+https://...").
COURSE = ".."
try:
    import keras_vision  # noqa: F401
except ImportError:
    # %pip install -q {COURSE}
    pass
"""


def lesson_sources(folder: Path = FOLDER) -> list[Path]:
    """The lesson sources of `folder`: every `*.py` except this script, sorted by name."""
    return sorted(p for p in folder.glob("*.py") if p.name not in NOT_LESSONS and not p.name.startswith("_"))


def expand(text: str) -> str:
    """A lesson source's text with its `INSTALL_MARKER` line replaced by `INSTALL_CELL`."""
    return re.sub(f"^{re.escape(INSTALL_MARKER)}$\\n?", lambda _: INSTALL_CELL, text, flags=re.MULTILINE)


def notebook_text(source: Path) -> str:
    """The `.ipynb` text of one percent-format source: deterministic, without outputs.

    Raises:
        ValueError: the source has no cell, or a cell id would not be valid.
    """
    import jupytext
    import nbformat

    notebook = jupytext.reads(expand(source.read_text(encoding="utf-8")), fmt="py:percent")
    if not notebook.cells:
        raise ValueError(f"{source}: no cells; start cells with '# %%' or '# %% [markdown]'.")
    notebook.metadata = nbformat.NotebookNode(
        {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, "colab": {"provenance": []}}
    )
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    for index, cell in enumerate(notebook.cells):
        cell.id = f"{source.stem.replace('_', '-')}-{index:02d}"
        cell.metadata = nbformat.NotebookNode()
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def build(folder: Path = FOLDER, *, check: bool = False) -> list[str]:
    """Writes (or, with `check`, compares) every lesson's `.ipynb`.

    Args:
        folder: The folder of the sources and notebooks. Defaults to this script's folder.
        check: Compare only; write nothing. Defaults to `False`.

    Returns:
        One line per notebook that was (with `check`: that would be) written or is an orphan
        (an `.ipynb` without a source); empty when everything is up to date.
    """
    from keras_vision.files import write_text

    problems = []
    sources = lesson_sources(folder)
    for source in sources:
        target, text = source.with_suffix(".ipynb"), notebook_text(source)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        problems.append(f"{target.name}: {'missing' if current is None else 'differs from ' + source.name}")
        if not check:
            write_text(target, text)
    names = {s.stem for s in sources}
    problems += [f"{p.name}: no source {p.stem}.py" for p in sorted(folder.glob("*.ipynb")) if p.stem not in names]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a notebook is stale")
    parser.add_argument("--folder", type=Path, default=FOLDER, help="folder of the lesson sources")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"--folder must be a folder of lesson sources. Received: {args.folder}.", file=sys.stderr)
        return 2
    try:
        problems = build(args.folder, check=args.check)
    except ImportError as error:
        print(f'Cannot build the notebooks: {error}. Install the tools: pip install -e ".[dev]".', file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"Cannot build the notebooks: {error}", file=sys.stderr)
        return 2
    if args.check and problems:
        print(
            "Lesson notebooks out of date (edit the .py source, never the .ipynb; then run "
            "`python notebooks/build.py`):\n  " + "\n  ".join(problems),
            file=sys.stderr,
        )
        return 1
    lessons = len(lesson_sources(args.folder))
    print(f"{lessons} lesson notebooks {'up to date' if not problems else 'written: ' + ', '.join(problems)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
