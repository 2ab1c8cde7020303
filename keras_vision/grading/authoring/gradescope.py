"""The Gradescope autograder bundle: `python -m keras_vision.grade gradescope --out autograder.zip`.

Gradescope runs each submission in its own container: it unpacks the bundle into
`/autograder/source`, runs `setup.sh` once when the image is built, and `run_autograder` per
submission, which must write `/autograder/results/results.json`. The bundle holds

    setup.sh          installs bubblewrap, a venv with the Python dependencies, and this package
    run_autograder    grades /autograder/submission (exNN_<topic>.py or .ipynb files, a folder or a zip)
    course/           the library, the graded tests (hidden ones included), setup.cfg, pyproject.toml,
                      and assignment.json: the modules this assignment grades (all when none are named)

and never the solutions. Both scripts take their root from `AUTOGRADER_ROOT` (default
`/autograder`), and `run_autograder` its Python from `AUTOGRADER_PYTHON` (default the venv that
`setup.sh` made), so the bundle can be tried offline in a temporary folder.

`run_autograder` calls `python -m keras_vision.grading.authoring.gradescope ROOT`, which grades
in the bwrap sandbox when bubblewrap works in the container, else in a plain subprocess (each
Gradescope submission has its own container), and says which in the results' `output`. Hidden and
after-due-date tests keep their visibility and show no message. When the grader itself fails,
no `results.json` is written and the script exits non-zero: Gradescope then shows the instructor
an autograder failure instead of a score.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from keras_vision.errors import KerasVisionError
from keras_vision.files import atomic_path, write_text
from keras_vision.grading import targets
from keras_vision.grading.reporting.formats import to_gradescope
from keras_vision.grading.running.grader import GradingOptions, grade_submission
from keras_vision.grading.sandbox.isolation import bwrap_problem
from keras_vision.grading.sandbox.preflight import preflight

#: What of the course goes into the bundle (never `solutions/`).
COURSE_PARTS = ("keras_vision", "tests/graded", "setup.cfg", "pyproject.toml", "README.md")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache")
#: The bundle's record of the assignment's modules.
ASSIGNMENT = "assignment.json"
#: Largest uploaded zip, unpacked (a submission is a few exercise files).
MAX_UNPACKED_BYTES = 50_000_000

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends bubblewrap python3 python3-venv python3-pip
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
"$ROOT/venv/bin/python" -m pip install "$SOURCE/course"
"$ROOT/venv/bin/python" -c "import keras_vision.grading.authoring.gradescope"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission; it writes $ROOT/results/results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
COURSE="$ROOT/source/course"
cd "$COURSE"
export PYTHONPATH="$COURSE${PYTHONPATH:+:$PYTHONPATH}"
exec "$PYTHON" -m keras_vision.grading.authoring.gradescope "$ROOT"
"""


class SubmissionFormatError(KerasVisionError, ValueError):
    """The upload holds no exercise file; the message says what to upload."""

    exit_code = 2


def write_bundle(out: Path, *, modules: tuple[str, ...] | None = None, root: Path | None = None) -> Path:
    """Writes `autograder.zip`: `setup.sh`, `run_autograder` and the course without solutions.

    Args:
        out: The zip file to write.
        modules: The modules of this assignment, e.g. `("ex01_convolutions",)`. Defaults to every
            module with graded tests.
        root: The repository to bundle. Defaults to this checkout.

    Returns:
        `out`.
    """
    root = root or targets.repo_root()
    with tempfile.TemporaryDirectory(prefix="kv_bundle_") as folder:
        staging = Path(folder)
        for part in COURSE_PARTS:
            source = root / part
            if source.is_dir():
                shutil.copytree(source, staging / "course" / part, ignore=IGNORED)
            elif source.is_file():
                (staging / "course" / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, staging / "course" / part)
        (staging / "course" / ASSIGNMENT).write_text(json.dumps({"modules": list(modules or [])}) + "\n")
        with atomic_path(out) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                archive.writestr(info, text)
            for path in sorted(staging.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(staging).as_posix())
    return out


def submission_folder(upload: Path, scratch: Path) -> Path:
    """The folder of exercise files in a Gradescope upload: the folder itself, a subfolder, or a zip's.

    Raises:
        SubmissionFormatError: no `exNN_<topic>.py` or `.ipynb` file anywhere in the upload.
    """
    zips = sorted(upload.glob("*.zip")) if upload.is_dir() else []
    if upload.is_dir() and not targets.module_files(upload) and zips:
        upload = _unzip(zips[0], scratch / "unzipped")
    if upload.is_file():
        return upload
    for folder in [upload, *sorted(p for p in upload.rglob("*") if p.is_dir())]:
        if targets.module_files(folder):
            return folder
    raise SubmissionFormatError(
        "No exercise file (exNN_<topic>.py or .ipynb, e.g. ex01_convolutions.py) was found in the submission. "
        "Upload the exercise files themselves (or a zip of them), keeping their names."
    )


def _unzip(archive: Path, folder: Path) -> Path:
    """Extracts only plain files with safe relative names, up to `MAX_UNPACKED_BYTES` together."""
    folder.mkdir(parents=True)
    total = 0
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            name = Path(info.filename)
            if info.is_dir() or name.is_absolute() or ".." in name.parts or name.suffix not in (".py", ".ipynb"):
                continue
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                break
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(info) as source, open(folder / name, "wb") as target:
                shutil.copyfileobj(source, target, length=1 << 20)
    return folder


def grade_for_gradescope(root: Path) -> Path:
    """Grades `root/submission` with the course's graded tests into `root/results/results.json`.

    Returns:
        The path of `results.json`.

    Raises:
        KerasVisionError: the grader failed (no results are written).
    """
    course = Path(__file__).resolve().parents[3]
    problem = bwrap_problem() if os.environ.get("AUTOGRADER_SANDBOX", "auto") != "none" else "asked for none"
    sandbox = "bwrap" if problem is None else "none"
    preflight(sandbox)
    out = root / "results" / "results.json"
    with tempfile.TemporaryDirectory(prefix="kv_gradescope_") as scratch:
        try:
            target = submission_folder(root / "submission", Path(scratch))
        except SubmissionFormatError as error:  # the student's upload: a visible zero saying what to upload
            document = json.dumps({"score": 0.0, "output": str(error), "visibility": "visible", "tests": []})
            out.parent.mkdir(parents=True, exist_ok=True)
            write_text(out, document + "\n")
            return out
        assignment = course / ASSIGNMENT
        modules = json.loads(assignment.read_text()).get("modules") if assignment.is_file() else None
        options = GradingOptions(
            targets.graded_tests_dir(course), sandbox=sandbox, modules=tuple(modules or ()) or None
        )
        result = grade_submission(target, options, name="submission")
    document = to_gradescope(result, sandbox_note=problem)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, document)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Gradescope's run_autograder: grade ROOT/submission.")
    parser.add_argument("root", type=Path, help="the autograder root (/autograder)")
    options = parser.parse_args(argv)
    try:
        out = grade_for_gradescope(options.root)
    except KerasVisionError as error:
        print(f"keras_vision autograder: {error}", file=sys.stderr)
        return error.exit_code
    print(f"Wrote {out}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
