"""gan_tf.trainers.SGAN: both variants' steps equal hand-written GradientTape steps with the same
noise (Odena, arXiv:1606.01583, Algorithm 1; Salimans et al., arXiv:1606.03498, sections 3.1 and
5), written with explicit K + 1 softmax probabilities; the labelled batch is checked; D/C
classifies with its K class logits; the network builder."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import data, models, trainers
from twins import clone as _clone, adam as _adam

LATENT, K = 3, 3


def _nets(outputs, seed=0):
    keras.utils.set_random_seed(seed)
    z = keras.Input((LATENT,))
    g = keras.Model(z, keras.layers.Dense(2)(keras.layers.Dense(8, activation="relu")(z)))
    x = keras.Input((2,))
    h = keras.layers.Dense(6, activation="tanh", name="features")(x)
    d = keras.Model(x, keras.layers.Dense(outputs, name="logits")(h))
    return g, d


def _batch(n_u=8, n_l=4):
    rng = np.random.default_rng(1)
    return (tf.constant(rng.normal(size=(n_u, 2)), tf.float32),
            (tf.constant(rng.normal(size=(n_l, 2)), tf.float32),
             tf.constant(np.arange(n_l) % K, tf.int32)))


def _probs(logits):
    """The K + 1 probabilities, written out: K logits get a 0 logit for "fake"."""
    if logits.shape[-1] == K:
        logits = tf.concat([logits, tf.zeros_like(logits[:, :1])], -1)
    e = tf.exp(logits)
    return e / tf.reduce_sum(e, -1, keepdims=True)


def _manual_step(g, d, batch, variant, d_steps, seed, w=1.0):
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    x_u, (x_l, y_l) = batch
    m, ml = x_u.shape[0] // d_steps, x_l.shape[0] // d_steps
    feats = keras.Model(d.inputs, d.get_layer("features").output)
    for i in range(d_steps):
        fake = g(keras.random.normal((m, LATENT), seed=sg), training=True)
        xu, xl, yl = x_u[i::d_steps][:m], x_l[i::d_steps][:ml], y_l[i::d_steps][:ml]
        with tf.GradientTape() as tape:
            p_l, p_f = _probs(d(xl, training=True)), _probs(d(fake, training=True))
            if variant == "odena":       # NLL of K + 1-way softmax: labelled reals and fakes
                loss = (tf.reduce_mean(-tf.math.log(tf.gather(p_l, yl, batch_dims=1)))
                        + tf.reduce_mean(-tf.math.log(p_f[:, K])))
            else:                        # -log p(y | x, y < K+1); -log(1 - p_fake); -log p_fake
                p_u = _probs(d(xu, training=True))
                p_cond = tf.gather(p_l, yl, batch_dims=1) / (1 - p_l[:, K])
                loss = (tf.reduce_mean(-tf.math.log(p_cond))
                        + w * tf.reduce_mean(-tf.math.log(1 - p_u[:, K]))
                        + w * tf.reduce_mean(-tf.math.log(p_f[:, K])))
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
    with tf.GradientTape() as tape:
        fake = g(keras.random.normal((m, LATENT), seed=sg), training=True)
        if variant == "odena":
            loss = tf.reduce_mean(-tf.math.log(1 - _probs(d(fake, training=True))[:, K]))
        else:
            diff = tf.reduce_mean(feats(x_u[::d_steps][:m]), 0) - tf.reduce_mean(feats(fake), 0)
            loss = tf.reduce_sum(diff ** 2)
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables), g.trainable_variables))


@pytest.mark.parametrize("variant, outputs, d_steps", [
    ("odena", K + 1, 1), ("odena", K, 2), ("salimans", K, 1), ("salimans", K + 1, 2)])
def test_sgan_step_matches_manual_gradient_tape_step(variant, outputs, d_steps):
    g, d = _nets(outputs)
    g2, d2 = _clone(g), _clone(d)
    w = 0.5 if variant == "salimans" else 1.0
    extra = {"unsupervised_weight": w} if variant == "salimans" else {}
    gan = trainers.SGAN(g, d, n_classes=K, variant=variant, d_steps=d_steps, seed=5, **extra)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    batch = _batch()
    logs = gan.train_step(batch)
    _manual_step(g2, d2, batch, variant, d_steps, seed=5, w=w)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(g.get_weights()[0], _nets(outputs)[0].get_weights()[0])
    assert set(logs) == {"d_loss", "g_loss", "class_loss", "d_class_accuracy"}


def _dataset(n=48):
    """(x_unlabelled, (x_labelled, y_labelled)) batches of 12 unlabelled and 12 labelled 2-D
    points (6 labelled points repeated), three separable classes: the structure of
    data.semi_supervised_dataset."""
    rng = np.random.default_rng(0)
    y = np.arange(n) % K
    x = (rng.normal(size=(n, 2)) * 0.1 + np.eye(K, 2)[y] * 0.8).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices(
        (x, (np.resize(x[:6], (n, 2)), np.resize(y[:6], n).astype(np.int32)))).batch(12)


@pytest.mark.parametrize("labels, match", [
    ([0, 1, 2, 3, 0, 1], r"labelled batch\) expects labels in \[0, 2\] \(3 classes\), "
                         r"received values in \[0, 3\]"),
    ([0, 1, 2], r"labelled batch\) expects 6 labels \(one per example\), received 3"),
])
def test_sgan_checks_the_labelled_batch(labels, match):
    gan = trainers.SGAN(*_nets(K + 1), n_classes=K, seed=0)
    gan.compile()
    x = np.zeros((6, 2), np.float32)
    ds = tf.data.Dataset.from_tensors((np.zeros((12, 2), np.float32),
                                       (x, np.array(labels, np.int32))))
    with pytest.raises(ValueError, match=match):
        gan.fit(ds, epochs=1, verbose=0)
    x = np.zeros((8, 2), np.float32)
    with pytest.raises(ValueError, match=r"trains on \(x_unlabelled, \(x_labelled, y_labelled\)\)"):
        gan.fit(tf.data.Dataset.from_tensor_slices((x, np.zeros(8, np.int32))).batch(4),
                epochs=1, verbose=0)


def test_sgan_refuses_labelled_batches_smaller_than_its_minibatches():
    """With d_steps = 2 each step splits the labelled batch in two: one labelled image would
    leave an empty minibatch (a NaN loss), so fit says so first."""
    gan = trainers.SGAN(*_nets(K + 1), n_classes=K, d_steps=2, seed=0)
    gan.compile()
    ds = tf.data.Dataset.from_tensors((np.zeros((12, 2), np.float32),
                                       (np.zeros((1, 2), np.float32), np.zeros(1, np.int32))))
    with pytest.raises(ValueError, match="needs labelled batches of at least 2 images .*"
                                         "received 1; raise labelled_batch_size"):
        gan.fit(ds, epochs=1, verbose=0)


def test_sgan_fits_semi_supervised_batches_and_classifies_with_k_logits():
    gan = trainers.SGAN(*_nets(K), n_classes=K, variant="salimans", seed=0)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    hist = gan.fit(_dataset(), epochs=2, verbose=0).history
    assert np.all(np.isfinite(hist["d_loss"])) and len(hist["class_loss"]) == 2
    g, d = _nets(K + 1)
    odena = trainers.SGAN(g, d, n_classes=K, seed=0)
    x = np.random.default_rng(2).normal(size=(5, 2)).astype(np.float32)
    logits = d(x).numpy()
    p = np.exp(logits[:, :K]) / np.exp(logits[:, :K]).sum(-1, keepdims=True)
    np.testing.assert_allclose(odena.classify(x, batch_size=2), p, rtol=1e-5)
    # the fake logit is left out, even where it is the largest
    d.get_layer("logits").bias.assign([0.0, 0.0, 0.0, 50.0])
    np.testing.assert_array_equal(odena.predict_classes(x), np.argmax(logits[:, :K], -1))


def test_sgan_rejects_bad_settings():
    g, d = _nets(K + 1)
    with pytest.raises(ValueError, match=r"\(batch, 3\) logits \(K classes \+ fake\) or "
                                         r"\(batch, 2\).* got outputs \(None, 4\)"):
        trainers.SGAN(g, d, n_classes=2)
    with pytest.raises(ValueError, match="feature_layer 'nope' is not a layer of"):
        trainers.SGAN(g, d, n_classes=K, variant="salimans", feature_layer="nope")
    with pytest.raises(ValueError, match="belong to variant='salimans'"):
        trainers.SGAN(g, d, n_classes=K, feature_layer="features")
    with pytest.raises(ValueError, match=r"variant must be one of \('odena', 'salimans'\)"):
        trainers.SGAN(g, d, n_classes=K, variant="improved")
    with pytest.raises(ValueError, match=r"takes loss in \('nonsaturating', 'minimax'\)"):
        trainers.SGAN(g, d, n_classes=K).compile(loss="wasserstein")


def test_sgan_discriminator_builder():
    d = models.build_sgan_discriminator((28, 28, 1), 10)
    assert d.output_shape == (None, 11) and d.get_layer("features").output.shape == (None, 128)
    base = models.build_sgan_discriminator((8, 8, 1), 10, outputs=10, filters=(8, 16))
    assert base.output_shape == (None, 10)
    # 3x3 convs 1 -> 8 -> 16 (8x8 -> 4x4 -> 2x2), dense 64 -> 128, logits 128 -> 10
    assert base.count_params() == (9 * 8 + 8) + (9 * 8 * 16 + 16) + (64 * 128 + 128) + 1290
    gan = trainers.SGAN(models.build_dcgan_generator(4, (8, 8, 1), base_filters=4), base,
                        n_classes=10, variant="salimans")
    assert gan.feature_layer == "features"
    with pytest.raises(ValueError, match=r"outputs must be n_classes \(10\) or n_classes \+ 1"):
        models.build_sgan_discriminator(outputs=12)


def _quadrant_images(n, seed):
    """8x8 images of 4 classes: a bright 4x4 quadrant (the class) on noise, in [-1, 1]."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    x = rng.uniform(-1, -0.2, size=(n, 8, 8, 1))
    for c, (r, q) in enumerate(((0, 0), (0, 4), (4, 0), (4, 4))):
        x[y == c, r:r + 4, q:q + 4] += 1.0
    return np.clip(x, -1, 1).astype(np.float32), y


def test_sgan_learns_from_few_labels_on_semi_supervised_batches():
    """Two epochs (12 steps) on data.semi_supervised_dataset batches (2 labels per class) lift
    D/C's test accuracy far above chance (1/4): 0.16 -> 0.85 here (Odena's variant: 0.26 ->
    0.97)."""
    x, y = _quadrant_images(96, 0)
    ds, labelled = data.semi_supervised_dataset(x, y, n_per_class=2, batch_size=16, seed=0)
    assert len(labelled) == 8
    keras.utils.set_random_seed(0)
    d = models.build_sgan_discriminator((8, 8, 1), 4, outputs=4,
                                        filters=(8,), feature_units=16, dropout=0.0,
                                        input_dropout=0.0)
    g = models.build_mlp_generator(4, (8, 8, 1), hidden_units=(16,))
    gan = trainers.SGAN(g, d, n_classes=4, variant="salimans", seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(3e-3, beta_1=0.5))
    test_x, test_y = _quadrant_images(200, 1)
    before = np.mean(gan.predict_classes(test_x) == test_y)
    gan.fit(ds, epochs=2, verbose=0)
    after = np.mean(gan.predict_classes(test_x) == test_y)
    assert before < 0.3 and after > 0.6, (before, after)
