"""The low-light study (`keras_vision.enhance.lowlight.run_lowlight`) on small real photographs."""

import csv

import cv2
import numpy as np
import pytest

from keras_vision.data import load_images, load_sample_image
from keras_vision.enhance import darken
from keras_vision.enhance.lowlight import METHODS, run_lowlight
from keras_vision.evaluation.image_quality import NO_REFERENCE_MEASURES
from keras_vision.experiments import EXPERIMENTS, run_experiment

#: A grey and a colour photograph embedded in scikit-image: small enough for a quick study.
SAMPLES = ("coins", "coffee")


@pytest.fixture
def dark_folder(tmp_path):
    """Two real photographs, darkened and saved as PNG and JPEG (the real on-disk formats)."""
    folder = tmp_path / "dark"
    folder.mkdir()
    for name, suffix in (("chelsea", ".png"), ("rocket", ".jpg")):
        photo = darken(load_sample_image(name)[::4, ::4], seed=1)
        cv2.imwrite(str(folder / f"{name}{suffix}"), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_study_tables_figures_and_acceptance(tmp_path, dark_folder):
    result = run_lowlight(tmp_path / "out", real_dir=dark_folder, samples=SAMPLES, figure_rows=2, max_side=64)
    assert set(result["synthetic"]) == set(result["real"]) == set(METHODS)
    for method in METHODS:
        assert set(result["synthetic"][method]) == {*NO_REFERENCE_MEASURES, "psnr", "ssim"}
        assert set(result["real"][method]) == set(NO_REFERENCE_MEASURES)
    assert result["images"] == {"synthetic": 2, "real": 2}
    for set_name in ("synthetic", "real"):  # the acceptance criterion: both methods brighten
        table = result[set_name]
        for method in ("maxpool", "clahe", "gamma"):
            assert table[method]["mean_brightness"] > table["input"]["mean_brightness"], (set_name, method)
    assert result["originals"]["mean_brightness"] > result["synthetic"]["input"]["mean_brightness"]
    for name in ("synthetic.png", "real.png", "maxpool_variants.png"):
        assert (tmp_path / "out" / name).stat().st_size > 1000


def test_lowlight_experiment_writes_the_table_as_csv(tmp_path, dark_folder):
    exp = EXPERIMENTS.get("lowlight")
    metrics = run_experiment(exp.make_config(quick=True, data_dir=dark_folder, out=tmp_path, figure_rows=2))
    assert set(metrics["synthetic"]) == set(metrics["real"]) == set(METHODS)
    with (tmp_path / "lowlight" / "results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["variant"] for r in rows] == [f"{s}/{m}" for s in ("synthetic", "real") for m in METHODS]
    clahe = rows[METHODS.index("clahe")]
    assert float(clahe["psnr"]) == pytest.approx(metrics["synthetic"]["clahe"]["psnr"], rel=1e-9)
    assert rows[-1]["psnr"] == ""  # the real photographs have no reference
    assert metrics["config"]["samples"] == "coins,coffee" and metrics["images"] == {"synthetic": 2, "real": 2}


def test_study_without_a_real_folder_has_only_the_synthetic_table(tmp_path):
    result = run_lowlight(tmp_path, samples=("coins",), max_side=32)
    assert "real" not in result and not (tmp_path / "real.png").exists()
    assert result["settings"]["darken_gamma"] == 1.8


def test_a_folder_of_photos_loads_unlabelled_and_complains_clearly(tmp_path, dark_folder):
    photos = load_images(dark_folder)
    assert photos.names == ("chelsea.png", "rocket.jpg")
    assert all(photo.dtype == np.uint8 and photo.ndim == 3 for photo in photos.images)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No images"):
        load_images(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        load_images(tmp_path / "missing")


def test_study_rejects_unknown_and_empty_samples(tmp_path):
    with pytest.raises(ValueError, match="Unknown sample image 'moon2'"):
        run_lowlight(tmp_path, samples=("moon2",))
    with pytest.raises(ValueError, match="at least one photograph"):
        run_lowlight(tmp_path, samples=())


@pytest.mark.real_data
@pytest.mark.parametrize("folder", ["LIME", "DICM"])
def test_real_low_light_sets_are_brightened(tmp_path, shared_data, folder):
    result = run_lowlight(tmp_path, real_dir=shared_data / "lowlight" / folder, samples=("coins",), max_side=128)
    real = result["real"]
    print(folder, {m: round(real[m]["mean_brightness"], 3) for m in METHODS})
    for method in ("maxpool", "clahe", "gamma"):
        assert real[method]["mean_brightness"] > real["input"]["mean_brightness"]
