"""Notebook submissions as modules: the code cells of `exNN_<topic>.ipynb`, in order, as `exNN_<topic>.py`.

A notebook is graded as the module its code cells make, so that it scores what the same code as a
`.py` scores (the own-work checks read that source too). Three things are left out, each said in a
note of the result:

- the notebook's own setup, check-yourself and figure cells (tagged `kv-setup`, `kv-check` and
  `kv-figure` by the generator, or starting with the comment line it writes: `# Setup`,
  `# Check yourself`, `# Figure`): they install, test or draw, and are not the student's answer;
- IPython syntax that is not Python: cell magics (`%%time`) drop their cell, line magics (`%pip`)
  and shell lines (`!ls`) become `pass`;
- calls `check("...")` on a line of their own (and the module defines a `check` that does nothing,
  for a call inside a line).

Links and other non-regular files are refused (a link could point at the solutions).

Saved outputs, error outputs and execution counts are ignored: the cells are read in the order
they appear. A file that is not a notebook becomes a module that raises `ImportError` with the
reason, so its tests fail with that sentence while the other modules grade.

May import: `keras_vision.grading.targets`. Imported by: `running.grader`, `authoring`, `testkit.selfcheck`.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from keras_vision.errors import KerasVisionError
from keras_vision.grading import targets

#: Cell tags and first comment lines of the generated cells that are not the student's answer.
NOT_GRADED_TAGS = ("kv-setup", "kv-check", "kv-figure")
NOT_GRADED_FIRST_LINE = re.compile(r"^#\s*(Setup|Check yourself|Figure)\b")
#: A call of the notebook's check on a line of its own: `check("apply_filter")`.
CHECK_CALL = re.compile(r"^check\(.*\)\s*(#.*)?$")
#: The first lines of every module made from a notebook: a `check(...)` left inside a line does nothing.
HARMLESS_CHECK = (
    "def check(*args, **kwargs):  # the notebook's check-yourself call: nothing to do here\n    return None\n"
)
#: Largest notebook read (saved images make notebooks large; the code is a small part).
MAX_NOTEBOOK_BYTES = 50_000_000


class NotebookError(KerasVisionError, ValueError):
    """A file is not a notebook that can be graded; the message names it and says why."""

    exit_code = 2


@dataclass
class Extracted:
    """The module made from a notebook's code cells, and what was left out of it."""

    source: str
    cells: int = 0
    skipped_cells: list[str] = field(default_factory=list)
    dropped_lines: list[str] = field(default_factory=list)

    def note(self, name: str) -> str | None:
        """One sentence for the feedback, or None when nothing was left out."""
        parts = []
        if self.skipped_cells:
            more = ", ..." if len(self.skipped_cells) > 6 else ""
            parts.append(f"left out {len(self.skipped_cells)} cell(s) ({', '.join(self.skipped_cells[:6])}{more})")
        if self.dropped_lines:
            more = f" and {len(self.dropped_lines) - 5} more" if len(self.dropped_lines) > 5 else ""
            parts.append(f"dropped IPython line(s) {'; '.join(self.dropped_lines[:5])}{more}")
        if not parts:
            return None
        return f"{name}: graded its {self.cells} code cell(s) as a module; " + "; ".join(parts) + "."


def read_code_cells(path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """The code cells of a notebook file, in order, as `(number, source, tags)` (numbers count every cell from 1).

    Raises:
        NotebookError: the file is unreadable, too large, not JSON, or not shaped like a notebook.
    """
    import nbformat

    if path.is_symlink():
        raise NotebookError(f"{path.name} is a symbolic link; submit the file itself.")
    if not path.is_file():
        raise NotebookError(f"{path.name} is not a regular file; submit the notebook file itself.")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        raise NotebookError(f"{path.name} could not be read ({error.strerror}).") from None
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 10**6} MB; clear its outputs.")
    text = data.decode("utf-8", errors="replace")
    try:
        notebook = nbformat.reads(text, as_version=4)
        cells = notebook["cells"]
        found = []
        for number, cell in enumerate(cells, start=1):
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            if not isinstance(source, str):
                raise TypeError("a code cell's source is not text")
            tags = cell.get("metadata", {}).get("tags", ())
            found.append((number, source, tuple(t for t in tags if isinstance(t, str))))
        return found
    except Exception as error:  # nbformat's errors differ by version (jsonschema's, its own, ValueError)
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise NotebookError(
            f"{path.name} is not a Jupyter notebook that can be read ({reason}). Save it again from Jupyter "
            "or Colab (File > Download > .ipynb), or submit the .py file."
        ) from None


