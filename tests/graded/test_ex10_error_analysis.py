"""Graded tests of ex10_error_analysis (visible to students).

Each test calls the student's function through the `submission` fixture and compares the result
with the course library: `keras_vision.evaluation.confusion_matrix`, `per_class_accuracy` and
`most_confused_pairs` (same names, same contracts), `keras_vision.training.balanced_class_weights`
(same contract, scikit-learn's "balanced" rule), and the Keras schedules of
`keras_vision.training.step_decay` and `cosine_decay` evaluated at the same steps.
"""

import numpy as np

from keras_vision.evaluation import confusion_matrix, most_confused_pairs, per_class_accuracy
from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.training import balanced_class_weights, cosine_decay, step_decay

#: Everything here is written with NumPy and `math`: the library, scikit-learn and the framework's
#: own confusion matrices and schedules are off limits (checked on the source by the grader).
OWN_WORK = {
    "confusion_matrix": ("keras_vision", "sklearn", "tensorflow", "keras"),
    "per_class_accuracy": ("keras_vision", "sklearn", "tensorflow", "keras"),
    "most_confused_pairs": ("keras_vision", "sklearn", "tensorflow", "keras"),
    "balanced_class_weights": ("keras_vision", "sklearn", "tensorflow", "keras"),
    "step_learning_rate": ("keras_vision", "tensorflow", "keras"),
    "cosine_learning_rate": ("keras_vision", "tensorflow", "keras"),
}


def labels_and_probabilities(count, num_classes, seed=0):
    """Random labels, and probabilities whose arg-max is right about 60 % of the time."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, num_classes, size=count)
    logits = rng.normal(size=(count, num_classes))
    logits[np.arange(count), y] += 1.5
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, probs


def expect_same_accuracies(checks, got, expected, call):
    """`got` equals `expected` where it is finite, and is NaN exactly where `expected` is."""
    if not checks.expect_shape(got, expected.shape, call):
        return
    got = np.asarray(got, dtype=np.float64)
    where, got_where = np.flatnonzero(np.isnan(expected)).tolist(), np.flatnonzero(np.isnan(got)).tolist()
    checks.expect(
        where == got_where,
        f"{call}: a class without examples has no accuracy (NaN), and every other class has one. "
        f"Expected NaN at {where}, got it at {got_where}.",
    )
    finite = ~np.isnan(expected)
    checks.expect_close(got[finite], expected[finite], call, hint="Divide the diagonal by the row sums.")


def schedule_values(schedule, steps):
    return np.array([float(schedule(step)) for step in steps])


@graded(points=3)
def test_confusion_matrix_counts_true_rows_and_predicted_columns(submission, checks):
    y_true = np.array([0, 0, 1, 2, 2, 2, 1, 0])
    y_pred = np.array([0, 1, 1, 2, 0, 2, 2, 0])
    call = f"confusion_matrix({y_true.tolist()}, {y_pred.tolist()}, 3)"
    got = submission.confusion_matrix(y_true, y_pred, 3)
    expected = confusion_matrix(y_true, y_pred, 3)
    hint = " Rows are TRUE classes, columns PREDICTED ones." if np.array_equal(np.asarray(got), expected.T) else ""
    checks.expect_close(got, expected, call, hint=hint.strip())
    y, probs = labels_and_probabilities(50, 4)
    got = submission.confusion_matrix(y, probs, 4)
    call = "confusion_matrix(50 labels, probabilities (50, 4), 4)"
    checks.expect_close(got, confusion_matrix(y, probs, 4), call, hint="A prediction is the most probable class.")


@graded(points=2)
def test_per_class_accuracy_is_the_diagonal_over_the_rows(submission, checks):
    cm = np.array([[5, 2, 2, 1], [0, 0, 0, 0], [3, 1, 4, 0], [0, 0, 1, 9]])
    got = submission.per_class_accuracy(cm)
    expect_same_accuracies(checks, got, per_class_accuracy(cm), "per_class_accuracy(cm with an empty row 1)")


@graded(points=3)
def test_most_confused_pairs_largest_off_diagonal_cells_first(submission, checks):
    cm = np.array([[50, 3, 7, 0], [1, 40, 0, 7], [9, 0, 30, 2], [0, 7, 2, 45]])
    for k in (3, 4, 20):
        got = submission.most_confused_pairs(cm, k=k)
        expected = most_confused_pairs(cm, k=k)
        got_list = [tuple(int(v) for v in pair) for pair in got] if isinstance(got, (list, tuple)) else got
        checks.expect(
            got_list == expected,
            f"most_confused_pairs(cm, k={k}): expected {expected}, got {describe(got)}. Count only cells off the "
            "diagonal, largest first, ties by true class then predicted class, and at most k of them.",
        )


@graded(points=3)
def test_balanced_class_weights_equal_scikit_learns_rule(submission, checks):
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 2, 0])
    for labels, what in ((y, "class ids"), (np.eye(3)[y], "one-hot labels")):
        got = submission.balanced_class_weights(labels)
        expected = balanced_class_weights(labels)
        call = f"balanced_class_weights({what} with counts 8, 2, 2)"
        if not checks.expect(
            isinstance(got, dict) and sorted(got) == sorted(expected),
            f"{call}: expected a dict with keys {sorted(expected)}, got {describe(got)}.",
        ):
            continue
        keys = sorted(expected)
        checks.expect_close(
            [got[k] for k in keys], [expected[k] for k in keys], call, hint="weight = n_samples / (n_classes * count)."
        )


@graded(points=2)
def test_step_learning_rate_drops_every_n_steps(submission, checks):
    steps = [0, 1, 99, 100, 101, 250, 300, 1000]
    got = [submission.step_learning_rate(s, initial_lr=0.1, every_steps=100, drop=0.5) for s in steps]
    expected = schedule_values(step_decay(0.1, every_steps=100, drop=0.5), steps)
    checks.expect_close(got, expected, f"step_learning_rate(steps {steps}, initial_lr=0.1, every_steps=100, drop=0.5)")


@graded(points=3)
def test_cosine_learning_rate_with_warm_up(submission, checks):
    steps = [0, 5, 10, 20, 55, 80, 100, 150]
    got = [submission.cosine_learning_rate(s, initial_lr=0.01, total_steps=100, warmup_steps=10) for s in steps]
    expected = schedule_values(cosine_decay(0.01, total_steps=100, warmup_steps=10), steps)
    call = f"cosine_learning_rate(steps {steps}, initial_lr=0.01, total_steps=100, warmup_steps=10)"
    checks.expect_close(got, expected, call, atol=1e-7, rtol=1e-4, hint="Warm up linearly from 0, then half a cosine.")
    got = [submission.cosine_learning_rate(s, initial_lr=0.01, total_steps=100) for s in steps]
    expected = schedule_values(cosine_decay(0.01, total_steps=100), steps)
    checks.expect_close(got, expected, "cosine_learning_rate(the same steps, no warm-up)", atol=1e-7, rtol=1e-4)
