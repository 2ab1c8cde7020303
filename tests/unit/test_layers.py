"""The layer contract of `.importlinter` holds for the package, and it catches an upward import."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINT = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
]


def lint(root: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [*LINT, "--config", str(REPO / ".importlinter"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_package_keeps_its_layers():
    result = lint(REPO, REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_data_importing_training_breaks_the_contract(tmp_path):
    copy = tmp_path / "keras_vision"
    shutil.copytree(REPO / "keras_vision", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "data" / "split.py").open("a") as handle:
        handle.write("\nfrom keras_vision.training import fit  # noqa: E402  (the deliberate upward import)\n")
    result = lint(tmp_path, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout and "keras_vision.data.split -> keras_vision.training" in result.stdout
