"""The speed layers: UpSampleConv2D, the fused BatchNormalization, the XLA-safe random draws.

Each is a faster way to compute something Keras already computes, so each test compares with
Keras's own result: the same numbers (to float rounding), not merely the same shapes.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import layers, models, rng


def _rand(shape, seed=0, scale=1.0, loc=0.0):
    return np.random.default_rng(seed).normal(loc, scale, size=shape).astype("float32")


def _two_layer(filters, kernel_size, size):
    return keras.Sequential([keras.layers.UpSampling2D(size),
                             keras.layers.Conv2D(filters, kernel_size, padding="same")])


def _grads(layer, x, weights):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(tf.sin(y) * y)  # a non-linear loss: every output matters
    return y, tape.gradient(loss, [x] + weights)


@pytest.mark.parametrize("size,kernel_size", [(2, 3), (2, 5), (3, 3), (2, 1), (1, 3)])
@pytest.mark.parametrize("jit", [False, True])
def test_upsample_conv_equals_upsampling_then_conv(size, kernel_size, jit):
    x = _rand((3, 5, 6, 4))
    fused = layers.UpSampleConv2D(7, kernel_size, size=size, bias_initializer="random_normal")
    fused.build(x.shape)
    ref = _two_layer(7, kernel_size, size)
    ref.build(x.shape)
    ref.layers[1].set_weights(fused.get_weights())  # the same weights load unchanged

    def run(layer):
        def f(t):
            return _grads(layer, t, layer.trainable_weights)
        return tf.function(f, jit_compile=True)(x) if jit else f(x)

    y1, g1 = run(fused)
    y2, g2 = run(ref)
    assert y1.shape == (3, 5 * size, 6 * size, 7)
    np.testing.assert_allclose(y1, y2, atol=2e-5)
    for a, b in zip(g1, g2):  # d/dx, d/dkernel, d/dbias
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-4)


def test_upsample_conv_counts_fewer_flops_and_round_trips():
    layer = layers.UpSampleConv2D(64, 3, name="conv_1")
    layer.build((None, 14, 14, 128))
    # 2 x 2 taps per phase instead of 3 x 3 per output pixel: 2.25x fewer multiply-adds
    two_layer = 2 * 28 * 28 * 9 * 128 * 64
    assert layer.flops_per_example((14, 14, 128)) * 2.25 == two_layer
    clone = layers.UpSampleConv2D.from_config(layer.get_config())
    assert (clone.filters, clone.kernel_size, clone.size) == (64, 3, 2)
    with pytest.raises(ValueError, match="odd"):
        layers.UpSampleConv2D(8, 4)


def test_upsample_conv_under_mixed_bfloat16_is_close_to_float32():
    x = _rand((2, 7, 7, 16))
    f32 = layers.UpSampleConv2D(8, 3)
    bf16 = layers.UpSampleConv2D(8, 3, dtype="mixed_bfloat16")
    f32.build(x.shape)
    bf16.build(x.shape)
    bf16.set_weights(f32.get_weights())
    y = bf16(x)
    assert y.dtype == "bfloat16"
    ref = np.asarray(f32(x))
    assert np.abs(np.float32(y) - ref).max() < 0.02 * np.abs(ref).max()


def _fused_ops(fn, x):
    """How many FusedBatchNormV3 / FusedBatchNormGradV3 ops the traced ``fn(x)`` (and its
    gradient) runs: the fused path, not Keras's moments-and-normalise code."""
    def f(t):
        with tf.GradientTape() as tape:
            tape.watch(t)
            loss = tf.reduce_sum(tf.sin(fn(t)))
        return tape.gradient(loss, t)

    ops = [op.type for op in tf.function(f).get_concrete_function(
        tf.TensorSpec(x.shape, x.dtype)).graph.get_operations()]
    return ops.count("FusedBatchNormV3"), ops.count("FusedBatchNormGradV3")


# epsilon 1e-5 (the paper DCGAN's) on activations of variance ~1e-5, where epsilon matters:
# clamping it to 1.001e-5, as tf.keras 2 did for old cuDNN, would move y by ~1e-4.
@pytest.mark.parametrize("epsilon,loc,scale", [(1e-3, 2.0, 3.0), (1e-5, 0.0, 3e-3)])
@pytest.mark.parametrize("policy", ["float32", "mixed_bfloat16"])
def test_fused_batch_norm_matches_keras_outputs_gradients_and_moving_stats(policy, epsilon,
                                                                           loc, scale):
    x = _rand((8, 5, 6, 4), loc=loc, scale=scale)
    kw = dict(momentum=0.8, epsilon=epsilon, gamma_initializer="random_normal",
              beta_initializer="random_normal")
    ours = layers.BatchNormalization(dtype=policy, **kw)
    theirs = keras.layers.BatchNormalization(dtype=policy, **kw)
    ours.build(x.shape)
    theirs.build(x.shape)
    theirs.set_weights(ours.get_weights())
    assert _fused_ops(lambda t: ours(t, training=True), x) == (1, 1)  # it does fuse
    assert _fused_ops(lambda t: theirs(t, training=True), x) == (0, 0)
    for step in range(3):  # moving averages over several batches
        xb = x * (step + 1)
        y1, g1 = _grads(lambda t: ours(t, training=True), xb, [ours.gamma, ours.beta])
        y2, g2 = _grads(lambda t: theirs(t, training=True), xb, [theirs.gamma, theirs.beta])
        tol = 1e-5 if policy == "float32" else 2e-2
        np.testing.assert_allclose(np.float32(y1), np.float32(y2), atol=tol)
        for a, b in zip(g1, g2):
            np.testing.assert_allclose(np.float32(a), np.float32(b), rtol=1e-3, atol=tol * 10)
    # the moving mean and the *biased* moving variance, as Keras averages them
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert not np.allclose(ours.moving_variance.numpy(), 1.0)
    # inference uses the moving statistics, through Keras's own code
    np.testing.assert_allclose(ours(x, training=False), theirs(x, training=False), atol=1e-5)


