"""gan_tf.trainers.InfoGAN (Chen et al., arXiv:1606.03657): its step equals a hand-written
GradientTape step with the same seed-generator draws (-lambda L_I in both losses, Q trained by
the discriminator step, G alone by the generator step); the codes' prior; sampling with fixed
codes, traversals and Q's predictions; the paper's MNIST networks; input errors."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import models, trainers
from twins import clone as _clone, adam as _adam

NOISE, K, C = 3, 3, 2


def _nets(learn_std=False, n_cont=C, seed=0):
    keras.utils.set_random_seed(seed)
    z = keras.Input((NOISE + K + n_cont,))
    g = keras.Model(z, keras.layers.Dense(2)(keras.layers.Dense(8, activation="relu")(z)))
    x = keras.Input((2,))
    trunk = keras.layers.Dense(8, activation="tanh")(x)
    outs = [keras.layers.Dense(1)(trunk), keras.layers.Dense(K, name="q_cat")(trunk)]
    if n_cont:
        outs.append(keras.layers.Dense(n_cont, name="q_mean")(trunk))
        if learn_std:
            outs.append(keras.layers.Dense(n_cont, name="q_log_std")(trunk))
    return g, keras.Model(x, outs)


def _data(n=8):
    return np.random.default_rng(1).normal(size=(n, 2)).astype(np.float32)


def _info(outs, latent, learn_std):
    """L_I's two parts written out (eq. 5): log softmax at c1 + log K; sum_j log N(c_j; mu_j,
    sigma_j) + log 2 (H of Unif(-1, 1)), sigma = 1 unless learned."""
    onehot, codes = latent[:, NOISE:NOISE + K], latent[:, NOISE + K:]
    l_cat = tf.reduce_sum(onehot * tf.nn.log_softmax(outs[1]), -1) + math.log(K)
    log_sigma = outs[3] if learn_std else tf.zeros_like(outs[2])
    log_n = (-0.5 * tf.square((codes - outs[2]) / tf.exp(log_sigma)) - log_sigma
             - 0.5 * math.log(2 * math.pi) + math.log(2.0))
    return l_cat, tf.reduce_sum(log_n, -1)


def _manual_infogan_step(g, d, real, d_steps, seed, lam_cat, lam_cont, learn_std, reuse=False):
    """The official code's step: D (with Q) descends -log D(x) - log(1 - D(G)) - lambda L_I,
    then G descends -log D(G) - lambda L_I. Draws: z ~ N(0, I), u ~ U[0, 1) with c1 =
    floor(K u), c_cont ~ U(-1, 1), in that order. Returns the D step's L_I parts."""
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    m = real.shape[0] // d_steps

    def latent():
        z = keras.random.normal((m, NOISE), seed=sg)
        u = keras.random.uniform((m,), seed=sg)
        cc = keras.random.uniform((m, C), minval=-1.0, maxval=1.0, seed=sg)
        return tf.concat([z, tf.one_hot(tf.cast(tf.floor(u * K), tf.int32), K), cc], -1)

    for i in range(d_steps):
        zc = latent()
        fake = g(zc, training=True)
        with tf.GradientTape() as tape:
            r = d(real[i::d_steps][:m], training=True)[0]
            outs = d(fake, training=True)
            l_cat, l_cont = _info(outs, zc, learn_std)
            loss = (tf.reduce_mean(-tf.math.log(tf.sigmoid(r)) - tf.math.log(1 - tf.sigmoid(outs[0])))
                    - lam_cat * tf.reduce_mean(l_cat) - lam_cont * tf.reduce_mean(l_cont))
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
        hits = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(outs[1], -1),
                                               tf.argmax(zc[:, NOISE:NOISE + K], -1)), tf.float32))
        parts = (float(tf.reduce_mean(l_cat)), float(tf.reduce_mean(l_cont)), float(hits))
    if not reuse:
        zc = latent()
    with tf.GradientTape() as tape:
        outs = d(g(zc, training=True), training=True)
        l_cat, l_cont = _info(outs, zc, learn_std)
        loss = (tf.reduce_mean(-tf.math.log(tf.sigmoid(outs[0])))
                - lam_cat * tf.reduce_mean(l_cat) - lam_cont * tf.reduce_mean(l_cont))
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables), g.trainable_variables))
    return parts


@pytest.mark.parametrize("d_steps, learn_std, reuse", [(1, False, False), (2, True, False),
                                                       (1, True, True)])
