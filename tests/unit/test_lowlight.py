"""The low-light comparison (`keras_vision.enhance.compare`) and the `lowlight` experiment on small real photographs."""

import csv
import json
import re

import cv2
import numpy as np
import pytest

from keras_vision.data import load_images, load_sample_image
from keras_vision.enhance import clahe, darken, gamma_correct, max_pool_brighten
from keras_vision.enhance.compare import (
    FIGURE_METHODS,
    METHODS,
    EnhanceSettings,
    enhance_all,
    plot_maxpool_variants,
    plot_side_by_side,
    score_set,
    shrink,
)
from keras_vision.evaluation.image_quality import NO_REFERENCE_MEASURES, measure_image, psnr
from keras_vision.experiments import EXPERIMENTS, run_experiment
from keras_vision.run import main

SETTINGS = EnhanceSettings(pool_size=3, clip_limit=2.0, tile_grid=8, gamma=0.5)
DARKENING = {"gamma": 1.8, "scale": 0.4, "noise": 0.01}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def dark_folder(tmp_path):
    """Two real photographs, darkened and saved as PNG and JPEG (the real on-disk formats)."""
    folder = tmp_path / "dark"
    folder.mkdir()
    for name, suffix in (("chelsea", ".png"), ("rocket", ".jpg")):
        photo = darken(load_sample_image(name)[::4, ::4], **DARKENING, seed=1)
        cv2.imwrite(str(folder / f"{name}{suffix}"), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_enhance_all_applies_each_method_with_its_setting():
    dark = darken(load_sample_image("coffee")[::8, ::8], **DARKENING, seed=0)
    outputs = enhance_all(dark, SETTINGS)
    assert list(outputs) == list(METHODS)
    np.testing.assert_array_equal(outputs["maxpool"], max_pool_brighten(dark, pool_size=3))
    np.testing.assert_array_equal(outputs["clahe"], clahe(dark, clip_limit=2.0, tile_grid=8))
    np.testing.assert_array_equal(outputs["gamma"], gamma_correct(dark, 0.5))
    assert outputs["input"] is not None and np.array_equal(outputs["input"], dark)


def test_score_set_is_the_mean_over_the_images_and_returns_what_the_figures_show():
    originals = [load_sample_image(name)[::8, ::8] for name in ("coffee", "chelsea")]
    darks = [darken(image, **DARKENING, seed=i) for i, image in enumerate(originals)]
    scores, shown = score_set(darks, SETTINGS, references=originals)
    assert set(scores) == set(METHODS)
    expected = np.mean([psnr(o, gamma_correct(d, 0.5)) for o, d in zip(originals, darks)])
    assert scores["gamma"]["psnr"] == pytest.approx(expected)
    assert [len(row) for row in shown] == [len(FIGURE_METHODS)] * 2
    without_reference, _ = score_set(darks, SETTINGS)
    assert set(without_reference["input"]) == set(NO_REFERENCE_MEASURES)
    assert without_reference["input"]["entropy"] == pytest.approx(np.mean([measure_image(d)["entropy"] for d in darks]))
    with pytest.raises(ValueError, match="one reference per image"):
        score_set(darks, SETTINGS, references=originals[:1])
    with pytest.raises(ValueError, match="empty"):
        score_set([], SETTINGS)


def test_figures_go_to_the_paths_they_are_given(tmp_path):
    dark = darken(load_sample_image("coffee")[::4, ::4], **DARKENING, seed=0)
    _, shown = score_set([dark, dark], SETTINGS)
    side = plot_side_by_side(shown, FIGURE_METHODS, tmp_path / "a.png", limit=1)
    crops = plot_maxpool_variants(dark, SETTINGS, tmp_path / "b.png", side=32)
    assert side.read_bytes()[:8] == PNG_MAGIC and crops.read_bytes()[:8] == PNG_MAGIC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]


def test_shrink_keeps_small_images_and_the_aspect_ratio():
    photo = load_sample_image("rocket")  # 427 x 640
    assert shrink(photo, None) is photo and shrink(photo, 1000) is photo
    small = shrink(photo, 64)
    assert small.shape == (43, 64, 3) and small.dtype == photo.dtype