def test_fused_batch_norm_falls_back_to_keras_where_it_cannot_fuse():
    x = _rand((6, 5))  # rank 2: Keras's code path
    ours, theirs = layers.BatchNormalization(), keras.layers.BatchNormalization()
    ours.build(x.shape)
    theirs.build(x.shape)
    np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True), atol=1e-6)
    np.testing.assert_allclose(ours.moving_mean.numpy(), theirs.moving_mean.numpy(), atol=1e-7)


def _draws(use_ours, gen):
    x = tf.ones((64, 8))
    if use_ours:
        return (rng.normal((5, 3), gen), rng.uniform((4,), gen, 2.0, 3.0),
                rng.dropout(x, 0.25, gen))
    return (keras.random.normal((5, 3), seed=gen), keras.random.uniform((4,), 2.0, 3.0, seed=gen),
            keras.random.dropout(x, 0.25, seed=gen))


@pytest.mark.parametrize("jit", [False, True])
def test_rng_draws_the_same_numbers_as_keras_random(jit):
    gens = keras.random.SeedGenerator(7), keras.random.SeedGenerator(7)

    def run(use_ours):
        def f():
            return _draws(use_ours, gens[0] if use_ours else gens[1])
        return tf.function(f, jit_compile=True)() if jit else f()

    ours, theirs = run(True), run(False)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    mask = np.asarray(ours[2])
    assert 0.15 < float(np.mean(mask == 0)) < 0.35 and np.allclose(mask[mask > 0], 4 / 3)
    # the generators advanced alike
    np.testing.assert_array_equal(gens[0].state.numpy(), gens[1].state.numpy())


def test_in_xla_context_is_true_only_inside_jit_compiled_functions():
    seen = []

    def probe():
        seen.append(rng.in_xla_context())
        return tf.constant(0.0)

    tf.function(probe, jit_compile=True)()
    tf.function(probe)()
    assert seen == [True, False] and rng.in_xla_context() is False


@pytest.mark.parametrize("variant", ["book", "paper"])
@pytest.mark.parametrize("which", ["generator", "discriminator"])
def test_fused_dcgan_is_the_stock_network_with_faster_layers(which, variant):
    shape = (28, 28, 1) if variant == "book" else (32, 32, 1)

    def build(fused):
        keras.utils.set_random_seed(3)
        if which == "generator":
            return models.build_dcgan_generator(100, shape, base_filters=16, fused=fused)
        return models.build_dcgan_discriminator(shape, base_filters=8, fused=fused)

    fast, stock = build(True), build(False)
    assert [w.shape for w in fast.weights] == [w.shape for w in stock.weights]
    assert [lay.name for lay in fast.layers if lay.weights] == \
        [lay.name for lay in stock.layers if lay.weights]
    # the same seed gives the same initial weights
    for a, b in zip(fast.get_weights(), stock.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = _rand((16, 100)) if which == "generator" else np.tanh(_rand((16, *shape)))
    # every batch norm takes the fused path (the paper's, at epsilon 1e-5, too)
    n_bn = len([lay for lay in fast.layers if isinstance(lay, keras.layers.BatchNormalization)])
    assert n_bn == {"book": 2 if which == "generator" else 3, "paper": 3 if which == "generator"
                    else 2}[variant]
    assert _fused_ops(lambda t: fast(t, training=True), x) == (n_bn, n_bn)
    # training mode: batch statistics (and, in the discriminator, the same dropout masks)
    np.testing.assert_allclose(fast(x, training=True), stock(x, training=True), atol=1e-4)
    np.testing.assert_allclose(fast(x, training=False), stock(x, training=False), atol=1e-4)


def test_fused_batch_norm_second_derivatives_match_keras():
    # Penalties on the discriminator's input gradient (R1, DRAGAN) differentiate twice.
    x = tf.constant(_rand((4, 3, 3, 2)))
    results = []
    for bn in (layers.BatchNormalization(), keras.layers.BatchNormalization()):
        bn.build(x.shape)
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = tf.reduce_sum(tf.sin(bn(x, training=True)))
            penalty = tf.reduce_sum(inner.gradient(y, x) ** 2)
        results.append(outer.gradient(penalty, [x, bn.gamma]))
    for a, b in zip(*results):
        assert float(tf.reduce_max(tf.abs(a))) > 0
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
