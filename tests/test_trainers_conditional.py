"""gan_tf.trainers.ConditionalGAN (Mirza & Osindero, arXiv:1411.1784): its step equals a
hand-written GradientTape step with the same noise and labels; labels are checked; sampling
honours the requested classes; the conditional hooks leave the unconditional GAN unchanged."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import models, trainers
from twins import adam as _adam, clone as _clone, labelled_latent

LATENT, K = 3, 4


def _nets(seed=0):
    keras.utils.set_random_seed(seed)
    z, y = keras.Input((LATENT,)), keras.Input((K,))
    h = keras.layers.Dense(8, activation="relu")(keras.layers.Concatenate()([z, y]))
    g = keras.Model([z, y], keras.layers.Dense(2)(h))
    x, yd = keras.Input((2,)), keras.Input((K,))
    h = keras.layers.Dense(8, activation="relu")(keras.layers.Concatenate()([x, yd]))
    d = keras.Model([x, yd], keras.layers.Dense(1)(h))
    return g, d


def _data(n=8):
    rng = np.random.default_rng(1)
    return (rng.normal(size=(n, 2)).astype(np.float32),
            np.arange(n, dtype=np.int32) % K)


def _manual_cgan_step(g, d, real, labels, d_steps, seed):
    """Eq. 2 of arXiv:1411.1784 (non-saturating generator loss), written out: z ~ N(0, I) then
    the fakes' labels floor(K u), u ~ U[0, 1), from the trainer's seed generator."""
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    m = real.shape[0] // d_steps

    def latent():
        return labelled_latent(sg, m, LATENT, K)

    for i in range(d_steps):
        zy = latent()
        fake = g(zy, training=True)
        with tf.GradientTape() as tape:
            r = d([real[i::d_steps][:m], tf.one_hot(labels[i::d_steps][:m], K)], training=True)
            f = d([fake, zy[1]], training=True)
            loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(r)) - tf.math.log(1 - tf.sigmoid(f)))
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
    zy = latent()
    with tf.GradientTape() as tape:
        f = d([g(zy, training=True), zy[1]], training=True)
        loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(f)))
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables), g.trainable_variables))


@pytest.mark.parametrize("d_steps", [1, 2])
def test_cgan_step_matches_manual_gradient_tape_step(d_steps):
    g, d = _nets()
    g2, d2 = _clone(g), _clone(d)
    x, y = _data()
    gan = trainers.ConditionalGAN(g, d, n_classes=K, d_steps=d_steps, seed=5)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    logs = gan.train_step((tf.constant(x), tf.constant(y)))
    _manual_cgan_step(g2, d2, tf.constant(x), tf.constant(y), d_steps, seed=5)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(g.get_weights()[0], _nets()[0].get_weights()[0])
    assert np.isfinite(float(logs["d_loss"]))


def test_cgan_fit_takes_arrays_datasets_and_labels_and_draws_uniform_fake_labels():
    x, y = _data(64)
    gan = trainers.ConditionalGAN(*_nets(), n_classes=K, seed=0)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    h1 = gan.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False).history
    h2 = gan.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(16), epochs=1,
                 verbose=0).history
    assert np.isfinite(h1["d_loss"][0]) and np.isfinite(h2["d_loss"][0])
    labels = gan.draw_labels(4000).numpy()
    counts = np.bincount(labels, minlength=K)
    assert labels.min() == 0 and labels.max() == K - 1
    assert np.all(np.abs(counts / 4000 - 1 / K) < 0.03), counts     # uniform prior p(y)


def test_cgan_samples_the_requested_labels():
    g, d = _nets()
    gan = trainers.ConditionalGAN(g, d, n_classes=K, seed=0)
    s3 = gan.sample(5, seed=1, labels=3)
    z = keras.random.normal((5, LATENT), seed=1)
    np.testing.assert_allclose(s3, g([z, tf.one_hot([3] * 5, K)]).numpy(), rtol=1e-6)
    mixed = gan.sample(5, seed=1, labels=[0, 1, 2, 3, 3])
    np.testing.assert_allclose(mixed[4], s3[4], rtol=1e-6)   # same z, same label
    default = gan.sample(6, seed=1)                           # classes in turn: 0 1 2 3 0 1
    z6 = keras.random.normal((6, LATENT), seed=1)
    np.testing.assert_allclose(default, g([z6, tf.one_hot([0, 1, 2, 3, 0, 1], K)]).numpy(),
                               rtol=1e-6)


@pytest.mark.parametrize("labels, match", [
    (np.array([0, 1, 2, 9] * 2), r"labels in \[0, 3\] \(4 classes\), received values in \[0, 9\]"),
    (np.array([0.5] * 8), "integer class labels"),
    (np.arange(3), "expects 8 labels"),
    (np.eye(K)[np.arange(8) % K], r"shape \(n,\)"),
])
def test_cgan_rejects_bad_labels(labels, match):
    x, _ = _data(8)
    gan = trainers.ConditionalGAN(*_nets(), n_classes=K, seed=0)
    gan.compile()
    with pytest.raises(ValueError, match=match):
        gan.fit(x, labels, batch_size=8, epochs=1, verbose=0)
    n = 5 if "8 labels" in match else len(labels)      # sample(n, labels) checks them too
    with pytest.raises(ValueError, match=match.replace("8 labels", "5 labels")):
        gan.sample(n, labels=labels)


def test_cgan_needs_labels_and_two_input_networks():
    x, _ = _data(8)
    gan = trainers.ConditionalGAN(*_nets(), n_classes=K, seed=0)
    gan.compile()
    with pytest.raises(ValueError, match="trains on \\(images, labels\\), received images alone"):
        gan.fit(x, batch_size=8, epochs=1, verbose=0)
    plain_g = models.build_mlp_generator(LATENT, (2,), hidden_units=(4,), output_activation=None)
    with pytest.raises(ValueError, match=r"generator must take \[z, y\]"):
        trainers.ConditionalGAN(plain_g, _nets()[1], n_classes=K)
    with pytest.raises(ValueError, match=r"takes y of shape \(4,\), expected \(3,\)"):
        trainers.ConditionalGAN(*_nets(), n_classes=3)
    with pytest.raises(ValueError, match="unconditional: sample\\(\\) takes no labels"):
        trainers.GAN(plain_g, models.build_mlp_discriminator((2,), hidden_units=(4,))).sample(
            2, labels=1)


def test_conditional_dcgan_networks_see_the_label():
    g = models.build_conditional_dcgan_generator(8, 10, base_filters=8)
    d = models.build_conditional_dcgan_discriminator((28, 28, 1), 10, base_filters=8)
    z = tf.constant(np.random.default_rng(0).normal(size=(2, 8)), tf.float32)
    y0, y1 = tf.one_hot([0, 0], 10), tf.one_hot([1, 1], 10)
    a, b = g([z, y0]), g([z, y1])
    assert a.shape == (2, 28, 28, 1) and np.abs(a.numpy() - b.numpy()).max() > 1e-4
    assert np.abs(d([a, y0]).numpy() - d([a, y1]).numpy()).max() > 1e-6
    mg, md = models.build_cgan_mlp_generator(), models.build_cgan_mlp_discriminator()
    assert mg.count_params() == (100 * 200 + 200) + (10 * 1000 + 1000) + (1200 * 1200 + 1200) \
        + (1200 * 784 + 784)
    assert md.output_shape == (None, 1)


def test_cgan_fit_on_arrays_drops_a_short_last_batch_and_keeps_the_labels():
    """9 examples in batches of 4 with d_steps = 2: the last batch (1 example) cannot fill two
    minibatches, so fit drops it, and the two kept batches still carry their labels."""
    x, y = _data(9)
    gan = trainers.ConditionalGAN(*_nets(), n_classes=K, d_steps=2, seed=0)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    gan.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 2