def strip_ipython(source: str, *, where: str = "") -> tuple[str, list[str]]:
    """Python from one cell's IPython text: magics and shell lines become `pass`; lone `check(...)` lines go.

    Returns:
        The Python source (None-free; `""` for a cell magic) and descriptions of the dropped lines.
    """
    if source.lstrip().startswith("%%"):
        return "", [f"{where}{source.lstrip().splitlines()[0][:60]!r} (a cell magic: the whole cell)"]
    kept, dropped = [], []
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            kept.append(f"{line[: len(line) - len(stripped)]}pass")
            dropped.append(f"{where}line {number} {stripped[:60]!r}")
        elif CHECK_CALL.match(line):
            continue
        else:
            kept.append(line)
    return "\n".join(kept), dropped


def is_not_graded(source: str, tags: tuple[str, ...] = ()) -> str | None:
    """The kind of generated cell that is not the answer (`"setup"`, `"check yourself"`, `"figure"`), or None."""
    for tag in tags:
        if tag in NOT_GRADED_TAGS:
            return {"kv-setup": "setup", "kv-check": "check yourself", "kv-figure": "figure"}[tag]
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    match = NOT_GRADED_FIRST_LINE.match(first)
    return match.group(1).lower() if match else None


def extract_module(path: Path) -> Extracted:
    """The module source a notebook's code cells make (see the module docstring).

    Raises:
        NotebookError: as `read_code_cells`.
    """
    extracted = Extracted(source="")
    parts = []
    for index, source, tags in read_code_cells(path):
        kind = is_not_graded(source, tags)
        if kind:
            extracted.skipped_cells.append(f"cell {index}: {kind}")
            continue
        python, dropped = strip_ipython(source, where=f"cell {index} ")
        extracted.dropped_lines += dropped
        extracted.cells += 1
        parts.append(f"# cell {index}\n{python.rstrip()}\n")
    header = f"# Made from the code cells of {path.name} by the grader.\n{HARMLESS_CHECK}\n"
    extracted.source = header + "\n\n".join(parts)
    return extracted


def unreadable_module(message: str) -> str:
    """A module that fails at import with `message` (the tests of a broken notebook then say it)."""
    return f"raise ImportError({message!r})\n"


def notebook_files(folder: Path) -> dict[str, Path]:
    """`{"ex01_convolutions": Path(".../ex01_convolutions.ipynb")}`: the exercise notebooks of a folder."""
    return {p.stem: p for p in sorted(folder.glob("ex[0-9][0-9]_*.ipynb")) if targets.MODULE_PATTERN.match(p.stem)}


def has_notebooks(target: Path) -> bool:
    return target.suffix == ".ipynb" if target.is_file() else target.is_dir() and bool(notebook_files(target))


def as_modules(target: Path, scratch: Path) -> tuple[Path, list[str]]:
    """The target to grade in place of `target`: its notebooks written as modules into `scratch`.

    A `.py` file of the same module wins over its notebook. Without notebooks left to convert,
    `target` itself is returned.

    Returns:
        The path to grade (a file or a folder) and the notes for the feedback.
    """
    if not has_notebooks(target):
        return target, []
    notebooks = {target.stem: target} if target.is_file() else notebook_files(target)
    modules = {} if target.is_file() else {p.stem: p for p in sorted(target.glob("ex[0-9][0-9]_*.py"))}
    notebooks = {module: path for module, path in notebooks.items() if module not in modules}
    if not notebooks:
        return target, []  # every notebook has its .py beside it (the solutions folder): the .py files are graded
    scratch.mkdir(parents=True, exist_ok=True)
    notes = []
    for module, path in modules.items():
        if targets.MODULE_PATTERN.match(module):  # a link stays a link (the worker refuses it)
            shutil.copy(path, scratch / path.name, follow_symlinks=False)
    for module, path in notebooks.items():
        try:
            extracted = extract_module(path)
            text, note = extracted.source, extracted.note(path.name)
        except NotebookError as error:
            text, note = unreadable_module(str(error)), str(error)
        (scratch / f"{module}.py").write_text(text)
        if note:
            notes.append(note)
    return (scratch / f"{target.stem}.py" if target.is_file() else scratch), notes
