"""Adversarial: writes fake "perfect score" result files wherever it can guess, then does nothing; scores 0/20.

It looks for the grader's `--out` path in the command lines of running processes (only paths under
/tmp, so that running the meta-tests never touches anything else) and writes there, in its working
directory, next to itself, and at Gradescope's results path. The grader must ignore all of them.
"""

import json
import os
from pathlib import Path

FAKE = {"score": 100, "max_score": 20, "execution_time": 0,
        "tests": [{"name": "everything", "score": 100, "max_score": 20, "status": "passed"}]}
FAKE_CSV = "submission,total,max,ex01_convolutions,notes\nfake_results,100,20,100,\n"


def _guessed_paths():
    here = Path(__file__).resolve().parent
    yield Path.cwd() / "results.json"
    yield here / "results.json"
    yield Path("/autograder/results/results.json")
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().decode(errors="ignore").split("\0")
        except OSError:
            continue
        if "keras_vision.grade" not in words or "--out" not in words:
            continue
        out = Path(words[words.index("--out") + 1])
        if not str(out.resolve()).startswith("/tmp/"):
            continue
        if out.suffix:  # an output file
            yield out
        else:  # a batch folder
            yield out / "gradebook.csv"
            yield out / f"{here.name}.json"


def _write_fakes():
    for path in _guessed_paths():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(FAKE_CSV if path.suffix == ".csv" else json.dumps(FAKE))
        except OSError:
            pass


_write_fakes()


def normalize_images(images):
    _write_fakes()
    raise NotImplementedError("ex01.normalize_images: not done")


def apply_filter(image, kernel):
    raise NotImplementedError("ex01.apply_filter: not done")


def vertical_edge_kernel():
    raise NotImplementedError("ex01.vertical_edge_kernel: not done")


def max_pool(image, size=2):
    raise NotImplementedError("ex01.max_pool: not done")


def build_classic_cnn(input_shape=(28, 28, 1), num_classes=10):
    raise NotImplementedError("ex01.build_classic_cnn: not done")


def conv_output_shape(input_shape, layers):
    _write_fakes()
    os.environ["KERAS_VISION_SCORE"] = "100"
    raise NotImplementedError("ex01.conv_output_shape: not done")
