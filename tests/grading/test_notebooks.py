"""Notebooks, fast: generated from the solutions (deterministic, checked), read back as modules for
grading (magics, outputs, disorder, broken files), and the check-yourself module of a kernel's history.

The slow half (executing every notebook, grading notebooks against modules) is in
`test_notebooks_slow.py`.
"""

import ast
import json
import shutil
import zipfile

import nbformat
import pytest
from grading_helpers import REPO

from keras_vision.grading import notebook_source, targets
from keras_vision.grading.authoring.assign import ANY_MARKER, generate_exercises, strip_solutions
from keras_vision.grading.authoring.gradescope import submission_folder
from keras_vision.grading.authoring.notebook_figures import FIGURES
from keras_vision.grading.authoring.notebooks import build_notebook, notebook_text
from keras_vision.grading.cli import main as grade_main
from keras_vision.grading.testkit.selfcheck import (
    SelfCheckError,
    checker,
    failure_messages,
    module_from_history,
    visible_tests_calling,
)

MODULES = sorted(p.stem for p in (REPO / "solutions").glob("ex[0-9][0-9]_*.py"))


@pytest.fixture
def course(tmp_path):
    """A copy of solutions/, exercises/ and tests/graded/ to generate into."""
    for part in ("solutions", "exercises", "tests/graded"):
        shutil.copytree(REPO / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def functions_of(source):
    return {node.name: ast.dump(node) for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def code_cell(source, *, tags=(), outputs=(), count=None):
    cell = nbformat.v4.new_code_cell(source, id=f"c{abs(hash(source)) % 10**8}")
    cell.metadata["tags"] = list(tags)
    cell.outputs = list(outputs)
    cell.execution_count = count
    return cell


def write_notebook(path, cells):
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=cells)))
    return path


# --- generation -------------------------------------------------------------------------------


def test_every_solution_has_an_exercise_and_a_solution_notebook_and_check_passes():
    assert len(MODULES) >= 9
    for module in MODULES:
        assert (REPO / "exercises" / f"{module}.ipynb").is_file(), module
        assert (REPO / "solutions" / f"{module}.ipynb").is_file(), module
    assert generate_exercises(REPO / "solutions", REPO / "exercises", check=True) == []


@pytest.mark.parametrize("module", MODULES)
def test_notebook_cells_follow_the_module(module):
    source = (REPO / "solutions" / f"{module}.py").read_text()
    exercise = strip_solutions(source, filename=module, module=module)
    test_file = REPO / "tests" / "graded" / f"test_{module}.py"
    functions = list(functions_of(source))
    graded = {name for name in functions if visible_tests_calling(test_file, name)}
    notebook = build_notebook(exercise, module=module, solution=False, graded=graded)
    cells = notebook.cells
    assert cells[0].metadata["tags"] == ["kv-setup"] and "%pip install" in cells[0].source
    assert f'checker("{module}")' in cells[0].source
    assert cells[1].cell_type == "markdown" and cells[1].source.startswith("# Exercise")
    assert all(
        not cell.get("outputs") and cell.get("execution_count") is None for cell in cells if cell.cell_type == "code"
    )
    checks = [cell.source.splitlines()[-1] for cell in cells if cell.metadata.get("tags") == ["kv-check"]]
    assert checks == [f'check("{name}")' for name in functions if name in graded]
    assert graded, "every module has graded functions"
    headings = [cell.source.splitlines()[0] for cell in cells if cell.cell_type == "markdown"][1:]
    assert headings == [f"## `{name}`" for name in functions]
    figures = [cell for cell in cells if cell.metadata.get("tags") == ["kv-figure"]]
    assert len(figures) == len(FIGURES.get(module, {}))
    assert notebook_text(notebook) == notebook_text(
        build_notebook(exercise, module=module, solution=False, graded=graded)
    ), "deterministic"
    assert not ANY_MARKER.search(notebook_text(notebook))


@pytest.mark.parametrize("module", MODULES)
def test_solution_notebook_extracts_to_the_solution_functions(module):
    extracted = notebook_source.extract_module(REPO / "solutions" / f"{module}.ipynb")
    functions = functions_of(extracted.source)
    assert "check" in functions.pop("check", "check"), "the harmless check the grader adds"
    assert functions == functions_of((REPO / "solutions" / f"{module}.py").read_text())
    assert "\ncheck(" not in extracted.source and "%pip" not in extracted.source
    assert any("setup" in cell for cell in extracted.skipped_cells)


def test_generate_check_fails_on_a_notebook_edited_by_hand(course, capsys):
    arguments = ["generate", "--solutions", str(course / "solutions"), "--exercises", str(course / "exercises")]
    assert grade_main([*arguments, "--check"]) == 0
    path = course / "exercises" / "ex01_convolutions.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[4].source = notebook.cells[4].source.replace("raise NotImplementedError", "return None  #")
    nbformat.write(notebook, path)
    capsys.readouterr()
    assert grade_main([*arguments, "--check"]) == 1
    assert "ex01_convolutions.ipynb differs from its solution" in capsys.readouterr().err
    # Outputs and execution counts of a run notebook are not edits.
    assert grade_main(arguments) == 0
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[2].outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    notebook.cells[2].execution_count = 7
    nbformat.write(notebook, path)
    assert grade_main([*arguments, "--check"]) == 0
    path.write_text("{ not json")
    assert grade_main([*arguments, "--check"]) == 1


