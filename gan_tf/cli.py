"""Command line: train a registered model, draw samples from a run, or translate images.

    python -m gan_tf train <model> --dataset fashion_mnist --epochs 5 --out outputs/run
        [--resume/--no-resume] [--strategy auto] [--mixed-precision mixed_bfloat16] [--jit]
    python -m gan_tf sample --checkpoint outputs/run [--n 64] [--label 3] [--out grid.png]
    python -m gan_tf translate --checkpoint outputs/run --input IMAGES [--target-label ...]
        [--direction ab|ba] [--out DIR]

Models (``MODELS``): ``mlp_gan``, ``dcgan``, ``lsgan``, ``wgan``, ``wgan_gp``, the
class-conditional ``cgan`` and ``acgan``, ``infogan``, and the image-to-image ``pix2pix``,
``cyclegan`` and ``stargan``, each trained by its ``gan_tf.trainers`` class with that class's
(the paper's) optimizer defaults. ``cgan`` and ``acgan`` train on the
data set's labels and ``sample --label K`` draws class K (by default the classes in turn);
``infogan`` trains without labels and ``--label K`` sets its categorical code c1 = K. ``train`` shows a
progress bar, writes TensorBoard logs (``<out>/logs``), a sample grid per
epoch (``<out>/samples``), a checkpoint per epoch (``<out>/checkpoints``, resumed when the same
command runs again), the generator as ``<out>/generator.keras`` and, where a classifier is
shipped for the data set, the metrics of ``gan_tf.metrics.evaluate`` in ``<out>/metrics.json``.

**Image to image** (chapter 8). ``pix2pix``, ``cyclegan`` and ``stargan`` train on the 32x32
stand-ins of ``gan_tf.data.paired`` (``TRANSLATION_DATASETS``; the first of each is the
default): pix2pix on ``edges2items`` or ``hole2items`` (U-Net, PatchGAN with the
70x70-equivalent field, L1 + cGAN), cyclegan on ``items2hot``, ``items2stripes`` (grey items
as RGB <-> the same items restyled, unpaired, the pairing kept for scoring) or
``sneakers2boots`` (ResNet generators, instance-norm PatchGANs), stargan on ``attributes``
(items under 4 binary attributes). ``--base-filters`` (32; the papers' 64) and ``--n-blocks``
(6) set the widths; ``--batch-size`` defaults to the papers' (1, 1, 16 per critic step);
CycleGAN's and StarGAN's learning rates decay linearly to 0 over the second half of the
``--epochs``. Each epoch writes a grid of held-out inputs, translations and ground truth
(``<out>/samples``); the end writes ``generator.keras`` (cyclegan also
``inverse_generator.keras``, F: Y -> X) and, in ``metrics.json``, the scores of
``_translation_report`` on ``--eval-samples`` test images against the ground truth the
stand-ins keep (pixel L1, SSIM, the shipped classifier's accuracy, cycle and reconstruction
L1).

``translate`` runs a run's saved generator (cyclegan: ``--direction ab`` G, ``ba`` F; stargan:
``--target-label 1,0,0,1`` or attribute names ``tint,flipped``, checked against the run's
attributes) on ``--input``: ``.npy`` files of images ``(N, H, W, C)`` or grey ``(N, H, W)``,
float in [-1, 1] or uint8 in [0, 255], 8-bit grey or RGB ``.png`` files, or folders of PNGs.
Sizes must be the generator's (no resize); grey images go to an RGB generator as three equal
channels. It writes ``<out>/images/<name>.png`` per image, ``translated.npy`` (float32 in
[-1, 1]) and ``grid.png`` (the first 16, input above output); ``--out`` defaults to
``<run>/translated``. Pix2Pix keeps its dropout on (the paper's test-time noise); the masks
follow the generator's saved seed state, so the same command gives the same images.

A bad command line (a count below 1, an unknown strategy, an image size the networks cannot
take, fewer images than one training step, a missing file or data set, images or a target
label that do not fit the generator) prints one ``error: ...`` line naming the expected value
and exits with status 2, before any data is loaded (or model built) where it can. See the
README.
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
    "pix2pix": "Pix2Pix (arXiv:1611.07004): U-Net generator, 70x70-equivalent PatchGAN on "
               "(input, output), L1 + cGAN with lambda 100, Adam(2e-4, 0.5), chapter 8.2",
    "cyclegan": "CycleGAN (arXiv:1703.10593): two ResNet generators, two instance-norm "
                "PatchGANs, least squares, lambda_cyc 10, identity 5, 50-image histories, "
                "Adam(2e-4, 0.5) decayed to 0 over the second half, chapter 8.3",
    "stargan": "StarGAN (arXiv:1711.09020): one generator for every attribute domain, "
               "WGAN-GP critic with a domain classifier, lambda_cls 1, lambda_rec 10, 5 critic "
               "steps, Adam(1e-4, 0.5, 0.999) decayed over the second half, chapter 8.4",
}
LABELLED = ("cgan", "acgan")      # trained on (images, labels)
# the conditional models and the sample() keyword that --label sets
CONDITIONAL = {"cgan": "labels", "acgan": "labels", "infogan": "category"}
DATASETS = ("fashion_mnist", "mnist", "digits")
# the image-to-image models (trained on gan_tf.data.paired's 32x32 stand-ins; `translate`) and
# their data sets, the first one the default
TRANSLATION_DATASETS = {
    "pix2pix": {
        "edges2items": "Canny edges -> Fashion-MNIST items (edges2shoes's stand-in), grey",
        "hole2items": "items with a white centre hole -> the full items (the book's fig. 8-22)",
    },
    "cyclegan": {
        "items2hot": "grey items <-> the same items in the 'hot' colour map, unpaired "
                     "(horse2zebra's stand-in; the grey side as RGB)",
        "items2stripes": "grey items <-> the same items with zebra-like stripes, unpaired",
        "sneakers2boots": "sneakers <-> ankle boots (apple2orange's stand-in), grey",
    },
    "stargan": {
        "attributes": "items under the binary attributes tint, inverted, flipped, thick "
                      "(CelebA's stand-in), RGB",
    },
}
TRANSLATORS = tuple(TRANSLATION_DATASETS)
# minibatch per network update when --batch-size is not given: the papers' (StarGAN: per critic
# step, 5 of them per step); the other models 128
PAPER_BATCH_SIZES = {"pix2pix": 1, "cyclegan": 1, "stargan": 16}
DEFAULT_BASE_FILTERS = 32         # the papers' 64 halved, for a CPU
DEFAULT_N_BLOCKS = 6              # residual blocks (CycleGAN's and StarGAN's at 128x128)
GRID_IMAGES = 16                  # images in translate's grid.png
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


def _build(model, image_shape, latent_dim, seed, run=None):
    """The registered model's trainer (uncompiled), on its networks (a translation model's
    widths and shapes from its ``run``)."""
    from gan_tf import models, trainers

    if model in TRANSLATORS:
        return _build_translator(run)
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


def _build_translator(run):
    """Pix2Pix, CycleGAN or StarGAN (uncompiled) on the papers' networks at the run's image
    size, ``base_filters`` wide (``n_blocks`` residual blocks in the ResNet generators)."""
    from gan_tf import models, trainers

    (size, _, c_in), (_, _, c_out) = run["image_shape"], run["output_shape"]
    f, blocks, seed = run["base_filters"], run["n_blocks"], run["seed"]
    if run["model"] == "pix2pix":
        g = models.build_unet_generator(size, c_in, c_out, base_filters=f)
        d = models.build_patchgan_discriminator(size, c_in, c_out, receptive_field=70,
                                                base_filters=f)
        return trainers.Pix2Pix(g, d, seed=seed)
    if run["model"] == "cyclegan":
        def resnet(c_from, c_to, name):
            return models.build_resnet_generator(size, c_from, c_to, base_filters=f,
                                                 n_blocks=blocks, name=name)

        def patchgan(c, name):
            return models.build_patchgan_discriminator(size, output_channels=c,
                                                       base_filters=f, conditional=False,
                                                       norm="instance", name=name)

        return trainers.CycleGAN(resnet(c_in, c_out, "generator"),
                                 resnet(c_out, c_in, "inverse_generator"),
                                 patchgan(c_in, "discriminator_x"),
                                 patchgan(c_out, "discriminator_y"), seed=seed)
    k = len(run["labels"])
    g = models.build_stargan_generator(size, c_in, label_dim=k, base_filters=f, n_blocks=blocks)
    d = models.build_stargan_discriminator(size, c_in, n_labels=k, base_filters=f)
    return trainers.StarGAN(g, d, label_sizes=k, multi_label=True, seed=seed)


def _make_trainer(run, strategy, total_steps=None):
    """Build and compile the run's trainer with its paper's optimizers (each trainer's
    ``compile`` defaults; with ``total_steps``, CycleGAN's and StarGAN's linear decay to 0
    over the second half) under ``strategy`` and the run's dtype policy."""
    import keras

    policy = keras.config.dtype_policy().name
    keras.config.set_dtype_policy(run["precision"])
    try:
        with strategy.scope():
            gan = _build(run["model"], tuple(run["image_shape"]), run.get("latent_dim"),
                         run["seed"], run=run)
            decay = ({"total_steps": total_steps}
                     if total_steps and run["model"] in ("cyclegan", "stargan") else {})
            gan.compile(jit_compile=run["jit"], run_eagerly=run.get("run_eagerly", False),
                        **decay)
    finally:
        keras.config.set_dtype_policy(policy)
    return gan


