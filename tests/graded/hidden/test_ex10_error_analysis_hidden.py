"""Hidden graded tests of ex10_error_analysis: other label forms, a class never predicted, other schedules."""

import numpy as np

from keras_vision.evaluation import confusion_matrix, most_confused_pairs, per_class_accuracy
from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.training import balanced_class_weights, cosine_decay, step_decay


@graded(points=1, visibility="hidden")
def test_confusion_matrix_one_hot_and_column_labels(submission, checks):
    rng = np.random.default_rng(7)
    y_true, y_pred = rng.integers(0, 5, size=40), rng.integers(0, 4, size=40)  # class 4 is never predicted
    got = submission.confusion_matrix(np.eye(5)[y_true], y_pred.reshape(-1, 1), 5)
    checks.expect_close(
        got, confusion_matrix(y_true, y_pred, 5), "confusion_matrix(one-hot (40, 5), column (40, 1), 5)"
    )


@graded(points=1, visibility="hidden")
def test_per_class_accuracy_of_a_perfect_and_a_hopeless_class(submission, checks):
    cm = np.array([[7, 0, 0], [4, 0, 0], [0, 0, 0]])
    got = submission.per_class_accuracy(cm)
    expected = per_class_accuracy(cm)
    ok = np.shape(got) == (3,) and np.allclose(np.asarray(got, dtype=float)[:2], expected[:2]) and np.isnan(got[2])
    checks.expect(
        ok, f"per_class_accuracy([[7, 0, 0], [4, 0, 0], [0, 0, 0]]): expected {expected}, got {describe(got)}."
    )


@graded(points=1, visibility="hidden")
def test_most_confused_pairs_with_ties_and_a_perfect_matrix(submission, checks):
    cm = np.array([[9, 2, 2], [2, 9, 0], [0, 2, 9]])
    got = submission.most_confused_pairs(cm, k=3)
    expected = most_confused_pairs(cm, k=3)
    got_list = [tuple(int(v) for v in pair) for pair in got] if isinstance(got, (list, tuple)) else got
    checks.expect(
        got_list == expected, f"most_confused_pairs(a matrix of ties, k=3): expected {expected}, got {describe(got)}."
    )
    got = submission.most_confused_pairs(np.diag([3, 4, 5]), k=2)
    checks.expect(list(got) == [], f"most_confused_pairs(a diagonal matrix, k=2): expected [], got {describe(got)}.")


@graded(points=1, visibility="hidden")
def test_balanced_class_weights_of_column_labels_with_a_missing_class(submission, checks):
    y = np.array([[0], [3], [3], [3], [0], [3], [5]])
    got = submission.balanced_class_weights(y)
    expected = balanced_class_weights(y)
    ok = isinstance(got, dict) and sorted(got) == sorted(expected)
    ok = ok and np.allclose([got[k] for k in sorted(expected)], [expected[k] for k in sorted(expected)])
    checks.expect(
        ok, f"balanced_class_weights(column labels of classes 0, 3, 5): expected {expected}, got {describe(got)}."
    )


@graded(points=1, visibility="hidden")
def test_step_learning_rate_divides_by_ten(submission, checks):
    steps = [0, 29, 30, 59, 60, 95]
    got = [submission.step_learning_rate(s, initial_lr=1.0, every_steps=30) for s in steps]
    checks.expect_close(got, [float(step_decay(1.0, every_steps=30)(s)) for s in steps], "step_learning_rate(drop=0.1)")


@graded(points=1, visibility="hidden")
def test_cosine_learning_rate_ends_at_alpha(submission, checks):
    steps = [0, 3, 7, 30, 64, 200]
    schedule = cosine_decay(0.5, total_steps=64, warmup_steps=7, alpha=0.1)
    got = [submission.cosine_learning_rate(s, initial_lr=0.5, total_steps=64, warmup_steps=7, alpha=0.1) for s in steps]
    checks.expect_close(
        got, [float(schedule(s)) for s in steps], "cosine_learning_rate(alpha=0.1)", atol=1e-7, rtol=1e-4
    )
