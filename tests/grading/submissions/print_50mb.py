"""vertical_edge_kernel prints 50 MB before returning the right kernel: loses its test (1 point); scores 19/20."""

import sys

_quiet_vertical_edge_kernel = vertical_edge_kernel  # noqa: F821 - the solution's function, defined above this patch


def vertical_edge_kernel():
    for _ in range(50):
        sys.stdout.write("x" * 1_000_000)
    return _quiet_vertical_edge_kernel()
