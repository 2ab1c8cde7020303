"""Exit codes and messages of `python -m keras_vision.grade`, and grading one file."""

import json

import pytest
from grading_helpers import META_TIMEOUT, REPO, run_grader


@pytest.mark.parametrize(
    "args, message",
    [
        (["--target", "/nonexistent/folder"], "was not found"),
        (["--target", str(REPO / "setup.cfg")], "is not named like an exercise"),
        (["--target", str(REPO / "keras_vision"), "--batch"], "No submission folders"),
        (["--format", "html"], "invalid choice: 'html'"),
        (["--timeout", "0"], "must be positive"),
        (["handout"], "the following arguments are required: --out"),
    ],
    ids=["missing-target", "badly-named-file", "empty-batch", "unknown-format", "zero-timeout", "handout-without-out"],
)
def test_bad_arguments_exit_2_with_one_paragraph_and_no_traceback(args, message):
    process = run_grader(*args, timeout=120)
    assert process.returncode == 2
    assert message in process.stderr
    assert "Traceback" not in process.stderr


def test_grading_one_file_writes_gradescope_results(tmp_path, fixture_submissions):
    out = tmp_path / "results" / "results.json"
    submission = fixture_submissions / "forgot_255" / "ex01_convolutions.py"
    process = run_grader(
        "--target", str(submission), "--format", "gradescope", "--out", str(out), "--timeout", str(META_TIMEOUT)
    )
    assert process.returncode == 0, process.stderr
    document = json.loads(out.read_text())
    assert document["score"] == 19
    failed = [t for t in document["tests"] if t["status"] == "failed"]
    assert [t["name"] for t in failed] == [
        "ex01_convolutions: test_normalize_images_scales_to_unit_range_and_adds_channel"
    ]
    assert "did you divide by 255?" in failed[0]["output"]
    assert "Total: 19 / 20 points." in process.stdout and "1 of 13 tests failed." in process.stdout


def test_grading_someone_elses_files_without_bwrap_exits_2_saying_what_to_install(tmp_path, fixture_submissions):
    no_bwrap = {"PATH": str(tmp_path)}  # an empty folder: bwrap cannot be found
    submission = fixture_submissions / "forgot_255" / "ex01_convolutions.py"
    process = run_grader("--target", str(submission), env=no_bwrap, timeout=120)
    assert process.returncode == 2 and "Traceback" not in process.stderr
    assert "apt-get install bubblewrap" in process.stderr and "--sandbox none" in process.stderr


def test_sandbox_none_grades_and_every_result_says_so(tmp_path, fixture_submissions):
    out = tmp_path / "result.txt"
    submission = fixture_submissions / "forgot_255" / "ex01_convolutions.py"
    process = run_grader(
        "--target",
        str(submission),
        "--sandbox",
        "none",
        "--out",
        str(out),
        "--timeout",
        str(META_TIMEOUT),
        env={"PATH": str(tmp_path)},
    )
    assert process.returncode == 0, process.stderr
    assert "Total: 19 / 20 points." in out.read_text() and "Graded WITHOUT a sandbox" in out.read_text()


BROKEN_BWRAP = """#!/bin/bash
# A broken sandbox: the real bwrap with an empty tmpfs over the library mount (an unreadable library).
for a in "$@"; do if [ "$a" = "--unshare-all" ]; then exec {bwrap} "$@"; fi; done
args=()
for a in "$@"; do
  if [ "$a" = "--" ]; then args+=(--tmpfs /kv/lib); fi
  args+=("$a")
done
exec {bwrap} "${{args[@]}}"
"""


def test_a_broken_sandbox_stops_grading_with_exit_2_and_no_score(tmp_path):
    import os
    import shutil

    real = shutil.which("bwrap")
    if real is None:
        pytest.skip("needs bubblewrap")
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text(BROKEN_BWRAP.format(bwrap=real))
    fake.chmod(0o755)
    out = tmp_path / "results.json"
    process = run_grader(
        *("--target", str(REPO / "solutions"), "--modules", "ex01_convolutions", "--format", "json", "--out", str(out)),
        env={"PATH": f"{fake.parent}:{os.environ['PATH']}"},
        timeout=300,
    )
    assert process.returncode == 2, process.stderr
    assert "preflight failed" in process.stderr and "No module named 'keras_vision'" in process.stderr
    assert "Likely cause: a folder of the Python installation or the keras_vision library" in process.stderr
    assert not out.exists() and "Traceback" not in process.stderr


THIEF = '''"""Records every argument it is called with and returns them all in a 68 MB string."""

_SEEN = []


def _steal(*args):
    _SEEN.append(repr(args))
    return "STOLEN:" + "|".join(_SEEN) + " " * 68_000_000


normalize_images = apply_filter = vertical_edge_kernel = max_pool = build_classic_cnn = _steal
conv_output_shape = _steal
'''


@pytest.mark.slow
def test_hidden_test_inputs_reach_no_student_visible_field(tmp_path):
    folder = tmp_path / "thief"
    folder.mkdir()
    (folder / "ex01_convolutions.py").write_text(THIEF)
    out = tmp_path / "results.json"
    process = run_grader(
        *("--target", str(folder / "ex01_convolutions.py"), "--format", "gradescope", "--out", str(out)),
        *("--timeout", str(META_TIMEOUT)),
        timeout=1200,
    )
    assert process.returncode == 0, process.stderr[-2000:]
    document = json.loads(out.read_text())
    assert out.stat().st_size < 200_000 and document["score"] == 0
    assert "STOLEN" not in document["output"] and "runner" not in document["output"]
    for test in document["tests"]:
        if test["visibility"] != "visible":
            assert test["output"] == ""
        assert len(test["output"]) < 7000


@pytest.mark.slow
def test_grading_from_a_venv_in_the_temporary_folder(tmp_path):
    """Issue 23: Python under /tmp gave every student 0. A venv in pytest's temporary folder (its
    packages reached through a .pth file, the checkout through another, like an editable install)."""
    import site
    import subprocess
    import sys

    venv = tmp_path / "with space" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = next(venv.glob("lib/python3*/site-packages"))
    (packages / "grader_deps.pth").write_text("\n".join([*site.getsitepackages(), str(REPO)]) + "\n")
    out = tmp_path / "results.json"
    process = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "keras_vision.grade", "--target", str(REPO / "solutions")]
        + ["--modules", "ex01_convolutions", "--format", "json", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=tmp_path,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["sandbox"] == "bwrap" and result["score"] == result["max_score"] == 20