def test_infogan_step_matches_manual_gradient_tape_step(d_steps, learn_std, reuse):
    g, d = _nets(learn_std)
    g2, d2 = _clone(g), _clone(d)
    gan = trainers.InfoGAN(g, d, n_categories=K, n_continuous=C, lambda_cat=0.7,
                           lambda_cont=0.3, d_steps=d_steps, seed=5, reuse_fake=reuse)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    assert gan.learn_std is learn_std and gan.noise_dim == NOISE
    logs = gan.train_step(tf.constant(_data()))
    l_cat, l_cont, hits = _manual_infogan_step(g2, d2, tf.constant(_data()), d_steps, 5, 0.7,
                                               0.3, learn_std, reuse)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    if d_steps == 1:   # the trackers report the discriminator step's L_I on its fakes
        np.testing.assert_allclose(float(logs["mi_categorical"]), l_cat, rtol=1e-5)
        np.testing.assert_allclose(float(logs["mi_continuous"]), l_cont, rtol=1e-5)
        np.testing.assert_allclose(float(logs["mutual_info"]), l_cat + l_cont, rtol=1e-5)
        np.testing.assert_allclose(float(logs["cat_accuracy"]), hits)
    assert float(logs["mi_categorical"]) <= math.log(K)


def test_q_learns_in_the_discriminator_step_only_through_l_i():
    """Q's heads get gradient from L_I alone: with lambda = 0 a step leaves them as they were
    (Adam moves nothing on a zero gradient), with lambda > 0 it moves them; the generator step
    never touches the discriminator model (the manual-step test)."""
    for lam, moves in ((0.0, False), (1.0, True)):
        g, d = _nets()
        before = [w.numpy().copy() for w in d.get_layer("q_cat").weights
                  + d.get_layer("q_mean").weights]
        gan = trainers.InfoGAN(g, d, n_categories=K, n_continuous=C, lambda_cat=lam,
                               lambda_cont=lam, seed=0)
        gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
        gan.train_step(tf.constant(_data()))
        after = [w.numpy() for w in d.get_layer("q_cat").weights + d.get_layer("q_mean").weights]
        changed = max(float(np.abs(a - b).max()) for a, b in zip(after, before))
        assert (changed > 1e-4) is moves, changed


def test_codes_follow_their_prior_and_fake_condition_reads_them():
    gan = trainers.InfoGAN(*_nets(), n_categories=K, n_continuous=C, seed=3)
    latent = gan.sample_latent(6000).numpy()
    assert latent.shape == (6000, NOISE + K + C)
    onehot, cont = (np.asarray(t) for t in gan.fake_condition(tf.constant(latent)))
    np.testing.assert_array_equal(onehot, latent[:, NOISE:NOISE + K])
    np.testing.assert_array_equal(cont, latent[:, NOISE + K:])
    assert set(np.unique(onehot)) == {0.0, 1.0} and np.all(onehot.sum(1) == 1)
    counts = onehot.sum(0) / 6000
    assert np.all(np.abs(counts - 1 / K) < 0.025), counts            # uniform Cat(K)
    assert cont.min() >= -1.0 and cont.max() < 1.0                    # Unif(-1, 1)
    assert np.all(np.abs(cont.mean(0)) < 0.03) and np.all(np.abs(cont.var(0) - 1 / 3) < 0.02)
    z = latent[:, :NOISE]
    assert np.all(np.abs(z.mean(0)) < 0.05) and np.all(np.abs(z.std(0) - 1) < 0.05)


def test_sample_fixes_the_codes_and_traverse_sweeps_one_continuous_code():
    g, d = _nets()
    gan = trainers.InfoGAN(g, d, n_categories=K, n_continuous=C, seed=0)
    s = gan.sample(4, seed=1, category=2, continuous=[0.5, -0.5])
    z = keras.random.normal((4, NOISE), seed=1)
    want = g(tf.concat([z, tf.one_hot([2] * 4, K), tf.constant([[0.5, -0.5]] * 4)], -1))
    np.testing.assert_allclose(s, want.numpy(), rtol=1e-6)
    default = gan.sample(4, seed=1)               # categories in turn, continuous codes 0
    want = g(tf.concat([z, tf.one_hot([0, 1, 2, 0], K), tf.zeros((4, C))], -1))
    np.testing.assert_allclose(default, want.numpy(), rtol=1e-6)

    latent = gan.traversal_latent(1, values=[-2.0, 0.0, 2.0], categories=[0, 2], seed=7)
    assert latent.shape == (6, NOISE + K + C)
    z7 = keras.random.normal((1, NOISE), seed=7).numpy()
    np.testing.assert_allclose(latent[:, :NOISE], np.tile(z7, (6, 1)), rtol=1e-6)  # fixed z
    np.testing.assert_array_equal(latent[:, NOISE:NOISE + K].argmax(1), [0, 0, 0, 2, 2, 2])
    np.testing.assert_array_equal(latent[:, NOISE + K + 1], [-2, 0, 2, -2, 0, 2])
    np.testing.assert_array_equal(latent[:, NOISE + K], 0.0)
    grid = gan.traverse(1, values=[-2.0, 0.0, 2.0], categories=[0, 2], seed=7)
    assert grid.shape == (2, 3, 2)
    np.testing.assert_allclose(grid.reshape(6, 2), g(latent).numpy(), rtol=1e-6)
    full = gan.traversal_latent(0)                # every category, -2 to 2 in 10 steps
    assert full.shape == (K * 10, NOISE + K + C)
    np.testing.assert_allclose(full[:10, NOISE + K], np.linspace(-2, 2, 10), rtol=1e-6)
    assert gan.traverse(0).shape == (K, 10, 2)


