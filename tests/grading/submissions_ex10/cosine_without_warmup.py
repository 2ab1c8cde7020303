"""cosine_learning_rate ignores the warm-up: half of the visible cosine test (the no-warm-up check passes) and
the hidden one lost; scores 19.5/22."""

import math


def cosine_learning_rate(step, *, initial_lr, total_steps, warmup_steps=0, alpha=0.0):
    t = min(step, total_steps)
    return float(initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + math.cos(math.pi * t / total_steps))))
