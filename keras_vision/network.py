"""Can this machine download? One quick check shared by datasets and pretrained weights.

Keras downloads datasets and ImageNet weights from Google Cloud Storage. Without a network such a
download can hang on DNS or a connect for minutes, so callers ask `downloads_available()` first and
fail fast with guidance instead.
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path

#: Host of keras.datasets and keras.applications downloads.
DOWNLOAD_HOST = "storage.googleapis.com"


@functools.cache
def downloads_available(host: str = DOWNLOAD_HOST, port: int = 443, timeout: float = 3.0) -> bool:
    """Returns True when a TCP connection to `host:port` opens within `timeout` seconds.

    The answer is cached for the life of the process; call `downloads_available.cache_clear()` to
    ask again. Setting `KERAS_VISION_OFFLINE=1` answers False without trying (tests, air-gapped
    machines).
    """
    if os.environ.get("KERAS_VISION_OFFLINE", "") not in ("", "0"):
        return False
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def keras_home() -> Path:
    """The Keras cache folder: `$KERAS_HOME` if set (read now), else `~/.keras` (or `/tmp/.keras`
    when the home folder is read-only), as `keras.src.backend.config` resolves it at import time.

    Datasets are cached in `keras_home() / "datasets"`, pretrained weights in `keras_home() / "models"`.
    """
    if os.environ.get("KERAS_HOME"):
        return Path(os.environ["KERAS_HOME"]).expanduser()
    home = Path("~").expanduser()
    return (home if os.access(home, os.W_OK) else Path("/tmp")) / ".keras"


def keras_datasets_dir() -> Path:
    """`$KERAS_HOME/datasets`: where `keras.datasets` caches downloaded files."""
    return keras_home() / "datasets"