def batch_per_step(trainer, batch_size):
    """Images one training step takes: ``d_steps`` minibatches of ``batch_size`` (each critic
    step of a WGAN or StarGAN sees fresh real data)."""
    return getattr(trainer, "d_steps", 1) * batch_size


def _fit_run(gan, ds, args, grid):
    """Train ``gan`` on ``ds`` to ``--epochs`` with a checkpoint per epoch (resumed), the
    ``grid`` callback and TensorBoard logs; save the generator; return the generator steps."""
    import keras

    from gan_tf import callbacks

    out = Path(args.out)
    checkpoint = callbacks.Checkpoint(out, resume=args.resume)
    cbs = [checkpoint, grid, keras.callbacks.TensorBoard(log_dir=str(out / "logs"))]
    gan.fit(ds, epochs=args.epochs, verbose=1 if args.progress else 2, callbacks=cbs)
    steps = int(gan.g_optimizer.iterations.numpy())
    print(f"trained to epoch {args.epochs} ({steps} generator steps"
          + (f", resumed from epoch {checkpoint.restored_epoch}" if checkpoint.restored_epoch else "")
          + f"); outputs in {out}")
    gan.generator.save(out / "generator.keras")
    return steps


def train(args):
    if args.model not in MODELS:
        raise CliError(f"unknown model {args.model!r}; known models: {', '.join(MODELS)}")
    if args.model in TRANSLATORS:
        return _train_translator(args)
    for flag, value in (("--base-filters", args.base_filters), ("--n-blocks", args.n_blocks)):
        if value is not None:
            raise CliError(f"{flag} sets the widths of the translation models "
                           f"({', '.join(TRANSLATORS)}), not of {args.model}")
    args.dataset = args.dataset or "fashion_mnist"
    args.batch_size = args.batch_size or 128
    if args.dataset not in DATASETS:
        raise CliError(f"unknown data set {args.dataset!r}; known: {', '.join(DATASETS)}")
    if args.image_size is not None:
        _check_image_size(args.model, args.image_size)

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
    gan = _make_trainer({**run, "run_eagerly": args.run_eagerly},
                        distribute.strategy(args.strategy))
    _check_full_step(args, len(x), batch_per_step(gan, args.batch_size), gan.d_steps)
    out.mkdir(parents=True, exist_ok=True)
    run_file.write_text(json.dumps(run, indent=1))
    ds = data.to_dataset(x, labels.astype("int32") if args.model in LABELLED else None,
                         batch_size=batch_per_step(gan, args.batch_size), seed=args.seed,
                         drop_remainder=True, resumable=True)
    steps = _fit_run(gan, ds, args, callbacks.SampleGrid(out / "samples", n=64, seed=0))
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
    if run is not None and run.get("model") in TRANSLATORS:
        raise CliError(f"{run['model']} translates images: use python -m gan_tf translate "
                       f"--checkpoint {args.checkpoint} --input IMAGES")
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


