"""A 9-class "small folder set" cut from the CIFAR-10 JPEG archive, the size of the source project's.

    python benchmarks/folder_subset.py --out /tmp/cifar9 [--data-dir ../shared/data]
    python -m keras_vision.run folder --data-dir /tmp/cifar9 --arch mobilenet:alpha=0.25 \
        --weights ../shared/data/weights/mobilenet_2_5_224_tf_no_top.h5 --validation-split 0.2064

The source project fine-tunes ImageNet networks on 9 classes with about 100 training and 26
validation images per class. This script writes `OUT/train/<class>/*.jpg` with 126 images of each
of the first 9 CIFAR-10 classes (airplane ... ship; truck left out) and `OUT/test/<class>/*.jpg`
with 100 test images each, copying the JPEG bytes unchanged (the first files of each class folder
in the archive, in name order). `folder --validation-split 0.2064` then holds out 234 of the 1,134
training images (26 per class on average) for validation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reporting import default_data_dir  # noqa: E402  (benchmarks/ is the script folder)

from keras_vision.data.tiny import (  # noqa: E402
    CIFAR10_JPEG_ARCHIVE,
    FOLDER_SUBSET_CLASSES,
    FOLDER_SUBSET_PER_SPLIT,
    write_cifar_folder_subset,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/cifar9"), help="folder to write")
    parser.add_argument("--data-dir", type=Path, default=None, help="folder holding cifar10-jpg.tar.gz")
    args = parser.parse_args(argv)
    archive = (args.data_dir or default_data_dir()) / CIFAR10_JPEG_ARCHIVE
    if not archive.is_file():
        raise SystemExit(f"{archive} not found: pass --data-dir, the folder holding {CIFAR10_JPEG_ARCHIVE}.")
    try:
        write_cifar_folder_subset(archive, args.out)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    print(
        f"wrote {args.out}: {len(FOLDER_SUBSET_CLASSES)} classes, {FOLDER_SUBSET_PER_SPLIT['train']} train and "
        f"{FOLDER_SUBSET_PER_SPLIT['test']} test each"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
