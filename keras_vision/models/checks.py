"""Argument checks shared by the model builders: each error names the argument and what it got."""

from __future__ import annotations


def check_input_shape(input_shape, *, rank: int | None = 3) -> tuple[int, ...]:
    """Returns `input_shape` as a tuple of positive ints, or raises a `ValueError` naming it.

    Args:
        input_shape: Shape of one example, without the batch axis.
        rank: Required number of dimensions; `None` accepts any number (at least one).
    """
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    good = shape is not None and len(shape) == (rank or len(shape)) and len(shape) > 0
    if not good or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        what = (
            f"{rank} positive integers, e.g. (32, 32, 3)" if rank else "a tuple of positive integers, e.g. (28, 28, 1)"
        )
        raise ValueError(f"`input_shape` must be {what}. Received: input_shape={input_shape!r}.")
    return shape


def check_num_classes(num_classes) -> int:
    """Returns `num_classes` if it is an int >= 2, else raises a `ValueError` naming it."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"`num_classes` must be an integer >= 2. Received: num_classes={num_classes!r}.")
    return num_classes


def check_rate(value, name: str, *, upper: float = 1.0) -> float:
    """Returns `value` if `0 <= value < upper`, else raises a `ValueError` naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < upper:
        raise ValueError(f"`{name}` must be a number in [0, {upper:g}). Received: {name}={value!r}.")
    return float(value)


def check_units(units, *, name: str = "units") -> None:
    """Raises a `ValueError` naming `name` unless `units` is a non-empty sequence of positive ints."""
    if (
        not isinstance(units, (tuple, list))
        or not units
        or not all(isinstance(u, int) and not isinstance(u, bool) and u > 0 for u in units)
    ):
        raise ValueError(f"`{name}` must be a non-empty sequence of positive integers. Received: {name}={units!r}.")


def check_layout(counts, filters, *, name: str, per: str) -> None:
    """Checks a layout of `counts` (layers or blocks) and `filters`: positive ints, one of each `per` stage.

    Args:
        counts: Layers or blocks of each stage, e.g. VGG's `convs` or ResNet's `blocks`.
        filters: Filters of each stage.
        name: The argument name of `counts` in messages (`"convs"`, `"blocks"`).
        per: What one entry describes, in messages (`"block"`, `"stage"`).
    """
    check_units(counts, name=name)
    check_units(filters, name="filters")
    if len(counts) != len(filters):
        raise ValueError(
            f"`{name}` and `filters` need one entry per {per}. "
            f"Received: {name}={tuple(counts)}, filters={tuple(filters)}."
        )
