"""The lesson notebooks (`notebooks/`): generated from their sources, and executed top to bottom.

The fast tests check that every committed `.ipynb` is what `notebooks/build.py` writes from its
percent-format source, and that a hand edit, a missing or an orphaned notebook is reported. The
slow test executes every lesson in a fresh Jupyter kernel on this interpreter (nbclient), offline,
with `../shared/data` when it is there (else on the tiny stand-ins of `keras_vision.data.tiny`),
and checks that no cell fails and that the figures are in the outputs.
"""

import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("KERAS_VISION_SHARED", REPO.parent / "shared" / "data"))
NOTEBOOKS = REPO / "notebooks"
#: Every lesson, one per experiment (issue 20 promises the first eight), with the figures (image/png outputs) it shows
#: at least (on the tiny stand-ins; lowlight draws one more with real photographs).
LESSON_FIGURES = {
    "mnist": 5,
    "mnist_densenet": 3,
    "cifar100": 2,
    "augmentation": 1,
    "upsampling": 1,
    "superres": 2,
    "lowlight": 2,
    "gan": 3,
    "cifar10": 3,
    "deploy": 2,
    "digits": 3,
    "fashion_mnist": 4,
    "folder": 4,
    "resnet": 1,
}
CELL_TIMEOUT = 1800  # seconds per cell: DenseNet121's three trainings share one cell, on a loaded machine


def load_build():
    spec = importlib.util.spec_from_file_location("lesson_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_promised_lesson_has_a_source_and_a_notebook():
    build = load_build()
    assert set(LESSON_FIGURES) <= {p.stem for p in build.lesson_sources()}
    assert all((NOTEBOOKS / f"{name}.ipynb").is_file() for name in LESSON_FIGURES)


def test_committed_notebooks_are_what_the_sources_generate():
    assert load_build().build(check=True) == []


def test_notebooks_are_deterministic_without_outputs():
    text = load_build().notebook_text(NOTEBOOKS / "mnist.py")
    assert text == load_build().notebook_text(NOTEBOOKS / "mnist.py")
    notebook = json.loads(text)
    ids = [cell["id"] for cell in notebook["cells"]]
    assert ids[:2] == ["mnist-00", "mnist-01"] and len(set(ids)) == len(ids)
    assert all(
        c["outputs"] == [] and c["execution_count"] is None for c in notebook["cells"] if c["cell_type"] == "code"
    )
    assert notebook["cells"][0]["cell_type"] == "markdown"
    # the Colab install cell: a real %pip line in the notebook, a comment in the source
    assert "%pip install" in "".join(notebook["cells"][1]["source"])


def test_every_lesson_opens_with_the_one_install_cell():
    build = load_build()
    install = [
        "".join(json.loads(build.notebook_text(source))["cells"][1]["source"]) for source in build.lesson_sources()
    ]
    assert len(install) == len(LESSON_FIGURES) and all(cell == install[0] for cell in install)
    assert install[0].startswith("# Colab") and "%pip install -q {COURSE}" in install[0]


def test_the_install_marker_is_replaced_where_it_stands(tmp_path):
    build = load_build()
    source = tmp_path / "lesson.py"
    source.write_text(f"# %% [markdown]\n# # Title\n\n{build.INSTALL_MARKER}\n\n# %%\nx = 1\n")
    cells = [(c["cell_type"], "".join(c["source"])) for c in json.loads(build.notebook_text(source))["cells"]]
    assert [kind for kind, _ in cells] == ["markdown", "code", "code"]
    assert "%pip install" in cells[1][1] and cells[2][1] == "x = 1"
    assert build.INSTALL_MARKER not in json.dumps(cells)


def test_check_reports_a_hand_edit_a_missing_and_an_orphaned_notebook(tmp_path, capsys):
    build = load_build()
    for name in ("mnist", "upsampling"):
        shutil.copy(NOTEBOOKS / f"{name}.py", tmp_path)
    assert build.main(["--folder", str(tmp_path)]) == 0
    assert build.main(["--folder", str(tmp_path), "--check"]) == 0
    edited = json.loads((tmp_path / "mnist.ipynb").read_text())
    edited["cells"][0]["source"] = ["# edited by hand\n"]
    (tmp_path / "mnist.ipynb").write_text(json.dumps(edited))
    (tmp_path / "upsampling.ipynb").unlink()
    (tmp_path / "old_lesson.ipynb").write_text("{}")
    capsys.readouterr()
    assert build.main(["--folder", str(tmp_path), "--check"]) == 1
    err = capsys.readouterr().err
    assert "mnist.ipynb: differs from mnist.py" in err
    assert "upsampling.ipynb: missing" in err
    assert "old_lesson.ipynb: no source old_lesson.py" in err
    assert "python notebooks/build.py" in err


def test_a_source_without_cells_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty.py").write_text("")
    assert load_build().main(["--folder", str(tmp_path)]) == 2
    assert "empty.py: no cells" in capsys.readouterr().err


def figures(notebook) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


#: Lessons executed in CI's slow run; the others (minutes each: DenseNet121, a GAN, three CIFAR-10
#: models, mnist trained before deploy/digits, folder's four MobileNet phases, resnet's four networks)
#: are `heavy`: `python -m pytest -m heavy`.
IN_CI = {"upsampling", "lowlight", "mnist", "cifar100", "superres", "fashion_mnist"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "lesson", [pytest.param(n, marks=() if n in IN_CI else pytest.mark.heavy) for n in sorted(LESSON_FIGURES)]
)
def test_lesson_notebook_executes_with_its_figures(lesson, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    # A kernelspec on this very interpreter, whatever kernels the machine has installed.
    kernel = tmp_path / "jupyter" / "kernels" / "lesson-python"
    kernel.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (kernel / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "lesson", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # The notebook's DATA_DIR: the real data when present, else a folder that does not exist.
    monkeypatch.setenv("KERAS_VISION_SHARED", str(SHARED_DATA if SHARED_DATA.is_dir() else tmp_path / "no_data"))
    work = tmp_path / "work"
    work.mkdir()
    notebook = nbformat.read(NOTEBOOKS / f"{lesson}.ipynb", as_version=4)
    client = NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="lesson-python", resources={"metadata": {"path": str(work)}}
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    print(f"{lesson}: {time.perf_counter() - start:.1f} s")
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert figures(notebook) >= LESSON_FIGURES[lesson]
