"""The own-work check: which declared functions use what they may not, read from the source alone."""

import textwrap

import pytest

from keras_vision.grading.targets import graded_tests_dir
from keras_vision.grading.testkit.ownwork import check_own_work, declared_own_work

NO_LIBRARY = ("keras_vision", "tensorflow", "keras", "scipy.signal", "scipy.ndimage")
DECLARED = {"apply_filter": NO_LIBRARY, "max_pool": NO_LIBRARY}

HONEST = """
import numpy as np
import keras

def apply_filter(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1), np.float32)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out

def max_pool(image, size=2):
    dtype = getattr(image, "dtype", None)
    return image[::size, ::size]

def build_classic_cnn():
    return keras.Sequential([keras.layers.Dense(3, name="hidden")])
"""

#: (case, source, function refused, words its message must contain); the source's other function is honest.
FORBIDDEN = [
    (
        "alias-through-helper",
        "from keras_vision.convolution import convolve2d as c\ndef helper(i, k):\n    return c(i, k)\n"
        "def apply_filter(i, k):\n    return helper(i, k)\n",
        "apply_filter",
        "keras_vision.convolution.convolve2d (line 3, through `helper`)",
    ),
    (
        "module-alias",
        "import tensorflow as tf\ndef apply_filter(i, k):\n    return tf.nn.conv2d(i, k, 1, 'VALID')\n",
        "apply_filter",
        "tensorflow.nn.conv2d",
    ),
    (
        "import-inside",
        "def apply_filter(i, k):\n    from scipy import signal as S\n    return S.correlate2d(i, k)\n",
        "apply_filter",
        "scipy.signal.correlate2d",
    ),
    (
        "dunder-import",
        "def apply_filter(i, k):\n    m = __import__('keras_vision.convolution')\n    return "
        "m.convolution.convolve2d(i, k)\n",
        "apply_filter",
        "keras_vision.convolution.convolve2d",
    ),
    (
        "import-module",
        "import importlib\ndef max_pool(i, size=2):\n    return "
        "importlib.import_module('keras_vision.convolution').max_pool2d(i)\n",
        "max_pool",
        "keras_vision.convolution.max_pool2d",
    ),
    (
        "getattr",
        "import keras_vision.convolution as kc\ndef max_pool(i, size=2):\n    return getattr(kc, 'max_pool2d')(i)\n",
        "max_pool",
        "keras_vision.convolution.max_pool2d",
    ),
    (
        "assignment",
        "import keras_vision\napply_filter = keras_vision.convolution.convolve2d\n",
        "apply_filter",
        "keras_vision.convolution.convolve2d",
    ),
    (
        "class-method",
        "from keras import layers as L\nclass Pool:\n    def run(self, i):\n        return L.MaxPooling2D()(i)\n"
        "def max_pool(i, size=2):\n    return Pool().run(i)\n",
        "max_pool",
        "keras.layers.MaxPooling2D (line 4, through `Pool`)",
    ),
    (
        "keras-not-keras_vision",
        "import keras\ndef max_pool(i, size=2):\n    return keras.ops.max_pool(i, size)\n",
        "max_pool",
        "keras.ops.max_pool",
    ),
]

LOADING = [
    ("exec-solutions", "exec(open('/course/solutions/ex01_convolutions.py').read())\n", "solutions"),
    (
        "computed-import",
        "import importlib\nname = 'keras_' + 'vision'\nmodule = importlib.import_module(name)\n",
        "importlib.import_module",
    ),
    ("sys-modules", "import sys\nlib = sys.modules['keras_vision.convolution']\n", "sys.modules"),
    ("globals-computed", "def f():\n    return globals()['apply_' + 'filter']\n", "globals"),
    ("runpy", "import runpy\nnamespace = runpy.run_path('elsewhere')\n", "runpy.run_path"),
    ("eval", "x = eval('1 + 1')\n", "eval"),
    ("getattr-computed", "import numpy\nname = 'sum'\nf = getattr(numpy, name)\n", "getattr"),
    ("subprocess", "import subprocess\nsubprocess.run(['python', 'other.py'])\n", "subprocess"),
]


def test_honest_code_passes():
    assert check_own_work(HONEST, DECLARED) == {}


@pytest.mark.parametrize("case, source, function, words", FORBIDDEN, ids=[c[0] for c in FORBIDDEN])
def test_forbidden_use_is_found_through_aliases_and_helpers(case, source, function, words):
    refused = check_own_work(
        source + HONEST, DECLARED, filename="ex01_convolutions.py"
    )  # source first: its line numbers
    assert set(refused) == {function}
    assert f"`{function}` must be your own work" in refused[function] and words in refused[function]


@pytest.mark.parametrize("case, source, words", LOADING, ids=[c[0] for c in LOADING])
def test_loading_other_code_anywhere_refuses_every_declared_function(case, source, words):
    refused = check_own_work(HONEST + "\n" + source, DECLARED, filename="ex01_convolutions.py")
    assert set(refused) == set(DECLARED)
    assert "loads or runs other code" in refused["apply_filter"] and words in refused["apply_filter"]


def test_narrow_prefixes_allow_the_rest_of_a_library():
    source = (
        "import keras\nfrom keras_vision import transfer\ndef freeze(m):\n    return keras.Model(m.input, m.output)\n"
    )
    assert check_own_work(source, {"freeze": ("keras_vision.transfer",)}) == {}
    assert (
        "keras_vision.transfer.freeze_blocks"
        in check_own_work(
            source + "def freeze(m):\n    return transfer.freeze_blocks(m, [])\n",
            {"freeze": ("keras_vision.transfer",)},
        )["freeze"]
    )


def test_syntax_errors_are_left_to_the_import_and_huge_files_are_refused():
    assert check_own_work("def apply_filter(:\n", DECLARED) == {}
    assert "larger than" in check_own_work("x = 1\n" * 300_000, DECLARED)["max_pool"]


def test_graded_ex01_declares_its_own_work_functions():
    declared = declared_own_work(graded_tests_dir() / "test_ex01_convolutions.py")
    assert set(declared) == {"apply_filter", "max_pool"}
    assert all({"keras_vision", "tensorflow", "keras", "scipy.signal"} <= set(p) for p in declared.values())


def test_a_declaration_that_is_not_names_to_prefixes_is_refused(tmp_path):
    path = tmp_path / "test_ex99_demo.py"
    path.write_text(
        textwrap.dedent("""
        OWN_WORK = {"apply_filter": "keras_vision"}
    """)
    )
    with pytest.raises(ValueError, match="OWN_WORK must map function names to tuples"):
        declared_own_work(path)


def test_ordinary_strings_that_mention_solutions_are_no_loading():
    source = (
        HONEST + "def f():\n    raise FileNotFoundError('no solutions to copy "
        "here')\nprint('submission,total\\nsolutions,0')\n"
    )
    assert check_own_work(source, DECLARED) == {}