# --- the image-to-image models (chapter 8) ---------------------------------------------------

def _translation_data(model, dataset, split, n, seed):
    """The stand-in data of ``gan_tf.data.paired`` for ``model`` on ``dataset``: ``Pairs``
    (pix2pix), ``Unpaired`` (cyclegan; the restyles' grey side repeated to RGB, so both
    domains have one shape and the identity loss applies) or ``AttributeDomains`` (stargan)."""
    import numpy as np

    from gan_tf.data import paired

    if model == "pix2pix":
        build = paired.edges_to_items if dataset == "edges2items" else paired.hole_to_items
        return build(n, split, seed)
    if model == "cyclegan":
        if dataset == "sneakers2boots":
            return paired.unpaired_classes(n, split, seed)
        domains = paired.unpaired_restyle(n, split, seed, style=dataset[len("items2"):])
        return domains._replace(a=np.repeat(domains.a, 3, axis=-1))
    return paired.attribute_domains(n, split, seed)


def _head(data, k):
    """The first ``k`` examples of ``_translation_data``'s ``data`` (CycleGAN's restyles: the
    first ``k`` of domain X and their hidden counterparts)."""
    import numpy as np

    if getattr(data, "pairing", None) is not None:
        index = data.pairing[:k]
        return type(data)(data.a[:k], data.b[index], data.labels_a[:k], data.labels_b[index],
                          np.arange(len(index), dtype=np.int64))
    return type(data)(*[v[:k] if isinstance(v, np.ndarray) else v for v in data])


