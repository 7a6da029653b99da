#!/usr/bin/env python
"""Semi-supervised classification with the SGAN on Fashion-MNIST, next to a supervised baseline.

Protocol. For each number of labels n in ``--labels`` (default 100 and 1000: 10 and 100 per
class) and each label draw d in 0 .. ``--draws`` - 1 (default 3), the labelled examples are
``gan_tf.data.few_label_split(y_train, n // 10, seed=d)`` of the 60,000 Fashion-MNIST training
images (the rest are the unlabelled pool) and three classifiers of one architecture,
``gan_tf.models.build_sgan_discriminator`` (dropout CNN, chapter 6.2), are trained for
``--steps`` updates on batches of ``--batch-size`` (default 100, Salimans et al.'s):

- ``baseline``: the network with K = 10 logits trained on the labelled images alone
  (cross-entropy, Adam(``--lr``, beta_1=0.5)), on the very labelled batches the SGANs see (the
  labelled half of ``gan_tf.data.semi_supervised_dataset(..., seed=d)``), one update per
  batch: the same number of updates and batch size as the SGANs' discriminator.
- ``odena``: ``gan_tf.trainers.SGAN(variant="odena")``, Odena, arXiv:1606.01583, Algorithm 1
  (K + 1-way softmax on the labelled images and the fakes; the unlabelled images are not
  scored by that algorithm).
- ``salimans``: ``SGAN(variant="salimans")``, Salimans et al., arXiv:1606.03498, section 5
  (K logits and a fixed 0 logit for "fake"; L_supervised + L_unsupervised on the unlabelled
  pool) with feature matching for G (section 3.1).

The SGANs' generator (``--generator``) is Salimans et al.'s MNIST one, an MLP 100 -> 500 -> 500
-> 784 with softplus and batch norm (``"mlp"``, the default; ``"dcgan"`` is the book's DCGAN
generator, about 60x the multiply-adds and 4x slower per step here); both
networks use Adam(``--lr`` = 1e-3, beta_1=0.5) (see Budget), one discriminator and
one generator update per step, through the trainers' ``fit`` (graph mode). Weights and noise
are seeded with ``--seed`` + d; within a draw the baseline and the Salimans-variant classifier
start from the same weights (built first after the same seed; Odena's has one more logit).
Each classifier is then scored on the 10,000 test images: accuracy of the argmax of its K class
logits (``SGAN.predict_classes``; the baseline's argmax). Reported per (labels, method): the
mean +- standard deviation (population, ddof=0) of the test accuracy over the draws, and each
draw's value. Wall time per run includes tracing.

Published anchors, for context only: they are MNIST (digits), not Fashion-MNIST (clothes,
a harder set: a fully supervised CNN of this size reaches about 0.90-0.92 on Fashion-MNIST
against about 0.99 on MNIST), with other networks and far longer training. Numbers as recalled;
check the papers:
- Odena 2016 (arXiv:1606.01583), table 1, MNIST accuracy with n labelled examples, CNN vs
  SGAN: 100: 0.895 vs 0.928; 1000: 0.965 vs 0.964.
- Salimans et al. 2016 (arXiv:1606.03498), table 1, permutation-invariant MNIST, feature
  matching, 100 labels: 93 +- 6.5 test errors of 10,000, i.e. error 0.93 % +- 0.065 %
  (accuracy 0.9907); no 1000-label MNIST row.

Budget. Default: 1200 steps per run, 2 x 3 x 3 = 18 runs, batch 100. Measured on a 2-core AMD
EPYC (AVX-512) shared with other jobs (load average 6-10): 6 runs of 500 steps took 530 s wall,
287 s of CPU; extrapolated, the default run needs about 35 CPU-minutes, 25-35 minutes on an idle
2-core machine and about 65 minutes at that load. The script prints its own estimate after each
run (the runs left at the mean wall time of their method's runs so far). Adam(1e-3, 0.5) is the
default learning rate: at 500 steps with 1000 labels it gave 0.80 / 0.76 / 0.78 (baseline /
odena / salimans) against 0.75 / 0.71 / 0.73 with DCGAN's 2e-4, which is too slow for the budget.

    python benchmarks/semi_supervised.py                       # the table (about an hour)
    python benchmarks/semi_supervised.py --steps 300 --draws 1 # a quick look

See chapter 6.2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from gan_tf import data, models, trainers  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import machine  # noqa: E402

N_CLASSES = 10
LATENT = 100
METHODS = ("baseline", "odena", "salimans")
GENERATORS = ("mlp", "dcgan")
DEFAULT_STEPS = 1200

PUBLISHED = [  # (source, labels, method, accuracy, +- std or None); MNIST, as recalled
    ("Odena 2016, table 1 (MNIST)", 100, "CNN", 0.895, None),
    ("Odena 2016, table 1 (MNIST)", 100, "SGAN", 0.928, None),
    ("Odena 2016, table 1 (MNIST)", 1000, "CNN", 0.965, None),
    ("Odena 2016, table 1 (MNIST)", 1000, "SGAN", 0.964, None),
    ("Salimans et al. 2016, table 1 (PI-MNIST)", 100, "feature matching", 0.9907, 0.00065),
]


def build_generator(kind="mlp"):
    """The SGANs' generator: ``"mlp"``, Salimans et al.'s MNIST generator (their released
    code: 100 -> 500 -> 500 softplus units with batch norm -> 784; tanh here for images in
    [-1, 1]), or ``"dcgan"``, the book's DCGAN generator (about 60x the multiply-adds).
    See chapter 6.2."""
    if kind == "mlp":
        return models.build_mlp_generator(LATENT, (28, 28, 1), hidden_units=(500, 500),
                                          activation="softplus", batch_norm=True)
    if kind == "dcgan":
        return models.build_dcgan_generator(LATENT)
    raise ValueError(f"unknown generator {kind!r}; known: {', '.join(GENERATORS)}")


def build(method, seed, lr, generator="mlp"):
    """The classifier of ``method``, compiled: a ``keras.Model`` (baseline) or an ``SGAN``.
    See chapter 6.2."""
    keras.utils.set_random_seed(seed)
    outputs = N_CLASSES + 1 if method == "odena" else N_CLASSES
    d = models.build_sgan_discriminator((28, 28, 1), N_CLASSES, outputs=outputs)
    if method == "baseline":
        d.compile(optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return d
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    g = build_generator(generator)
    gan = trainers.SGAN(g, d, N_CLASSES, variant=method, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(lr, beta_1=0.5))
    return gan


def predict(model, x):
    """Predicted classes of ``x``: ``SGAN.predict_classes`` or the baseline's argmax.
    See chapter 6.2."""
    if isinstance(model, trainers.SGAN):
        return model.predict_classes(x)
    return np.argmax(model.predict(x, batch_size=256, verbose=0), axis=-1).astype(np.int32)


def accuracy(model, x_test, y_test):
    """Test accuracy of ``model``'s predicted classes. See chapter 6.2."""
    return float(np.mean(predict(model, x_test) == np.asarray(y_test)))


