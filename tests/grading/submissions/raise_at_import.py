"""Raises RuntimeError while being imported: every test fails with that error; scores 0/20."""

raise RuntimeError("this submission fails at import")
