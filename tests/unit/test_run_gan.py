"""The `gan` experiment end to end through the CLI, on tiny Fashion-MNIST IDX files."""

import json

import numpy as np
import pytest
from official_formats import random_split, write_mnist_idx
from PIL import Image


def tiny_gan_argv(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))  # the scorer's cache
    rng = np.random.default_rng(0)
    write_mnist_idx(
        tmp_path / "data" / "fashion-mnist", random_split(rng, 64, (28, 28), 10), random_split(rng, 40, (28, 28), 10)
    )
    return [
        "gan",
        "--dataset",
        "fashion_mnist",
        "--data-dir",
        str(tmp_path / "data"),
        "--out",
        str(tmp_path / "runs"),
        "--epochs",
        "2",
        "--batch-size",
        "32",
        "--width",
        "4",
        "--latent-dim",
        "8",
        "--sample-count",
        "30",
        "--epoch-sample-count",
        "20",
        "--verbose",
        "silent",
    ]


# slow: both generators trained and scored under mirrored; the unit tests in test_gan.py cover the parts
@pytest.mark.slow
def test_gan_run_writes_scores_per_variant_figures_and_the_headline_table(tmp_path, capsys, monkeypatch):
    from keras_vision.run import main

    argv = tiny_gan_argv(tmp_path, monkeypatch)
    assert main([*argv, "--strategy", "mirrored"]) == 0, capsys.readouterr().err
    run = tmp_path / "runs" / "gan"
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics["models"]) == {"transpose", "resize"}
    for name, numbers in metrics["models"].items():
        assert numbers["epochs"] == 2 and len(numbers["history"]["d_loss"]) == 2, name
        assert len(numbers["scores_per_epoch"]["fid"]) == 2, name
        assert numbers["fid"] >= 0 and 0 <= numbers["confident_share"] <= 1 and 0 <= numbers["checkerboard"] <= 1
        assert 0 <= numbers["label_entropy"] <= np.log(10) + 1e-9
        assert 0 <= numbers["inner_checkerboard"] <= 1 and len(numbers["scores_per_epoch"]["inner_checkerboard"]) == 2
        with Image.open(run / name / "samples" / "progress.gif") as gif:
            assert gif.n_frames >= 1
        assert (run / name / "samples" / "epoch_002.png").is_file() and (run / name / "generator.keras").is_file()
    assert metrics["real"]["count"] == 30 and metrics["data"]["test"] == 40
    assert (tmp_path / "keras_home" / "keras_vision" / "scorers" / "fashion_mnist_64x2_classic_cnn.keras").is_file()
    for figure in ("final_samples.png", "curves.png", "checkerboard.png"):
        assert (run / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", figure
    table = (run / "results.md").read_text()
    assert "classifier FID" in table and "checkerboard inside" in table and "transpose" in table and "resize" in table

    # --resume after both variants finished: neither is trained again, the scores are the same.
    assert main([*argv, "--resume"]) == 0, capsys.readouterr().err
    again = json.loads((run / "metrics.json").read_text())
    for name, numbers in again["models"].items():
        assert (
            numbers["history"] == metrics["models"][name]["history"]
            and numbers["seconds"] == metrics["models"][name]["seconds"]
        )
        assert numbers["fid"] == metrics["models"][name]["fid"], name
    assert not list(run.rglob("*.partial*"))  # every file written whole

    # A finished variant whose generator belongs to another run: one line, no traceback.
    (run / "resize" / "generator.keras").write_bytes(b"not a model")
    assert main([*argv, "--resume"]) == 2
    err = capsys.readouterr().err
    assert "--resume cannot reuse the finished variant" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--variants", "transpose,bilinear"], "--variants takes some of transpose, resize"),
        (["--batch-size", "100"], "--batch-size 100 is larger than the 64 training images"),
        (["--test-limit", "1"], "at least 2 test images; --test-limit 1"),
    ],
)
def test_gan_bad_options_are_one_line_usage_errors(tmp_path, capsys, monkeypatch, extra, message):
    from keras_vision.run import main

    assert main([*tiny_gan_argv(tmp_path, monkeypatch), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
