"""gan_tf.models.dcgan: the book's 28x28 DCGAN and the paper's 32/64 DCGAN."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import layers, models


def _layers(model, cls):
    return [layer for layer in model.layers if isinstance(layer, cls)]


def test_book_dcgan_matches_the_keras_gan_architecture_parameter_for_parameter():
    g = models.build_dcgan_generator(100)
    d = models.build_dcgan_discriminator((28, 28, 1))
    # dense 100->7*7*128, conv 128, bn, conv 64, bn, conv 1 (chapter 4.2)
    expected_g = (100 * 6272 + 6272) + (9 * 128 * 128 + 128) + 4 * 128 + (9 * 128 * 64 + 64) \
        + 4 * 64 + (9 * 64 * 1 + 1)
    # conv 32, conv 64 (+pad to 8x8), bn, conv 128, bn, conv 256, bn, dense 4*4*256 -> 1
    expected_d = (9 * 32 + 32) + (9 * 32 * 64 + 64) + 4 * 64 + (9 * 64 * 128 + 128) + 4 * 128 \
        + (9 * 128 * 256 + 256) + 4 * 256 + (4 * 4 * 256 + 1)
    assert g.count_params() == expected_g == 856_193
    assert d.count_params() == expected_d == 393_729
    assert all(bn.momentum == 0.8 for bn in _layers(g, keras.layers.BatchNormalization))
    assert len(_layers(g, layers.UpSampleConv2D)) == 2  # fused upsampling + 3x3 convolution
    stock = models.build_dcgan_generator(100, fused=False)  # the book's layers as written
    assert len(_layers(stock, keras.layers.UpSampling2D)) == 2
    assert stock.count_params() == expected_g
    assert [lr.negative_slope for lr in _layers(d, keras.layers.LeakyReLU)] == [0.2] * 4
    assert [dr.rate for dr in _layers(d, keras.layers.Dropout)] == [0.25] * 4
    x = g(np.random.default_rng(0).normal(size=(3, 100)).astype("float32"))
    assert x.shape == (3, 28, 28, 1) and float(np.abs(x).max()) <= 1.0
    assert d(x).shape == (3, 1)


@pytest.mark.parametrize("side,g_filters", [(32, [512, 256, 128, 3]), (64, [1024, 512, 256, 128, 3])])
def test_paper_dcgan_follows_radford_et_al(side, g_filters):
    keras.utils.set_random_seed(0)
    g = models.build_dcgan_generator(100, (side, side, 3))
    d = models.build_dcgan_discriminator((side, side, 3))
    # 4x4 projection, then transposed convolutions halving the filters
    proj = g.get_layer("reshape").output.shape
    deconvs = _layers(g, keras.layers.Conv2DTranspose)
    assert proj[1:] == (4, 4, g_filters[0])
    assert [c.filters for c in deconvs] == g_filters[1:]
    assert all(c.strides == (2, 2) for c in deconvs)
    # no pooling, no hidden dense layers (only the projection of z and the final logit)
    for net in (g, d):
        assert not [lay for lay in net.layers if "pool" in type(lay).__name__.lower()]
    assert len(_layers(g, keras.layers.Dense)) == 1 and len(_layers(d, keras.layers.Dense)) == 1
    # no batch norm on the discriminator's first layer nor on the generator's output
    assert "bn_0" not in [lay.name for lay in d.layers]
    assert len(_layers(d, keras.layers.BatchNormalization)) == len(_layers(d, keras.layers.Conv2D)) - 1
    assert [lr.negative_slope for lr in _layers(d, keras.layers.LeakyReLU)] == [0.2] * len(
        _layers(d, keras.layers.Conv2D))
    # weights N(0, 0.02)
    kernel = g.get_layer("deconv_0").kernel.numpy()
    assert abs(kernel.mean()) < 0.002 and 0.018 < kernel.std() < 0.022
    kernel = d.get_layer("conv_1").kernel.numpy()
    assert 0.018 < kernel.std() < 0.022
    z = np.random.default_rng(1).normal(size=(2, 100)).astype("float32")
    x = g(z)
    assert x.shape == (2, side, side, 3) and float(np.abs(x).max()) <= 1.0
    assert d(x).shape == (2, 1)


def test_dcgan_rejects_shapes_it_cannot_build():
    with pytest.raises(ValueError, match="power-of-two"):
        models.build_dcgan_generator(100, (48, 48, 3))
    with pytest.raises(ValueError, match="28x28"):
        models.build_dcgan_discriminator((32, 32, 1), variant="book")
    with pytest.raises(ValueError, match="unknown DCGAN variant"):
        models.build_dcgan_generator(100, (64, 64, 3), variant="tutorial")
    with pytest.raises(ValueError, match="latent_dim"):
        models.build_dcgan_generator(0)


def test_generator_exports_to_keras_file_and_reloads_with_identical_outputs(tmp_path):
    g = models.build_dcgan_generator(100)
    path = tmp_path / "generator.keras"
    g.save(path)
    again = keras.saving.load_model(path)
    z = np.random.default_rng(0).normal(size=(4, 100)).astype("float32")
    np.testing.assert_array_equal(np.asarray(g(z, training=False)),
                                  np.asarray(again(z, training=False)))


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3)])
def test_layer_norm_critic_for_wgan_gp(shape):
    from gan_tf import trainers

    d = models.build_dcgan_discriminator(shape, norm="layer", dropout=0.0)
    assert not _layers(d, keras.layers.BatchNormalization)
    lns = _layers(d, keras.layers.LayerNormalization)
    assert len(lns) == len(_layers(d, keras.layers.Conv2D)) - 1
    x = np.random.default_rng(0).uniform(-1, 1, (3,) + shape).astype("float32")
    # per example: a critic score does not depend on the other examples in the batch
    np.testing.assert_allclose(np.asarray(d(x, training=True))[:1], np.asarray(d(x[:1], training=True)),
                               rtol=1e-5, atol=1e-6)
    trainers.WGANGP(models.build_dcgan_generator(16, shape), d)  # accepted as a critic
    with pytest.raises(ValueError, match="unknown norm"):
        models.build_dcgan_discriminator(shape, norm="instance")


def _conv_biases(d):
    return {c.name: c.bias is not None for c in _layers(d, keras.layers.Conv2D)}


@pytest.mark.parametrize("norm,biased", [
    (None, [True, True, True]),     # nothing follows: every convolution needs its bias
    ("batch", [True, False, False]),  # batch norm subtracts the per-channel mean: beta's job
    ("layer", [True, True, True]),  # layer norm over (h, w, c) keeps a per-channel offset
])
def test_paper_discriminator_has_a_conv_bias_wherever_no_batch_norm_follows(norm, biased):
    keras.utils.set_random_seed(0)
    d = models.build_dcgan_discriminator((32, 32, 1), variant="paper", base_filters=4, norm=norm)
    assert list(_conv_biases(d).values()) == biased
    n_bias = sum(c.filters for c, b in zip(_layers(d, keras.layers.Conv2D), biased) if b)
    n_norm = {None: 0, "batch": 4 * (8 + 16), "layer": 2 * (8 * 8 * 8 + 4 * 4 * 16)}[norm]
    kernels = 25 * (1 * 4 + 4 * 8 + 8 * 16)
    assert d.count_params() == kernels + n_bias + n_norm + (4 * 4 * 16 + 1)


def test_paper_discriminator_conv_bias_is_used_and_trained_without_norm():
    keras.utils.set_random_seed(0)
    d = models.build_dcgan_discriminator((32, 32, 1), variant="paper", base_filters=4, norm=None)
    x = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 1)).astype("float32")
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.softplus(d(x, training=True)))
    biases = [c.bias for c in _layers(d, keras.layers.Conv2D)]
    grads = tape.gradient(loss, biases)
    before = [b.numpy().copy() for b in biases]
    keras.optimizers.SGD(0.5).apply_gradients(zip(grads, biases))
    for b0, b, g in zip(before, biases, grads):
        assert float(np.abs(g).max()) > 1e-6  # every bias moves the logit
        np.testing.assert_allclose(b.numpy(), b0 - 0.5 * np.asarray(g), rtol=1e-6, atol=1e-9)
    # the bias enters the output: a per-channel shift on the last convolution moves the logit
    # by exactly the logit's weights on that channel (4x4 positions after LeakyReLU's > 0 side)
    last = d.get_layer("conv_2")
    last.bias.assign(last.bias + 100.0)  # every unit of conv_2 is now positive
    kernel, _ = d.get_layer("logit").get_weights()
    y1 = np.asarray(d(x))
    last.bias.assign(last.bias + 1.0)
    np.testing.assert_allclose(np.asarray(d(x)) - y1, kernel.sum(), rtol=1e-3, atol=1e-4)


def test_conv_bias_is_redundant_before_batch_norm_but_not_before_layer_norm():
    """Adding a per-channel constant before batch norm (training mode) changes nothing; before
    layer norm over (h, w, c) it changes the output, so the paper's critic keeps the bias."""
    x = np.random.default_rng(0).normal(size=(4, 4, 4, 3)).astype("float32")
    shift = np.array([0.5, -1.0, 2.0], "float32")
    bn = keras.layers.BatchNormalization(epsilon=1e-5)
    ln = keras.layers.LayerNormalization(axis=[1, 2, 3], epsilon=1e-5)
    np.testing.assert_allclose(bn(x + shift, training=True), bn(x, training=True), atol=1e-5)
    assert float(np.abs(ln(x + shift) - ln(x)).max()) > 0.3
