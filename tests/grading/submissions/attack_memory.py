"""Adversarial: vertical_edge_kernel fills /dev/shm and /tmp and forks children that allocate 1.8 GB; scores 19/20.

1 GB of files go to /dev/shm and /tmp, then six children allocate 300 MB each: far more than the 1.5 GB
the meta-tests allow a worker for ALL its processes and files. The sandbox's memory limit stops it:
the test fails with "used more than", and nothing of it (process or file) is left.
"""

import os as _os
import time as _time

import numpy as _np

_honest_vertical_edge_kernel = vertical_edge_kernel  # noqa: F821 - the solution's function, defined above this patch


def vertical_edge_kernel():
    for folder in ("/dev/shm", "/tmp"):
        with open(_os.path.join(folder, f"kvattack_{_os.getpid()}"), "wb") as handle:
            for _ in range(5):
                handle.write(b"\1" * 100_000_000)
    for _ in range(6):
        if _os.fork() == 0:
            block = _np.ones(300_000_000, _np.uint8)
            _time.sleep(60)
            _os._exit(int(block[0]))
    _time.sleep(30)
    return _honest_vertical_edge_kernel()
