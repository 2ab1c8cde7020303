"""The marker generator: regions, one-line markers, and errors with file and line."""

import pytest

from keras_vision.grading.authoring.assign import ANY_MARKER, HEADER, MarkerError, strip_solutions

M = "SOLUTION"  # spelled apart so that this file is not itself a marked solution

BALANCED = f'''import numpy as np


def scale(x):
    """Divides by 255."""
    # BEGIN {M}
    y = x / 255
    return y
    # END {M}


class Model:
    def build(self):
        if True:
            # BEGIN {M}
            return 1
            # END {M}
'''

ONE_LINE = f"""def kernel():
    k = make()  # {M}
    k: list = [1]  # {M}
    k += 2  # {M}
    return k * 2  # {M}
"""


def strip(source):
    return strip_solutions(source, filename="solutions/ex07_demo.py", module="ex07_demo")


def test_regions_become_stubs_naming_module_and_function():
    out = strip(BALANCED)
    assert out.startswith(HEADER)
    assert '    # YOUR CODE HERE\n    raise NotImplementedError("ex07.scale: ' in out
    assert '            raise NotImplementedError("ex07.Model.build: ' in out
    assert "y = x / 255" not in out and "return 1" not in out
    assert '"""Divides by 255."""' in out and "import numpy as np" in out
    assert ANY_MARKER.search(out) is None


def test_one_line_markers_keep_the_left_hand_side():
    out = strip(ONE_LINE)
    for line in ("    k = ...", "    k: list = ...", "    k += ...", "    return ..."):
        assert line + "\n" in out
    assert "make()" not in out


@pytest.mark.parametrize(
    "source, where, reason",
    [
        (f"def f():\n    # BEGIN {M}\n    x = 1\n", ":2:", "never closed"),
        (f"def f():\n    x = 1\n    # END {M}\n", ":3:", "without a BEGIN"),
        (f"def f():\n    x = 0\n    # BEGIN {M}\n    # BEGIN {M}\n    # END {M}\n    # END {M}\n", ":4:", "nested"),
        (f"def f():\n    # BEGIN {M}\n    x = 1\n  # END {M}\n", ":4:", "indented differently"),
        (f"# BEGIN {M}\nX = 1\n# END {M}\n", ":1:", "inside a function"),
        (f"def f():\n    print(1)  # {M}\n", ":2:", "assignment or a return"),
        ("def f(:\n", ":1:", "does not parse"),
    ],
    ids=["unclosed", "end-without-begin", "nested", "misindented", "module-level", "bad-one-line", "syntax"],
)
def test_bad_markers_name_file_and_line(source, where, reason):
    with pytest.raises(MarkerError) as error:
        strip(source)
    assert f"solutions/ex07_demo.py{where}" in str(error.value)
    assert reason in str(error.value)
