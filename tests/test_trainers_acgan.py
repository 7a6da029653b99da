"""gan_tf.trainers.ACGAN (Odena, Olah & Shlens, arXiv:1610.09585, eqs. 2-3): its step equals a
hand-written GradientTape step with the same noise and classes, and differs from one without
the class loss on the fakes; the losses against NumPy; labels and networks are checked; the
paper's networks adapted to 28x28."""

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
    x = keras.Input((2,))
    h = keras.layers.Dense(8, activation="relu")(x)
    d = keras.Model(x, [keras.layers.Dense(1)(h), keras.layers.Dense(K)(h)])
    return g, d


def _data(n=8):
    rng = np.random.default_rng(1)
    return rng.normal(size=(n, 2)).astype(np.float32), np.arange(n, dtype=np.int32) % K


def _ce(logits, onehot):
    return tf.nn.softmax_cross_entropy_with_logits(onehot, logits)


def _manual_acgan_step(g, d, real, labels, d_steps, seed, fake_class=True):
    """Eqs. 2-3 of arXiv:1610.09585 written out (G's source term non-saturating): z ~ N(0, I),
    then the fakes' classes floor(K u), u ~ U[0, 1), from the trainer's seed generator.
    ``fake_class=False`` drops the class loss on the fakes from both updates."""
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    m = real.shape[0] // d_steps
    on = 1.0 if fake_class else 0.0

    def latent():
        return labelled_latent(sg, m, LATENT, K)

    for i in range(d_steps):
        zy = latent()
        fake = g(zy, training=True)
        with tf.GradientTape() as tape:
            rs, rc = d(real[i::d_steps][:m], training=True)
            fs, fc = d(fake, training=True)
            l_s = -tf.math.log(tf.sigmoid(rs[:, 0])) - tf.math.log(1 - tf.sigmoid(fs[:, 0]))
            l_c = _ce(rc, tf.one_hot(labels[i::d_steps][:m], K)) + on * _ce(fc, zy[1])
            loss = tf.reduce_mean(l_s + l_c)
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
    zy = latent()
    with tf.GradientTape() as tape:
        fs, fc = d(g(zy, training=True), training=True)
        loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(fs[:, 0])) + on * _ce(fc, zy[1]))
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables), g.trainable_variables))


def _weights(g, d):
    return g.get_weights() + d.get_weights()


