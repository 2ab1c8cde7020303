"""A quiet start: TensorFlow's native start-up chatter is kept off the terminal.

Importing TensorFlow 2.21 on a CPU machine writes a dozen lines to the process's stderr from C++
(absl's "All log messages before absl::InitializeLog()", oneDNN, "Could not find cuda drivers",
"failed call to cuInit"), twice, and `TF_CPP_MIN_LOG_LEVEL` no longer silences them. The command
lines call `import_tensorflow_quietly()` after printing their own first line: it imports TensorFlow
and lists its devices with file descriptor 2 pointed at a temporary file, then restores it. If the
import fails, the captured text is written out, so nothing that explains a failure is lost.
`KERAS_VISION_DEBUG=1` shows everything, as it comes. Plain Python until called.
"""

from __future__ import annotations

import os
import sys
import tempfile

DEBUG_VARIABLE = "KERAS_VISION_DEBUG"


def import_tensorflow_quietly() -> None:
    """Imports TensorFlow (and initialises its devices) without its native start-up messages.

    Does nothing special when `KERAS_VISION_DEBUG` is set or TensorFlow is already imported.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if os.environ.get(DEBUG_VARIABLE) or "tensorflow" in sys.modules:
        import tensorflow  # noqa: F401  (imported for its side effects, with its messages)

        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()  # the CUDA probe ("failed call to cuInit") happens here
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
