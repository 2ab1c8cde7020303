"""Classifier metrics against hand-worked examples and independent implementations."""

import numpy as np
import pytest

from keras_vision.evaluation import (
    confusion_matrix,
    evaluate_classifier,
    misclassified,
    most_confused_pairs,
    per_class_accuracy,
    to_class_ids,
    top_k_accuracy,
)

# A hand-worked 3-class example. True: 0 0 1 1 1 2; predicted: 0 1 1 1 2 2.
TRUE = np.array([0, 0, 1, 1, 1, 2])
PRED = np.array([0, 1, 1, 1, 2, 2])
EXPECTED_CM = [
    [1, 1, 0],  # class 0: one right, one taken for class 1
    [0, 2, 1],  # class 1: two right, one taken for class 2
    [0, 0, 1],  # class 2: right
]


def probabilities(ids, num_classes=3):
    """Soft scores whose arg-max is `ids` (not one-hot, to exercise the arg-max path)."""
    probs = np.full((len(ids), num_classes), 0.1 / (num_classes - 1))
    probs[np.arange(len(ids)), ids] = 0.9
    return probs


LABEL_FORMS = {
    "sparse": lambda ids: ids,
    "column": lambda ids: ids[:, None],
    "one_hot": lambda ids: np.eye(3)[ids],
    "list": lambda ids: ids.tolist(),
}
PREDICTION_FORMS = {"ids": lambda ids: ids, "probabilities": probabilities}


@pytest.mark.parametrize("label_form", LABEL_FORMS)
@pytest.mark.parametrize("prediction_form", PREDICTION_FORMS)
def test_confusion_matrix_accepts_every_label_and_prediction_form(label_form, prediction_form):
    cm = confusion_matrix(LABEL_FORMS[label_form](TRUE), PREDICTION_FORMS[prediction_form](PRED), 3)
    assert cm.tolist() == EXPECTED_CM
    assert misclassified(LABEL_FORMS[label_form](TRUE), PREDICTION_FORMS[prediction_form](PRED)).tolist() == [1, 4]


def test_confusion_matrix_matches_scikit_learn_and_keeps_absent_classes():
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    rng = np.random.default_rng(0)
    true, pred = rng.integers(0, 6, 200), rng.integers(0, 6, 200)  # classes 6 and 7 never occur
    expected = sk_confusion_matrix(true, pred, labels=range(8))
    np.testing.assert_array_equal(confusion_matrix(true, pred, 8), expected)


def test_top_k_accuracy_hand_worked():
    probs = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6], [0.2, 0.7, 0.1], [0.6, 0.1, 0.3]])
    true = np.array([0, 1, 2, 1])
    # ranks of the true class: 1st, 2nd, 3rd, 3rd
    assert top_k_accuracy(true, probs, k=1) == pytest.approx(1 / 4)
    assert top_k_accuracy(true, probs, k=2) == pytest.approx(2 / 4)
    assert top_k_accuracy(true, probs, k=3) == pytest.approx(1.0)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_top_k_accuracy_matches_scikit_learn_and_keras(k):
    import keras
    from sklearn.metrics import top_k_accuracy_score

    rng = np.random.default_rng(k)
    probs = rng.dirichlet(np.ones(10), size=300)
    true = rng.integers(0, 10, 300)
    ours = top_k_accuracy(true, probs, k=k)
    assert ours == pytest.approx(top_k_accuracy_score(true, probs, k=k, labels=range(10)))
    metric = keras.metrics.SparseTopKCategoricalAccuracy(k=k)
    metric.update_state(true, probs.astype("float32"))
    assert ours == pytest.approx(float(metric.result()))
    assert top_k_accuracy(np.eye(10)[true], probs, k=k) == ours  # one-hot labels


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: confusion_matrix([0, 3], [0, 1], 3), r"`y_true` holds class id 3.*0..2"),
        (lambda: confusion_matrix([0, 1], [0, 1, 1], 3), "2 labels and 3 predictions"),
        (lambda: confusion_matrix(np.zeros((2, 2, 2)), [0, 1], 3), r"Received shape: \(2, 2, 2\)"),
        (lambda: confusion_matrix([0.5, 1], [0, 1], 3), "integer class ids"),
        (lambda: top_k_accuracy([0, 1], np.ones((2, 3)), k=4), "between 1 and the number of classes"),
        (lambda: top_k_accuracy([0, 1], np.ones(3), k=1), r"\(N, num_classes\)"),
        (lambda: top_k_accuracy([0, 5], np.ones((2, 3)), k=1), "class id 5"),
    ],
)
def test_metrics_reject_bad_input_with_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_to_class_ids_of_binary_column_and_probabilities():
    assert to_class_ids(np.array([[1], [0]])).tolist() == [1, 0]
    assert to_class_ids(np.array([[0.2, 0.8], [0.9, 0.1]])).tolist() == [1, 0]


# --- evaluate_classifier on a model whose predictions are known ---------------------------------


def logits_model(num_classes, compile=True):
    """Outputs softmax(x): the prediction for input row x is argmax(x), known in advance."""
    import keras

    inputs = keras.Input((num_classes,))
    model = keras.Model(inputs, keras.layers.Activation("softmax")(inputs))
    if compile:
        model.compile(loss="sparse_categorical_crossentropy")
    return model