@pytest.mark.parametrize("d_steps", [1, 2])
def test_acgan_step_matches_manual_step_and_needs_the_fake_class_loss(d_steps):
    g, d = _nets()
    g2, d2, g3, d3 = _clone(g), _clone(d), _clone(g), _clone(d)
    x, y = _data()
    gan = trainers.ACGAN(g, d, n_classes=K, d_steps=d_steps, seed=5)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    logs = gan.train_step((tf.constant(x), tf.constant(y)))
    _manual_acgan_step(g2, d2, tf.constant(x), tf.constant(y), d_steps, seed=5)
    for a, b in zip(_weights(g, d), _weights(g2, d2)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    _manual_acgan_step(g3, d3, tf.constant(x), tf.constant(y), d_steps, seed=5,
                       fake_class=False)
    # without the class loss on the fakes, both networks would have moved elsewhere
    assert max(np.abs(a - b).max() for a, b in zip(g.get_weights(), g3.get_weights())) > 1e-4
    assert max(np.abs(a - b).max() for a, b in zip(d.get_weights(), d3.get_weights())) > 1e-4
    assert set(logs) == {"d_loss", "g_loss", "class_loss", "d_class_accuracy"}


def _np_ce(logits, labels):
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return -np.log((e / e.sum(-1, keepdims=True))[np.arange(len(labels)), labels])


def _softplus(a):
    return np.log1p(np.exp(a))


@pytest.mark.parametrize("loss", ["nonsaturating", "minimax"])
def test_acgan_losses_match_numpy(loss):
    gan = trainers.ACGAN(*_nets(), n_classes=K, seed=0)
    gan.compile(loss=loss)
    rs, fs = np.array([[0.3], [-1.2]], np.float32), np.array([[2.0], [-0.5]], np.float32)
    rc = np.array([[1.0, 0.0, -1.0, 2.0], [0.5, 0.5, 3.0, 0.0]], np.float32)
    fc = np.array([[0.0, 2.0, 1.0, -1.0], [1.5, 0.0, 0.0, 0.5]], np.float32)
    y_real, y_fake = np.array([3, 0]), np.array([1, 2])
    d = gan.discriminator_loss(None, None, (rs, rc), (fs, fc), tf.constant(y_real),
                               tf.one_hot(y_fake, K)).numpy()
    # -log D(x) - log(1 - D(G(z))) - log P(C=c|x) - log P(C=c|G(z)), D = sigmoid
    want = (_softplus(-rs[:, 0]) + _softplus(fs[:, 0]) + _np_ce(rc, y_real)
            + _np_ce(fc, y_fake))
    np.testing.assert_allclose(d, want, rtol=1e-5)
    g = gan.generator_loss(None, (fs, fc), tf.one_hot(y_fake, K)).numpy()
    source = _softplus(-fs[:, 0]) if loss == "nonsaturating" else -_softplus(fs[:, 0])
    np.testing.assert_allclose(g, source + _np_ce(fc, y_fake), rtol=1e-5)
    logs = {t.name: float(t.result()) for t in gan.metrics}
    np.testing.assert_allclose(logs["class_loss"], (_np_ce(rc, y_real) + _np_ce(fc, y_fake)).mean(),
                               rtol=1e-5)
    assert logs["d_class_accuracy"] == 0.5        # argmax 3 (right) and 2 (wrong)


@pytest.mark.parametrize("labels, match", [
    (np.array([0, 1, 2, 9] * 2), r"labels in \[0, 3\] \(4 classes\), received values in \[0, 9\]"),
    (np.array([0.5] * 8), "integer class labels"),
])
def test_acgan_rejects_bad_labels(labels, match):
    x, _ = _data(8)
    gan = trainers.ACGAN(*_nets(), n_classes=K, seed=0)
    gan.compile()
    with pytest.raises(ValueError, match=match):
        gan.fit(x, labels, batch_size=8, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=match):
        gan.sample(len(labels), labels=labels)
    with pytest.raises(ValueError, match="received images alone"):
        gan.fit(x, batch_size=8, epochs=1, verbose=0)


def test_acgan_checks_its_networks():
    g, d = _nets()
    x, yd = keras.Input((2,)), keras.Input((K,))
    told = keras.Model([x, yd], [keras.layers.Dense(1)(x), keras.layers.Dense(K)(x)])
    with pytest.raises(ValueError, match="must take the image alone"):
        trainers.ACGAN(g, told, n_classes=K)
    one_head = keras.Model(x, keras.layers.Dense(1)(x))
    with pytest.raises(ValueError, match=r"must return \[source logit \(batch, 1\), class "
                                         r"logits \(batch, 4\)\]"):
        trainers.ACGAN(g, one_head, n_classes=K)
    with pytest.raises(ValueError, match=r"takes y of shape \(4,\), expected \(3,\)"):
        trainers.ACGAN(g, d, n_classes=3)


def test_acgan_samples_classes_and_classifies_with_its_class_head():
    g, d = _nets()
    gan = trainers.ACGAN(g, d, n_classes=K, seed=0)
    z = keras.random.normal((5, LATENT), seed=1)
    np.testing.assert_allclose(gan.sample(5, seed=1, labels=[0, 1, 2, 3, 3]),
                               g([z, tf.one_hot([0, 1, 2, 3, 3], K)]).numpy(), rtol=1e-6)
    x, _ = _data(7)
    np.testing.assert_array_equal(gan.predict_classes(x, batch_size=3),
                                  np.argmax(d(x)[1].numpy(), -1))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 2\)"):
        gan.predict_classes(np.zeros((3, 5), np.float32))


def test_acgan_networks_follow_the_paper():
    g = models.build_acgan_generator(latent_dim=100, n_classes=10)
    d = models.build_acgan_discriminator(n_classes=10)
    assert g.output_shape == (None, 28, 28, 1)
    assert [l.output.shape[1:] for l in g.layers if l.name.startswith(("reshape", "deconv"))] \
        == [(7, 7, 192), (14, 14, 96), (28, 28, 1)]
    assert d.output_shape == [(None, 1), (None, 10)]
    convs = [l for l in d.layers if l.name.startswith("conv_")]
    assert [(l.filters, l.strides[0]) for l in convs] == [
        (16, 2), (32, 1), (64, 2), (128, 1), (256, 2), (512, 1)]
    assert d.get_layer("flatten").output.shape[1:] == (4 * 4 * 512,)     # as at 32x32 input
    # weights: 110 -> 7*7*192 dense, 5x5 transposed convs 192 -> 96 (+BN) and 96 -> 1
    assert g.count_params() == (110 * 9408 + 9408) + (25 * 192 * 96 + 4 * 96) + (25 * 96 + 1)
    paper = models.build_acgan_generator(image_shape=(32, 32, 3), filters=(384, 192, 96))
    assert paper.get_layer("reshape").output.shape[1:] == (4, 4, 384)
    assert paper.output_shape == (None, 32, 32, 3)
    with pytest.raises(ValueError, match="side divisible by 8, got image_shape=\\(28, 28, 1\\)"):
        models.build_acgan_generator(filters=(384, 192, 96))
