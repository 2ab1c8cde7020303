"""The `upsampling` and `superres` experiments through the contract (tiny settings)."""

import json

import numpy as np
import pytest

from keras_vision.experiments import EXPERIMENTS, run_experiment
from keras_vision.run import main


def test_upsampling_experiment_scores_both_upsamplers(tmp_path):
    metrics = run_experiment(EXPERIMENTS.get("upsampling").make_config(quick=True, out=tmp_path, trials=2))
    scores = metrics["checkerboard"]
    assert set(scores) == {"transpose", "resize"}
    assert scores["transpose"] >= 10 * scores["resize"] and scores["transpose"] > 0.1
    assert (tmp_path / "upsampling" / "upsampler_outputs.png").stat().st_size > 1000
    assert "| transpose |" in (tmp_path / "upsampling" / "results.md").read_text()


def test_superres_experiment_on_a_folder(tmp_path):
    import cv2

    from keras_vision.data import load_sample_image

    folder = tmp_path / "eval"
    folder.mkdir()
    cv2.imwrite(str(folder / "chelsea.png"), cv2.cvtColor(load_sample_image("chelsea")[:64, :64], cv2.COLOR_RGB2BGR))
    config = EXPERIMENTS.get("superres").make_config(
        quick=True, out=tmp_path, eval_dir=folder, losses="mse", epochs=1, max_train_seconds=5.0, patch_stride=33
    )
    metrics = run_experiment(config)
    assert set(metrics["models"]) == {"srcnn-mse", "espcn-mse"}  # --models srcnn,espcn (the default) x --losses mse
    mse = metrics["models"]["srcnn-mse"]
    assert {"psnr_baseline", "psnr", "psnr_gain", "ssim_baseline", "ssim", "per_image", "seconds"} <= set(mse)
    assert list(mse["per_image"]) == ["chelsea"] and np.isfinite(mse["psnr"])
    written = json.loads((tmp_path / "superres" / "config.json").read_text())
    assert written["losses"] == "mse" and written["scale"] == 2


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--losses", "mse,l1"], "--losses takes some of mse, perceptual"),
        (["--source", "folder"], "--source folder reads the training photographs from --data-dir"),
        (["--max-train-seconds", "0"], "--max-train-seconds must be at least 1"),
        (["--eval-dir", "/nonexistent/CSet14"], "--eval-dir /nonexistent/CSet14: No such folder"),
    ],
)
def test_superres_bad_options_are_one_line_usage_errors(tmp_path, capsys, argv, message):
    assert main(["superres", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_upsampling_experiment_draws_into_its_run_folder_only(tmp_path):
    """Also with a kernel too large for the default 16x16 input: the input grows to crop its border."""
    config = EXPERIMENTS.get("upsampling").make_config(quick=True, out=tmp_path, trials=1, kernel_size=9)
    assert run_experiment(config)["checkerboard"]["transpose"] > 0
    written = sorted(p.name for p in (tmp_path / "upsampling").iterdir())
    assert written == [".lock", "config.json", "metrics.json", "results.csv", "results.md", "upsampler_outputs.png"]


def test_a_switch_that_is_on_by_default_can_be_turned_off(tmp_path, monkeypatch):
    """`--residual` is on by default; `--no-residual` trains the plain SRCNN (and is recorded)."""
    import keras_vision.experiments.superres as superres

    seen = {}
    monkeypatch.setattr(superres, "run", lambda config: seen.setdefault("residual", config.residual) and {} or {})
    assert main(["superres", "--no-residual", "--out", str(tmp_path)]) == 0
    assert seen == {"residual": False}
    written = json.loads((tmp_path / "superres" / "config.json").read_text())
    assert written["residual"] is False
