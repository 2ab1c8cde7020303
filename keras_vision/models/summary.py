"""A model's architecture as data: one row per layer, for metrics files and comparisons."""

from __future__ import annotations

import keras


def layer_table(model: keras.Model) -> list[dict]:
    """Describes every layer: name, type, output shape (without the batch axis) and parameter count.

    Unlike `model.summary()` text, the rows are stable across Keras versions and easy to compare or
    write to JSON, e.g. `{"name": "block1_conv", "type": "Conv2D", "output_shape": [26, 26, 64],
    "params": 640}`.
    """
    rows = []
    for layer in model.layers:
        shape = layer.output.shape if hasattr(layer, "output") else None
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": list(shape[1:]) if shape is not None else None,
                "params": int(layer.count_params()),
            }
        )
    return rows


def format_layer_table(rows: list[dict]) -> str:
    """Renders `layer_table` rows as an aligned text table with the total parameter count."""
    lines = [f"{'layer':<14} {'type':<14} {'output shape':<16} {'params':>9}"]
    for row in rows:
        shape = "x".join(map(str, row["output_shape"] or []))
        lines.append(f"{row['name']:<14} {row['type']:<14} {shape:<16} {row['params']:>9,}")
    lines.append(f"{'total':<46} {sum(r['params'] for r in rows):>9,}")
    return "\n".join(lines)