def _translation_arrays(model, data):
    """``(inputs, outputs)`` example arrays of ``data``: the shapes of the generator's input
    and output (CycleGAN: domains X and Y)."""
    if model == "pix2pix":
        return data.source, data.target
    if model == "cyclegan":
        return data.a, data.b
    return data.images, data.images


def _translation_dataset(model, data, batch_size, seed):
    """The run's ``tf.data`` batches (full ones, each epoch's order keyed on the seed and the
    epoch, so a resumed run reads the same batches)."""
    from gan_tf.data import paired

    kwargs = {"seed": seed, "drop_remainder": True, "resumable": True}
    if model == "pix2pix":
        return paired.paired_dataset(data.source, data.target, batch_size, **kwargs)
    if model == "cyclegan":
        return paired.unpaired_dataset(data.a, data.b, batch_size, **kwargs)
    return paired.attribute_dataset(data.images, data.attributes, batch_size, **kwargs)


def _translation_report(gan, run, data, classifier=None):
    """Translate held-out ``data`` and score it against the ground truth the stand-ins keep:
    ``(rows, row_labels, scores)``. Scores (pixels in [-1, 1]; ``l1`` = mean absolute error):
    pix2pix ``l1``, ``ssim`` and the shipped classifier's ``accuracy`` on G(x) against the
    target items; cyclegan ``cycle_l1`` = |F(G(x)) - x| and, for the restyles, ``l1_ab`` =
    |G(x) - its hidden counterpart| and ``l1_ba`` (the other way), for sneakers2boots
    ``accuracy_ab`` / ``accuracy_ba`` = the classifier's rate of the other domain's class;
    stargan ``l1`` = |G(x, c) - the item under c| for seeded random targets c and
    ``reconstruction_l1`` = |G(G(x, c), c') - x|."""
    import numpy as np

    from gan_tf.data import paired

    def l1(a, b):
        return float(np.mean(np.abs(np.asarray(a) - np.asarray(b))))

    def rate(images, classes):
        logits = classifier.predict(paired.classifier_input(images), verbose=0)
        return float(np.mean(np.argmax(logits, axis=-1) == classes))

    model = run["model"]
    if model == "pix2pix":
        out = gan.translate(data.source)
        from gan_tf import metrics

        scores = {"l1": l1(out, data.target),
                  "ssim": float(np.mean(metrics.ssim((out + 1) / 2, (data.target + 1) / 2)))}
        if classifier is not None:
            scores["accuracy"] = rate(out, data.labels)
        return [data.source, out, data.target], ["input x", "G(x)", "target y"], scores
    if model == "cyclegan":
        fake_b = gan.translate(data.a)
        back = gan.translate_back(fake_b)
        rows, labels = [data.a, fake_b, back], ["x", "G(x)", "F(G(x))"]
        scores = {"cycle_l1": l1(back, data.a)}
        if data.pairing is not None:
            truth = data.b[data.pairing]
            scores.update(l1_ab=l1(fake_b, truth), l1_ba=l1(gan.translate_back(truth), data.a))
            rows.append(truth)
            labels.append("true counterpart")
        elif classifier is not None:
            scores.update(accuracy_ab=rate(fake_b, data.labels_b[0]),
                          accuracy_ba=rate(gan.translate_back(data.b), data.labels_a[0]))
        return rows, labels, scores
    target = (np.random.default_rng(run["seed"]).random(data.attributes.shape) < 0.5)
    target = target.astype("float32")
    out = gan.translate(data.images, target)
    truth = paired.apply_attributes(data.items, target, tuple(run["labels"]))
    scores = {"l1": l1(out, truth),
              "reconstruction_l1": l1(gan.translate(out, data.attributes), data.images)}
    return [data.images, out, truth], ["x", "G(x, c)", "x under c"], scores


