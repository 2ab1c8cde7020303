"""The `upsampling` and `superres` experiments through the contract (tiny settings)."""

import json

import numpy as np

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
    mse = metrics["models"]["mse"]
    assert {"psnr_bicubic", "psnr_sr", "ssim_bicubic", "ssim_sr", "per_image", "seconds"} <= set(mse)
    assert [image["name"] for image in mse["per_image"]] == ["chelsea"] and np.isfinite(mse["psnr_sr"])
    written = json.loads((tmp_path / "superres" / "config.json").read_text())
    assert written["losses"] == "mse" and written["scale"] == 2


def test_superres_rejects_unknown_losses(tmp_path, capsys):
    assert main(["superres", "--losses", "mse,l1", "--out", str(tmp_path)]) == 2
    assert "--losses takes some of" in capsys.readouterr().err
