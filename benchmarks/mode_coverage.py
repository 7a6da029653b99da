"""Mode coverage on the 2-D ring of 8 and grid of 25 Gaussians, next to the published tables.

For each data set, trainer and seed: train a generator on the mixture, draw 2,500 samples and
score them with ``gan_tf.metrics.mode_coverage`` (the VEEGAN/PacGAN protocol: high quality =
within 3 std of the nearest centre; a mode is captured if it is the nearest centre of at least
one high-quality sample; reverse KL of the high-quality mode histogram). Prints mean +- std
over seeds beside VEEGAN (arXiv:1705.07761, Table 1; 5 runs) and PacGAN (arXiv:1712.04086,
Table 1; 10 runs, +- standard error).

Mixtures (PacGAN's released configuration of VEEGAN's benchmark): ring = 8 Gaussians on the
unit circle, std 0.01; grid = 25 Gaussians on {-4, -2, 0, 2, 4}^2, std 0.05; 100,000 training
samples drawn once per seed.

Networks (shared by every trainer, from ``--arch``):
  ``pacgan``: the published one: G 2 -> 4 x 400 ReLU + batch norm -> 2, D 3 maxout layers of
  200 units x 5 pieces -> 1 (no batch norm, so WGAN-GP may use it); batch 100.
  ``small``: G 2 -> 3 x 128 ReLU + batch norm -> 2, D 3 x 128 maxout x 5 -> 1; a quicker net.
  ``*_nobn``: the same without batch norm in the generator (as WGAN-GP's toy generator).

Trainers (the papers' optimiser settings unless noted):
  ``gan``: non-saturating loss, Adam(1e-4, beta_1=0.8) as in PacGAN's released code.
  ``wgan``: weight clipping c = 0.01, RMSProp 5e-5, n_critic 5 (arXiv:1701.07875).
  ``wgan_gp``: lambda 10, Adam(1e-4, 0, 0.9), n_critic 5 (arXiv:1704.00028).
  ``lsgan``: least squares a=0, b=c=1, Adam(1e-4, beta_1=0.8) (the GAN row's optimiser).
``--decay`` multiplies both learning rates by a linear ramp to 0 over the last
``decay`` fraction of the iterations (0 = constant, the papers' setting).

Usage::

    python benchmarks/mode_coverage.py --profile quick            # 1 seed, short
    python benchmarks/mode_coverage.py --seeds 5 --iters 20000    # the table

Iterations are generator updates (each with n_critic critic updates for the WGANs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PUBLISHED = {
    # (modes, % high quality, reverse KL) ; None where the paper gives no number
    "ring": [
        ("VEEGAN paper: GAN", 1.0, None, 99.3, None, None, None),
        ("VEEGAN paper: ALI", 2.8, None, 0.13, None, None, None),
        ("VEEGAN paper: Unrolled GAN", 7.6, None, 35.6, None, None, None),
        ("VEEGAN paper: VEEGAN", 8.0, None, 52.9, None, None, None),
        ("PacGAN paper: GAN", 6.3, 0.5, 98.2, 0.2, 0.45, 0.09),
        ("PacGAN paper: ALI", 6.6, 0.3, 97.6, 0.4, 0.36, 0.04),
        ("PacGAN paper: PacGAN2", 7.9, 0.1, 95.6, 2.0, 0.07, 0.03),
        ("PacGAN paper: PacGAN3", 7.8, 0.1, 97.7, 0.3, 0.10, 0.02),
        ("PacGAN paper: PacGAN4", 7.8, 0.1, 95.9, 1.4, 0.07, 0.02),
    ],
    "grid": [
        ("VEEGAN paper: GAN", 3.3, None, 0.5, None, None, None),
        ("VEEGAN paper: ALI", 15.8, None, 1.6, None, None, None),
        ("VEEGAN paper: Unrolled GAN", 23.6, None, 16.0, None, None, None),
        ("VEEGAN paper: VEEGAN", 24.6, None, 40.0, None, None, None),
        ("PacGAN paper: GAN", 17.3, 0.8, 94.8, 0.7, 0.70, 0.07),
        ("PacGAN paper: ALI", 24.1, 0.4, 95.7, 0.6, 0.14, 0.03),
        ("PacGAN paper: PacGAN2", 23.8, 0.7, 91.3, 0.8, 0.13, 0.04),
        ("PacGAN paper: PacGAN3", 24.6, 0.4, 94.2, 0.4, 0.06, 0.02),
        ("PacGAN paper: PacGAN4", 24.8, 0.2, 93.6, 0.6, 0.04, 0.01),
    ],
}
PUBLISHED_NOTE = ("published: VEEGAN mean of 5 runs; PacGAN mean +- standard error of 10 runs; "
                  "gan_tf: mean +- std over seeds")

ARCHS = {
    "pacgan": dict(g_hidden=(400,) * 4, d_hidden=(200,) * 3, batch=100, g_batch_norm=True),
    "pacgan_nobn": dict(g_hidden=(400,) * 4, d_hidden=(200,) * 3, batch=100, g_batch_norm=False),
    "small": dict(g_hidden=(128,) * 3, d_hidden=(128,) * 3, batch=100, g_batch_norm=True),
    "small_nobn": dict(g_hidden=(128,) * 3, d_hidden=(128,) * 3, batch=100, g_batch_norm=False),
}
TRAINERS = ("gan", "wgan", "wgan_gp", "lsgan")


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def mixture(name):
    from gan_tf.data import toy

    return {"ring": toy.benchmark_ring, "grid": toy.benchmark_grid}[name]()


def build_trainer(kind, arch, seed, lr_scale=1.0):
    import keras

    from gan_tf.models import build_mlp_discriminator, build_mlp_generator
    from gan_tf.trainers import GAN, LSGAN, WGAN, WGANGP

    a = ARCHS[arch]
    keras.utils.set_random_seed(seed)
    g = build_mlp_generator(2, (2,), a["g_hidden"], batch_norm=a["g_batch_norm"],
                            output_activation=None, name="generator")
    d = build_mlp_discriminator((2,), a["d_hidden"], activation="maxout", name="critic")
    if kind == "gan":
        t = GAN(g, d, seed=seed)
        t.compile(keras.optimizers.Adam(1e-4, beta_1=0.8), keras.optimizers.Adam(1e-4, beta_1=0.8))
    elif kind == "lsgan":
        t = LSGAN(g, d, seed=seed)
        t.compile(keras.optimizers.Adam(1e-4, beta_1=0.8), keras.optimizers.Adam(1e-4, beta_1=0.8))
    elif kind == "wgan":
        t = WGAN(g, d, seed=seed)
        t.compile()
    elif kind == "wgan_gp":
        t = WGANGP(g, d, seed=seed)
        t.compile()
    else:
        raise ValueError(f"unknown trainer {kind!r}; known: {', '.join(TRAINERS)}")
    for o in (t.d_optimizer, t.g_optimizer):
        o.learning_rate.assign(float(o.learning_rate.numpy()) * lr_scale)
    return t


def run_one(data_name, kind, seed, iters, arch="pacgan", decay=0.0, eval_every=0,
            n_train=100_000, lr_scale=1.0):
    """Train one generator; returns the final scores and the scores along the way."""
    import tensorflow as tf

    from gan_tf.metrics import mode_coverage
    from gan_tf.metrics.modes import PROTOCOL_SAMPLES

    mix = mixture(data_name)
    t = build_trainer(kind, arch, seed, lr_scale)
    batch = ARCHS[arch]["batch"] * t.d_steps
    x = mix.sample(n_train, seed=seed).astype(np.float32)
    ds = (tf.data.Dataset.from_tensor_slices(x).shuffle(n_train, seed=seed)
          .repeat().batch(batch, drop_remainder=True).prefetch(8))
    it = iter(ds)
    opts = (t.d_optimizer, t.g_optimizer)
    base_lr = [float(o.learning_rate.numpy()) for o in opts]

    @tf.function
    def run(n):
        for _ in tf.range(n):
            t.train_step(next(it))
        return {m.name: m.result() for m in t.metrics}

    def score():
        s = mode_coverage(t.sample(PROTOCOL_SAMPLES, seed=10_000 + seed), mix.centres, mix.std)
        return {"modes": s["modes"], "high_quality": 100.0 * s["high_quality"],
                "reverse_kl": s["reverse_kl"]}

    chunk = eval_every or min(iters, 500)
    done, curve, t0 = 0, [], time.perf_counter()
    decay_start = int(round(iters * (1 - decay)))
    while done < iters:
        n = min(chunk, iters - done)
        if decay and done < decay_start:
            n = min(n, decay_start - done)
        elif decay:  # the ramp: 20 constant pieces from lr down to lr / 20
            n = min(n, max(1, (iters - decay_start) // 20))
            frac = (done - decay_start) / max(1, iters - decay_start)
            for o, lr in zip(opts, base_lr):
                o.learning_rate.assign(lr * (1.0 - frac))
        logs = run(tf.constant(n))
        done += n
        if eval_every and (done % eval_every == 0 or done == iters):
            curve.append({"iter": done, **score()})
    final = score()
    logs = {k: float(v) for k, v in logs.items()}
    if not all(np.isfinite(v) for v in logs.values()):
        final["diverged"] = True
    return {"data": data_name, "trainer": kind, "seed": seed, "iters": iters, "arch": arch,
            "decay": decay, "lr_scale": lr_scale, "seconds": time.perf_counter() - t0, **final, "logs": logs,
            "final_lr": [float(o.learning_rate.numpy()) for o in opts],
            "curve": curve}


def _fmt(mean, std, digits=1, pct=False):
    if mean is None:
        return "-"
    if not np.isfinite(mean):  # e.g. a reverse KL with no high-quality sample in some seed
        return f"{mean}" + (" %" if pct else "")
    s = f"{mean:.{digits}f}"
    if std is not None:
        s += f"+-{std:.{digits}f}"
    return s + (" %" if pct else "")


def _mean_std(values):
    """Mean and standard deviation over seeds; no deviation if a value is infinite."""
    values = np.asarray(values, float)
    if not np.isfinite(values).all():
        return float(np.sum(values) / len(values)), None
    return values.mean(), values.std()


def _label(kind, arch, iters, decay, lr_scale):
    return f"gan_tf: {kind} ({arch}, {iters // 1000}k it" + (
        f", lr x{lr_scale:g}" if lr_scale != 1.0 else "") + (
        f", decay {decay:g})" if decay else ")")


def table(results, file=None):
    """Print the published rows and mean +- std over seeds of ``results`` to ``file`` (default:
    the current ``sys.stdout``, so ``contextlib.redirect_stdout`` and pytest capture it).
    See chapter 5.6."""
    file = sys.stdout if file is None else file
    print(f"# CPU: {cpu_model()}; {PUBLISHED_NOTE}", file=file)
    for data_name in ("ring", "grid"):
        rows = [r for r in results if r["data"] == data_name]
        if not rows:
            continue
        k = 8 if data_name == "ring" else 25
        groups = {}
        for r in rows:
            groups.setdefault((r["trainer"], r["arch"], r["iters"], r["decay"],
                               r.get("lr_scale", 1.0)), []).append(r)
        # the label column fits the longest label (published names or ours), at least 50
        width = max([50] + [len(_label(*key)) for key in groups])
        print(f"\n## 2D {data_name} (max {k} modes)", file=file)
        print(f"{'':{width}s} {'modes':>12s} {'high quality':>14s} {'reverse KL':>12s} "
              f"{'seeds':>6s} {'s/run':>6s}", file=file)
        for name, m, ms, hq, hqs, kl, kls in PUBLISHED[data_name]:
            print(f"{name:{width}s} {_fmt(m, ms):>12s} {_fmt(hq, hqs, pct=True):>14s} "
                  f"{_fmt(kl, kls, 2):>12s} {'':>6s}", file=file)
        for key, rs in groups.items():
            m = np.array([r["modes"] for r in rs], float)
            hq = np.array([r["high_quality"] for r in rs], float)
            kl = np.array([r["reverse_kl"] for r in rs], float)
            sec = np.mean([r["seconds"] for r in rs])
            print(f"{_label(*key):{width}s} {_fmt(m.mean(), m.std()):>12s} "
                  f"{_fmt(hq.mean(), hq.std(), pct=True):>14s} "
                  f"{_fmt(*_mean_std(kl), 2):>12s} {len(rs):>6d} {sec:6.0f}", file=file)


def _one_thread():
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def _run_task(task):
    return run_one(*task)


PROFILES = {
    "smoke": dict(seeds=1, iters=200, trainers=("gan", "wgan_gp"), arch="small"),
    "quick": dict(seeds=1, iters=3000, trainers=TRAINERS, arch="small"),
    "full": dict(seeds=5, iters=20000, trainers=TRAINERS, arch="pacgan"),
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--profile", choices=sorted(PROFILES), default="full")
    p.add_argument("--seeds", type=int)
    p.add_argument("--first-seed", type=int, default=0, help="seeds first-seed, first-seed + 1, ...")
    p.add_argument("--iters", type=int)
    p.add_argument("--trainers", nargs="+", choices=TRAINERS)
    p.add_argument("--data", nargs="+", choices=("ring", "grid"), default=["ring", "grid"])
    p.add_argument("--arch", choices=sorted(ARCHS))
    p.add_argument("--decay", type=float, default=0.0)
    p.add_argument("--eval-every", type=int, default=0)
    p.add_argument("--lr-scale", type=float, default=1.0,
                   help="multiply both learning rates (1 = the papers')")
    p.add_argument("--jobs", type=int, default=1,
                   help="runs in parallel, each in its own process with one TF thread")
    p.add_argument("--out", help="append one JSON line per run to this file")
    p.add_argument("--table", metavar="FILE",
                   help="only print the table of the runs saved in FILE (from --out)")
    args = p.parse_args(argv)
    if args.table:
        results = [json.loads(line) for line in open(args.table) if line.strip()]
        table(results)
        return results
    prof = PROFILES[args.profile]
    seeds = args.seeds or prof["seeds"]
    iters = args.iters or prof["iters"]
    trainers = args.trainers or prof["trainers"]
    arch = args.arch or prof["arch"]
    if not 0.0 <= args.decay < 1.0:
        p.error("--decay must be in [0, 1)")
    print(f"# CPU: {cpu_model()}; {os.cpu_count()} cores; profile {args.profile}: seeds {seeds}, "
          f"{iters} generator iterations, arch {arch}, decay {args.decay}", flush=True)
    tasks = [(data_name, kind, seed, iters, arch, args.decay, args.eval_every, 100_000,
              args.lr_scale)
             for data_name in args.data for kind in trainers
             for seed in range(args.first_seed, args.first_seed + seeds)]
    results = []
    if args.jobs > 1:
        import multiprocessing as mp

        pool = mp.get_context("spawn").Pool(args.jobs, initializer=_one_thread)
        runs = pool.imap(_run_task, tasks)
    else:
        runs = map(_run_task, tasks)
    for r in runs:
        results.append(r)
        print(f"{r['data']:5s} {r['trainer']:8s} seed {r['seed']}: modes {r['modes']:2d}, "
              f"high quality {r['high_quality']:5.1f} %, reverse KL "
              f"{r['reverse_kl']:.3f} ({r['seconds']:.0f} s)", flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(json.dumps(r) + "\n")
    if args.jobs > 1:
        pool.close()
    table(results)
    return results


if __name__ == "__main__":
    main()
