import pytest

from keras_vision.registry import Registry


def make():
    reg = Registry("architecture")
    reg.register("resnet50", 1)

    @reg.register("densenet121")
    def densenet():
        return 2

    return reg


def test_register_get_and_order():
    reg = make()
    assert reg.get("resnet50") == 1
    assert reg.get("densenet121")() == 2
    assert reg.names() == ["resnet50", "densenet121"]
    assert "resnet50" in reg and "vgg16" not in reg and len(reg) == 2


def test_duplicates_are_refused():
    with pytest.raises(ValueError, match="already registered"):
        make().register("resnet50", 3)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("resnet5", "Did you mean 'resnet50'"),
        ("densenet", "Did you mean 'densenet121'"),
        ("xyz", "Valid architectures: resnet50, densenet121."),
    ],
)
def test_unknown_name_lists_valid_names(name, expected):
    with pytest.raises(ValueError) as info:
        make().get(name)
    assert f"Unknown architecture {name!r}" in str(info.value)
    assert expected in str(info.value)
