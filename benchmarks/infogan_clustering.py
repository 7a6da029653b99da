#!/usr/bin/env python
"""InfoGAN's categorical code as an unsupervised classifier of Fashion-MNIST.

Protocol. For each seed s in 0 .. ``--seeds`` - 1 (default 3): ``gan_tf.trainers.InfoGAN``
on the paper's MNIST setting (Chen et al., arXiv:1606.03657, section 7.2 and appendix C.1):
latent z of 62 N(0, 1) values + c1 ~ Cat(10) + c2, c3 ~ Unif(-1, 1), the paper's networks
(``models.build_infogan_generator`` / ``build_infogan_discriminator``, Q's Gaussian std fixed
to 1), lambda = 1, Adam(2e-4, 0.5) for D and Q and Adam(1e-3, 0.5) for G, batch
``--batch-size`` (default 128, the official launcher's), trained with the trainer's ``fit``
(graph mode) for ``--epochs`` passes over the 60,000 unlabelled training images (``--limit``
keeps the first ones), reshuffled each epoch, weights, data order and noise seeded with s.
Labels are never used in training.

After every epoch Q's categorical head reads the 10,000 test images (``InfoGAN.classify``:
the argmax of Q(c1 | x)) and the clusters are scored against the true classes:

- ACC: ``gan_tf.metrics.match_clusters``, the best one-to-one map of the 10 codes to the 10
  classes (Hungarian algorithm), the protocol of InfoGAN's "5 % error" on MNIST;
- NMI: ``sklearn.metrics.normalized_mutual_info_score`` (arithmetic-mean normalisation);
- ARI: ``sklearn.metrics.adjusted_rand_score``.

The per-epoch line is printed as it comes (the code's meaning can drift between epochs). The
table reports, for the final epoch, mean +- standard deviation (population, ddof=0) over the
seeds and each seed's values.

Anchors, for context:
- InfoGAN paper (arXiv:1606.03657, section 7.2): MNIST (digits, not Fashion-MNIST), c1 as a
  classifier: 5 % error, ACC about 0.95.
- ClusterGAN paper (Mukherjee et al., arXiv:1809.03627), table of ACC / NMI / ARI on
  Fashion-10 (as recalled, check the paper): InfoGAN 0.61 / 0.59 / 0.44; ClusterGAN 0.63 /
  0.64 / 0.50. The ClusterGAN repository's README (github.com/sudiptodip15/ClusterGAN) gives
  ClusterGAN on Fashion-10 as 0.6119 +- 0.0230 / 0.6157 +- 0.0112 / 0.4617 +- 0.0226 (mean
  +- std of 10 runs).

Budget. Default 4 epochs x 3 seeds = 5,616 steps of batch 128. Measured on a 2-core AMD EPYC
(AVX-512) shared with other jobs (load average about 10): 300 steps and two scorings took 189 s
of CPU (0.6 CPU-s per step) and 561 s wall; extrapolated, the default run needs about 56
CPU-minutes, 35-45 minutes on an idle 2-core machine, hours at that load (``--epochs 3`` or
``--seeds 2`` to shorten it). The script prints its own estimate after each epoch
(extrapolated from the epochs done so far). In that measurement (19,200 training images, seed 0)
ACC / NMI / ARI went from 0.35 / 0.23 / 0.12 after 150 steps to 0.63 / 0.55 / 0.42 after 300.
The default run itself took 30.1 minutes on the same kind of machine with one light job beside
it, and gave ACC 0.608 +- 0.052, NMI 0.621 +- 0.032, ARI 0.476 +- 0.046 (chapter 6.3).

    python benchmarks/infogan_clustering.py                        # the table
    python benchmarks/infogan_clustering.py --epochs 1 --seeds 1   # a quick look

See chapter 6.3.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from gan_tf import data, metrics, models, trainers  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import machine  # noqa: E402

DEFAULT_EPOCHS = 4
SCORES = ("accuracy", "nmi", "ari")
PUBLISHED = [  # (source, data, ACC, NMI, ARI, +- of each or None)
    ("InfoGAN paper, sec. 7.2 (5 % error)", "MNIST", 0.95, None, None, None),
    ("ClusterGAN paper: InfoGAN (as recalled)", "Fashion-10", 0.61, 0.59, 0.44, None),
    ("ClusterGAN paper: ClusterGAN (as recalled)", "Fashion-10", 0.63, 0.64, 0.50, None),
    ("ClusterGAN README: ClusterGAN, 10 runs", "Fashion-10", 0.6119, 0.6157, 0.4617,
     (0.0230, 0.0112, 0.0226)),
]


def cluster_scores(pred, labels):
    """``{"accuracy", "nmi", "ari"}`` of cluster assignments ``pred`` against ``labels``:
    Hungarian-matched accuracy (``metrics.match_clusters``), sklearn's NMI and ARI.
    See chapter 6.3."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {"accuracy": metrics.match_clusters(pred, labels)[0],
            "nmi": float(normalized_mutual_info_score(labels, pred)),
            "ari": float(adjusted_rand_score(labels, pred))}


