#!/usr/bin/env python
"""Training throughput of the book's DCGAN step, three ways, on this machine.

Protocol (chapter 4.2's architecture: ``gan_tf.models.build_dcgan_generator(100)`` and
``build_dcgan_discriminator((28, 28, 1))``, batch 128, Adam(2e-4, 0.5), Fashion-MNIST in
memory):

1. **book**: the textbook's Keras loop. The discriminator (with a sigmoid) is compiled with
   binary cross-entropy; a combined model z -> D(G(z)) is compiled with D frozen; each step
   calls ``generator.predict`` for the fakes, ``d.train_on_batch`` on the real and on the fake
   half, then ``combined.train_on_batch``. Under Keras 3 the frozen flag is read when a
   ``train_on_batch`` function is first traced, not at ``compile`` as in Keras 2: the book's
   order (freeze, then train D) traces D's step with no trainable weights and D never learns
   ("The model does not have any trainable weights"). The loop here sets ``d.trainable``
   before each call, which is what the book's code means.
2. **tutorial**: the TensorFlow DCGAN tutorial's loop: one ``tf.function`` with two
   ``GradientTape``s, one generator forward pass and simultaneous updates.
3. **gan_tf**: ``gan_tf.trainers.GAN.fit`` (Algorithm 1: a discriminator step, then a
   generator step with fresh noise) on ``gan_tf.models``' DCGAN, whose default ``fused=True``
   layers compute the same network faster (``UpSampleConv2D`` for upsampling + 3x3
   convolution, a fused batch norm, XLA-safe dropout), with each speed option: default,
   ``jit_compile=True`` (XLA), the ``mixed_bfloat16`` policy, and ``reuse_fake=True`` (one
   generator forward pass for both updates), alone and combined.

The book and tutorial ways build the network from Keras's own layers, as their code does.
Two more ways separate what the loop does from what the layers do: ``tutorial_fused`` (the
tutorial's loop on gan_tf's layers) and ``gan_tf_stock`` (``GAN.fit`` on Keras's layers).

A ``convs`` option (``gan_tf_convs``, ``gan_tf_xla_convs``) is a ceiling, not a way to train: the
same step on the networks' convolutions and dense layers alone (``convs_only``: batch norm,
activations and dropout replaced by the identity). It executes exactly the FLOPs counted for the
full networks and nothing else, so its % of peak bounds what the real step can reach with the
same convolution kernels (XLA's, or TensorFlow's oneDNN ones).

Each way runs ``--warmup`` steps (tracing, compiling); then, ``--repeats`` times, every way runs
``--steps`` timed steps in turn (interleaved, so a slow spell of a shared machine hits all
ways alike); the median images/s is reported (images = real images consumed). The CPU model and
versions are printed first. FLOPs per image are counted from the models' layers as executed
(convolutions and dense layers; ``UpSampleConv2D`` counts its 2 x 2-tap phase convolutions, 2.25x
fewer than the two-layer form; batch norm, activations and the optimizer are not counted); the
training step's FLOPs use backward = 2 x forward, and the pass structure of each loop (see
``step_flops``). The machine's peak is a measured 2048x2048 matmul in a ``tf.function``
(float32, and bfloat16 for the bfloat16 ways).

    python benchmarks/throughput.py [--steps 30] [--repeats 3] [--ways book,tutorial,gan_tf]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_tf import data, layers, models, trainers  # noqa: E402

BATCH = 128
LATENT = 100


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except Exception:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        flags = open("/proc/cpuinfo").read().split("flags", 1)[1].split("\n", 1)[0]
        return [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f" {f}" in flags]
    except Exception:
        return []


def machine():
    """The two lines every benchmark prints before its results: the CPU (model, logical cores,
    the bf16-relevant flags) and the TensorFlow, Keras and Python versions."""
    return (f"CPU: {cpu_model()} ({os.cpu_count()} logical cores; flags: "
            f"{', '.join(cpu_flags()) or '-'})\n"
            f"TensorFlow {tf.__version__}, Keras {keras.__version__}, "
            f"Python {platform.python_version()}")


# -- FLOPs --------------------------------------------------------------------------------

def forward_flops(model):
    """Multiply-adds x 2 of the convolutions and dense layers of one forward pass, per image."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += forward_flops(layer)
        elif isinstance(layer, layers.UpSampleConv2D):
            total += layer.flops_per_example(layer.input.shape[1:])
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            kh, kw, a, b = layer.kernel.shape  # Conv2D: (kh, kw, in, out); transpose: (kh, kw, out, in)
            if isinstance(layer, keras.layers.Conv2DTranspose):
                _, h, w, _ = layer.input.shape  # each input pixel scatters a kh x kw x out patch
            else:
                _, h, w, _ = layer.output.shape
            total += 2 * h * w * kh * kw * a * b
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * int(np.prod(layer.kernel.shape))
    return total


