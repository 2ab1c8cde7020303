"""What every benchmark shares: where the real data is, and how its JSON report is written."""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def default_data_dir() -> Path:
    """`$KERAS_VISION_SHARED`, else `../shared/data` beside the repository."""
    return Path(os.environ.get("KERAS_VISION_SHARED", REPO.parent / "shared" / "data"))


def write_report(report: dict, path: Path | None) -> dict:
    """Prints `report` as indented JSON and, when `path` is given, writes the same text there."""
    text = json.dumps(report, indent=2)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    return report