def test_a_new_module_gets_its_notebooks_and_a_stale_notebook_is_reported(course):
    solution = course / "solutions" / "ex10_demo.py"
    solution.write_text(
        '"""Exercise 10: a demo.\n\nThe story.\n"""\n\nimport numpy as np\n\nSCALE = 2\n\n\n'
        'def double(x):\n    """Doubles.\n\n    Args:\n        x: A number.\n    """\n'
        "    # BEGIN SOLUTION\n    return SCALE * x\n    # END SOLUTION\n"
    )
    differences = generate_exercises(course / "solutions", course / "exercises")
    assert any("ex10_demo.ipynb is missing" in d for d in differences)
    notebook = nbformat.read(course / "exercises" / "ex10_demo.ipynb", as_version=4)
    assert notebook.cells[1].source.startswith("# Exercise 10: a demo.")
    assert "SCALE = 2" in notebook.cells[2].source and "import numpy" in notebook.cells[2].source
    assert "NotImplementedError" in notebook.cells[4].source
    assert not any(cell.metadata.get("tags") == ["kv-check"] for cell in notebook.cells), "no graded tests yet"
    solution.unlink()
    (course / "exercises" / "ex10_demo.py").unlink()
    differences = generate_exercises(course / "solutions", course / "exercises", check=True)
    assert any("exercises/ex10_demo.ipynb has no solution" in d for d in differences)
    assert any("solutions/ex10_demo.ipynb has no solution" in d for d in differences)


# --- notebooks read as modules -------------------------------------------------------------------


def test_code_cells_become_the_module_with_ipython_lines_dropped(tmp_path):
    path = write_notebook(
        tmp_path / "ex01_convolutions.ipynb",
        [
            code_cell("# Setup (not graded)\n%pip install -q keras_vision\nfrom x import checker", tags=["kv-setup"]),
            nbformat.v4.new_markdown_cell("# Title"),
            code_cell("import numpy as np\n!ls -la\n%matplotlib inline", count=9),
            code_cell(
                "def double(x):\n    %time y = 2\n    return 2 * x\n",
                outputs=[nbformat.v4.new_output("error", ename="NameError", evalue="x", traceback=["..."])],
                count=2,
            ),
            code_cell("%%timeit\ndouble(3)"),
            code_cell('check("double")  # mine', count=1),
            code_cell("# Figure (not graded): the picture\nimport matplotlib.pyplot as plt\nplt.plot(double(1))"),
            code_cell("TRIPLE = 3", tags=["kv-check"]),
        ],
    )
    extracted = notebook_source.extract_module(path)
    namespace = {}
    exec(compile(extracted.source, "extracted", "exec"), namespace)
    assert namespace["double"](4) == 8 and "TRIPLE" not in namespace and "plt" not in namespace
    note = extracted.note(path.name)
    assert "left out 3 cell(s)" in note and "'!ls -la'" in note and "%%timeit" in note and "'%time y = 2'" in note


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"{ this is not json", "not a Jupyter notebook that can be read"),
        (b'{"cells": 5, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not a Jupyter notebook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a Jupyter notebook"),
        (b"", "not a Jupyter notebook"),
        (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 7}]}', ""),
    ],
)
def test_a_malformed_notebook_is_a_clear_error_for_its_module_only(tmp_path, content, reason):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "ex01_convolutions.ipynb").write_bytes(content)
    write_notebook(submission / "ex02_scratch_models.ipynb", [code_cell("X = 1")])
    with pytest.raises(notebook_source.NotebookError, match="ex01_convolutions.ipynb"):
        notebook_source.extract_module(submission / "ex01_convolutions.ipynb")
    graded, notes = notebook_source.as_modules(submission, tmp_path / "scratch")
    broken = (graded / "ex01_convolutions.py").read_text()
    with pytest.raises(ImportError, match=f"ex01_convolutions.ipynb is {reason}"):
        exec(compile(broken, "ex01", "exec"), {})
    assert "X = 1" in (graded / "ex02_scratch_models.py").read_text()
    assert any(note.startswith("ex01_convolutions.ipynb is not") for note in notes)


def test_a_py_file_wins_over_its_notebook_and_a_folder_without_notebooks_is_kept(tmp_path):
    (tmp_path / "ex01_convolutions.py").write_text("A = 1\n")
    write_notebook(tmp_path / "ex01_convolutions.ipynb", [code_cell("A = 2")])
    assert notebook_source.as_modules(tmp_path, tmp_path / "scratch") == (tmp_path, [])
    write_notebook(tmp_path / "ex02_scratch_models.ipynb", [code_cell("B = 2")])
    graded, _ = notebook_source.as_modules(tmp_path, tmp_path / "scratch")
    assert (graded / "ex01_convolutions.py").read_text() == "A = 1\n"
    assert "B = 2" in (graded / "ex02_scratch_models.py").read_text()
    assert targets.module_files(tmp_path) == {
        "ex01_convolutions": tmp_path / "ex01_convolutions.py",
        "ex02_scratch_models": tmp_path / "ex02_scratch_models.ipynb",
    }