def fused_layers(way):
    """Whether ``way`` runs on gan_tf's fused layers (see the module docstring)."""
    if way.startswith("gan_tf"):
        return "stock" not in way.split("_")
    return "fused" in way.split("_")


def step_flops(way, f_g, f_d):
    """FLOPs per real image of one training step (backward = 2 x forward).

    Algorithm 1 (book and gan_tf): the discriminator step is a G forward pass plus D forward and
    backward on the real and the fake batch, f_g + 6 f_d; the generator step is G forward and
    backward plus D forward and backward (to its input), 3 f_g + 3 f_d; in all 4 f_g + 9 f_d.
    The tutorial shares one G forward pass and one D pass on the fakes between the two tapes:
    3 f_g (G forward and backward) + 6 f_d (D on real and fake, forward and backward) + 2 f_d
    (the generator tape's backward pass through D) = 3 f_g + 8 f_d.
    """
    if way.startswith("tutorial"):
        return 3 * f_g + 8 * f_d
    if "reuse" in way:  # one generator forward pass shared by both updates
        return 3 * f_g + 9 * f_d
    return 4 * f_g + 9 * f_d


def matmul_peak(n=2048, dtype=tf.float32, seconds=3.0, jit_compile=False):
    """GFLOP/s of an n x n matmul repeated in a ``tf.function``. With ``jit_compile`` (XLA)
    each product feeds the next, as XLA hoists a loop-invariant product out of the loop (b is
    scaled by 1/sqrt(n) to keep the chained values bounded)."""
    a = tf.cast(tf.random.normal((n, n)), dtype)
    b = tf.cast(tf.random.normal((n, n)) / n ** 0.5, dtype)

    @tf.function(jit_compile=jit_compile)
    def run(k):
        c = a
        for _ in tf.range(k):
            c = tf.matmul(c if jit_compile else a, b)
        return c[0, 0]

    run(tf.constant(2)).numpy()
    k, elapsed = 4, 0.0
    while elapsed < seconds:
        start = time.perf_counter()
        run(tf.constant(k)).numpy()
        elapsed = time.perf_counter() - start
        k *= 2
    return 2 * n**3 * (k // 2) / elapsed / 1e9


# -- the three loops ------------------------------------------------------------------------

def _nets(seed=0, fused=False):
    keras.utils.set_random_seed(seed)
    return (models.build_dcgan_generator(LATENT, fused=fused),
            models.build_dcgan_discriminator((28, 28, 1), fused=fused))


class _Identity(keras.layers.Layer):
    def call(self, inputs, training=None, mask=None):
        return inputs


_NOT_COUNTED = (keras.layers.BatchNormalization, keras.layers.Dropout, keras.layers.LeakyReLU,
                keras.layers.ReLU, keras.layers.Activation)


def convs_only(model):
    """``model`` with batch norm, activations and dropout replaced by the identity (convolutions,
    dense layers, reshapes and padding kept, with their weights): the part of the network whose
    FLOPs ``forward_flops`` counts, for the ``convs`` ceiling."""
    def clone(layer):
        if isinstance(layer, _NOT_COUNTED):
            return _Identity(name=layer.name)
        config = layer.get_config()
        if "activation" in config:
            config["activation"] = "linear"
        return layer.__class__.from_config(config)

    stripped = keras.models.clone_model(model, clone_function=clone)
    for layer in stripped.layers:
        if layer.weights:
            layer.set_weights(model.get_layer(layer.name).get_weights())
    return stripped


def book_loop(x):
    g, d_logits = _nets()
    d = keras.Sequential([d_logits, keras.layers.Activation("sigmoid")], name="d_sigmoid")
    d.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss="binary_crossentropy")
    d.trainable = False
    z = keras.Input((LATENT,))
    combined = keras.Model(z, d(g(z)))
    combined.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss="binary_crossentropy")
    ones, zeros = np.ones((BATCH, 1), np.float32), np.zeros((BATCH, 1), np.float32)
    rng = np.random.default_rng(0)

    def step(i):
        real = x[(i * BATCH) % (len(x) - BATCH):][:BATCH]
        noise = rng.normal(size=(BATCH, LATENT)).astype(np.float32)
        fake = g.predict(noise, verbose=0)
        d.trainable = True
        d.train_on_batch(real, ones)
        d.train_on_batch(fake, zeros)
        d.trainable = False
        combined.train_on_batch(rng.normal(size=(BATCH, LATENT)).astype(np.float32), ones)

    return step