def _check_translator_args(args):
    """One-line errors for a translation model's command line, before any data is loaded."""
    datasets = TRANSLATION_DATASETS[args.model]
    args.dataset = args.dataset or next(iter(datasets))
    if args.dataset not in datasets:
        raise CliError(f"unknown data set {args.dataset!r} for {args.model}; known: "
                       f"{', '.join(datasets)}")
    if args.image_size is not None:
        raise CliError(f"--image-size: {args.model} trains on the 32x32 images of "
                       "gan_tf.data.paired (no resize)")
    if args.latent_dim is not None:
        raise CliError(f"--latent-dim: {args.model} has no z (it translates images)")
    if args.n_blocks is not None and args.model == "pix2pix":
        raise CliError("--n-blocks sets the ResNet generators of cyclegan and stargan; "
                       "pix2pix's U-Net has none")
    args.batch_size = args.batch_size or PAPER_BATCH_SIZES[args.model]


def _train_translator(args):
    """``train pix2pix|cyclegan|stargan``: as ``train`` (checkpoints, resume, TensorBoard,
    strategies), on a ``gan_tf.data.paired`` stand-in, with a translation grid per epoch, the
    generator(s) as ``.keras`` files and the ``_translation_report`` scores on the test split
    in ``metrics.json``."""
    _check_translator_args(args)

    from gan_tf import callbacks, config, distribute

    out = Path(args.out)
    config.set_seed(args.seed)
    data = _translation_data(args.model, args.dataset, "train", args.limit, args.seed)
    inputs, outputs = _translation_arrays(args.model, data)
    run = {"model": args.model, "dataset": args.dataset, "image_shape": list(inputs.shape[1:]),
           "output_shape": list(outputs.shape[1:]),
           "labels": list(data.names) if args.model == "stargan" else None,
           "base_filters": args.base_filters or DEFAULT_BASE_FILTERS,
           "n_blocks": None if args.model == "pix2pix" else args.n_blocks or DEFAULT_N_BLOCKS,
           "seed": args.seed, "precision": args.mixed_precision, "jit": args.jit}
    run_file = out / "run.json"
    if run_file.exists() and args.resume:
        old = json.loads(run_file.read_text())
        if {k: old.get(k) for k in run} != run:
            raise CliError(f"{out} holds a different run ({old}); use another --out or --no-resume")
    n = max(len(inputs), len(outputs))
    d_steps = 5 if args.model == "stargan" else 1
    per_step = d_steps * args.batch_size
    _check_full_step(args, n, per_step, d_steps)
    gan = _make_trainer({**run, "run_eagerly": args.run_eagerly},
                        distribute.strategy(args.strategy),
                        total_steps=args.epochs * (n // per_step))
    out.mkdir(parents=True, exist_ok=True)
    run_file.write_text(json.dumps(run, indent=1))
    ds = _translation_dataset(args.model, data, per_step, args.seed)
    # held out: the test split (1,000 items per class, 10,000 in all)
    n_test = max(1, min(args.eval_samples, 1000 if args.dataset == "sneakers2boots" else 10000))
    test = _translation_data(args.model, args.dataset, "test", n_test, args.seed)
    shown = _head(test, 8)
    grid = callbacks.TranslationGrid(out / "samples",
                                     lambda model: _translation_report(model, run, shown)[:2])
    steps = _fit_run(gan, ds, args, grid)
    if args.model == "cyclegan":
        gan.inverse_generator.save(out / "inverse_generator.keras")
    classifier = None
    if args.model == "pix2pix" or args.dataset == "sneakers2boots":
        try:
            from gan_tf import metrics

            classifier = metrics.load_classifier("fashion_mnist")
        except (FileNotFoundError, ValueError) as err:
            print(f"classifier scores skipped: {err}")
    scores = _translation_report(gan, run, test, classifier)[2]
    print(f"metrics on {n_test} test images: "
          + ", ".join(f"{k} {v:.4g}" for k, v in scores.items()))
    result = {"epochs": args.epochs, "generator_steps": steps, "test_images": n_test, **scores}
    (out / "metrics.json").write_text(json.dumps(result, indent=1))
    return 0


def _translator_files(checkpoint, direction):
    """``(generator file, run or None)`` of ``translate --checkpoint``: a run folder of a
    translation model (its ``generator.keras``; cyclegan ``--direction ba``: its
    ``inverse_generator.keras``) or a generator ``.keras`` file (``run.json`` beside it, if
    any, names a StarGAN's attributes)."""
    path = Path(checkpoint)
    if path.suffix == ".keras":
        if not path.is_file():
            raise CliError(f"no such file: {path} (expected a generator .keras file written by "
                           "train, e.g. <run>/generator.keras)")
        run_file = path.parent / "run.json"
        run = json.loads(run_file.read_text()) if run_file.exists() else None
        if run is not None and run.get("model") not in TRANSLATORS:
            run = None
        if direction is not None:
            raise CliError("--direction picks the generator of a cyclegan run folder; "
                           f"{path.name} is one generator already")
        return path, run
    if not (path / "run.json").exists():
        raise CliError(f"{path} is not a training run (no run.json) nor a .keras file")
    run = json.loads((path / "run.json").read_text())
    if run.get("model") not in TRANSLATORS:
        raise CliError(f"{path} is a {run.get('model')} run, which generates from noise: use "
                       f"sample; translate needs one of {', '.join(TRANSLATORS)}")
    if direction is not None and run["model"] != "cyclegan":
        raise CliError(f"--direction {direction}: {run['model']} has one generator; only "
                       "cyclegan translates both ways")
    name = "inverse_generator.keras" if direction == "ba" else "generator.keras"
    if not (path / name).is_file():
        raise CliError(f"no {name} in {path}: train writes it when it finishes (run the train "
                       "command again to finish it)")
    return path / name, run


def _png_files(inputs):
    """The image files of ``--input``: ``.npy`` and ``.png`` files, and the PNGs of folders
    (sorted by name)."""
    files = []
    for text in inputs:
        path = Path(text)
        if path.is_dir():
            pngs = sorted(p for p in path.iterdir() if p.suffix.lower() == ".png")
            if not pngs:
                raise CliError(f"--input {path}: the folder holds no .png file")
            files.extend(pngs)
        elif not path.is_file():
            raise CliError(f"--input {path}: no such file or folder")
        elif path.suffix.lower() not in (".npy", ".png"):
            raise CliError(f"--input {path}: expected a .npy file of images, .png files or a "
                           "folder of PNGs")
        else:
            files.append(path)
    return files


_PNG_MODES = {"L": "L", "1": "L", "LA": "L", "RGB": "RGB", "RGBA": "RGB", "P": "RGB"}


def _read_images(files):
    """``(images float32 (n, h, w, c) in [-1, 1], names)`` from ``.npy`` files ((n, h, w, c) or
    grey (n, h, w): float in [-1, 1], or uint8 in [0, 255]) and 8-bit PNGs (grey or RGB;
    alpha dropped)."""
    import numpy as np
    from PIL import Image

    arrays, names = [], []
    for path in files:
        if path.suffix.lower() == ".npy":
            try:
                x = np.load(path, allow_pickle=False)
            except ValueError as err:
                raise CliError(f"--input {path}: not a .npy array of images ({err})") from None
            if x.ndim == 3:
                x = x[..., None]
            if x.ndim != 4 or x.shape[0] == 0:
                raise CliError(f"--input {path}: expected images (N, H, W, C) or grey (N, H, W), "
                               f"got an array of shape {x.shape}")
            if x.dtype == np.uint8:
                x = x.astype(np.float32) / 127.5 - 1.0
            elif np.issubdtype(x.dtype, np.floating):
                x = x.astype(np.float32)
                if not np.all(np.isfinite(x)) or x.min() < -1.001 or x.max() > 1.001:
                    raise CliError(f"--input {path}: float images must lie in [-1, 1] (or give "
                                   f"uint8 in [0, 255]); got values in [{np.nanmin(x):.4g}, "
                                   f"{np.nanmax(x):.4g}]")
                x = np.clip(x, -1.0, 1.0)
            else:
                raise CliError(f"--input {path}: expected float images in [-1, 1] or uint8 in "
                               f"[0, 255], got dtype {x.dtype}")
            arrays.append(x)
            names.extend(f"{path.stem}_{i:04d}" for i in range(len(x)))
            continue
        try:
            with Image.open(path) as image:
                mode = image.mode
                if mode not in _PNG_MODES:
                    raise CliError(f"--input {path}: PNG mode {mode} is not 8-bit grey or RGB")
                pixels = np.asarray(image.convert(_PNG_MODES[mode]))
        except OSError as err:
            raise CliError(f"--input {path}: not a readable PNG ({err})") from None
        pixels = pixels[..., None] if pixels.ndim == 2 else pixels
        arrays.append(pixels[None].astype(np.float32) / 127.5 - 1.0)
        names.append(path.stem)
    sizes = sorted({x.shape[1:] for x in arrays})
    if len(sizes) > 1:
        raise CliError(f"--input: the images have different shapes {sizes}; translate one size "
                       "at a time")
    return np.concatenate(arrays), names


def _fit_images(images, shape):
    """``images`` for a generator of input ``shape`` (h, w, c): the size must match; grey images
    go to an RGB generator as three equal channels; anything else is a ``CliError``."""
    import numpy as np

    h, w, c = shape
    if images.shape[1:3] != (h, w):
        raise CliError(f"--input: the images are {images.shape[1]}x{images.shape[2]}, the "
                       f"generator takes {h}x{w} (resize them first)")
    got = images.shape[-1]
    if got == c:
        return images
    if got == 1 and c == 3:
        return np.repeat(images, 3, axis=-1)
    kinds = {1: "grey (1 channel)", 3: "RGB (3 channels)"}
    raise CliError(f"--input: the images are {kinds.get(got, f'{got}-channel')}, the generator "
                   f"takes {kinds.get(c, f'{c} channels')}")


def _target_vector(text, label_dim, names):
    """StarGAN's target label of ``--target-label``: ``label_dim`` comma-separated 0/1 values
    (``1,0,0,1``), or the names of the attributes that are on (``tint,flipped``; ``none``: all
    off) when ``names`` (the run's attributes) are known."""
    import numpy as np

    tokens = [t.strip() for t in text.split(",") if t.strip()]
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        values = None
    if values is not None:
        if len(values) != label_dim:
            raise CliError(f"--target-label {text}: the generator takes {label_dim} labels"
                           + (f" ({', '.join(names)})" if names else "")
                           + f", got {len(values)} values")
        if any(v not in (0.0, 1.0) for v in values):
            raise CliError(f"--target-label {text}: expected 0 or 1 for each label")
        return np.array(values, np.float32)
    if names is None:
        raise CliError(f"--target-label {text}: attribute names need the run's run.json; give "
                       f"{label_dim} values such as {','.join(['1'] + ['0'] * (label_dim - 1))}")
    if tokens == ["none"]:
        tokens = []
    unknown = [t for t in tokens if t not in names]
    if unknown:
        raise CliError(f"--target-label {text}: unknown attribute {unknown[0]!r}; known: "
                       f"{', '.join(names)} (or none, or {len(names)} values 0/1)")
    return np.array([float(n in tokens) for n in names], np.float32)


def _to_uint8(images):
    import numpy as np

    return np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def translate(args):
    generator_file, run = _translator_files(args.checkpoint, args.direction)
    model = run["model"] if run is not None else None
    if model is not None and model != "stargan" and args.target_label is not None:
        raise CliError(f"--target-label: {model} has no target domain (only stargan takes one)")
    names = run.get("labels") if model == "stargan" else None
    target = None
    if model == "stargan":
        if args.target_label is None:
            raise CliError(f"stargan needs --target-label: {len(names)} values 0/1 or the "
                           f"attributes to turn on, from {', '.join(names)}")
        target = _target_vector(args.target_label, len(names), names)
    images, image_names = _read_images(_png_files(args.input))
    if run is not None and generator_file.parent == Path(args.checkpoint):
        # a run folder: check the images before loading TensorFlow (a .keras file: below)
        shape = run["output_shape"] if args.direction == "ba" else run["image_shape"]
        images = _fit_images(images, tuple(shape))

    import keras
    import numpy as np

    from gan_tf import plotting

    generator = keras.saving.load_model(generator_file)
    conditional = isinstance(generator.input_shape, list)
    image_shape = tuple((generator.input_shape[0] if conditional else generator.input_shape)[1:])
    images = _fit_images(images, image_shape)
    if conditional and target is None:
        label_dim = generator.input_shape[1][-1]
        if args.target_label is None:
            raise CliError(f"{generator_file.name} takes a target label: give --target-label "
                           f"with {label_dim} values 0/1")
        target = _target_vector(args.target_label, label_dim, None)
    elif not conditional and args.target_label is not None:
        raise CliError(f"--target-label: {generator_file.name} takes images alone")
    batches = []
    for i in range(0, len(images), args.batch_size):
        x = images[i:i + args.batch_size]
        inputs = [x, np.broadcast_to(target, (len(x), len(target)))] if conditional else x
        batches.append(np.asarray(generator(inputs, training=False), np.float32))
    out_images = np.concatenate(batches)
    run_dir = generator_file.parent
    out = Path(args.out) if args.out else run_dir / "translated"
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "translated.npy", out_images)
    from PIL import Image

    (out / "images").mkdir(exist_ok=True)
    for name, image in zip(image_names, _to_uint8(out_images)):
        Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
            out / "images" / f"{name}.png")
    shown = slice(0, GRID_IMAGES)
    plotting.close(plotting.image_rows([images[shown], out_images[shown]],
                                       ["input", "translated"], path=out / "grid.png"))
    print(f"wrote {len(out_images)} translated images to {out} (images/*.png, translated.npy, "
          "grid.png)")
    return 0