def build_trainer(seed):
    """The paper's MNIST InfoGAN, compiled with its optimizers (the trainer's defaults).
    See chapter 6.3."""
    keras.utils.set_random_seed(seed)
    gan = trainers.InfoGAN(models.build_infogan_generator(),
                           models.build_infogan_discriminator(), seed=seed)
    gan.compile()
    return gan


class EpochScores(keras.callbacks.Callback):
    """After each epoch: score ``trainer.classify(x_test)``, append to ``curve``, call
    ``report(row)``. See chapter 6.3."""

    def __init__(self, trainer, x_test, y_test, report):
        super().__init__()
        self.trainer, self.x_test, self.y_test, self.report = trainer, x_test, y_test, report
        self.curve = []

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1,
               **cluster_scores(self.trainer.classify(self.x_test), self.y_test),
               "mutual_info": float((logs or {}).get("mi_categorical", np.nan)),
               "time": time.perf_counter()}
        self.curve.append(row)
        self.report(row)


def run_one(seed, epochs, batch_size, x_train, x_test, y_test, report=lambda row: None):
    """Train one InfoGAN for ``epochs`` epochs; returns the final scores and the curve.
    See chapter 6.3."""
    gan = build_trainer(seed)
    ds = data.to_dataset(x_train, batch_size=batch_size, seed=seed, drop_remainder=True)
    scores = EpochScores(gan, x_test, y_test, report)
    start = time.perf_counter()
    gan.fit(ds, epochs=epochs, verbose=0, callbacks=[scores])
    seconds = time.perf_counter() - start
    final = {k: scores.curve[-1][k] for k in SCORES}
    return {"seed": seed, "epochs": epochs, "batch_size": batch_size, **final,
            "seconds": seconds, "curve": scores.curve}


def _fmt(mean, std, digits=4):
    if mean is None:
        return "-"
    return f"{mean:.{digits}f}" + (f" +- {std:.{digits}f}" if std is not None else "")


def table(results, file=None):
    """Print mean +- std over seeds of the final ACC, NMI, ARI, each seed's values, and the
    anchors. See chapter 6.3."""
    file = sys.stdout if file is None else file
    width = 44
    print(f"\n{'':{width}s} {'data':<12}{'ACC':>17}{'NMI':>17}{'ARI':>17}  {'seeds':>5}  "
          f"{'s/run':>6}", file=file)
    for source, name, *vals, std in PUBLISHED:
        stds = std or (None,) * 3
        cells = "".join(f"{_fmt(v, s) if v is not None else '-':>17}"
                        for v, s in zip(vals, stds))
        print(f"{source:{width}s} {name:<12}{cells}", file=file)
    if not results:
        return
    epochs = sorted({r["epochs"] for r in results})
    for e in epochs:
        rs = [r for r in results if r["epochs"] == e]
        label = f"gan_tf: InfoGAN, {e} epoch{'s' if e != 1 else ''}"
        cells = ""
        for k in SCORES:
            v = np.array([r[k] for r in rs])
            cells += f"{_fmt(v.mean(), v.std()):>17}"
        sec = np.mean([r["seconds"] for r in rs])
        print(f"{label:{width}s} {'Fashion-10':<12}{cells}  {len(rs):>5}  {sec:>6.0f}",
              file=file)
        for r in rs:
            print(f"{'  seed ' + str(r['seed']):{width}s} {'':<12}"
                  + "".join(f"{r[k]:>17.4f}" for k in SCORES), file=file)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    p.add_argument("--seeds", type=int, default=3, help="seeds 0 .. seeds - 1")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--limit", type=int, help="train on the first LIMIT training images")
    p.add_argument("--test-limit", type=int, help="score the first TEST_LIMIT test images")
    args = p.parse_args(argv)
    if args.epochs <= 0 or args.seeds <= 0 or args.batch_size <= 0:
        p.error("--epochs, --seeds and --batch-size must be positive")
    print(machine())
    x_train, _ = data.load_arrays("fashion_mnist", "train", limit=args.limit)
    x_test, y_test = data.load_arrays("fashion_mnist", "test", limit=args.test_limit)
    steps = len(x_train) // args.batch_size
    print(f"Fashion-MNIST: {len(x_train)} training images ({steps} steps of batch "
          f"{args.batch_size} per epoch), {len(x_test)} test images; {args.epochs} epochs, "
          f"seeds 0-{args.seeds - 1}", flush=True)
    results, start = [], time.perf_counter()
    for seed in range(args.seeds):
        def report(row, seed=seed):
            elapsed = row["time"] - start
            done = seed * args.epochs + row["epoch"]
            total = elapsed / done * args.seeds * args.epochs
            print(f"seed {seed} epoch {row['epoch']}: ACC {row['accuracy']:.4f}, NMI "
                  f"{row['nmi']:.4f}, ARI {row['ari']:.4f}, L_I(c1) {row['mutual_info']:.3f} "
                  f"(elapsed {elapsed / 60:.1f} min, estimated total {total / 60:.1f} min)",
                  flush=True)

        results.append(run_one(seed, args.epochs, args.batch_size, x_train, x_test, y_test,
                               report))
    table(results)
    return results


if __name__ == "__main__":
    main()
