"""`digits`: the robot reads a number. Lines of handwritten MNIST test digits, read back digit by digit.

Each line holds `--length` digits from different writers (MNIST *test* digits, never seen in
training), with random gaps, touching neighbours, a slant and noise (`build_sequences`). The
reader (`read_digits`) segments the line and classifies each digit with the `mnist` model and with
its full-integer int8 LiteRT export, the file the robot would run.

The reader's classifier is the `mnist` model fine-tuned first (`--reader-lines`, `--reader-epochs`)
on what the reader shows it: its own candidate crops from synthetic lines of MNIST *training*
digits (sheared and deslanted, noisy, halves of digits and touching pairs), labelled with the digit
they hold or an 11th class, "not one digit", next to the plain training digits
(`keras_vision.deploy.reader_training`). The fine-tuned model is kept in `reader_classifier/`;
pass that folder as `--model` to read other lines without training again.

    python -m keras_vision.run digits --data-dir ../shared/data --length 5

Scores, per reader: `sequence_accuracy` (the whole line right) and `digit_accuracy` (one minus the
edit distance between reading and truth, over the digits: a missed, extra or wrong digit each
costs one). `metrics.json` also holds the first reader's two numbers at the top level.
"""

from __future__ import annotations

import time
import zipfile

import keras
import numpy as np

from keras_vision.data import locate
from keras_vision.deploy import (
    NOT_A_DIGIT,
    LiteModel,
    build_sequences,
    export_litert,
    read_digits,
    reader_training_set,
    representative_dataset,
    with_not_a_digit,
)
from keras_vision.errors import UsageError
from keras_vision.evaluation import plot_image_grid
from keras_vision.experiments.catalog import DigitsConfig
from keras_vision.experiments.deploy import load_images_for, trained_model_file
from keras_vision.files import atomic_path, save_model
from keras_vision.training import cosine_decay, fit, get_strategy, set_seed
from keras_vision.training.distributed import steps_per_epoch

READERS = ("keras", "int8")


def run(config: DigitsConfig) -> dict:
    names = [n.strip() for n in config.readers.split(",") if n.strip()]
    unknown = sorted(set(names) - set(READERS))
    if unknown or not names:
        raise UsageError(
            f"--readers must be comma-separated names from {', '.join(READERS)}. Received: {config.readers!r}."
        )
    model_file = trained_model_file(config)
    model = keras.models.load_model(model_file)
    dataset, (x_train, y_train), (x_test, y_test) = load_images_for(model, model_file, config)
    model, fine_tuning = reader_classifier(model, x_train, y_train, config)
    digits = np.round(x_test[..., 0] * 255).astype(np.uint8)
    lines, truths = build_sequences(digits, y_test, count=config.sequences, length=config.length, seed=config.seed)

    readers, readings = {}, {}
    for name in names:
        classifier = model if name == "keras" else _int8_model(model, x_train, config)
        start = time.perf_counter()
        texts = [read_digits(line, classifier).text for line in lines]
        seconds = time.perf_counter() - start
        readers[name] = {**score_readings(texts, truths), "ms_per_sequence": round(1000 * seconds / len(lines), 2)}
        readings[name] = texts
    first = names[0]
    figure = plot_readings(lines, truths, readings[first], config.run_dir / "sequences.png", rows=config.figure_rows)
    return {
        "readers": readers,
        "digit_accuracy": readers[first]["digit_accuracy"],
        "sequence_accuracy": readers[first]["sequence_accuracy"],
        "length": config.length,
        "sequences": len(lines),
        "examples": [{"truth": t, **{n: readings[n][i] for n in names}} for i, t in enumerate(truths[:20])],
        "model": str(model_file),
        "reader_classifier": fine_tuning,
        "data": {"source": locate(dataset, config.data_dir), "test_digits": len(x_test)},
        "figures": [str(figure)],
    }