def tutorial_loop(x, fused=False):
    g, d = _nets(fused=fused)
    g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    ds = iter(data.to_dataset(x, batch_size=BATCH, drop_remainder=True).repeat())

    @tf.function
    def train_step(images):
        noise = tf.random.normal([BATCH, LATENT])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated = g(noise, training=True)
            real_output = d(images, training=True)
            fake_output = d(generated, training=True)
            gen_loss = bce(tf.ones_like(fake_output), fake_output)
            disc_loss = bce(tf.ones_like(real_output), real_output) + bce(
                tf.zeros_like(fake_output), fake_output)
        g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, g.trainable_variables),
                                  g.trainable_variables))
        d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss, d.trainable_variables),
                                  d.trainable_variables))
        return disc_loss

    def step(i):
        train_step(next(ds))

    return step


def build_gan(options, seed=0):
    """The compiled ``trainers.GAN`` of one gan_tf way; ``options`` from its name (``bf16``,
    ``reuse``, ``xla``, ``stock``, ``convs``)."""
    policy = keras.config.dtype_policy().name
    if "bf16" in options:
        keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        g, d = _nets(seed, fused="stock" not in options)
    finally:
        keras.config.set_dtype_policy(policy)
    if "convs" in options:
        g, d = convs_only(g), convs_only(d)
    gan = trainers.GAN(g, d, seed=seed, reuse_fake="reuse" in options)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                jit_compile="xla" in options)
    return gan


def gan_tf_fit(x, options):
    """Return a callable running ``n`` steps through ``fit`` (one call per measurement)."""
    gan = build_gan(options)
    ds = data.to_dataset(x, batch_size=BATCH, drop_remainder=True).repeat()
    clock = _StepClock()

    def run(n):
        """Run n steps; return the seconds from the first step's start to the last's end."""
        gan.fit(ds, steps_per_epoch=n, epochs=1, verbose=0, callbacks=[clock])
        return clock.seconds

    return run