def test_gradescope_finds_notebooks_in_a_folder_or_a_zip(tmp_path):
    upload = tmp_path / "upload"
    upload.mkdir()
    with zipfile.ZipFile(upload / "work.zip", "w") as archive:
        archive.writestr("work/ex01_convolutions.ipynb", json.dumps({"cells": []}))
    found = submission_folder(upload, tmp_path / "scratch")
    assert (found / "ex01_convolutions.ipynb").is_file()


# --- the check-yourself module of a kernel --------------------------------------------------------


def test_history_keeps_the_last_definitions_and_leaves_out_what_is_not_the_answer():
    history = [
        "# Setup (not graded)\nimport os\n%pip install x\ncheck = checker('ex01_convolutions')",
        "import numpy as np\nKERNEL = np.ones(3)",
        "def f(x):\n    return x +",  # a SyntaxError the kernel refused
        "def f(x):\n    return 1",
        "y = f(2)\nprint(y)",  # runs the notebook's own function: not at import
        "@staticmethod\ndef f(x):\n    return 2",
        'check("f")',
        "# Figure (not graded)\nZ = 3",
        "!ls\nfor i in range(3):\n    pass",
        "def g():\n    return KERNEL",
    ]
    source = module_from_history(history)
    namespace = {}
    exec(compile(source, "history", "exec"), namespace)
    assert namespace["f"].__func__(0) == 2 and namespace["g"]().shape == (3,)
    assert "y" not in namespace and "Z" not in namespace and "check" not in namespace and "os" not in namespace
    assert source.index("KERNEL = ") < source.index("def g")


def test_check_outside_a_notebook_and_with_an_unknown_function_says_what_to_do(tmp_path):
    with pytest.raises(SelfCheckError, match="runs inside a notebook"):
        checker("ex01_convolutions")("apply_filter")
    with pytest.raises(SelfCheckError, match="like 'ex01_convolutions'"):
        checker("convolutions")
    with pytest.raises(SelfCheckError, match="No visible graded test of ex01_convolutions calls 'apply_filtr'"):
        checker("ex01_convolutions")("apply_filtr", source="")


def test_failure_messages_name_each_failing_test():
    report = (
        "____ test_apply_filter_matches_keras_conv2d ____\n"
        "ex01_convolutions.apply_filter raised NotImplementedError: ex01.apply_filter: replace this line\n"
        "  File ...\n"
        "____ test_other ____\n\nwrong shape\n"
    )
    assert failure_messages(report) == [
        "test_apply_filter_matches_keras_conv2d: ex01_convolutions.apply_filter raised NotImplementedError: "
        "ex01.apply_filter: replace this line",
        "test_other: wrong shape",
    ]


def test_links_and_special_files_are_refused_and_a_check_inside_a_line_is_harmless(tmp_path):
    solution = write_notebook(tmp_path / "elsewhere.ipynb", [code_cell("A = 1")])
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "ex01_convolutions.ipynb").symlink_to(solution)
    (submission / "ex02_scratch_models.py").symlink_to(tmp_path / "elsewhere.ipynb")
    write_notebook(submission / "ex03_vgg_resnet.ipynb", [code_cell('B = 2; check("x")')])
    with pytest.raises(notebook_source.NotebookError, match="symbolic link"):
        notebook_source.extract_module(submission / "ex01_convolutions.ipynb")
    graded, notes = notebook_source.as_modules(submission, tmp_path / "scratch")
    assert "symbolic link" in (graded / "ex01_convolutions.py").read_text()
    assert (graded / "ex02_scratch_models.py").is_symlink(), "the worker refuses links; a copy must not hide one"
    namespace = {}
    exec(compile((graded / "ex03_vgg_resnet.py").read_text(), "ex03", "exec"), namespace)
    assert namespace["B"] == 2


def test_a_notebook_is_a_target_and_its_notes_reach_the_report(tmp_path):
    from keras_vision.grading.reporting.formats import summary_lines
    from keras_vision.grading.reporting.results import SubmissionResult

    path = write_notebook(tmp_path / "ex01_convolutions.ipynb", [code_cell("A = 1")])
    assert targets.resolve_target(str(path)) == path.resolve()
    assert targets.module_files(tmp_path) == {"ex01_convolutions": path}
    result = SubmissionResult("student", str(path), notes=["ex01_convolutions.ipynb: left out 1 cell(s)"])
    assert "Note: ex01_convolutions.ipynb: left out 1 cell(s)" in summary_lines(result)
    assert SubmissionResult.from_dict(result.to_dict()).notes == result.notes