def reader_classifier(model: keras.Model, x_train, y_train, config: DigitsConfig) -> tuple[keras.Model, dict]:
    """The classifier the reader uses: `model` fine-tuned with the 11th class, or as it is.

    A model that already has 11 outputs, or `--reader-lines 0`, is used as it is. The training
    lines take MNIST *training* digits only, with a seed apart from the test lines' (`--seed` +
    10,000), so neither the digits nor the lines' layout are seen again at test time. With
    `--resume`, a finished fine-tuning in `reader_classifier/` is reused, an interrupted one continues.

    Returns:
        `(classifier, record)`: the record says what was trained on (crops per class, seconds).
    """
    outputs = model.output_shape[-1]
    if outputs == NOT_A_DIGIT + 1 or config.reader_lines == 0:
        return model, {"fine_tuned": False, "classes": outputs}
    run_dir = config.run_dir / "reader_classifier"
    final = run_dir / "final.keras"
    if config.resume and final.is_file():
        print(f"reader classifier: reusing {final} (--resume)")
        return keras.models.load_model(final), {"fine_tuned": True, "reused": str(final)}
    start = time.perf_counter()
    x_crops, y_crops = _training_crops(x_train, y_train, run_dir / "crops.npz", config)
    crop_seconds = time.perf_counter() - start
    counts = np.bincount(y_crops, minlength=NOT_A_DIGIT + 1)
    print(
        f"reader classifier: {len(y_crops):,} crops from {config.reader_lines:,} training lines "
        f"({counts[NOT_A_DIGIT]:,} not one digit) in {crop_seconds:.0f} s, plus {len(y_train):,} training digits"
    )
    x = np.concatenate([x_train, x_crops])
    y = keras.utils.to_categorical(np.concatenate([y_train, y_crops]), NOT_A_DIGIT + 1)
    order = np.random.default_rng(config.seed).permutation(len(x))
    set_seed(config.seed)
    strategy = get_strategy(config.strategy)
    steps = config.reader_epochs * steps_per_epoch(strategy, num_examples=len(x), batch_size=config.batch_size)
    with strategy.scope():
        classifier = with_not_a_digit(model)
        classifier.compile(
            optimizer=keras.optimizers.Adam(cosine_decay(config.learning_rate, total_steps=steps)),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
        )
    result = fit(
        classifier,
        (x[order], y[order]),
        epochs=config.reader_epochs,
        batch_size=config.batch_size,
        run_dir=run_dir,
        resume=config.resume,
        verbose=config.verbose,
    )
    save_model(classifier, final)
    return classifier, {
        "fine_tuned": True,
        "file": str(final),
        "training_lines": config.reader_lines,
        "crops_per_class": counts.tolist(),
        "training_digits": len(y_train),
        "epochs": config.reader_epochs,
        "crop_seconds": round(crop_seconds, 1),
        "fit_seconds": round(result.seconds, 1),
        "final_accuracy": float(result.history["accuracy"][-1]),
    }


def _training_crops(x_train, y_train, path, config: DigitsConfig) -> tuple[np.ndarray, np.ndarray]:
    """The labelled crops of `--reader-lines` training lines, kept in `path` for `--resume` (minutes of work)."""
    if config.resume and path.is_file():
        try:
            with np.load(path) as saved:
                if int(saved["lines"]) == config.reader_lines and int(saved["seed"]) == config.seed:
                    return saved["x"], saved["y"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:  # damaged: rebuilt, not trusted
            print(f"reader classifier: rebuilding the crops ({path} unreadable: {error})")
    train_digits = np.round(x_train[..., 0] * 255).astype(np.uint8)
    x, y = reader_training_set(train_digits, y_train, lines=config.reader_lines, seed=config.seed + 10_000)
    with atomic_path(path) as partial, open(partial, "wb") as file:
        np.savez(file, x=x, y=y, lines=config.reader_lines, seed=config.seed)
    return x, y


def _int8_model(model, x_train, config: DigitsConfig) -> LiteModel:
    path = export_litert(
        model,
        config.run_dir / "int8.tflite",
        quantization="int8",
        calibration=representative_dataset(x_train, count=config.calibration_images, seed=config.seed),
    )
    return LiteModel(path, num_threads=1, backend=config.backend)


def score_readings(readings: list[str], truths: list[str]) -> dict:
    """`sequence_accuracy` (exact lines) and `digit_accuracy` (1 - total edit distance / total digits)."""
    errors = sum(edit_distance(r, t) for r, t in zip(readings, truths))
    total = sum(len(t) for t in truths)
    return {
        "sequence_accuracy": float(np.mean([r == t for r, t in zip(readings, truths)])),
        "digit_accuracy": max(0.0, 1.0 - errors / max(total, 1)),
        "digit_errors": errors,
        "digits": total,
    }


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions turning `a` into `b`."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def plot_readings(lines, truths, readings, path, *, rows: int):
    """The first `rows` lines, each titled with its truth and the reading (a cross marks a mistake)."""
    count = min(rows, len(lines))
    width = max(line.shape[1] for line in lines[:count])
    padded = [np.pad(line, ((0, 0), (0, width - line.shape[1]))) for line in lines[:count]]
    titles = [f"truth {t}  read {r}  {'ok' if r == t else 'X'}" for t, r in zip(truths[:count], readings[:count])]
    return plot_image_grid(padded, path, titles=titles, cols=1)
