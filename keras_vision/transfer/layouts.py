"""How the layers of each `keras.applications` model group into named blocks.

Keras names every layer of an application with a readable prefix (`conv2_block1_1_conv`,
`block3_conv2`, `conv_dw_5_bn`); a block is the set of layers whose names start with its prefixes.
A `BlockLayout` lists a model's blocks from input to output (they partition its layers, so
"freeze everything below block k" is well defined) and, separately, aliases: other names for a
block or for part of one, such as Keras' own `conv2` for DenseNet's `denseblock1`.

Layers Keras names automatically (`zero_padding2d_3`, EfficientNet's `rescaling`/`normalization`)
match no prefix; they have no trainable weights and belong to the block of the layer before them.

This module is plain data and imports nothing heavy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def prefixes(*names: str) -> str:
    """A regex matching a layer named exactly `name` or `name_...` for any of `names`."""
    return "^(" + "|".join(map(re.escape, names)) + ")(_|$)"


@dataclass(frozen=True)
class BlockLayout:
    """Named blocks of one architecture.

    Attributes:
        blocks: `(block name, layer-name regex)` pairs, from input to output.
        aliases: `(alias, layer-name regex)` pairs: extra names, possibly for part of a block.
        signature: Layer names that identify the architecture inside any model.
        excludes: Layer names the architecture does NOT have: they tell a deeper relative apart
            (ResNet101 has every layer name of ResNet50, and `conv4_block7_out` besides).
        closing: The pattern of a block matches its LAST layer (InceptionV3, whose only named
            layers are the `mixedN` concatenations closing each module); the layers before it
            belong to it. Defaults to `False`: the pattern matches the block's layers, and an
            unmatched layer belongs to the block of the layer before it.
    """

    blocks: tuple[tuple[str, str], ...]
    aliases: tuple[tuple[str, str], ...] = ()
    signature: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    closing: bool = False

    @property
    def block_names(self) -> list[str]:
        return [name for name, _ in self.blocks]

    @property
    def alias_names(self) -> list[str]:
        return [name for name, _ in self.aliases]

    def block_of(self, layer_name: str) -> str | None:
        """The block whose pattern matches `layer_name`, or None for an automatically named layer."""
        for block, pattern in self.blocks:
            if re.match(pattern, layer_name):
                return block
        return None

    def alias_pattern(self, alias: str) -> str | None:
        return dict(self.aliases).get(alias)

    def matches(self, layer_names: set[str]) -> bool:
        """True when every signature layer and no excluded layer is among `layer_names`."""
        return bool(self.signature) and set(self.signature) <= layer_names and not set(self.excludes) & layer_names


def densenet_layout(depth: int = 121) -> BlockLayout:
    """DenseNet121, 169 or 201: the same block names, told apart by the length of dense blocks 3-4."""
    # torchvision names (stem, denseblockN, transitionN, norm5) as blocks; Keras prefixes as aliases.
    blocks = [("stem", prefixes("conv1", "pool1"))]
    for i in range(1, 5):
        blocks.append((f"denseblock{i}", prefixes(f"conv{i + 1}")))
        if i < 4:
            blocks.append((f"transition{i}", prefixes(f"pool{i + 1}")))
    blocks.append(("norm5", prefixes("bn", "relu")))
    keras_names = ["conv1", "pool1", "conv2", "pool2", "conv3", "pool3", "conv4", "pool4", "conv5"]
    aliases = [(name, prefixes(name)) for name in keras_names] + [("bn", prefixes("bn", "relu"))]
    block3, block4 = DENSENET_BLOCKS[depth][2:]
    signature = (f"conv4_block{block3}_concat", f"conv5_block{block4}_concat", "pool4_conv")
    excludes = (f"conv4_block{block3 + 1}_concat", f"conv5_block{block4 + 1}_concat")
    return BlockLayout(tuple(blocks), tuple(aliases), signature, excludes)


#: Dense layers per dense block (Huang et al. 2017, table 1).
DENSENET_BLOCKS = {121: (6, 12, 24, 16), 169: (6, 12, 32, 32), 201: (6, 12, 48, 32)}


def densenet121_layout() -> BlockLayout:
    return densenet_layout(121)


#: Residual blocks per stage of the Keras ResNets (He et al. 2016, table 1).
RESNET_BLOCKS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3)}


def resnet_layout(depth: int = 50, *, v2: bool = False) -> BlockLayout:
    """ResNet50, ResNet101 (`conv1`, `conv2`-`conv5`) or ResNet50V2 (also `post`, its final BN-ReLU)."""
    blocks = [("conv1", prefixes("conv1", "pool1"))]
    blocks += [(f"conv{i}", prefixes(f"conv{i}")) for i in range(2, 6)]
    if v2:
        blocks.append(("post", prefixes("post")))
    aliases = (("stem", prefixes("conv1", "pool1")), ("pool1", prefixes("pool1")))
    stage4 = RESNET_BLOCKS[depth][2]
    signature = ("conv1_conv", f"conv4_block{stage4}_out", "conv5_block3_out") + (("post_relu",) if v2 else ())
    excludes = (f"conv4_block{stage4 + 1}_out",) + (() if v2 else ("post_relu",))
    return BlockLayout(tuple(blocks), aliases, signature, excludes)


def resnet50_layout() -> BlockLayout:
    return resnet_layout(50)


def inceptionv3_layout() -> BlockLayout:
    # Keras names only the concatenation closing each Inception module (mixed0 ... mixed10; mixed9
    # and mixed10 have inner concatenations mixed9_0, mixed9_1): every other layer is auto-named
    # (conv2d_7), so each block ends at its mixedN and mixed0 includes the stem.
    blocks = tuple((f"mixed{i}", rf"^mixed{i}$") for i in range(11))
    return BlockLayout(blocks, (), ("mixed0", "mixed10"), closing=True)


def vgg16_layout() -> BlockLayout:
    blocks = tuple((f"block{i}", prefixes(f"block{i}")) for i in range(1, 6))
    return BlockLayout(blocks, (), ("block1_conv1", "block5_conv3"))


def mobilenet_layout() -> BlockLayout:
    # Stages by output stride (/2 ... /32); each depthwise-separable unit i is also an alias blockI.
    def units(*ids: int) -> list[str]:
        return [f"{kind}_{i}" for i in ids for kind in ("conv_pad", "conv_dw", "conv_pw")]

    stages = {"stem": (1,), "stage2": (2, 3), "stage3": (4, 5), "stage4": tuple(range(6, 12)), "stage5": (12, 13)}
    blocks = [(name, prefixes(*(["conv1"] if name == "stem" else []), *units(*ids))) for name, ids in stages.items()]
    aliases = [("conv1", prefixes("conv1"))] + [(f"block{i}", prefixes(*units(i))) for i in range(1, 14)]
    return BlockLayout(tuple(blocks), tuple(aliases), ("conv_dw_1", "conv_pw_13"))


def mobilenetv2_layout() -> BlockLayout:
    # Stem = Conv1 + the first inverted residual (Keras: expanded_conv); stages by output stride.
    def units(*ids: int) -> list[str]:
        return [f"block_{i}" for i in ids]

    blocks = [
        ("stem", prefixes("Conv1", "bn_Conv1", "expanded_conv")),
        ("stage2", prefixes(*units(1, 2))),
        ("stage3", prefixes(*units(3, 4, 5))),
        ("stage4", prefixes(*units(*range(6, 13)))),
        ("stage5", prefixes(*units(*range(13, 17)))),
        ("top", prefixes("Conv_1", "out_relu")),
    ]
    aliases = [("expanded_conv", prefixes("expanded_conv"))]
    aliases += [(f"block_{i}", prefixes(f"block_{i}")) for i in range(1, 17)]
    return BlockLayout(tuple(blocks), tuple(aliases), ("Conv1", "block_16_project", "Conv_1"))


def efficientnetb0_layout() -> BlockLayout:
    # Keras names the MBConv blocks block{stage}{letter}_...: block1a, block2a, block2b, ...
    blocks = [("stem", prefixes("stem"))]
    blocks += [(f"block{i}", rf"^block{i}[a-z]_") for i in range(1, 8)]
    blocks.append(("top", prefixes("top")))
    return BlockLayout(tuple(blocks), (), ("stem_conv", "block7a_project_conv", "top_conv"))
