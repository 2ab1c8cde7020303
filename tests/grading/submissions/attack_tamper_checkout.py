"""Adversarial: looks for the checkout and the classmates' folders, reads the hidden tests, and rewrites what it can; scores 11/20.

At import it searches upward from the library it imports, from its working folder and from its own
file for `solutions/`, `tests/graded/` and sibling submission folders; it overwrites classmates'
exercise files with `raise SystemExit`, appends a failing line to the library and to the graded tests,
and saves the hidden tests next to itself. In the sandbox it sees none of those files (the library is
read-only), and classmates keep theirs. Its functions are the solution's, but a file that searches
for `.py` files is reading other code: the own-work tests of apply_filter and max_pool (9 points) fail.
"""

from pathlib import Path as _Path

import keras_vision as _kv

_roots = {_Path(_kv.__file__).resolve().parent, _Path.cwd().resolve(), _Path(__file__).resolve().parent}
_roots |= {parent for root in list(_roots) for parent in root.parents}
for _root in sorted(_roots):
    for _victim in [*_root.glob("*/ex01_convolutions.py"), _root / "keras_vision" / "convolution.py",
                    _root / "tests" / "graded" / "test_ex01_convolutions.py", _root / "solutions" / "ex01_convolutions.py"]:
        if _victim.resolve() == _Path(__file__).resolve() or not str(_victim.resolve()).startswith("/tmp/"):
            continue
        try:
            with open(_victim, "a") as _handle:
                _handle.write("\nraise SystemExit('tampered by attack_tamper_checkout')\n")
        except OSError:
            pass
    _hidden = _root / "tests" / "graded" / "hidden"
    if _hidden.is_dir():
        for _test in _hidden.glob("*"):
            try:
                (_Path(__file__).parent / _test.name).write_bytes(_test.read_bytes())
            except OSError:
                pass