class _StepClock(keras.callbacks.Callback):
    """Times a ``fit`` call's steps, from the first batch's start to the end of training.

    Measured on this machine, ``fit`` also spends a fixed time after ``on_train_end`` tearing
    down its dataset iterator (TF 2.21: the call's total is rounded up to a multiple of about
    5.12 s), a per-call cost that does not depend on the step count, so it is left out here and
    reported separately (``fit teardown``)."""

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self.start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ways", default="book,tutorial,tutorial_fused,gan_tf_stock,gan_tf,"
                        "gan_tf_xla,gan_tf_bf16,gan_tf_reuse,gan_tf_reuse_xla,gan_tf_reuse_bf16,"
                        "gan_tf_convs,gan_tf_xla_convs")
    args = parser.parse_args(argv)
    ways = args.ways.split(",")

    print(machine())
    x, _ = data.load_arrays("fashion_mnist", limit=BATCH * 64)
    g, d = _nets()
    f_g, f_d = forward_flops(g), forward_flops(d)
    f_g_fused = forward_flops(_nets(fused=True)[0])
    print(f"forward MFLOPs per image: generator {f_g / 1e6:.2f} (fused upsample-convolutions: "
          f"{f_g_fused / 1e6:.2f}), discriminator {f_d / 1e6:.2f}")
    peak = matmul_peak()
    peak_bf16 = matmul_peak(dtype=tf.bfloat16)
    print(f"measured matmul peak (2048x2048): float32 {peak:.1f} GFLOP/s, "
          f"bfloat16 {peak_bf16:.1f} GFLOP/s")
    if any("xla" in way.split("_") for way in ways):
        print(f"the same matmul compiled by XLA: float32 {matmul_peak(jit_compile=True):.1f} "
              f"GFLOP/s (the % peak column uses the faster figure above)")

    runners = {}
    for way in ways:
        if way == "book":
            step = book_loop(x)
            runners[way] = lambda n, s=step: [s(i) for i in range(n)]  # noqa: E731
        elif way.startswith("tutorial"):
            step = tutorial_loop(x, fused=fused_layers(way))
            runners[way] = lambda n, s=step: [s(i) for i in range(n)]  # noqa: E731
        elif way.startswith("gan_tf"):
            runners[way] = gan_tf_fit(x, way.split("_")[2:])
        else:
            raise SystemExit(f"unknown way {way!r}")
        runners[way](args.warmup)
    rates = {way: [] for way in ways}
    teardown = []
    for _ in range(args.repeats):
        for way in ways:
            start = time.perf_counter()
            inner = runners[way](args.steps)
            total = time.perf_counter() - start
            if isinstance(inner, float):  # a fit call: steps timed inside it
                teardown.append(total - inner)
            else:
                inner = total
            rates[way].append(args.steps * BATCH / inner)
    rows = []
    for way in ways:
        rate = statistics.median(rates[way])
        flops = step_flops(way, f_g_fused if fused_layers(way) else f_g, f_d)
        rows.append((way, rate, flops))
        print(f"  {way}: {rate:.0f} images/s (runs: {', '.join(f'{r:.0f}' for r in rates[way])})")

    if teardown:
        print(f"  fit teardown after the last step (per call, not counted): median "
              f"{statistics.median(teardown):.2f} s, max {max(teardown):.2f} s")
    base = {w: r for w, r, _ in rows}
    print(f"\n{'way':<24}{'layers':>7}{'images/s':>10}{'x book':>8}{'x tutorial':>12}"
          f"{'GFLOP/img':>11}{'GFLOP/s':>9}{'% peak':>8}  (peak of the way's precision)")
    for way, rate, flops in rows:
        gflops = rate * flops / 1e9
        xb = f"{rate / base['book']:.2f}" if "book" in base else "-"
        xt = f"{rate / base['tutorial']:.2f}" if "tutorial" in base else "-"
        way_peak = peak_bf16 if "bf16" in way else peak
        kind = "convs" if "convs" in way.split("_") else "fused" if fused_layers(way) else "keras"
        print(f"{way:<24}{kind:>7}{rate:10.0f}{xb:>8}{xt:>12}{flops / 1e9:11.4f}{gflops:9.1f}"
              f"{100 * gflops / way_peak:7.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
