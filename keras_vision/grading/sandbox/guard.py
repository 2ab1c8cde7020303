"""The runtime half of the own-work check: inside the worker, a declared function cannot reach the
modules it must not use, however it spells the way there.

The static check (`keras_vision.grading.testkit.ownwork`) reads the submission and follows names;
code can hide a name (`print.__self__.__import__("cv2")`, a dict filled at run time, a module
`__getattr__`). This guard watches what the code *does* while a declared function runs
(`OwnWorkGuard.forbidding(prefixes)`), in every thread and forked process of the worker:

- calls: a profile function (`sys.setprofile`, and `threading.setprofile` for the student's
  threads, also those started before the call) sees every Python call and every call of a C function;
  a callee whose module (`frame.f_globals["__name__"]`, or a builtin's `__module__`) is one of the
  forbidden prefixes is refused;
- imports: an audit hook (`sys.addaudithook`, which code cannot remove) refuses the import of a
  forbidden module, the start of a program (`subprocess`, `os.exec*`, `os.system`, `posix_spawn`) and
  the replacement of the profile function (`sys.setprofile`, `sys.settrace`) while a declared
  function runs;
- forks: a process forked by the student (a helper started at import, waiting for work) forbids
  every declared prefix for the rest of its life, and ends at once when it reaches one;
- threads: a helper thread (a server started at import, waiting for jobs) is watched like the
  caller, but a refusal there does not raise (CPython drops a thread's profile function when it
  raises, and the helper would serve the next call unwatched): the thread is parked for good, the
  caller is interrupted, and every later declared call of the worker is refused. A declared call
  does not start while a thread the guard cannot watch is alive (one started through `_thread`
  aliases the guard does not wrap, or one that removed its own profile function).

A refusal raises `OwnWorkViolation` where it happens and is also recorded: even if the student's
code catches it, the call's result is refused with the message (`OwnWorkGuard.violation`).
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time

#: Audit events that start another program; refused while a declared function runs.
PROGRAM_EVENTS = ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.popen", "pty.spawn")
#: Audit events that would switch the guard's profile function off.
PROFILE_EVENTS = ("sys.setprofile", "sys.settrace")


BUILTIN_TYPES = (type(len), type(sys.getprofile))


class OwnWorkViolation(ImportError):
    """A declared function reached a module it must not use (an ImportError, as a missing module would)."""


def matches(name: str, prefixes: tuple[str, ...]) -> bool:
    """True when the dotted `name` is one of `prefixes` or inside one."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


