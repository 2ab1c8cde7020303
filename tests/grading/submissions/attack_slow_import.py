"""Adversarial: sleeps for ten minutes while being imported; scores 0/20.

The import is charged to the first test's 8 s; the module then fails every test with that reason
without being imported again, so the whole submission costs one time limit, not one per test.
"""

import time as _time

_time.sleep(600)
