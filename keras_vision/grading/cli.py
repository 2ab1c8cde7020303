"""The command line of the course layer: grade, generate exercises, write the student handout.

    python -m keras_vision.grade [--target exercises|solutions|PATH] [--format table|json|gradescope|junit]
                                 [--out FILE] [--timeout S] [--memory-mb M] [--batch] [--jobs N]
                                 [--sandbox auto|bwrap|none]
    python -m keras_vision.grade generate [--check]
    python -m keras_vision.grade handout --out DIR [--force]
    python -m keras_vision.grade gradescope [--out autograder.zip] [--modules ex01_convolutions]

Grading anything but this copy's own `exercises/` (a student checking their work) runs student
code in a bubblewrap sandbox (`--sandbox auto`, the default, or `bwrap`); without bubblewrap the
grader stops with exit code 2 and says what to install, unless `--sandbox none` is given, and then
every result says it was graded without one.

Every grading run starts with a preflight: one sandboxed worker on a known-good module. When it
fails, grading stops before anyone is scored.

Exit codes: 0 when grading completed (whatever the score); 1 when the grader itself failed during
the run (its runner died, its worker could not start twice): nothing is written; 2 for bad
arguments, a missing target, a missing sandbox or a failed preflight (one paragraph, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from keras_vision.errors import KerasVisionError
from keras_vision.files import atomic_path, write_text
from keras_vision.grading import targets
from keras_vision.grading.authoring.assign import generate_exercises
from keras_vision.grading.authoring.gradescope import write_bundle
from keras_vision.grading.authoring.handout import write_handout
from keras_vision.grading.reporting import formats
from keras_vision.grading.reporting.formats import FORMATS
from keras_vision.grading.running.grader import GradingOptions, grade_batch, grade_submission
from keras_vision.grading.sandbox.isolation import SANDBOX_NAMES, SandboxUnavailable, bwrap_problem
from keras_vision.grading.sandbox.preflight import preflight

SUBCOMMANDS = ("grade", "generate", "handout", "gradescope")


def main(argv: list[str] | None = None) -> int:
    """Runs `python -m keras_vision.grade`; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args and args[0] in SUBCOMMANDS else "grade"
    parsers = {
        "grade": grade_parser,
        "generate": generate_parser,
        "handout": handout_parser,
        "gradescope": gradescope_parser,
    }
    options = parsers[command]().parse_args(args)
    runs = {"grade": run_grade, "generate": run_generate, "handout": run_handout, "gradescope": run_gradescope}
    try:
        return runs[command](options)
    except KerasVisionError as error:
        print(f"keras_vision.grade: {error}", file=sys.stderr)
        return error.exit_code


def grade_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m keras_vision.grade",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Grade exercise files with the graded tests. Student code runs in worker processes "
        "with time, memory and output limits; scores are computed elsewhere.",
        epilog="Other commands: `python -m keras_vision.grade generate [--check]` writes exercises/ from "
        "solutions/; `python -m keras_vision.grade handout --out DIR` writes the student copy; "
        "`python -m keras_vision.grade gradescope --out autograder.zip` writes Gradescope's autograder.",
    )
    what = parser.add_argument_group("what to grade")
    what.add_argument(
        "--target",
        default=targets.default_target(),
        help="exercises, solutions, a folder of exNN_<topic>.py or .ipynb files, one such file, "
        "or a folder of submission folders (batch)",
    )
    what.add_argument(
        "--batch",
        action="store_true",
        help="treat TARGET as a folder of submissions (detected automatically when it holds no exercise file itself)",
    )
    what.add_argument("--tests", type=Path, default=targets.graded_tests_dir(), help="the graded tests")
    what.add_argument(
        "--modules",
        type=lambda text: tuple(m.strip() for m in text.split(",") if m.strip()),
        help="grade only these modules, comma-separated (one assignment), e.g. ex01_convolutions; "
        "default: every module with graded tests",
    )
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=FORMATS.names(), default="table")
    output.add_argument(
        "--out", type=Path, help="output file (a folder in batch mode; default: stdout, or ./grades in batch mode)"
    )
    output.add_argument(
        "--reveal-hidden",
        action="store_true",
        help="show the failure messages of hidden tests in the table (instructors)",
    )
    limits = parser.add_argument_group("limits")
    limits.add_argument("--timeout", type=positive(float), default=20.0, help="seconds of student code per test")
    limits.add_argument("--memory-mb", type=positive(int), default=3072, help="memory of a worker, MiB")
    limits.add_argument("--jobs", type=positive(int), default=1, help="submissions graded in parallel (batch mode)")
    limits.add_argument(
        "--sandbox",
        choices=SANDBOX_NAMES,
        default="auto",
        help="where student code runs: bwrap (bubblewrap namespaces), none (a plain subprocess: "
        "only for code you trust), or auto (bwrap; none only for the local exercises/)",
    )
    limits.add_argument(
        "--no-zygote",
        action="store_true",
        help="with bwrap, start a sandbox per worker instead of forking workers from one that imported "
        "Keras once (slower; each worker then also gets a /proc of its own, where a forked one sees, "
        "but cannot touch, the other workers' processes)",
    )
    return parser


