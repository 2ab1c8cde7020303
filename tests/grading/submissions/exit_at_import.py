"""Calls sys.exit(3) while being imported: every test fails with "called sys.exit(3)"; scores 0/20."""

import sys

sys.exit(3)