def test_lowlight_experiment_tables_figures_and_acceptance(tmp_path, dark_folder):
    exp = EXPERIMENTS.get("lowlight")
    metrics = run_experiment(exp.make_config(quick=True, data_dir=dark_folder, out=tmp_path, figure_rows=2))
    assert set(metrics["synthetic"]) == set(metrics["real"]) == set(METHODS)
    for method in METHODS:
        assert set(metrics["synthetic"][method]) == {*NO_REFERENCE_MEASURES, "psnr", "ssim"}
        assert set(metrics["real"][method]) == set(NO_REFERENCE_MEASURES)
    for set_name in ("synthetic", "real"):  # the acceptance criterion: every method brightens
        table = metrics[set_name]
        for method in ("maxpool", "clahe", "gamma"):
            assert table[method]["mean_brightness"] > table["input"]["mean_brightness"], (set_name, method)
    assert metrics["originals"]["mean_brightness"] > metrics["synthetic"]["input"]["mean_brightness"]
    assert metrics["config"]["samples"] == "coins,coffee" and metrics["images"] == {"synthetic": 2, "real": 2}
    run = tmp_path / "lowlight"
    for name in ("synthetic.png", "real.png", "maxpool_variants.png"):
        assert (run / name).stat().st_size > 1000
    with (run / "results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["variant"] for r in rows] == [f"{s}/{m}" for s in ("synthetic", "real") for m in METHODS]
    clahe_row = rows[METHODS.index("clahe")]
    assert float(clahe_row["psnr"]) == pytest.approx(metrics["synthetic"]["clahe"]["psnr"], rel=1e-9)
    assert rows[-1]["psnr"] == ""  # the real photographs have no reference
    assert json.loads((run / "metrics.json").read_text())["synthetic"] == metrics["synthetic"]


def test_the_darkening_options_reach_the_synthetic_set(tmp_path):
    exp = EXPERIMENTS.get("lowlight")
    common = {"samples": "coins", "max_side": 64, "figure_rows": 1}
    light = run_experiment(exp.make_config(out=tmp_path / "a", darken_scale=0.9, darken_noise=0.0, **common))
    dark = run_experiment(exp.make_config(out=tmp_path / "b", darken_scale=0.2, darken_noise=0.0, **common))
    photo = shrink(load_sample_image("coins"), 64)
    expected = measure_image(darken(photo, gamma=1.8, scale=0.2, noise=0.0))["mean_brightness"]
    assert dark["synthetic"]["input"]["mean_brightness"] == pytest.approx(expected)
    assert light["synthetic"]["input"]["mean_brightness"] > 2 * dark["synthetic"]["input"]["mean_brightness"]
    assert "real" not in light and not (tmp_path / "a" / "lowlight" / "real.png").exists()


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--samples", "moon2"], "--samples takes names.*'moon2'"),
        (["--samples", " , "], "--samples takes names"),
        (["--darken-scale", "1.5"], r"scale.*\(0, 1\].*--darken-scale"),
        (["--tile-grid", "0"], "--tile-grid must be at least 1"),
        (["--data-dir", "/nonexistent/LIME"], "--data-dir /nonexistent/LIME: No such folder"),
    ],
)
def test_bad_options_are_one_line_usage_errors(tmp_path, capsys, argv, message):
    assert main(["lowlight", "--out", str(tmp_path), "--max-side", "64", *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(message, err), err


def test_a_folder_of_photos_loads_unlabelled_and_complains_clearly(tmp_path, dark_folder):
    photos = load_images(dark_folder)
    assert photos.names == ("chelsea.png", "rocket.jpg")
    assert all(photo.dtype == np.uint8 and photo.ndim == 3 for photo in photos.images)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No images"):
        load_images(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        load_images(tmp_path / "missing")


@pytest.mark.real_data
@pytest.mark.parametrize("folder", ["LIME", "DICM"])
def test_real_low_light_sets_are_brightened(tmp_path, shared_data, folder):
    exp = EXPERIMENTS.get("lowlight")
    config = exp.make_config(data_dir=shared_data / "lowlight" / folder, samples="coins", max_side=128, out=tmp_path)
    real = run_experiment(config)["real"]
    print(folder, {m: round(real[m]["mean_brightness"], 3) for m in METHODS})
    for method in ("maxpool", "clahe", "gamma"):
        assert real[method]["mean_brightness"] > real["input"]["mean_brightness"]
