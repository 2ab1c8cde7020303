"""The worker: imports ONE student module and calls its functions on request.

    python -m keras_vision.grading.sandbox.worker --module ex01_convolutions --path FILE \
        --requests FD --replies FD

This is the only process that runs student code, and it runs none until the grader's first
message says so (the grader starts workers early and imports its own modules meanwhile). It then
imports the module and reads framed JSON requests
`{"function": name, "args": ..., "kwargs": ...}` from the `--requests` pipe and writes one framed
JSON reply per request to the `--replies` pipe (see `keras_vision.grading.sandbox.codec`); its stdout and
stderr belong to the student and are drained by the grader. The first reply says whether the
module imported. Replies:

    {"kind": "preloaded"}                      the worker's own imports are done (sent unasked)
    {"kind": "ready"}                          the module imported
    {"kind": "import_error", "message": ...}   it did not (the worker then exits)
    {"kind": "result", "value": ...}           the function returned (value encoded by the codec)
    {"kind": "exception", "message": ...}      the function raised (or called sys.exit)
    {"kind": "error", "message": ...}          no such function, or a return value the codec refuses
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import sys
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_vision.grading.sandbox import codec  # noqa: E402
from keras_vision.grading.sandbox.framing import read_message, write_message  # noqa: E402
from keras_vision.grading.sandbox.guard import GUARD  # noqa: E402

#: Bytes of the student's file scanned for the word keras (the grader refuses larger files anyway).
MAX_PRELOAD_SCAN_BYTES = 2_000_000
#: How many of the student's own stack frames a failure message shows.
MAX_FRAMES = 4


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Runs the functions of one student module on request.")
    parser.add_argument("--module", required=True, help="Module name, e.g. ex01_convolutions.")
    parser.add_argument("--path", required=True, type=Path, help="The student's file.")
    parser.add_argument("--requests", required=True, type=int, help="File descriptor to read requests from.")
    parser.add_argument("--replies", required=True, type=int, help="File descriptor to write replies to.")
    args = parser.parse_args(argv)
    requests, replies = args.requests, args.replies
    preload_libraries(args.path)
    _reply(replies, {"kind": "preloaded"})
    go_ahead = read_message(requests)  # the grader's go-ahead: its own imports are done
    if go_ahead is None:
        return 0
    own_work = own_work_of(go_ahead)
    GUARD.install(tuple(dict.fromkeys(p for prefixes in own_work.values() for p in prefixes)))
    module, problem = import_student_module(args.module, args.path)
    if module is None:
        _reply(replies, {"kind": "import_error", "message": problem})
        return 0
    _reply(replies, {"kind": "ready"})
    while True:
        data = read_message(requests)
        if data is None:
            return 0
        _reply(replies, handle_request(module, args.module, args.path, data, own_work))


def preload_libraries(path: Path) -> None:
    """Imports Keras before any student code runs, when the student's file mentions it.

    Importing TensorFlow takes seconds. The grader starts workers early, so this overlaps with
    its own imports, and it keeps the import out of the time limit of the first test that builds
    a model (for code that imports Keras inside a function). Only the file's text is read.
    """
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_PRELOAD_SCAN_BYTES).decode("utf-8", errors="ignore")
    except OSError:
        return
    if re.search(r"\b(keras|tensorflow)\b", text):
        try:
            import keras  # noqa: F401 - conditional (only for files that mention it), so not at the top
        except Exception:  # noqa: BLE001 - the student's import will report the problem
            pass


def import_student_module(name: str, path: Path):
    """Imports the file `path` as module `name`.

    Returns:
        `(module, None)`, or `(None, message)` naming the file, line and reason of the failure.
    """
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None, f"{path.name} cannot be imported as a Python module."
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        text = (error.text or "").rstrip()
        return None, (f"{path.name} has a syntax error at line {error.lineno}: {error.msg}.\n    {text.strip()}")
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
        return None, f"{path.name} could not be imported: it {describe_exception(error)}" + _where(error, path)
    finally:
        _flush()
    return module, None


def own_work_of(go_ahead: bytes) -> dict[str, tuple[str, ...]]:
    """The `OWN_WORK` declaration the grader sent with the go-ahead: `{function: forbidden prefixes}`."""
    try:
        declared = json.loads(go_ahead).get("own_work") or {}
        return {str(name): tuple(str(p) for p in prefixes) for name, prefixes in declared.items()}
    except (ValueError, AttributeError, TypeError):
        return {}


def handle_request(module, module_name: str, path: Path, data: bytes, own_work: dict | None = None) -> dict:
    """Calls the requested function and turns the outcome into a reply.

    A function declared in `own_work` runs (and its value is encoded) under the worker's
    `keras_vision.grading.sandbox.guard.GUARD`: reaching a forbidden module fails the call.
    """
    request = json.loads(data)
    function_name = request["function"]
    args = codec.decode(request.get("args", []))
    kwargs = codec.decode(request.get("kwargs", {"$dict": []}))
    function = getattr(module, function_name, None)
    qualified = f"{module_name}.{function_name}"
    if not callable(function):
        return {
            "kind": "error",
            "message": f"{path.name} has no function {function_name}(); define it with exactly this name.",
        }
    try:
        seed_everything()
    except BaseException as error:  # noqa: BLE001 - the student replaced random.seed, numpy.random or keras
        _flush()
        return {
            "kind": "exception",
            "message": f"{qualified}: seeding the random numbers before the call failed: it "
            f"{describe_exception(error)}. Does your code replace random.seed, numpy.random or "
            "keras.utils.set_random_seed?",
        }
    refused = GUARD.start(function_name, (own_work or {}).get(function_name, ()))
    if refused is not None:
        return {"kind": "exception", "message": refused}
    try:
        value = function(*args, **kwargs)
        encoded = codec.encode(value)  # under the guard too: encoding may run the value's own methods
    except codec.CodecError as error:
        reply = {"kind": "error", "message": f"{qualified} returned a value the grader cannot read. {error}"}
    except BaseException as error:  # noqa: BLE001 - the student's SystemExit must not end the worker
        reply = {"kind": "exception", "message": f"{qualified} {describe_exception(error)}" + _where(error, path)}
    else:
        reply = {"kind": "result", "value": encoded}
    violation = GUARD.stop()
    _flush()
    if violation is not None:
        return {"kind": "exception", "message": violation}
    return reply


def seed_everything(seed: int = 0) -> None:
    """Seeds Python's, NumPy's and (when imported) Keras' random numbers before every call.

    A student's model then starts from the same weights on every run and in every order of the
    tests, so a borderline check (a loss that must fall below a limit) gives the same grade twice.
    """
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed)
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.utils.set_random_seed(seed)


def describe_exception(error: BaseException) -> str:
    """`"called sys.exit(3)"`, `"raised ValueError: ..."`: what the student's code did."""
    if isinstance(error, SystemExit):
        return f"called sys.exit({error.code!r}); return a value instead of exiting."
    if isinstance(error, KeyboardInterrupt):
        return "raised KeyboardInterrupt."
    message = str(error)
    return f"raised {type(error).__name__}" + (f": {message}" if message else ".")


def _where(error: BaseException, path: Path) -> str:
    """The student's own frames of the traceback, with the failing lines."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).parent == path.parent]
    if not frames:
        return ""
    lines = [
        f'\n  File "{Path(f.filename).name}", line {f.lineno}, in {f.name}\n    {(f.line or "").strip()}'
        for f in frames[-MAX_FRAMES:]
    ]
    return "".join(lines)


def _reply(fd: int, message: dict) -> None:
    write_message(fd, json.dumps(message, allow_nan=False).encode())


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - the student may have replaced or closed the stream
            pass


if __name__ == "__main__":
    sys.exit(main())
