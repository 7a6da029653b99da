"""Train the evaluation classifier used by ``gan_tf.metrics`` and ship its weights.

    python scripts/train_classifier.py --dataset fashion_mnist --epochs 10 --out data/models/

writes ``<out>/<dataset>_classifier.weights.h5`` and ``<out>/<dataset>_classifier.sha256``
(``sha256sum`` format) and prints the test accuracy. Adam 1e-3, batch 128, seed 0.
See chapter 5.5.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gan_tf import config  # noqa: E402
from gan_tf.data import load_arrays, load_images  # noqa: E402
from gan_tf.config import sha256_file as sha256_of  # noqa: E402
from gan_tf.models.classifier import build_classifier  # noqa: E402

DATASETS = ("fashion_mnist", "mnist", "digits")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="fashion_mnist", choices=DATASETS)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="data/models/")
    args = parser.parse_args(argv)
    if args.epochs <= 0:
        parser.error(f"--epochs must be positive, got {args.epochs}")

    config.set_seed(args.seed)
    train = load_images(args.dataset, "train", batch_size=args.batch_size, with_labels=True,
                        seed=args.seed)
    x_test, y_test = load_arrays(args.dataset, "test")
    model = build_classifier(input_shape=x_test.shape[1:], num_classes=10)
    model.compile(optimizer=keras.optimizers.Adam(args.lr),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.time()
    model.fit(train, epochs=args.epochs, verbose=2)
    seconds = time.time() - start
    logits = model.predict(x_test, batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == y_test))

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / f"{args.dataset}_classifier.weights.h5"
    tmp = out / f".{args.dataset}_classifier.tmp.weights.h5"
    # Save a fresh, uncompiled copy: a compiled model's file would also carry the Adam
    # moments (three times the size) that evaluation never needs.
    bare = build_classifier(input_shape=x_test.shape[1:], num_classes=10)
    bare.set_weights(model.get_weights())
    bare.save_weights(tmp)
    tmp.replace(weights)  # atomic: a half-written file never carries the final name
    digest = sha256_of(weights)
    (out / f"{args.dataset}_classifier.sha256").write_text(f"{digest}  {weights.name}\n")
    print(f"dataset={args.dataset} epochs={args.epochs} train_seconds={seconds:.1f} "
          f"test_accuracy={accuracy:.4f} ({len(y_test)} images)")
    print(f"wrote {weights} ({weights.stat().st_size} bytes, sha256 {digest})")
    return accuracy


if __name__ == "__main__":
    main()
