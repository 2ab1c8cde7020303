"""Architecture specs on the command line: `NAME[:KEY=VALUE...]`, alone or as a comma list."""

from __future__ import annotations

from keras_vision.errors import UsageError
from keras_vision.transfer.applications import get_application


def parse_arch_spec(spec: str) -> tuple[str, dict]:
    """Splits an architecture spec `NAME[:KEY=VALUE[:KEY=VALUE...]]` into name and builder kwargs.

    `"mobilenet:alpha=0.25"` -> `("mobilenet", {"alpha": 0.25})`. Values are read as int, then
    float, else kept as text.

    Raises:
        UsageError: (a `ValueError`) for an unregistered name (the message lists the valid ones)
            or a malformed `KEY=VALUE`.
    """
    name, *options = [part.strip() for part in str(spec).split(":")]
    kwargs = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                f"Architecture options are KEY=VALUE after a colon, e.g. 'mobilenet:alpha=0.25'. Received: {spec!r}."
            )
        kwargs[key.strip()] = _number_or_text(value.strip())
    return get_application(name).name, kwargs


def _number_or_text(value: str):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def parse_arch_list(text: str) -> list[tuple[str, dict]]:
    """`"mobilenetv2, mobilenet:alpha=0.25"` -> `[("mobilenetv2", {}), ("mobilenet", {"alpha": 0.25})]`."""
    specs = [part.strip() for part in str(text).split(",") if part.strip()]
    if not specs:
        raise UsageError(f"--arch needs at least one architecture, e.g. mobilenetv2,mobilenet. Received: {text!r}.")
    return [parse_arch_spec(spec) for spec in specs]


def variant_name(arch: str, kwargs: dict) -> str:
    """`("mobilenet", {"alpha": 0.25})` -> `"mobilenet_alpha0.25"`: a folder and legend name."""
    return arch + "".join(f"_{key}{value}" for key, value in sorted(kwargs.items()))


def check_weights_for(specs: list, weights) -> None:
    """A weights FILE fits one architecture only: refuse it for a list of several."""
    if len(specs) > 1 and weights is not None and str(weights).lower() not in ("imagenet", "none"):
        raise UsageError(
            f"--weights {weights} is a file for one architecture, but --arch lists {len(specs)}. "
            "Pass one architecture with a weights file, or --weights imagenet / none for several."
        )
