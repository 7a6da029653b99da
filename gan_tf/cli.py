"""Command line: train a registered model, or draw samples from a run.

    python -m gan_tf train <model> --dataset fashion_mnist --epochs 5 --out outputs/run
        [--resume/--no-resume] [--strategy auto] [--mixed-precision mixed_bfloat16] [--jit]
    python -m gan_tf sample --checkpoint outputs/run [--n 64] [--out grid.png]

Models (``MODELS``): ``mlp_gan``, ``dcgan``, ``lsgan``, ``wgan``, ``wgan_gp``, each trained by its
``gan_tf.trainers`` class with that class's (the paper's) optimizer defaults. ``train`` shows a
progress bar, writes TensorBoard logs (``<out>/logs``), a sample grid per
epoch (``<out>/samples``), a checkpoint per epoch (``<out>/checkpoints``, resumed when the same
command runs again), the generator as ``<out>/generator.keras`` and, where a classifier is
shipped for the data set, the metrics of ``gan_tf.metrics.evaluate`` in ``<out>/metrics.json``.
See the README.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MODELS = {
    "mlp_gan": "the vanilla MLP GAN (100-128-784 / 784-128-1), chapter 4.1",
    "dcgan": "the book's DCGAN for 28x28 (paper's for 32/64 with --image-size), chapter 4.2",
    "lsgan": "least-squares GAN (arXiv:1611.04076) on the DCGAN networks, chapter 5",
    "wgan": "WGAN, weight clipping 0.01, RMSProp 5e-5, 5 critic steps (arXiv:1701.07875) on the "
            "DCGAN networks, chapter 5",
    "wgan_gp": "WGAN-GP, lambda 10, Adam(1e-4, 0, 0.9), 5 critic steps (arXiv:1704.00028): DCGAN "
               "generator, DCGAN critic with layer norm and no dropout, chapter 5",
}
DATASETS = ("fashion_mnist", "mnist", "digits")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


class CliError(ValueError):
    """A bad command line; printed without a traceback, exit status 2."""


def _build(model, image_shape, latent_dim, seed):
    """The registered model's trainer (uncompiled), on its networks."""
    from gan_tf import models, trainers

    if model == "mlp_gan":
        return trainers.GAN(models.build_mlp_generator(latent_dim, image_shape),
                            models.build_mlp_discriminator(image_shape), seed=seed)
    g = models.build_dcgan_generator(latent_dim, image_shape)
    if model == "wgan_gp":  # the penalty is per example: no batch norm (and no dropout)
        critic = models.build_dcgan_discriminator(image_shape, norm="layer", dropout=0.0)
        return trainers.WGANGP(g, critic, seed=seed)
    d = models.build_dcgan_discriminator(image_shape)
    trainer = {"dcgan": trainers.GAN, "lsgan": trainers.LSGAN, "wgan": trainers.WGAN}[model]
    return trainer(g, d, seed=seed)


def _make_trainer(run, strategy):
    """Build and compile the run's trainer with its paper's optimizers (each trainer's
    ``compile`` defaults) under ``strategy`` and the run's dtype policy."""
    import keras

    policy = keras.config.dtype_policy().name
    keras.config.set_dtype_policy(run["precision"])
    try:
        with strategy.scope():
            gan = _build(run["model"], tuple(run["image_shape"]), run["latent_dim"], run["seed"])
            gan.compile(jit_compile=run["jit"])
    finally:
        keras.config.set_dtype_policy(policy)
    return gan


def batch_per_step(trainer, batch_size):
    """Images one training step takes: ``d_steps`` minibatches of ``batch_size`` (each critic
    step of a WGAN sees fresh real data)."""
    return trainer.d_steps * batch_size


