"""Make ``data/scenes/items.npz``: the Fashion-MNIST items the captioned scenes use.

    TF_CPP_MIN_LOG_LEVEL=2 python scripts/scene_items.py

An item is kept when the shipped Fashion-MNIST classifier (``gan_tf.metrics.load_classifier``,
SHA-256 checked) classifies it correctly as the plain 28x28 item *and* after each scene
rendering (frames 14, 22 at 32x32 and 28, 44 at 64x64; ``gan_tf.data.scenes.render_items``)
read back as the caption checker reads it (``classifier_input`` of the rendered opacity and its
mask), and when the box of its mask measures the right size at every scale (long side / canvas
at most ``SIZE_THRESHOLD - 0.03`` small, at least ``SIZE_THRESHOLD + 0.03`` large). The file
holds, per split, the keep flags packed with ``numpy.packbits`` and their count. The data layer
may not import the metrics (layering), so the filter ships as data. See chapter 7.1.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gan_tf.data import load_arrays  # noqa: E402
from gan_tf.data import scenes  # noqa: E402
from gan_tf.metrics import load_classifier  # noqa: E402
from gan_tf.metrics.features import SHIPPED_SHA256  # noqa: E402

MARGIN = 0.03
CHUNK = 4000


def predict(model, x):
    return np.concatenate([np.asarray(model(x[i:i + 1000], training=False)).argmax(-1)
                           for i in range(0, len(x), 1000)])


def keep_flags(model, split):
    x, y = load_arrays("fashion_mnist", split)
    keep = predict(model, x) == y
    counts = {"raw": int(keep.sum())}
    for s in scenes.IMAGE_SIZES:
        for k, frame in enumerate(scenes.frame_sizes(s)):
            ok = np.zeros(len(x), bool)
            for i in range(0, len(x), CHUNK):
                alpha = scenes._item_alpha28(x[i:i + CHUNK])
                patches = scenes.render_items(alpha, frame).astype(np.float32)
                mask = patches >= scenes.MASK_THRESHOLD
                boxes, present = scenes._mask_boxes(mask)
                long_side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) / s
                if k == 0:
                    size_ok = long_side <= scenes.SIZE_THRESHOLD - MARGIN
                else:
                    size_ok = long_side >= scenes.SIZE_THRESHOLD + MARGIN
                pred = predict(model, scenes.classifier_input(patches, mask))
                ok[i:i + CHUNK] = present & size_ok & (pred == y[i:i + CHUNK])
            counts[f"{s}/{frame}"] = int(ok.sum())
            keep &= ok
    counts["kept"] = int(keep.sum())
    per_class = np.bincount(y[keep], minlength=10)
    return keep, counts, per_class


def main():
    start = time.time()
    model = load_classifier("fashion_mnist")
    arrays = {}
    for split in ("train", "test"):
        keep, counts, per_class = keep_flags(model, split)
        arrays[split] = np.packbits(keep)
        arrays[f"{split}_count"] = np.array(len(keep))
        print(split, "of", len(keep), counts, "per class", per_class.tolist(), flush=True)
    arrays["classifier_sha256"] = np.array(SHIPPED_SHA256["fashion_mnist"])
    out = Path(__file__).resolve().parent.parent / "data" / scenes.ITEMS_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    print(f"wrote {out} ({out.stat().st_size} bytes) in {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