def test_evaluate_classifier_on_a_model_with_known_predictions():
    import keras

    rng = np.random.default_rng(0)
    true = np.array([0, 1, 2, 3, 4, 5, 6, 6, 1, 0])
    predicted = np.array([0, 1, 2, 3, 4, 5, 6, 0, 2, 0])  # two mistakes: 6 -> 0 and 1 -> 2
    x = rng.normal(0, 0.1, (10, 7)).astype("float32")
    x[np.arange(10), predicted] += 3.0
    names = [f"c{i}" for i in range(7)]

    result = evaluate_classifier(logits_model(7), x, true, batch_size=4, class_names=names)

    assert result["accuracy"] == pytest.approx(8 / 10)
    assert result["top5_accuracy"] == pytest.approx(top_k_accuracy(true, keras.ops.softmax(x).numpy(), k=5))
    expected_loss = float(np.mean(keras.losses.sparse_categorical_crossentropy(true, keras.ops.softmax(x))))
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert result["per_class_accuracy"] == {"c0": 1.0, "c1": 0.5, "c2": 1.0, "c3": 1.0, "c4": 1.0, "c5": 1.0, "c6": 0.5}
    assert result["confusion_matrix"][6][0] == 1 and result["confusion_matrix"][1][2] == 1
    assert result["class_names"] == names and result["num_examples"] == 10


def test_evaluate_classifier_without_compile_top5_or_some_classes():
    x = np.eye(3, dtype="float32")[[0, 1, 1]] * 5
    result = evaluate_classifier(logits_model(3, compile=False), x, [0, 1, 1], batch_size=2)
    assert "loss" not in result and "top5_accuracy" not in result
    assert result["per_class_accuracy"] == {"0": 1.0, "1": 1.0, "2": None}  # no example of class 2


def test_evaluate_classifier_handles_a_sigmoid_output():
    import keras

    inputs = keras.Input((1,))
    model = keras.Model(inputs, keras.layers.Activation("sigmoid")(inputs))
    x = np.array([[-3.0], [2.0], [4.0], [-1.0]], "float32")  # predicted classes 0, 1, 1, 0
    result = evaluate_classifier(model, x, np.array([0, 1, 0, 0]), batch_size=4, class_names=["cat", "dog"])
    assert result["accuracy"] == pytest.approx(3 / 4)
    assert result["confusion_matrix"] == [[2, 1], [0, 1]]


LOSS_CASES = [
    # (compiled loss, number of outputs, label form)
    ("sparse_categorical_crossentropy", 4, lambda ids: ids),
    ("categorical_crossentropy", 4, lambda ids: np.eye(4)[ids]),  # float64 one-hot
    ("binary_crossentropy", 1, lambda ids: (ids % 2)[:, None].astype("float32")),
]


@pytest.mark.parametrize("loss,outputs,labels", LOSS_CASES, ids=[case[0] for case in LOSS_CASES])
def test_evaluate_classifier_loss_equals_keras_evaluate(loss, outputs, labels):
    import keras

    rng = np.random.default_rng(1)
    inputs = keras.Input((outputs,))
    model = keras.Model(inputs, keras.layers.Activation("softmax" if outputs > 1 else "sigmoid")(inputs))
    model.compile(loss=loss)
    x = rng.normal(size=(20, outputs)).astype("float32")
    y = labels(rng.integers(0, 4, 20))
    expected = model.evaluate(x, y, batch_size=20, verbose=0, return_dict=True)["loss"]
    assert evaluate_classifier(model, x, y, batch_size=8)["loss"] == pytest.approx(expected, rel=1e-5)


def test_evaluate_classifier_checks_class_names():
    with pytest.raises(ValueError, match="`class_names` has 2 names but the model predicts 3 classes"):
        evaluate_classifier(
            logits_model(3), np.eye(3, dtype="float32"), [0, 1, 2], batch_size=3, class_names=["a", "b"]
        )


def test_per_class_accuracy_is_sklearns_recall_with_nan_for_an_absent_class():
    from sklearn.metrics import recall_score

    cm = confusion_matrix(TRUE, PRED, 4)  # class 3 never occurs
    expected = recall_score(TRUE, PRED, labels=[0, 1, 2], average=None)
    np.testing.assert_allclose(per_class_accuracy(cm)[:3], expected)
    assert np.isnan(per_class_accuracy(cm)[3])
    with pytest.raises(ValueError, match="square"):
        per_class_accuracy(np.ones((2, 3)))


def test_most_confused_pairs_of_the_hand_worked_example_and_ties():
    assert most_confused_pairs(EXPECTED_CM, k=5) == [(0, 1, 1), (1, 2, 1)]  # only mistakes, ties by true class
    cm = np.array([[9, 4, 1], [4, 9, 0], [6, 0, 9]])
    assert most_confused_pairs(cm) == [(2, 0, 6), (0, 1, 4), (1, 0, 4)]
    assert most_confused_pairs(cm, k=1) == [(2, 0, 6)] and most_confused_pairs(np.eye(3, dtype=int)) == []
    assert all(type(v) is int for pair in most_confused_pairs(cm) for v in pair)  # JSON-ready
    with pytest.raises(ValueError, match="k"):
        most_confused_pairs(cm, k=0)
