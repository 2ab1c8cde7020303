"""Training the reader's classifier on its own crops: line layers, crop labels, the 11th class."""

import dataclasses

import keras
import numpy as np
import pytest
from test_digit_reader import CLEAN, WidthOracle, glyph

from keras_vision.deploy import SequenceStyle, read_digits
from keras_vision.deploy.reader import digit_probabilities, find_candidates
from keras_vision.deploy.reader_training import NOT_A_DIGIT, label_candidates, reader_training_set, with_not_a_digit
from keras_vision.deploy.sequences import compose_line, compose_line_layers
from keras_vision.errors import UsageError
from keras_vision.models import build_classic_cnn

GLYPHS = np.stack([glyph(k) for k in range(10)])
#: Upright glyphs on one baseline, never touching.
UPRIGHT = SequenceStyle(gap=(6, 8), touch_probability=0.0, slant=0.0, digit_slant=0.0, jitter=0, noise=8.0)


def test_layers_are_the_line_digit_by_digit_with_the_same_random_draws():
    digits = [GLYPHS[k] for k in (3, 1, 4)]
    line = compose_line(digits, np.random.default_rng(5), SequenceStyle())
    same, layers = compose_line_layers(digits, np.random.default_rng(5), SequenceStyle())
    assert np.array_equal(line, same) and layers.shape == (3, *line.shape)
    for layer, k in zip(layers, (3, 1, 4)):  # each layer holds one glyph's ink: its 20 rows of 2 + 2k columns
        assert 20 * (2 + 2 * k) * 0.8 <= np.count_nonzero(layer >= 128) <= 20 * (2 + 2 * k + 7) * 1.2
    assert np.all(np.abs(line.astype(float) - layers.max(axis=0)) <= 8 * 12 / 2 + 1)  # noise within a few sigma


def test_candidates_holding_one_glyph_get_its_class_and_parts_or_pairs_are_not_a_digit():
    line, layers = compose_line_layers([GLYPHS[2], GLYPHS[7], GLYPHS[5]], np.random.default_rng(0), UPRIGHT)
    candidates = find_candidates(line)
    assert candidates.skew == pytest.approx(0.0, abs=0.02)
    labels = label_candidates(candidates, layers, [2, 7, 5])
    columns = [np.nonzero(layer.any(axis=0))[0] for layer in layers]
    spans = [np.nonzero(mask.any(axis=0))[0] for mask in candidates.masks]
    for k, digit in enumerate((2, 7, 5)):  # glyph k's whole blob (its mask dilated by a pixel): that digit
        blob = [i for i, s in enumerate(spans) if abs(s[0] - columns[k][0]) <= 1 and abs(s[-1] - columns[k][-1]) <= 1]
        whole = max(blob, key=lambda i: candidates.masks[i].sum())  # cuts near its edges give smaller variants
        assert labels[whole] == digit
    pieces = [i for i, s in enumerate(spans) if s[0] >= columns[1][0] + 2 and s[-1] <= columns[1][-1] + 1]
    assert pieces and all(labels[i] in (-1, NOT_A_DIGIT) for i in pieces)  # the 7 cut: no piece is a whole digit
    pairs = [i for i, s in enumerate(spans) if s[0] <= columns[0][-1] and s[-1] >= columns[1][0]]
    assert pairs and all(labels[i] == NOT_A_DIGIT for i in pairs)  # the 2 and the 7 as one broken digit

    # By hand: the left half of the 7, the 7 with the 5, the 7 alone.
    ink = layers >= 64
    half = ink[1] & (np.arange(line.shape[1]) < columns[1].mean())[None, :]
    by_hand = dataclasses.replace(candidates, masks=np.stack([half, ink[1] | ink[2], ink[1]]))
    assert label_candidates(by_hand, layers, [2, 7, 5]).tolist() == [NOT_A_DIGIT, NOT_A_DIGIT, 7]


def test_training_set_is_seeded_balanced_enough_and_checked():
    x, y = reader_training_set(GLYPHS, np.arange(10), lines=6, length=(3, 5), seed=1, style=UPRIGHT)
    again = reader_training_set(GLYPHS, np.arange(10), lines=6, length=(3, 5), seed=1, style=UPRIGHT)
    assert np.array_equal(x, again[0]) and np.array_equal(y, again[1])
    assert x.shape == (len(y), 28, 28, 1) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    # every glyph stands alone, so its whole blob is one crop of its class; pieces and pairs are the 11th
    assert set(np.unique(y)) <= set(range(11)) and NOT_A_DIGIT in y and (y < NOT_A_DIGIT).sum() >= 6 * 3
    for bad, message in [
        (dict(lines=0), "lines"),
        (dict(lines=2, length=(5, 4)), "length"),
        (dict(lines=2, whole=0.5, part=0.6), "part <= whole"),
    ]:
        with pytest.raises(ValueError, match=message):
            reader_training_set(GLYPHS, np.arange(10), **bad)
    with pytest.raises(ValueError, match="one label each"):
        reader_training_set(GLYPHS, np.arange(9), lines=1)


