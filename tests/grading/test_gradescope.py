"""The Gradescope bundle: what it holds, how it finds a submission, and (slow) a run offline.

The slow test unpacks `autograder.zip` into a temporary root as Gradescope would into
`/autograder/source`, skips `setup.sh` (it installs with apt and pip), and runs `run_autograder`
with `AUTOGRADER_ROOT` and `AUTOGRADER_PYTHON` on the solutions and on the stub, checking
`results.json` against Gradescope's documented fields.
"""

import json
import os
import stat
import subprocess
import sys
import zipfile

import pytest
from grading_helpers import MODULE, REPO

from keras_vision.grading.authoring.gradescope import SubmissionFormatError, submission_folder, write_bundle

#: Gradescope's documented fields (https://gradescope-autograders.readthedocs.io, "Output format").
TOP_LEVEL = {"score", "execution_time", "output", "visibility", "stdout_visibility", "tests"}
TEST_FIELDS = {"name", "score", "max_score", "status", "output", "visibility"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return write_bundle(tmp_path_factory.mktemp("bundle") / "autograder.zip", modules=(MODULE,))


def test_bundle_holds_the_scripts_and_the_course_without_solutions(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        setup, run = archive.read("setup.sh").decode(), archive.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder", "course/setup.cfg", "course/keras_vision/grade.py"} <= names
    assert "course/assignment.json" in names
    assert f"course/tests/graded/hidden/test_{MODULE}_hidden.py" in names
    assert not any("solutions/" in name or "__pycache__" in name for name in names)
    assert all(modes[name] & stat.S_IXUSR for name in ("setup.sh", "run_autograder"))
    assert "bubblewrap" in setup and 'pip install "$SOURCE/course"' in setup
    assert all('ROOT="${AUTOGRADER_ROOT:-/autograder}"' in script for script in (setup, run))


def test_submission_folder_finds_files_in_a_folder_a_subfolder_or_a_zip(tmp_path):
    upload = tmp_path / "submission"
    (upload / "nested").mkdir(parents=True)
    (upload / "nested" / f"{MODULE}.py").write_text("x = 1\n")
    assert submission_folder(upload, tmp_path / "scratch1") == upload / "nested"
    zipped = tmp_path / "zipped"
    zipped.mkdir()
    with zipfile.ZipFile(zipped / "work.zip", "w") as archive:
        archive.writestr(f"mine/{MODULE}.py", "x = 2\n")
        archive.writestr("../escape.py", "x = 3\n")
        archive.writestr("/etc/absolute.py", "x = 4\n")
    found = submission_folder(zipped, tmp_path / "scratch2")
    assert (found / f"{MODULE}.py").read_text() == "x = 2\n"
    assert not (tmp_path / "escape.py").exists() and not list((tmp_path / "scratch2").rglob("absolute.py"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SubmissionFormatError, match="No exercise file"):
        submission_folder(tmp_path / "empty", tmp_path / "scratch3")


def run_autograder(root, source):
    """Unpacked bundle + one submission file -> (process, results.json as a dict or None)."""
    (root / "submission").mkdir(parents=True)
    (root / "submission" / f"{MODULE}.py").write_text(source.read_text())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)
    process = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True, timeout=1800
    )
    out = root / "results" / "results.json"
    return process, (json.loads(out.read_text()) if out.is_file() else None)


@pytest.mark.slow
@pytest.mark.parametrize(("source", "score"), [("solutions", 20), ("exercises", 0)])
def test_run_autograder_offline_writes_gradescope_results(bundle, tmp_path, source, score):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    process, document = run_autograder(root, REPO / source / f"{MODULE}.py")
    assert process.returncode == 0, process.stderr[-3000:]
    assert set(document) == TOP_LEVEL and document["score"] == score
    assert "sandbox" in document["output"]
    assert len(document["tests"]) == 13 and sum(t["max_score"] for t in document["tests"]) == 20
    for test in document["tests"]:
        assert set(test) == TEST_FIELDS and test["visibility"] in VISIBILITIES
        assert test["status"] in ("passed", "failed")
        if test["visibility"] != "visible":
            assert test["output"] == ""  # hidden tests stay hidden
    assert any(t["visibility"] == "hidden" for t in document["tests"])
