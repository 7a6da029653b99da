"""Command line: train a registered model, or draw samples from a run.

    python -m gan_tf train <model> --dataset fashion_mnist --epochs 5 --out outputs/run
        [--resume/--no-resume] [--strategy auto] [--mixed-precision mixed_bfloat16] [--jit]
    python -m gan_tf sample --checkpoint outputs/run [--n 64] [--label 3] [--out grid.png]

Models (``MODELS``): ``mlp_gan``, ``dcgan``, ``lsgan``, ``wgan``, ``wgan_gp``, the
class-conditional ``cgan`` and ``acgan``, and ``infogan``, each trained by its ``gan_tf.trainers``
class with that class's (the paper's) optimizer defaults. ``cgan`` and ``acgan`` train on the
data set's labels and ``sample --label K`` draws class K (by default the classes in turn);
``infogan`` trains without labels and ``--label K`` sets its categorical code c1 = K. ``train`` shows a
progress bar, writes TensorBoard logs (``<out>/logs``), a sample grid per
epoch (``<out>/samples``), a checkpoint per epoch (``<out>/checkpoints``, resumed when the same
command runs again), the generator as ``<out>/generator.keras`` and, where a classifier is
shipped for the data set, the metrics of ``gan_tf.metrics.evaluate`` in ``<out>/metrics.json``.

A bad command line (a count below 1, an unknown strategy, an image size the networks cannot
take, fewer images than one training step, a missing file or data set) prints one
``error: ...`` line naming the expected value and exits with status 2, before any data is
loaded where it can. See the README.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gan_tf.config import PRECISIONS

MODELS = {
    "mlp_gan": "the vanilla MLP GAN (100-128-784 / 784-128-1), chapter 4.1",
    "dcgan": "the book's DCGAN for 28x28 (paper's for 32/64 with --image-size), chapter 4.2",
    "lsgan": "least-squares GAN (arXiv:1611.04076) on the DCGAN networks, chapter 5",
    "wgan": "WGAN, weight clipping 0.01, RMSProp 5e-5, 5 critic steps (arXiv:1701.07875) on the "
            "DCGAN networks, chapter 5",
    "wgan_gp": "WGAN-GP, lambda 10, Adam(1e-4, 0, 0.9), 5 critic steps (arXiv:1704.00028): DCGAN "
               "generator, DCGAN critic with layer norm and no dropout, chapter 5",
    "cgan": "conditional GAN (arXiv:1411.1784): the book's DCGAN networks with the label "
            "concatenated to z and, as constant planes, to the image, chapter 6.1",
    "acgan": "AC-GAN (arXiv:1610.09585): the paper's CIFAR-10 networks adapted to 28x28, D with "
             "source and class heads, chapter 6.2",
    "infogan": "InfoGAN (arXiv:1606.03657): the paper's MNIST networks, 62 noise + Cat(10) + "
               "2 x U(-1, 1) codes, Adam 2e-4 (D, Q) / 1e-3 (G), chapter 6.3",
}
LABELLED = ("cgan", "acgan")      # trained on (images, labels)
# the conditional models and the sample() keyword that --label sets
CONDITIONAL = {"cgan": "labels", "acgan": "labels", "infogan": "category"}
DATASETS = ("fashion_mnist", "mnist", "digits")
N_CLASSES = 10                    # every data set of DATASETS has 10 classes
STRATEGIES = ("auto", "tpu", "mirrored", "default")  # gan_tf.distribute.KINDS, without TF
PACKAGE_DIR = Path(__file__).resolve().parent


class CliError(ValueError):
    """A bad command line; printed without a traceback, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are ``CliError`` s (one line, status 2) instead of a
    usage block."""

    def error(self, message):
        raise CliError(message)


def _int_at_least(low, expected):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1, "a positive int (1 or more)")
_non_negative_int = _int_at_least(0, "an int >= 0")


def _check_image_size(model, size):
    """The DCGAN networks take 28x28 images (the book's) or a power-of-two side >= 8 (the
    paper's); the rule is ``gan_tf.models.dcgan``'s."""
    if model == "mlp_gan":
        return
    from gan_tf.models import dcgan

    try:
        shape = (size, size, 1)
        if dcgan._variant(None, shape) == "paper":
            dcgan._paper_levels(shape)
    except ValueError:
        raise CliError(f"--image-size {size} does not fit {model}: it needs 28 (the book's "
                       "DCGAN) or a power of two >= 8 (the paper's, e.g. 32 or 64)") from None


def _check_full_step(args, n_images, per_step, d_steps):
    """``fit`` drops the last incomplete batch: fewer images than one step train nothing."""
    if n_images >= per_step:
        return
    source = (f"--limit {args.limit}" if args.limit is not None and args.limit <= n_images
              else f"the {args.dataset} training set ({n_images} images)")
    batches = (f"one minibatch of {args.batch_size}" if d_steps == 1
               else f"{d_steps} critic minibatches of {args.batch_size}")
    raise CliError(f"{source} gives no full training step: {args.model} needs {per_step} images "
                   f"per step ({batches}); lower --batch-size"
                   + (" or raise --limit" if source.startswith("--limit") else ""))


def _build(model, image_shape, latent_dim, seed):
    """The registered model's trainer (uncompiled), on its networks."""
    from gan_tf import models, trainers

    if model == "mlp_gan":
        return trainers.GAN(models.build_mlp_generator(latent_dim, image_shape),
                            models.build_mlp_discriminator(image_shape), seed=seed)
    if model == "cgan":
        return trainers.ConditionalGAN(
            models.build_conditional_dcgan_generator(latent_dim, N_CLASSES, image_shape),
            models.build_conditional_dcgan_discriminator(image_shape, N_CLASSES),
            n_classes=N_CLASSES, seed=seed)
    if model == "acgan":
        return trainers.ACGAN(models.build_acgan_generator(latent_dim, N_CLASSES, image_shape),
                              models.build_acgan_discriminator(image_shape, N_CLASSES),
                              n_classes=N_CLASSES, seed=seed)
    if model == "infogan":      # --latent-dim is the size of the noise z (the paper's 62)
        return trainers.InfoGAN(
            models.build_infogan_generator(latent_dim, N_CLASSES, 2, image_shape),
            models.build_infogan_discriminator(image_shape, N_CLASSES, 2),
            n_categories=N_CLASSES, n_continuous=2, seed=seed)
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
    if args.model not in MODELS:
        raise CliError(f"unknown model {args.model!r}; known models: {', '.join(MODELS)}")
    if args.dataset not in DATASETS:
        raise CliError(f"unknown data set {args.dataset!r}; known: {', '.join(DATASETS)}")
    if args.image_size is not None:
        _check_image_size(args.model, args.image_size)

    import keras

    from gan_tf import callbacks, config, data, distribute

    out = Path(args.out)
    config.set_seed(args.seed)
    size = None if args.image_size is None else (args.image_size, args.image_size)
    x, labels = data.load_arrays(args.dataset, "train", limit=args.limit, image_size=size)
    latent_dim = args.latent_dim or (62 if args.model == "infogan" else 100)
    run = {"model": args.model, "dataset": args.dataset, "image_shape": list(x.shape[1:]),
           "latent_dim": latent_dim, "seed": args.seed, "precision": args.mixed_precision,
           "jit": args.jit, "image_size": args.image_size}
    run_file = out / "run.json"
    if run_file.exists() and args.resume:
        old = json.loads(run_file.read_text())
        if {k: old.get(k) for k in run} != run:
            raise CliError(f"{out} holds a different run ({old}); use another --out or --no-resume")
    gan = _make_trainer(run, distribute.strategy(args.strategy))
    _check_full_step(args, len(x), batch_per_step(gan, args.batch_size), gan.d_steps)
    out.mkdir(parents=True, exist_ok=True)
    run_file.write_text(json.dumps(run, indent=1))
    ds = data.to_dataset(x, labels.astype("int32") if args.model in LABELLED else None,
                         batch_size=batch_per_step(gan, args.batch_size), seed=args.seed,
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


def _label_input(generator, label, n):
    """The one-hot label input of a saved conditional generator (``[z, y]``), or a
    ``CliError`` if ``--label`` does not fit it."""
    import numpy as np

    inputs = generator.input_shape
    if label is None:
        if isinstance(inputs, list):
            return np.eye(inputs[1][-1], dtype="float32")[np.arange(n) % inputs[1][-1]]
        return None
    if not isinstance(inputs, list):
        raise CliError(f"--label {label}: this generator is unconditional (one input z)")
    if label >= inputs[1][-1]:
        raise CliError(f"--label {label}: expected a class in [0, {inputs[1][-1] - 1}]")
    return np.eye(inputs[1][-1], dtype="float32")[np.full(n, label)]


def sample(args):
    run_dir = Path(args.checkpoint)
    if run_dir.suffix == ".keras":
        if not run_dir.is_file():
            raise CliError(f"no such file: {run_dir} (expected a generator .keras file written "
                           "by train, e.g. <run>/generator.keras)")
    elif not (run_dir / "run.json").exists():
        raise CliError(f"{run_dir} is not a training run (no run.json) nor a .keras file")

    import keras

    from gan_tf import callbacks, distribute, plotting

    run_file = (run_dir.parent if run_dir.suffix == ".keras" else run_dir) / "run.json"
    run = json.loads(run_file.read_text()) if run_file.exists() else None
    if run is not None and args.label is not None:
        if run["model"] not in CONDITIONAL:
            raise CliError(f"--label {args.label}: {run['model']} is unconditional; labels "
                           f"need one of {', '.join(CONDITIONAL)}")
        if args.label >= N_CLASSES:
            raise CliError(f"--label {args.label}: expected a class in [0, {N_CLASSES - 1}]")
    condition = ({} if args.label is None or run is None
                 else {CONDITIONAL[run["model"]]: args.label})
    if run_dir.suffix == ".keras" and run is not None:
        # the generator of a run: its trainer knows the prior (InfoGAN's codes, the labels)
        gan = _make_trainer(run, distribute.strategy("default"))
        gan.generator.set_weights(keras.saving.load_model(run_dir).get_weights())
        images = gan.sample(args.n, seed=args.seed, **condition)
    elif run_dir.suffix == ".keras":
        generator = keras.saving.load_model(run_dir)
        y = _label_input(generator, args.label, args.n)
        z_dim = (generator.input_shape[0] if y is not None else generator.input_shape)[-1]
        z = keras.random.normal((args.n, z_dim), seed=args.seed)
        images = generator.predict(z if y is None else [z, y], verbose=0)
    else:
        latest = callbacks.Checkpoint(run_dir).latest()
        if latest is None:
            raise CliError(f"{run_dir} has no checkpoint yet")
        gan = _make_trainer(run, distribute.strategy("default"))
        gan.load_weights(latest[1])
        images = gan.sample(args.n, seed=args.seed, **condition)
    out = Path(args.out) if args.out else (run_dir.parent if run_dir.suffix else run_dir) / "sample_grid.png"
    plotting.close(plotting.image_grid(images, path=out))
    print(f"wrote {args.n} samples to {out}")
    return 0


def parser():
    p = _Parser(prog="python -m gan_tf", description="gan_tf command line")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a model: " + "; ".join(f"{k}: {v}" for k, v in MODELS.items()))
    t.add_argument("model", help=f"one of {', '.join(MODELS)}")
    t.add_argument("--dataset", default="fashion_mnist", help=f"one of {', '.join(DATASETS)}")
    t.add_argument("--epochs", type=_positive_int, default=5)
    t.add_argument("--out", required=True, help="run folder (created; rerun to resume)")
    t.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True)
    t.add_argument("--strategy", default="auto", choices=STRATEGIES,
                   help="tf.distribute strategy (auto: TPU, then several GPUs, then one device)")
    t.add_argument("--mixed-precision", default="float32", choices=PRECISIONS)
    t.add_argument("--jit", action="store_true", help="compile the step with XLA")
    t.add_argument("--batch-size", type=_positive_int, default=128,
                   help="minibatch per network update (a WGAN step takes 5 of them)")
    t.add_argument("--limit", type=_positive_int, default=None,
                   help="use the first N training images")
    t.add_argument("--image-size", type=_positive_int, default=None,
                   help="resize images (DCGAN models: 28, or a power of two >= 8 such as 32, 64)")
    t.add_argument("--latent-dim", type=_positive_int, default=None,
                   help="size of the noise z (default 100; infogan: 62, the paper's)")
    t.add_argument("--seed", type=_non_negative_int, default=0)
    t.add_argument("--eval-samples", type=int, default=5000)
    t.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                   help="progress bar (--no-progress: one line per epoch)")
    t.set_defaults(func=train)
    s = sub.add_parser("sample", help="write a grid of samples from a run or a .keras generator")
    s.add_argument("--checkpoint", required=True, help="a run folder or a generator .keras file")
    s.add_argument("--n", type=_positive_int, default=64)
    s.add_argument("--seed", type=_non_negative_int, default=0)
    s.add_argument("--label", type=_non_negative_int, default=None,
                   help="class to draw (cgan, acgan) or categorical code c1 (infogan); "
                        "default: the classes in turn")
    s.add_argument("--out", default=None, help="PNG path (default: <run>/sample_grid.png)")
    s.set_defaults(func=sample)
    return p


def _raised_by_gan_tf(err):
    """Whether ``err`` was raised by gan_tf's own code (its innermost frame is in the package):
    a check on the user's input, not a bug elsewhere."""
    tb = err.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(PACKAGE_DIR)


def main(argv=None):
    """Run the command line; a bad command line, or a ``ValueError`` / ``FileNotFoundError``
    that gan_tf raises on bad input, prints one ``error: ...`` line and returns 2."""
    try:
        args = parser().parse_args(argv)
        return args.func(args)
    except (ValueError, FileNotFoundError) as err:
        if not (isinstance(err, CliError) or _raised_by_gan_tf(err)):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 2