def test_eleventh_class_keeps_the_digits_ratios_and_leaves_the_model_alone():
    keras.utils.set_random_seed(0)
    model = build_classic_cnn((28, 28, 1), 10, filters=4, dense_units=8)
    before = [w.copy() for w in model.get_weights()]
    widened = with_not_a_digit(model)
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    old, new = model.predict(x, verbose=0), widened.predict(x, verbose=0)
    assert new.shape == (4, 11) and widened.layers[-1].name == "predictions"
    # softmax with one more logit: the digits' probabilities keep their ratios (independent of the weights)
    np.testing.assert_allclose(new[:, :10] / new[:, :10].sum(axis=1, keepdims=True), old, atol=1e-5)
    widened.compile(optimizer="sgd", loss="categorical_crossentropy")
    widened.fit(x, keras.utils.to_categorical([10, 10, 1, 2], 11), epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    with pytest.raises(ValueError, match=r"Dense\(10, softmax\)"):
        with_not_a_digit(widened)


class RejectingOracle(WidthOracle):
    """`WidthOracle` with an 11th class: crops wider than a glyph 9 (20 wide) are not one digit."""

    def predict(self, x, verbose=0):
        ink = x[..., 0] > 0.2
        ratio = ink.any(axis=1).sum(axis=1) / np.maximum(ink.any(axis=2).sum(axis=1), 1)
        probs = np.concatenate([super().predict(x), np.zeros((len(x), 1), np.float32)], axis=1)
        wide = ratio > 1.05
        probs[wide] = 0.0
        probs[wide, :10], probs[wide, NOT_A_DIGIT] = 0.005, 0.95  # surer of "not a digit" than of any digit
        return probs


def test_the_reader_cuts_what_the_classifier_calls_not_one_digit():
    line = np.zeros((40, 80), np.uint8)
    line[10:30, 10:20] = 255  # a bar 10 wide and one 12 wide, joined by a short bridge: one blob 24 wide,
    line[18:22, 20:22] = 255  # narrow enough to be one digit (a glyph 9, as a 10-class classifier reads it)
    line[10:30, 22:34] = 255
    assert len(read_digits(line, WidthOracle()).digits) == 1
    reading = read_digits(line, RejectingOracle())
    assert len(reading.digits) == 2
    (_, _, first_end, _), (second_start, _, _, _) = reading.boxes
    assert 19 <= first_end <= 23 and 19 <= second_start <= 23  # cut through the bridge


def test_digit_probabilities_drop_the_eleventh_class_and_refuse_other_widths():
    probs = np.array([[0.1] * 9 + [0.05, 0.05]], np.float32)
    assert digit_probabilities(probs).shape == (1, 10) and digit_probabilities(probs[:, :10]).shape == (1, 10)
    with pytest.raises(UsageError, match="10 digit probabilities"):
        digit_probabilities(np.ones((2, 12)))
    images = np.stack([glyph(k) for k in range(10)])
    line = compose_line([images[3], images[5]], np.random.default_rng(0), CLEAN)
    with pytest.raises(UsageError, match="Received output shape: \\(\\d+, 3\\)"):
        read_digits(line, keras_like(3))


def keras_like(width: int):
    class Model:
        def predict(self, x, verbose=0):
            return np.full((len(x), width), 1 / width, np.float32)

    return Model()


def digits_config(tmp_path, **given):
    from keras_vision.experiments.catalog import EXPERIMENTS

    values = dict(out=tmp_path, reader_lines=3, reader_epochs=1, batch_size=16, verbose="silent", seed=0)
    return EXPERIMENTS.get("digits").make_config(**{**values, **given})


def test_the_digits_experiment_fine_tunes_caches_its_crops_and_resumes(tmp_path, capsys):
    from keras_vision.experiments.digits import reader_classifier

    keras.utils.set_random_seed(0)
    model = build_classic_cnn((28, 28, 1), 10, filters=4, dense_units=8)
    x = GLYPHS[..., None].astype(np.float32) / 255
    classifier, record = reader_classifier(model, x, np.arange(10), digits_config(tmp_path))
    crops = tmp_path / "digits" / "reader_classifier" / "crops.npz"
    assert classifier.output_shape == (None, 11) and record["fine_tuned"] and crops.is_file()
    assert sum(record["crops_per_class"]) == len(np.load(crops)["y"]) and record["training_lines"] == 3

    again, record = reader_classifier(model, x, np.arange(10), digits_config(tmp_path, resume=True))
    assert record == {"fine_tuned": True, "reused": str(crops.parent / "final.keras")}
    assert again.output_shape == (None, 11)

    # Killed before the model was saved, with a damaged crop file: the crops are rebuilt, training redone.
    (crops.parent / "final.keras").unlink()
    crops.write_bytes(b"not a zip")
    with pytest.warns(UserWarning, match="Nothing to resume"):
        _, record = reader_classifier(model, x, np.arange(10), digits_config(tmp_path, resume=True))
    assert "unreadable" in capsys.readouterr().out and record["fine_tuned"] and np.load(crops)["y"].size > 0

    # A model that has the 11th class, or --reader-lines 0: used as it is.
    assert reader_classifier(classifier, x, np.arange(10), digits_config(tmp_path))[0] is classifier
    assert reader_classifier(model, x, np.arange(10), digits_config(tmp_path, reader_lines=0))[0] is model
