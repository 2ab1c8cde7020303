import pytest

from keras_vision.models import build_classic_cnn, format_layer_table, layer_table

# The course's numbers: 26x26 after the first conv, 1600 values at Flatten, and the parameter
# counts 3*3*1*64+64, 3*3*64*64+64, 1600*128+128, 128*10+10.
EXPECTED = [
    ("InputLayer", [28, 28, 1], 0),
    ("Conv2D", [26, 26, 64], 640),
    ("MaxPooling2D", [13, 13, 64], 0),
    ("Conv2D", [11, 11, 64], 36_928),
    ("MaxPooling2D", [5, 5, 64], 0),
    ("Flatten", [1600], 0),
    ("Dense", [128], 204_928),
    ("Dense", [10], 1_290),
]


def test_classic_cnn_matches_the_course():
    rows = layer_table(build_classic_cnn())
    assert [(r["type"], r["output_shape"], r["params"]) for r in rows] == EXPECTED
    assert [r["name"] for r in rows[1:]] == [
        "block1_conv",
        "block1_pool",
        "block2_conv",
        "block2_pool",
        "flatten",
        "fc1",
        "predictions",
    ]
    assert "243,786" in format_layer_table(rows)


def test_classic_cnn_adapts_to_other_inputs():
    model = build_classic_cnn((32, 32, 3), 100)
    assert model.output_shape == (None, 100)
    assert model.get_layer("flatten").output.shape[-1] == 6 * 6 * 64


def test_classic_cnn_rejects_a_flat_shape():
    with pytest.raises(ValueError, match=r"\(height, width, channels\)"):
        build_classic_cnn((28, 28))