def test_predict_codes_and_classify_read_q():
    g, d = _nets(learn_std=True)
    gan = trainers.InfoGAN(g, d, n_categories=K, n_continuous=C, seed=0)
    x = _data(7)
    cats, cont = gan.predict_codes(x, batch_size=3)
    outs = d(x, training=False)
    np.testing.assert_array_equal(cats, np.argmax(outs[1].numpy(), -1))
    np.testing.assert_allclose(cont, outs[2].numpy(), rtol=1e-6)
    np.testing.assert_array_equal(gan.classify(x), cats)
    assert cats.dtype == np.int32 and cont.shape == (7, C)


def test_categorical_only_infogan_trains_with_fit():
    g, d = _nets(n_cont=0)
    gan = trainers.InfoGAN(g, d, n_categories=K, n_continuous=0, seed=0)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    hist = gan.fit(_data(16), batch_size=8, epochs=1, verbose=0).history
    assert set(hist) == {"d_loss", "g_loss", "mutual_info", "mi_categorical", "cat_accuracy"}
    assert hist["mutual_info"] == hist["mi_categorical"]
    assert gan.predict_codes(_data(2))[1].shape == (2, 0)


def test_default_optimizers_are_the_papers():
    gan = trainers.InfoGAN(*_nets(), n_categories=K, n_continuous=C)
    gan.compile()
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(2e-4)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(gan.d_optimizer.beta_1) == 0.5 == float(gan.g_optimizer.beta_1)
    assert gan.lambda_cat == 1.0 and gan.lambda_cont == 1.0


def test_paper_mnist_networks():
    g = models.build_infogan_generator()
    d = models.build_infogan_discriminator()
    assert g.input_shape == (None, 74) and g.output_shape == (None, 28, 28, 1)
    assert d.output_shape == [(None, 1), (None, 10), (None, 2)]
    # table 1 of arXiv:1606.03657: FC 1024 and 7x7x128 (BN: 4 numbers per unit), 4x4 up-conv
    bn = lambda n: 4 * n  # noqa: E731
    assert g.count_params() == (74 * 1024 + bn(1024) + 1024 * 6272 + bn(6272)
                                + 16 * 128 * 64 + bn(64) + 16 * 64 * 1 + 1)
    assert d.count_params() == (16 * 64 + 64 + 16 * 64 * 128 + bn(128) + 6272 * 1024
                                + bn(1024) + 1024 + 1 + 1024 * 128 + bn(128)
                                + 128 * 10 + 10 + 128 * 2 + 2)
    learned = models.build_infogan_discriminator(learn_std=True, n_continuous=3)
    assert learned.output_shape[2:] == [(None, 3), (None, 3)]
    assert len(models.build_infogan_discriminator(n_continuous=0).outputs) == 2
    gan = trainers.InfoGAN(g, d)
    assert gan.noise_dim == 62 and gan.learn_std is False
    x = gan.sample(2, seed=0)
    assert x.shape == (2, 28, 28, 1) and np.abs(x).max() <= 1.0
    with pytest.raises(ValueError, match=r"divisible by 4"):
        models.build_infogan_generator(image_shape=(30, 30, 1))


def test_infogan_rejects_mismatched_networks_and_arguments():
    g, d = _nets()
    with pytest.raises(ValueError, match=r"must return \[logit \(batch, 1\), code_logits "
                                         r"\(batch, 4\), code_mean"):
        trainers.InfoGAN(g, d, n_categories=4, n_continuous=1)
    with pytest.raises(ValueError, match=r"inputs of size 8, expected noise_dim \+ 3 \+ 5"):
        trainers.InfoGAN(g, d, n_categories=3, n_continuous=5)
    plain = models.build_mlp_discriminator((2,), hidden_units=(4,))
    with pytest.raises(ValueError, match=r"got outputs of shapes \[\(None, 1\)\]"):
        trainers.InfoGAN(g, plain, n_categories=K, n_continuous=C)
    with pytest.raises(ValueError, match="lambda_cont must be a number >= 0, got -1"):
        trainers.InfoGAN(g, d, n_categories=K, n_continuous=C, lambda_cont=-1)
    with pytest.raises(ValueError, match="n_categories must be at least 2, got 1"):
        trainers.InfoGAN(g, d, n_categories=1, n_continuous=C)
    gan = trainers.InfoGAN(g, d, n_categories=K, n_continuous=C)
    with pytest.raises(ValueError, match=r"index of a continuous code in \[0, 2\), got 2"):
        gan.traverse(2)
    with pytest.raises(ValueError, match=r"continuous codes of shape \(2,\) or \(3, 2\), "
                                         r"received \(3,\)"):
        gan.sample(3, continuous=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"labels in \[0, 2\] \(3 classes\), received values "
                                         r"in \[0, 5\]"):
        gan.sample(2, category=[0, 5])
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 2\)"):
        gan.predict_codes(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="needs the codes of the fakes"):
        gan.info_bound(d(_data(2)), None)