def train(args):
    import keras

    from gan_tf import callbacks, config, data, distribute

    if args.model not in MODELS:
        raise CliError(f"unknown model {args.model!r}; known models: {', '.join(MODELS)}")
    if args.dataset not in DATASETS:
        raise CliError(f"unknown data set {args.dataset!r}; known: {', '.join(DATASETS)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    config.set_seed(args.seed)
    size = None if args.image_size is None else (args.image_size, args.image_size)
    x, _ = data.load_arrays(args.dataset, "train", limit=args.limit, image_size=size)
    run = {"model": args.model, "dataset": args.dataset, "image_shape": list(x.shape[1:]),
           "latent_dim": args.latent_dim, "seed": args.seed, "precision": args.mixed_precision,
           "jit": args.jit, "image_size": args.image_size}
    run_file = out / "run.json"
    if run_file.exists() and args.resume:
        old = json.loads(run_file.read_text())
        if {k: old.get(k) for k in run} != run:
            raise CliError(f"{out} holds a different run ({old}); use another --out or --no-resume")
    run_file.write_text(json.dumps(run, indent=1))
    gan = _make_trainer(run, distribute.strategy(args.strategy))
    ds = data.to_dataset(x, batch_size=batch_per_step(gan, args.batch_size), seed=args.seed,
                         drop_remainder=True, resumable=True)
    checkpoint = callbacks.Checkpoint(out, resume=args.resume)
    cbs = [checkpoint, callbacks.SampleGrid(out / "samples", n=64, seed=0),
           keras.callbacks.TensorBoard(log_dir=str(out / "logs"))]
    gan.fit(ds, epochs=args.epochs, verbose=1 if args.progress else 2, callbacks=cbs)
    steps = int(gan.g_optimizer.iterations.numpy())
    print(f"trained to epoch {args.epochs} ({steps} generator steps"
          + (f", resumed from epoch {checkpoint.restored_epoch}" if checkpoint.restored_epoch else "")
          + f"); outputs in {out}")
    gan.generator.save(out / "generator.keras")
    result = {"epochs": args.epochs, "generator_steps": steps}
    try:
        from gan_tf import metrics

        scores = metrics.evaluate(gan, args.dataset, num_samples=args.eval_samples)
        result.update(scores)
        print("metrics: " + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                                      for k, v in scores.items()))
    except (FileNotFoundError, ValueError) as err:
        print(f"metrics skipped: {err}")
    (out / "metrics.json").write_text(json.dumps(result, indent=1))
    return 0


def sample(args):
    import keras

    from gan_tf import callbacks, distribute, plotting

    run_dir = Path(args.checkpoint)
    if run_dir.suffix == ".keras":
        generator = keras.saving.load_model(run_dir)
        z = keras.random.normal((args.n, generator.input_shape[-1]), seed=args.seed)
        images = generator.predict(z, verbose=0)
    else:
        run_file = run_dir / "run.json"
        if not run_file.exists():
            raise CliError(f"{run_dir} is not a training run (no run.json) nor a .keras file")
        run = json.loads(run_file.read_text())
        latest = callbacks.Checkpoint(run_dir).latest()
        if latest is None:
            raise CliError(f"{run_dir} has no checkpoint yet")
        gan = _make_trainer(run, distribute.strategy("default"))
        gan.load_weights(latest[1])
        images = gan.sample(args.n, seed=args.seed)
    out = Path(args.out) if args.out else (run_dir.parent if run_dir.suffix else run_dir) / "sample_grid.png"
    plotting.close(plotting.image_grid(images, path=out))
    print(f"wrote {args.n} samples to {out}")
    return 0


def parser():
    p = argparse.ArgumentParser(prog="python -m gan_tf", description="gan_tf command line")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a model: " + "; ".join(f"{k}: {v}" for k, v in MODELS.items()))
    t.add_argument("model", help=f"one of {', '.join(MODELS)}")
    t.add_argument("--dataset", default="fashion_mnist", help=f"one of {', '.join(DATASETS)}")
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--out", required=True, help="run folder (created; rerun to resume)")
    t.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True)
    t.add_argument("--strategy", default="auto", help="auto, tpu, mirrored or default")
    t.add_argument("--mixed-precision", default="float32", choices=PRECISIONS)
    t.add_argument("--jit", action="store_true", help="compile the step with XLA")
    t.add_argument("--batch-size", type=int, default=128,
                   help="minibatch per network update (a WGAN step takes 5 of them)")
    t.add_argument("--limit", type=int, default=None, help="use the first N training images")
    t.add_argument("--image-size", type=int, default=None, help="resize images (e.g. 32, 64)")
    t.add_argument("--latent-dim", type=int, default=100)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--eval-samples", type=int, default=5000)
    t.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                   help="progress bar (--no-progress: one line per epoch)")
    t.set_defaults(func=train)
    s = sub.add_parser("sample", help="write a grid of samples from a run or a .keras generator")
    s.add_argument("--checkpoint", required=True, help="a run folder or a generator .keras file")
    s.add_argument("--n", type=int, default=64)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", default=None, help="PNG path (default: <run>/sample_grid.png)")
    s.set_defaults(func=sample)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
