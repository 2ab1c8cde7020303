"""Test-wide setup: offline, quiet, and never touching the user's Keras cache or data.

`KERAS_HOME` points at a fresh temporary folder before Keras is imported, and `KERAS_VISION_DATA`
is cleared, so that every loader test sees only the files it writes itself; downloads are off.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="keras_vision_test_home_")
atexit.register(shutil.rmtree, os.environ["KERAS_HOME"], ignore_errors=True)
os.environ.pop("KERAS_VISION_DATA", None)
os.environ["KERAS_VISION_OFFLINE"] = "1"  # never download, even on a networked machine

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("KERAS_VISION_SHARED", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets of `../shared/data`; tests using it are skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (set KERAS_VISION_SHARED)")
    return SHARED_DATA


@pytest.fixture
def offline_data(monkeypatch, tmp_path):
    """A per-test empty Keras cache, no `KERAS_VISION_DATA`, and no download, whatever the network."""
    from keras_vision import network

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("KERAS_VISION_DATA", raising=False)
    monkeypatch.setattr(network, "downloads_available", lambda *args, **kwargs: False)