def parser():
    p = _Parser(prog="python -m gan_tf", description="gan_tf command line")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a model: " + "; ".join(f"{k}: {v}" for k, v in MODELS.items()))
    t.add_argument("model", help=f"one of {', '.join(MODELS)}")
    t.add_argument("--dataset", default=None,
                   help=f"one of {', '.join(DATASETS)} (default fashion_mnist); "
                        + "; ".join(f"{m}: {', '.join(d)}" for m, d in TRANSLATION_DATASETS.items())
                        + " (default: the first)")
    t.add_argument("--epochs", type=_positive_int, default=5)
    t.add_argument("--out", required=True, help="run folder (created; rerun to resume)")
    t.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True)
    t.add_argument("--strategy", default="auto", choices=STRATEGIES,
                   help="tf.distribute strategy (auto: TPU, then several GPUs, then one device)")
    t.add_argument("--mixed-precision", default="float32", choices=PRECISIONS)
    t.add_argument("--jit", action="store_true", help="compile the step with XLA")
    t.add_argument("--run-eagerly", action="store_true",
                   help="run the step eagerly, without tf.function: for debugging, and for "
                        "runs of a few steps, where tracing the step costs more than it saves")
    t.add_argument("--batch-size", type=_positive_int, default=None,
                   help="minibatch per network update (a WGAN or StarGAN step takes 5 of them; "
                        "default 128; pix2pix, cyclegan: 1, stargan: 16, the papers')")
    t.add_argument("--limit", type=_positive_int, default=None,
                   help="use the first N training images")
    t.add_argument("--image-size", type=_positive_int, default=None,
                   help="resize images (DCGAN models: 28, or a power of two >= 8 such as 32, 64)")
    t.add_argument("--latent-dim", type=_positive_int, default=None,
                   help="size of the noise z (default 100; infogan: 62, the paper's)")
    t.add_argument("--base-filters", type=_positive_int, default=None,
                   help=f"width of the translation models' first layers (default "
                        f"{DEFAULT_BASE_FILTERS}; the papers' 64)")
    t.add_argument("--n-blocks", type=_positive_int, default=None,
                   help=f"residual blocks of the cyclegan and stargan generators (default "
                        f"{DEFAULT_N_BLOCKS})")
    t.add_argument("--seed", type=_non_negative_int, default=0)
    t.add_argument("--eval-samples", type=int, default=5000,
                   help="generated images for the metrics (translation models: test images)")
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
    r = sub.add_parser("translate", help="translate images with a trained pix2pix, cyclegan or "
                                         "stargan run (or its generator .keras file)")
    r.add_argument("--checkpoint", required=True, help="a run folder or a generator .keras file")
    r.add_argument("--input", required=True, nargs="+",
                   help="a .npy file of images (N, H, W, C): float in [-1, 1] or uint8 in "
                        "[0, 255]; .png files; folders of PNGs")
    r.add_argument("--target-label", default=None,
                   help="stargan: the target domain, 0/1 per attribute (1,0,0,1) or the "
                        "attributes to turn on (tint,flipped; none)")
    r.add_argument("--direction", default=None, choices=("ab", "ba"),
                   help="cyclegan: ab = G (X -> Y, the default), ba = F (Y -> X)")
    r.add_argument("--batch-size", type=_positive_int, default=64)
    r.add_argument("--out", default=None, help="folder (default: <run>/translated)")
    r.set_defaults(func=translate)
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