def choose_sandbox(name: str, target: Path) -> str:
    """The sandbox backend to grade `target` with: `"bwrap"` or `"none"`.

    Raises:
        SandboxUnavailable: bwrap is needed (asked for, or `auto` on anything but the local
            exercises) and cannot run here; the message says what to install.
    """
    if name == "none":
        return "none"
    if bwrap_problem() is None:
        return "bwrap"
    local_exercises = targets.repo_root() / "exercises"
    if name == "auto" and (target == local_exercises.resolve() or target.parent == local_exercises.resolve()):
        return "none"
    raise SandboxUnavailable(f"Cannot grade {target} safely: {bwrap_problem()}")


def check_modules(modules: tuple[str, ...] | None, tests_dir: Path) -> None:
    """Refuses module names without graded tests, listing the valid ones."""
    known = sorted({targets.module_of_test_file(f) for f in targets.graded_test_files(tests_dir)})
    unknown = [m for m in modules or () if m not in known]
    if unknown:
        raise targets.TargetError(
            f"No graded tests for module(s) {', '.join(unknown)} in {tests_dir}. Valid modules: {', '.join(known)}."
        )


def positive(kind):
    """An argparse type: `kind(text)`, refused unless > 0."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, received {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, received {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def generate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m keras_vision.grade generate",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Write exercises/ from the marked regions of solutions/.",
    )
    parser.add_argument("--solutions", type=Path, default=targets.repo_root() / "solutions")
    parser.add_argument("--exercises", type=Path, default=targets.repo_root() / "exercises")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when exercises/ is out of date")
    return parser


def handout_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m keras_vision.grade handout",
        description="Write the student copy: library, exercises, visible tests, manifest.",
    )
    parser.add_argument("--out", type=Path, required=True, help="destination folder")
    parser.add_argument("--force", action="store_true", help="replace DIR if it exists")
    return parser


def gradescope_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m keras_vision.grade gradescope",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Write Gradescope's autograder bundle: setup.sh, run_autograder and the course "
        "(library and graded tests, hidden ones included; no solutions). Upload it as a Gradescope "
        "programming assignment's autograder (zip file).",
    )
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip file to write")
    parser.add_argument(
        "--modules",
        type=lambda text: tuple(m.strip() for m in text.split(",") if m.strip()),
        help="the modules of this assignment, comma-separated, e.g. ex01_convolutions; default: every module",
    )
    return parser


def run_gradescope(options) -> int:
    check_modules(options.modules, targets.graded_tests_dir())
    out = write_bundle(options.out, modules=options.modules)
    print(f"Wrote {out}: upload it in Gradescope (Configure Autograder > Zip file upload), then Update Autograder.")
    return 0


def run_grade(options) -> int:
    target = targets.resolve_target(options.target)
    if not targets.graded_test_files(options.tests):
        raise targets.TargetError(f"No graded tests (test_exNN_*.py) in {options.tests}. Pass --tests DIR.")
    check_modules(options.modules, options.tests)
    grading = GradingOptions(
        options.tests,
        timeout=options.timeout,
        memory_mb=options.memory_mb,
        modules=options.modules,
        sandbox=choose_sandbox(options.sandbox, target),
        zygote=not options.no_zygote,
    )
    preflight(grading.sandbox, memory_mb=options.memory_mb)
    render = formats.FORMATS.get(options.format)
    extra = {"reveal_hidden": options.reveal_hidden} if options.format == "table" else {}
    if options.batch or targets.is_batch(target):
        if not target.is_dir():
            raise targets.TargetError(f"--batch needs a folder of submission folders. Received: {target}.")
        results = grade_batch(target, grading, jobs=options.jobs)
        if not results:
            raise targets.TargetError(
                f"No submission folders (subfolders holding exNN_<topic>.py or .ipynb files) in {target}."
            )
        out = options.out or Path("grades")
        out.mkdir(parents=True, exist_ok=True)
        for result in results:
            write_text(out / f"{result.submission}{formats.SUFFIXES[options.format]}", render(result, **extra))
        with atomic_path(out / "gradebook.csv") as partial:
            formats.write_gradebook(results, partial)
        for result in results:
            note = f"  GRADER ERROR: {result.errors[0].splitlines()[0]}" if result.errors else ""
            score, top = formats.format_points(result.score), formats.format_points(result.max_score)
            print(f"{result.submission}: {score} / {top}{note}")
        print(f"Wrote {out / 'gradebook.csv'} and {len(results)} result files in {out}.")
        return 0
    name = (
        options.target
        if options.target in targets.NAMED_TARGETS
        else (target.stem if target.is_file() else target.name)
    )
    result = grade_submission(target, grading, name=name)
    text = render(result, **extra)
    if options.out:
        write_text(options.out, text)
        print("\n".join(formats.summary_lines(result)) + f"\nWrote {options.out}.")
    else:
        sys.stdout.write(text)
    return 1 if result.errors and not result.tests else 0


def run_generate(options) -> int:
    differences = generate_exercises(options.solutions, options.exercises, check=options.check)
    if options.check:
        if differences:
            print(
                "Exercises are out of date; run `python -m keras_vision.grade generate`:\n  "
                + "\n  ".join(differences),
                file=sys.stderr,
            )
            return 1
        print(f"{options.exercises} matches {options.solutions}.")
        return 0
    print(
        f"Wrote {options.exercises}." + (f" Updated: {'; '.join(differences)}." if differences else " Nothing changed.")
    )
    return 0


def run_handout(options) -> int:
    out = write_handout(options.out, force=options.force)
    print(f"Wrote the student handout to {out}.")
    return 0
