"""`python -m keras_vision.grade`: grade exercises, generate them, or write the student handout.

A thin entry point; everything lives in `keras_vision.grading` (see `keras_vision.grading.cli`).
"""

import sys

from keras_vision.grading.cli import main

if __name__ == "__main__":
    sys.exit(main())
