"""Exercise 10: error analysis, and two remedies: class weights and a learning-rate schedule.

A single accuracy hides where a classifier goes wrong. Error analysis looks at the mistakes:

1. The **confusion matrix** counts, for every pair of classes, how often an example of the true
   class `i` (the row) was predicted as class `j` (the column):

       cm[i, j] = number of examples with y_true == i and y_pred == j

   The diagonal holds the hits; every row sums to the number of examples of its class. A model
   outputs probabilities (N, C): its prediction is the most probable class, `argmax` over the row.
2. **Per-class accuracy** is the diagonal divided by the row sums, `cm[i, i] / cm[i].sum()` (the
   recall of each class). On a 9-class dataset an overall 90 % may be 99 % on eight classes and
   20 % on the ninth. A class with no example has no accuracy: NaN, not 0.
3. The **most confused pairs** are the largest off-diagonal cells: on CIFAR-10 cats are taken for
   dogs, trucks for automobiles. Look at those images first: are the labels right? Do the two
   classes need more data, or a higher resolution?

Two remedies the course's transfer-learning project uses:

4. **Balanced class weights.** When a class has few examples, the loss hardly sees it. Weighting
   every example of class `c` by

       weight[c] = n_samples / (n_classes * count[c])

   makes every class contribute the same total to the loss (scikit-learn's "balanced" rule; only
   the classes present in the labels get a weight). Pass the dict to `model.fit(class_weight=...)`.
5. **A learning-rate schedule.** A large step size explores, a small one settles. *Step decay*
   multiplies the rate by `drop` every `every_steps` optimizer steps:

       lr(step) = initial_lr * drop ** floor(step / every_steps)

   *Cosine decay* glides down half a cosine, optionally after a linear *warm-up* from 0 (which
   keeps the first, large gradients of a fine-tuned network from wrecking its pretrained weights):

       warm-up (step < W):   lr = initial_lr * step / W
       then, t = min(step - W, T - W) with T = total_steps:
                             lr = initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + cos(pi * t / (T - W))))

   so it ends at `alpha * initial_lr` and stays there. Schedules count optimizer steps (batches),
   not epochs: one epoch of N examples in batches of B is ceil(N / B) steps.

Work through the functions in order; check yourself with `python -m pytest tests/graded`.
Write them with NumPy and `math`: no scikit-learn, no TensorFlow or Keras, no `keras_vision`.
"""

import math

import numpy as np


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts `cm[i, j]`, the examples of true class `i` predicted as class `j`.

    Args:
        y_true: True labels: class ids (N,) or (N, 1), or one-hot rows (N, C).
        y_pred: Predicted class ids (N,) or (N, 1), or probabilities (N, C) (take the arg-max).
        num_classes: Number of classes C.

    Returns:
        An int64 array (C, C): rows are true classes, columns predicted classes.
    """
    # BEGIN SOLUTION
    ids = []
    for y in (y_true, y_pred):
        y = np.asarray(y)
        if y.ndim == 2:
            y = y[:, 0] if y.shape[1] == 1 else y.argmax(axis=1)
        ids.append(y.astype(np.int64))
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (ids[0], ids[1]), 1)
    return cm
    # END SOLUTION


def per_class_accuracy(cm):
    """The fraction of each true class predicted correctly: `cm[i, i] / cm[i].sum()`.

    Args:
        cm: A confusion matrix (C, C), rows = true class.

    Returns:
        A float64 array (C,); NaN for a class with no example (an empty row).
    """
    # BEGIN SOLUTION
    cm = np.asarray(cm, dtype=np.float64)
    counts = cm.sum(axis=1)
    accuracy = np.full(len(cm), np.nan)
    present = counts > 0
    accuracy[present] = np.diag(cm)[present] / counts[present]
    return accuracy
    # END SOLUTION


def most_confused_pairs(cm, k=3):
    """The `k` largest mistakes: `(true class, predicted class, count)`, most frequent first.

    Only off-diagonal cells with a count above zero are listed. Ties are broken by the true class,
    then by the predicted class, lowest first. (cat, dog) and (dog, cat) are two different pairs.

    Args:
        cm: A confusion matrix (C, C), rows = true class.
        k: How many pairs at most. Defaults to `3`.

    Returns:
        A list of at most `k` tuples of three Python ints.
    """
    # BEGIN SOLUTION
    cm = np.asarray(cm)
    cells = [(i, j, int(cm[i, j])) for i in range(len(cm)) for j in range(len(cm)) if i != j and cm[i, j] > 0]
    cells.sort(key=lambda cell: (-cell[2], cell[0], cell[1]))
    return cells[:k]
    # END SOLUTION


def balanced_class_weights(y):
    """Weights `n_samples / (n_classes * count[c])` for the classes present in `y`.

    Args:
        y: Class ids (N,) or (N, 1), or one-hot labels (N, C).

    Returns:
        A dict `{class id (int): weight (float)}` with one entry per class present in `y`; e.g.
        `{0: 0.6667, 1: 2.0}` for labels `[0, 0, 0, 1]`.
    """
    # BEGIN SOLUTION
    y = np.asarray(y)
    if y.ndim == 2:
        y = y[:, 0] if y.shape[1] == 1 else y.argmax(axis=1)
    classes, counts = np.unique(y.astype(np.int64), return_counts=True)
    return {int(c): float(len(y) / (len(classes) * n)) for c, n in zip(classes, counts)}
    # END SOLUTION


def step_learning_rate(step, *, initial_lr, every_steps, drop=0.1):
    """Step decay: `initial_lr * drop ** floor(step / every_steps)`.

    Args:
        step: The optimizer step (0 for the first batch).
        initial_lr: Learning rate of the first `every_steps` steps.
        every_steps: Steps between two drops.
        drop: Factor applied at each drop. Defaults to `0.1` (divide by 10).

    Returns:
        The learning rate, a Python float.
    """
    return float(initial_lr * drop ** (step // every_steps))  # SOLUTION


def cosine_learning_rate(step, *, initial_lr, total_steps, warmup_steps=0, alpha=0.0):
    """Linear warm-up from 0 to `initial_lr` over `warmup_steps`, then cosine decay to `alpha * initial_lr`.

    See the module docstring for the formula. After `total_steps` the rate stays at
    `alpha * initial_lr`.

    Args:
        step: The optimizer step (0 for the first batch).
        initial_lr: Peak learning rate, reached at the end of the warm-up.
        total_steps: Steps of the whole run, warm-up included.
        warmup_steps: Steps of linear warm-up. Defaults to `0` (start at `initial_lr`).
        alpha: Final learning rate as a fraction of `initial_lr`. Defaults to `0.0`.

    Returns:
        The learning rate, a Python float.
    """
    # BEGIN SOLUTION
    if step < warmup_steps:
        return float(initial_lr * step / warmup_steps)
    decay_steps = total_steps - warmup_steps
    t = min(step - warmup_steps, decay_steps)
    cosine = 0.5 * (1 + math.cos(math.pi * t / decay_steps))
    return float(initial_lr * (alpha + (1 - alpha) * cosine))
    # END SOLUTION
