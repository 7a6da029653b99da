#!/usr/bin/env python
"""Do the speed options train as well? The book's DCGAN on Fashion-MNIST, one run per option.

``benchmarks/throughput.py`` says how fast each option steps; this says what the steps are
worth. Each option trains ``gan_tf.models``' DCGAN (chapter 4.2) with ``gan_tf.trainers.GAN``
for ``--steps`` generator steps of batch 128 (Adam(2e-4, 0.5), the same seed, data order and
noise seed for every option), then ``gan_tf.metrics.evaluate`` scores ``--samples`` samples
against the test split (FID and KID on the shipped Fashion-MNIST classifier's features,
precision, recall, classes covered). Wall time is the ``fit`` call's, tracing included.

Options (comma-separated ``--ways``): ``float32`` (the default), ``bf16`` (the
``mixed_bfloat16`` policy), ``reuse`` (``reuse_fake=True``), ``reuse_bf16``, ``xla``
(``jit_compile=True``), ``stock`` (Keras's own layers instead of gan_tf's fused ones).

    python benchmarks/speed_quality.py [--steps 700] [--samples 5000] [--ways float32,bf16,reuse_bf16]

One run per option: FID differences of a few points between runs of one option are seed noise
(chapter 4's guide measured the spread); read large gaps only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from gan_tf import data, metrics  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import BATCH, build_gan, cpu_flags, cpu_model  # noqa: E402


def train_and_score(way, x_train, real_eval, steps, samples, seed=0):
    gan = build_gan(way.split("_"), seed)
    ds = data.to_dataset(x_train, batch_size=BATCH, seed=seed, drop_remainder=True).repeat()
    start = time.perf_counter()
    gan.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    scores = metrics.evaluate(gan, "fashion_mnist", num_samples=samples, real_images=real_eval,
                              seed=seed, train_images=x_train, memorisation_samples=100)
    return dict(way=way, seconds=seconds, rate=steps * BATCH / seconds, **scores)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=700)
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--ways", default="float32,bf16,reuse_bf16")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"CPU: {cpu_model()} ({os.cpu_count()} logical cores; flags: "
          f"{', '.join(cpu_flags()) or '-'})")
    x_train, _ = data.load_arrays("fashion_mnist", "train")
    real_eval, _ = data.load_arrays("fashion_mnist", "test")
    rows = []
    for way in args.ways.split(","):
        r = train_and_score(way, x_train, real_eval, args.steps, args.samples, args.seed)
        rows.append(r)
        print(f"  {way}: {r['seconds']:.0f} s, FID {r['fid']:.2f}", flush=True)
    print(f"\n{args.steps} generator steps of batch {BATCH}, seed {args.seed}, "
          f"{args.samples} samples scored")
    print(f"{'way':<14}{'fit s':>7}{'images/s':>10}{'FID':>8}{'KID':>9}{'precision':>11}"
          f"{'recall':>8}{'classes':>9}")
    for r in rows:
        print(f"{r['way']:<14}{r['seconds']:7.0f}{r['rate']:10.0f}{r['fid']:8.2f}{r['kid']:9.4f}"
              f"{r['precision']:11.3f}{r['recall']:8.3f}{r['classes_covered']:9.0f}")
    return rows


if __name__ == "__main__":
    main()
