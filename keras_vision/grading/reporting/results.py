"""Results of grading, as small dataclasses with `to_dict()` (the output formats read these)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

VISIBILITIES = ("visible", "hidden", "after_due_date")


@dataclass
class TestResult:
    """One graded test.

    `status` is `"passed"` or `"failed"`; a failed test may still earn partial credit (`score`).
    `message` teaches what was wrong (empty when passed).
    """

    __test__ = False  # not a pytest test class

    name: str
    module: str
    nodeid: str
    max_score: float
    score: float = 0.0
    status: str = "failed"
    visibility: str = "visible"
    message: str = ""
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def hidden(self) -> bool:
        return self.visibility != "visible"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TestResult:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class ModuleResult:
    """All graded tests of one exercise module."""

    module: str
    tests: list[TestResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 4)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 4)

    def to_dict(self) -> dict:
        return {
            "module": self.module,
            "score": self.score,
            "max_score": self.max_score,
            "tests": [t.to_dict() for t in self.tests],
        }


@dataclass
class NotRun:
    """Tests of a module that this run did not include (the student copy has no hidden tests)."""

    module: str
    visibility: str
    tests: int
    points: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SubmissionResult:
    """Everything graded for one submission (one target).

    `sandbox` names where its code ran (`"bwrap"`, `"none"`; empty when unknown). `notes` tell the
    student how the submission was read (a notebook's cells left out), `errors` are the grader's.
    """

    submission: str
    target: str
    modules: list[ModuleResult] = field(default_factory=list)
    execution_time: float = 0.0
    not_run: list[NotRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sandbox: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(m.score for m in self.modules), 4)

    @property
    def max_score(self) -> float:
        return round(sum(m.max_score for m in self.modules), 4)

    @property
    def tests(self) -> list[TestResult]:
        return [t for m in self.modules for t in m.tests]

    def module(self, name: str) -> ModuleResult | None:
        return next((m for m in self.modules if m.module == name), None)

    def to_dict(self) -> dict:
        return {
            "submission": self.submission,
            "target": self.target,
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 2),
            "modules": [m.to_dict() for m in self.modules],
            "not_run": [n.to_dict() for n in self.not_run],
            "errors": list(self.errors),
            "sandbox": self.sandbox,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        """Rebuilds a result written by `to_dict()` (for reports made from saved JSON)."""
        modules = [ModuleResult(m["module"], [TestResult.from_dict(t) for t in m["tests"]]) for m in data["modules"]]
        return cls(
            data["submission"],
            data["target"],
            modules,
            execution_time=data.get("execution_time", 0.0),
            not_run=[NotRun(**n) for n in data.get("not_run", [])],
            errors=list(data.get("errors", [])),
            sandbox=data.get("sandbox", ""),
            notes=list(data.get("notes", [])),
        )

    @classmethod
    def from_tests(cls, submission: str, target: str, tests: list[TestResult], **kwargs) -> SubmissionResult:
        """Groups `tests` by module, keeping the order in which modules first appear."""
        modules: dict[str, ModuleResult] = {}
        for test in tests:
            modules.setdefault(test.module, ModuleResult(test.module)).tests.append(test)
        return cls(submission, target, sorted(modules.values(), key=lambda m: m.module), **kwargs)