class OwnWorkGuard:
    """One per worker process; `install()` before the student's module is imported."""

    def __init__(self):
        self.active: tuple[str, ...] = ()
        self.function = ""
        self.violation: str | None = None
        self.everything: tuple[str, ...] = ()
        self._installed = False
        self._in_forked_child = False
        self._hook = self._profile  # one bound method, so that `sys.getprofile() is self._hook` holds
        self._builtins: dict[int, str] = {}  # id of a C function -> the forbidden module that holds it
        self._indexed = (0, ())
        self.tainted: str | None = None  # a helper thread reached a forbidden module: refuse every later call
        self._caller = 0  # the thread running the declared function
        self._watched: set[int] = set()  # threads started since `install`, with the profile function
        self._before: set[int] = set()  # threads of the worker's own imports, before any student code

    def install(self, everything: tuple[str, ...]) -> None:
        """Hooks the process: audit hook, profile for new threads, the fork rule.

        Args:
            everything: Every prefix any declared function forbids (what a forked helper may not use).
        """
        self.everything = tuple(everything)
        if self._installed:
            return
        self._installed = True
        self._before = set(sys._current_frames())
        sys.addaudithook(self._audit)
        threading.setprofile(self._hook)
        original = _thread.start_new_thread

        def start_new_thread(function, args, kwargs=None):  # raw threads get the profile too
            def run(*inner_args, **inner_kwargs):
                ident = _thread.get_ident()
                self._watched.add(ident)
                sys.setprofile(self._hook)
                try:
                    return function(*inner_args, **inner_kwargs)
                finally:
                    self._watched.discard(ident)

            return original(run, args, kwargs or {})

        _thread.start_new_thread = start_new_thread
        threading._start_new_thread = start_new_thread
        os.register_at_fork(after_in_child=self._forked)

    def start(self, function: str, prefixes: tuple[str, ...]) -> str | None:
        """From now until `stop()`, `function` may not reach `prefixes` (nothing when empty).

        Returns:
            None, or why the call is refused before it starts (do not call the function then): a
            helper thread reached a forbidden module earlier, or a thread the guard cannot watch is alive.
        """
        self.violation = None
        if not prefixes:
            return None
        self.function, self._caller = function, _thread.get_ident()
        if self.tainted is not None:
            self.violation = (
                f"`{function}` must be your own work: a thread of your module {self.tainted}; from then on the "
                "grader refuses your functions that must be your own work. Write that part yourself, in the function."
            )
        elif self._unwatched_threads():
            self.violation = (
                f"`{function}` must be your own work: your module keeps a thread running that the grader cannot "
                "watch (started with a low-level `_thread` call, or one that switched off the grader's watch). "
                f"Do the work in `{function}` itself."
            )
        if self.violation is not None:
            return self.violation
        self._index_builtins(tuple(prefixes))
        sys.setprofile(self._hook)
        self.active = tuple(prefixes)
        return None

    def _unwatched_threads(self, wait: float = 1.0) -> set[int]:
        """Threads alive now that the guard did not start (nor find before the student's import); a thread
        just started gets `wait` seconds to take on the profile function."""
        deadline = time.monotonic() + wait
        while True:
            unwatched = set(sys._current_frames()) - self._watched - self._before - {self._caller}
            if not unwatched or time.monotonic() > deadline:
                return unwatched
            time.sleep(0.01)

    def stop(self) -> str | None:
        """Ends the watch; returns the violation message (None when the function kept to its own work).

        A watch that was switched off from inside (the prefixes or the profile function changed) is a
        violation too.
        """
        expected, self.active = self.active, ()
        intact = sys.getprofile() is self._hook or not expected
        sys.setprofile(None)
        if self.violation is None and not intact:
            self.violation = (
                f"`{self.function}` must be your own work: while it ran, your code switched off the grader's "
                "watch of what it uses. Remove that code."
            )
        return self.violation

    def _index_builtins(self, prefixes: tuple[str, ...]) -> None:
        """Maps the C functions of the loaded forbidden modules to their module (some carry no name of it)."""
        if self._indexed == (len(sys.modules), prefixes):
            return
        index = {}
        for name, module in list(sys.modules.items()):
            if module is None or not matches(name, prefixes):
                continue
            for value in list(getattr(module, "__dict__", {}).values()):
                if isinstance(value, BUILTIN_TYPES):
                    index[id(value)] = name
        self._builtins, self._indexed = index, (len(sys.modules), prefixes)

    # -- hooks -------------------------------------------------------------------------------
    def _refuse(self, what: str) -> None:
        message = (
            f"`{self.function}` must be your own work: while it ran, your code {what} "
            f"({', '.join(self.active)} may not be used in `{self.function}`). Write that part yourself, as "
            "the exercise's docstring describes (for array code: the loops with NumPy)."
        )
        if self.violation is None:
            self.violation = message
        if self._in_forked_child:  # nobody there reports the violation, and a raise would end the watch
            os._exit(70)
        if _thread.get_ident() != self._caller:
            self._park(what)
        raise OwnWorkViolation(message)

    def _park(self, what: str) -> None:
        """In a helper thread: no raise (it would drop this thread's watch); the thread waits for good,
        the caller is interrupted, and every later declared call is refused."""
        self.tainted = f"{what} while `{self.function}` ran"
        if self.active:
            try:
                os.kill(os.getpid(), signal.SIGINT)  # wakes the caller if it waits for this thread's answer
            except OSError:
                pass
        while True:
            try:
                time.sleep(3600)
            except BaseException:  # noqa: BLE001, S112 - an exception sent to this thread must not free it
                continue

    def _profile(self, frame, event, arg):
        if not self.active or _trusted(frame):
            return
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            if isinstance(module, str) and matches(module, self.active):
                self._refuse(f"called {module}.{frame.f_code.co_name}")
        elif event == "c_call":
            module = getattr(arg, "__module__", None)
            if not isinstance(module, str):
                owner = getattr(arg, "__self__", None)
                module = getattr(type(owner), "__module__", None) if owner is not None else None
                if isinstance(owner, type(sys)):  # a module's builtin function (cv2.filter2D)
                    module = owner.__name__
            if not isinstance(module, str):
                module = self._builtins.get(id(arg))  # cv2.filter2D: no __module__, no __self__
            if isinstance(module, str) and matches(module, self.active):
                self._refuse(f"called {module}.{getattr(arg, '__name__', '?')}")
            if arg in (sys.setprofile, sys.settrace, threading.setprofile, threading.settrace) and not self._own_hook(
                frame
            ):
                self._refuse("tried to switch off the grader's watch")

    def _audit(self, event: str, args) -> None:
        if event in PROFILE_EVENTS and _thread.get_ident() in self._watched and not self._own_hook(sys._getframe(1)):
            self._watched.discard(_thread.get_ident())  # its profile is the student's now: not watched
        if not self.active:
            return
        if event in PROFILE_EVENTS:
            if self.violation is not None:
                return  # the interpreter switching the profile off after a refusal (already recorded)
            if self._own_hook(sys._getframe(1)):
                return  # the guard's own profile, or a new thread taking it on
        if event == "import" and args and isinstance(args[0], str) and matches(args[0], self.active):
            self._refuse(f"imported {args[0]}")
        elif event in PROGRAM_EVENTS:
            self._refuse("started another program")
        elif event in PROFILE_EVENTS:
            self._refuse("tried to switch off the grader's watch")

    def _own_hook(self, frame) -> bool:
        """True when `frame` sets the guard's own profile: the guard itself, or a new thread's start in
        `threading` while threading's hook is still the guard's (the student may have replaced it)."""
        if _trusted(frame):
            return True
        return (
            frame.f_code.co_filename == threading.__file__ and getattr(threading, "_profile_hook", None) is self._hook
        )

    def _forked(self) -> None:
        """In a child the student forked: every declared prefix is forbidden for good."""
        self._in_forked_child = True
        if self.everything:
            sys.setprofile(self._hook)
            self.function, self.active = self.function or "the declared functions", self.everything


#: The worker's own package: its calls (and calls into it: the codec encoding a value) are not watched.
TRUSTED_PACKAGE = "keras_vision.grading.sandbox."


def _trusted(frame) -> bool:
    name = frame.f_globals.get("__name__", "")
    return isinstance(name, str) and name.startswith(TRUSTED_PACKAGE)


#: The worker's guard (one per process).
GUARD = OwnWorkGuard()