def run_one(method, n_labels, draw, steps, batch_size, x_train, y_train, x_test, y_test,
            seed=0, lr=1e-3, generator="mlp"):
    """Train ``method`` on label draw ``draw`` for ``steps`` updates; returns its test accuracy.
    See chapter 6.2."""
    if n_labels % N_CLASSES:
        raise ValueError(f"labels must be a multiple of {N_CLASSES}, got {n_labels}")
    ds, labelled = data.semi_supervised_dataset(x_train, y_train, n_labels // N_CLASSES,
                                                batch_size=batch_size, seed=draw,
                                                drop_remainder=True)
    ds = ds.repeat()
    model = build(method, seed + draw, lr, generator)
    if method == "baseline":   # the SGANs' labelled batches, in their order
        ds = ds.map(lambda x_u, pair: pair)
    start = time.perf_counter()
    model.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    return {"method": method, "labels": n_labels, "draw": draw, "steps": steps,
            "batch_size": batch_size, "accuracy": accuracy(model, x_test, y_test),
            "seconds": seconds, "n_labelled": len(labelled)}


def _groups(results):
    groups = {}
    for r in results:
        groups.setdefault((r["labels"], r["method"]), []).append(r)
    return groups


def table(results, file=None):
    """Print mean +- std (over draws) of the test accuracy per (labels, method), each draw's
    value, then the published MNIST anchors. See chapter 6.2."""
    file = sys.stdout if file is None else file
    print(f"\n{'labels':>6}  {'method':<10}{'accuracy':>16}  {'draws':>5}  {'s/run':>6}  "
          f"per draw", file=file)
    for (n, method), rs in sorted(_groups(results).items(),
                                  key=lambda kv: (kv[0][0], METHODS.index(kv[0][1]))):
        acc = np.array([r["accuracy"] for r in rs])
        sec = np.mean([r["seconds"] for r in rs])
        per = " ".join(f"{a:.4f}" for a in acc)
        print(f"{n:>6}  {method:<10}{acc.mean():>8.4f} +- {acc.std():.4f}  {len(rs):>5}  "
              f"{sec:>6.0f}  {per}", file=file)
    print("\npublished anchors (MNIST digits, not Fashion-MNIST; as recalled, check the "
          "papers):", file=file)
    for source, n, method, acc, std in PUBLISHED:
        pm = f" +- {std:.5f}" if std is not None else ""
        print(f"  {source}: {n} labels, {method}: accuracy {acc:.4f}{pm} "
              f"(error {100 * (1 - acc):.2f} %)", file=file)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                   help="updates per run (discriminator and generator steps for the SGANs)")
    p.add_argument("--labels", type=int, nargs="+", default=[100, 1000])
    p.add_argument("--draws", type=int, default=3, help="label draws 0 .. draws - 1")
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate, every network")
    p.add_argument("--generator", choices=GENERATORS, default="mlp")
    p.add_argument("--seed", type=int, default=0, help="weights and noise: seed + draw")
    p.add_argument("--limit", type=int, help="use the first LIMIT training images")
    p.add_argument("--test-limit", type=int, help="score the first TEST_LIMIT test images")
    args = p.parse_args(argv)
    for n in args.labels:
        if n <= 0 or n % N_CLASSES:
            p.error(f"--labels must be positive multiples of {N_CLASSES}, got {n}")
    if args.steps <= 0 or args.draws <= 0 or args.batch_size <= 0:
        p.error("--steps, --draws and --batch-size must be positive")
    print(machine())
    x_train, y_train = data.load_arrays("fashion_mnist", "train", limit=args.limit)
    x_test, y_test = data.load_arrays("fashion_mnist", "test", limit=args.test_limit)
    print(f"Fashion-MNIST: {len(x_train)} training images, {len(x_test)} test images; "
          f"{args.steps} steps of batch {args.batch_size}, Adam({args.lr:g}, 0.5), "
          f"{args.generator} generator, "
          f"seed {args.seed}; draws {args.draws}; labels {' '.join(map(str, args.labels))}",
          flush=True)
    tasks = [(n, draw, method) for n in args.labels for draw in range(args.draws)
             for method in args.methods]
    results, start = [], time.perf_counter()
    for i, (n, draw, method) in enumerate(tasks):
        t0 = time.perf_counter()
        r = run_one(method, n, draw, args.steps, args.batch_size, x_train, y_train, x_test,
                    y_test, seed=args.seed, lr=args.lr, generator=args.generator)
        r["wall"] = time.perf_counter() - t0   # with building, data and scoring
        results.append(r)
        elapsed = time.perf_counter() - start
        # the runs left, each at the mean wall time of its method's runs so far
        per = {m: np.mean([q["wall"] for q in results if q["method"] == m])
               for m in {q["method"] for q in results}}
        fallback = max(per.values())
        left = sum(per.get(m, fallback) for _, _, m in tasks[i + 1:])
        print(f"{n:>5} labels, draw {draw}, {method:<8}: test accuracy {r['accuracy']:.4f} "
              f"({r['seconds']:.0f} s; elapsed {elapsed / 60:.1f} min, estimated total "
              f"{(elapsed + left) / 60:.1f} min)", flush=True)
    table(results)
    return results


if __name__ == "__main__":
    main()
