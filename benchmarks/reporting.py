"""What every benchmark ends with: print its JSON result and write it to the --json file."""

from __future__ import annotations

import json
from pathlib import Path


def print_and_write(result: dict, path: Path | None) -> dict:
    """Prints `result` as indented JSON and, when `path` is given, writes the same text there."""
    text = json.dumps(result, indent=2)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
    return result
