"""StarGAN (arXiv:1711.09020): label tiling against NumPy, the classification losses and the
mask vector's selection on known logits (the reconstruction loss, losses.l1_loss: in
tests/test_losses.py), a train step against a
hand-written GradientTape step (two data sets, mask vector, n_critic = 2), n_critic critic
updates per generator update, resume from a checkpoint, the paper's defaults and the linear
decay, and clear errors for bad labels."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses, trainers
from gan_tf.layers import TileLabels, tile_labels
from twins import adam as _adam, clone as _clone

SIZE, CH = 8, 3
# two data sets: 3 binary attributes (CelebA-like), then 2 exclusive classes (RaFD-like)
SIZES, MULTI = (3, 2), (True, False)
N_LABELS, LABEL_DIM = 5, 7          # 3 + 2 labels, + a 2-d mask vector


def _nets(label_dim=LABEL_DIM, n_labels=N_LABELS, seed=0):
    """A 1-conv generator on [x, tiled c] and a critic with a patch head and a label head."""
    keras.utils.set_random_seed(seed)
    x, c = keras.Input((SIZE, SIZE, CH)), keras.Input((label_dim,))
    h = TileLabels()([x, c])
    g = keras.Model([x, c], keras.layers.Conv2D(CH, 3, padding="same", activation="tanh")(h))
    xd = keras.Input((SIZE, SIZE, CH))
    h = keras.layers.Conv2D(4, 4, strides=2, padding="same", activation="tanh")(xd)
    src = keras.layers.Conv2D(1, 3, padding="same")(h)                  # (4, 4, 1) patch map
    cls = keras.layers.Conv2D(n_labels, SIZE // 2)(h)                    # (1, 1, n_labels)
    return g, keras.Model(xd, [src, cls])


def _data(n, seed=0):
    """Images in [-1, 1], labels (other data set's slots random) and alternating indices."""
    rng = np.random.default_rng(seed)
    x = np.tanh(rng.normal(size=(n, SIZE, SIZE, CH))).astype(np.float32)
    index = (np.arange(n) % 2).astype(np.int32)
    labels = rng.integers(0, 2, (n, N_LABELS)).astype(np.float32)     # junk in unknown slots
    single = index == 1
    labels[single, 3:] = np.eye(2, dtype=np.float32)[rng.integers(0, 2, single.sum())]
    return x, labels, index


def _stargan(d_steps=2, seed=3, **kwargs):
    g, d = _nets()
    gan = trainers.StarGAN(g, d, label_sizes=SIZES, multi_label=MULTI, d_steps=d_steps,
                           seed=seed, **kwargs)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    return gan


# -- label tiling ------------------------------------------------------------------------------

def test_tile_labels_replicates_each_label_over_the_pixels_as_numpy_does():
    rng = np.random.default_rng(1)
    images = rng.normal(size=(2, 3, 4, 2)).astype(np.float32)
    labels = np.array([[1, 0, 1], [0, 1, 0.5]], np.float32)
    want = np.concatenate([images, np.broadcast_to(labels[:, None, None, :], (2, 3, 4, 3))], -1)
    np.testing.assert_array_equal(np.asarray(tile_labels(images, labels)), want)
    x, c = keras.Input((3, 4, 2)), keras.Input((3,))
    model = keras.Model([x, c], TileLabels()([x, c]))
    assert model.output_shape == (None, 3, 4, 5)
    np.testing.assert_array_equal(np.asarray(model([images, labels])), want)


# -- the losses on known values ----------------------------------------------------------------

def test_multi_label_loss_is_the_sum_of_sigmoid_cross_entropies():
    ln3 = np.log(3.0)
    logits = np.array([[0.0, ln3, -ln3]], np.float32)
    labels = np.array([[1.0, 1.0, 0.0]], np.float32)
    # -log s(0) - log s(ln 3) - log(1 - s(-ln 3)) = ln 2 + ln(4/3) + ln(4/3)
    want = np.log(2.0) + 2 * np.log(4.0 / 3.0)
    got = losses.domain_classification_loss(logits, labels, 3, multi_label=True)
    np.testing.assert_allclose(float(got), want, rtol=1e-6)


def test_single_label_loss_is_the_softmax_cross_entropy():
    logits = np.log(np.array([[1.0, 2.0, 5.0], [1.0, 1.0, 2.0]], np.float32))
    labels = np.array([[0, 1, 0], [0, 0, 1]], np.float32)
    # softmax = (1, 2, 5) / 8 and (1, 1, 2) / 4: -log(2/8), -log(2/4)
    got = losses.domain_classification_loss(logits, labels, 3, multi_label=False,
                                            reduction="none")
    np.testing.assert_allclose(np.asarray(got), [np.log(4.0), np.log(2.0)], rtol=1e-6)


def test_mask_vector_counts_only_the_samples_own_data_sets_slots():
    """Rows of data set 0 (3 attributes) and 1 (2 classes): the other data set's logits and
    labels can be anything without changing the loss, which is that data set's term alone."""
    ln3 = np.log(3.0)
    logits = np.array([[0.0, ln3, -ln3, 0.0, 0.0],
                       [0.0, 0.0, 0.0, np.log(1.0), np.log(3.0)]], np.float32)
    labels = np.array([[1, 1, 0, 0, 0],
                       [0, 0, 0, 0, 1]], np.float32)
    index = np.array([0, 1])
    want = [np.log(2.0) + 2 * np.log(4.0 / 3.0), -np.log(3.0 / 4.0)]
    got = losses.domain_classification_loss(logits, labels, SIZES, MULTI, index, "none")
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    other = np.array([[0, 0, 0, 1, 1], [1, 1, 1, 0, 0]], bool)    # the unknown slots
    rng = np.random.default_rng(0)
    for _ in range(3):
        junk_logits = np.where(other, rng.normal(scale=50, size=logits.shape), logits)
        junk_labels = np.where(other, rng.integers(0, 2, labels.shape), labels)
        again = losses.domain_classification_loss(junk_logits.astype(np.float32),
                                                  junk_labels.astype(np.float32), SIZES, MULTI,
                                                  index, "none")
        np.testing.assert_array_equal(np.asarray(again), np.asarray(got))
    # and no gradient reaches the other data set's logits
    t = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(t)
        loss = losses.domain_classification_loss(t, labels, SIZES, MULTI, index)
    grad = tape.gradient(loss, t).numpy()
    assert np.all(grad[other] == 0) and np.all(grad[~other] != 0)


def test_the_networks_label_vector_zeroes_the_unknown_slots_and_appends_the_mask():
    gan = _stargan()
    labels = np.array([[1, 0, 1, 1, 0], [1, 1, 0, 0, 1]], np.float32)
    got = gan.domain_vector(labels, np.array([0, 1]))
    np.testing.assert_array_equal(np.asarray(got), [[1, 0, 1, 0, 0, 1, 0],
                                                    [0, 0, 0, 0, 1, 0, 1]])


# -- the step against a hand-written one --------------------------------------------------------

def _hand_vector(labels, index):
    own = np.where(index[:, None] == 0, [1, 1, 1, 0, 0], [0, 0, 0, 1, 1])
    return tf.concat([labels * own, tf.one_hot(index, 2)], -1)


def _hand_cls(logits, labels, index):
    logits = tf.reshape(logits, (-1, N_LABELS))
    bce = tf.reduce_sum(-labels[:, :3] * tf.math.log(tf.sigmoid(logits[:, :3]))
                        - (1 - labels[:, :3]) * tf.math.log(1 - tf.sigmoid(logits[:, :3])), 1)
    ce = -tf.reduce_sum(labels[:, 3:] * tf.nn.log_softmax(logits[:, 3:]), 1)
    return tf.where(index == 0, bce, ce)


def _manual_stargan_step(g, d, x, labels, index, d_steps, seed):
    """Section 3 and eq. 8 of arXiv:1711.09020 written out, with the trainer's draws: per
    critic step a permutation (argsort of uniforms) then alpha; G on the last minibatch."""
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    m = len(x) // d_steps
    x, labels, index = tf.constant(x), tf.constant(labels), np.asarray(index)
    for i in range(d_steps):
        xr, c, idx = x[i::d_steps][:m], labels[i::d_steps][:m], index[i::d_steps][:m]
        order = tf.argsort(keras.random.uniform((m,), seed=sg))
        ct, it = tf.gather(c, order), idx[order.numpy()]
        fake = g([xr, _hand_vector(ct, it)], training=True)
        alpha = keras.random.uniform((m,), seed=sg)[:, None, None, None]
        with tf.GradientTape() as tape:
            src_r, cls_r = d(xr)
            src_f, _ = d(fake)
            x_hat = alpha * xr + (1 - alpha) * fake
            with tf.GradientTape() as inner:
                inner.watch(x_hat)
                score = d(x_hat)[0]
            grad = inner.gradient(score, x_hat)
            gp = (tf.sqrt(tf.reduce_sum(grad ** 2, axis=[1, 2, 3]) + 1e-12) - 1.0) ** 2
            adv = tf.reduce_mean(src_f, [1, 2, 3]) - tf.reduce_mean(src_r, [1, 2, 3])
            loss = tf.reduce_mean(adv + 1.0 * _hand_cls(cls_r, c, idx) + 10.0 * gp)
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
    with tf.GradientTape() as tape:            # the last minibatch and its targets
        fake = g([xr, _hand_vector(ct, it)], training=True)
        src_f, cls_f = d(fake)
        rec = g([fake, _hand_vector(c, idx)], training=True)
        loss = tf.reduce_mean(-tf.reduce_mean(src_f, [1, 2, 3]) + 1.0 * _hand_cls(cls_f, ct, it)
                              + 10.0 * tf.reduce_mean(tf.abs(xr - rec), [1, 2, 3]))
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables),
                              g.trainable_variables))


@pytest.mark.parametrize("traced", [False, True])
def test_train_step_matches_a_hand_written_gradient_tape_step(traced):
    """Two data sets in one batch (so targets cross data sets), the mask vector, n_critic = 2,
    eagerly and traced (as fit runs it; under XLA the stateless RNG draws other numbers, see
    tests/test_trainers.py)."""
    gan = _stargan(d_steps=2, seed=3)
    g2, d2 = _clone(gan.generator), _clone(gan.discriminator)
    x, labels, index = _data(12)
    step = gan.train_step
    if traced:
        step = tf.function(step)
    logs = step((tf.constant(x), tf.constant(labels), tf.constant(index)))
    _manual_stargan_step(g2, d2, x, labels, index, 2, seed=3)
    for a, b in zip(gan.generator.get_weights() + gan.discriminator.get_weights(),
                    g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert set(logs) == {"d_loss", "d_adv", "d_cls", "gp", "g_loss", "g_adv", "g_cls", "rec"}
    assert float(logs["rec"]) > 0 and float(logs["gp"]) > 0


def test_one_data_set_multi_label_step_uses_the_labels_without_a_mask():
    """One data set of 5 attributes: the label vector is the labels (width 5, no mask), every
    slot counts; the step equals the hand-written one with that vector and a summed BCE."""
    g, d = _nets(label_dim=5, n_labels=5)
    gan = trainers.StarGAN(g, d, label_sizes=5, d_steps=1, seed=2)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    g2, d2 = _clone(g), _clone(d)
    x = tf.constant(_data(4)[0])
    labels = tf.constant(np.random.default_rng(3).integers(0, 2, (4, 5)), tf.float32)
    gan.train_step((x, labels))

    sg = keras.random.SeedGenerator(2)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d2.trainable_variables)
    g_opt.build(g2.trainable_variables)
    bce = lambda lg, lb: tf.reduce_sum(  # noqa: E731
        tf.nn.sigmoid_cross_entropy_with_logits(lb, tf.reshape(lg, (-1, 5))), 1)
    ct = tf.gather(labels, tf.argsort(keras.random.uniform((4,), seed=sg)))
    fake = g2([x, ct])
    alpha = keras.random.uniform((4,), seed=sg)[:, None, None, None]
    with tf.GradientTape() as tape:
        x_hat = alpha * x + (1 - alpha) * fake
        with tf.GradientTape() as inner:
            inner.watch(x_hat)
            score = d2(x_hat)[0]
        gp = (tf.norm(tf.reshape(inner.gradient(score, x_hat), (4, -1)), axis=1) - 1) ** 2
        (src_r, cls_r), (src_f, _) = d2(x), d2(fake)
        loss = tf.reduce_mean(tf.reduce_mean(src_f, [1, 2, 3]) - tf.reduce_mean(src_r, [1, 2, 3])
                              + bce(cls_r, labels) + 10 * gp)
    d_opt.apply_gradients(zip(tape.gradient(loss, d2.trainable_variables), d2.trainable_variables))
    with tf.GradientTape() as tape:
        fake = g2([x, ct])
        src_f, cls_f = d2(fake)
        loss = tf.reduce_mean(-tf.reduce_mean(src_f, [1, 2, 3]) + bce(cls_f, ct)
                              + 10 * tf.reduce_mean(tf.abs(x - g2([fake, labels])), [1, 2, 3]))
    g_opt.apply_gradients(zip(tape.gradient(loss, g2.trainable_variables), g2.trainable_variables))
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_five_critic_updates_per_generator_update_by_default():
    g, d = _nets()
    gan = trainers.StarGAN(g, d, label_sizes=SIZES, multi_label=MULTI, seed=0)
    gan.compile(run_eagerly=True)        # the traced step is tested above and in test_distribute
    x, labels, index = _data(10)
    gan.train_step((tf.constant(x), tf.constant(labels), tf.constant(index)))
    assert int(gan.d_optimizer.iterations) == 5 and int(gan.g_optimizer.iterations) == 1
    history = gan.fit((x, labels, index), batch_size=10, verbose=0).history
    assert int(gan.d_optimizer.iterations) == 10 and int(gan.g_optimizer.iterations) == 2
    assert all(np.isfinite(history["d_loss"])) and len(history["rec"]) == 1
    # the paper's alternation: a batch of data set 0, then one of data set 1
    x, labels, index = _data(20)
    order = np.argsort(index, kind="stable")
    ds = tf.data.Dataset.from_tensor_slices((x[order], labels[order], index[order])).batch(10)
    history = gan.fit(ds, verbose=0).history
    assert int(gan.d_optimizer.iterations) == 20 and int(gan.g_optimizer.iterations) == 4
    assert np.isfinite(history["g_cls"][0])


def test_the_papers_defaults_and_the_linear_decay():
    g, d = _nets()
    gan = trainers.StarGAN(g, d, label_sizes=SIZES, multi_label=MULTI)
    assert (gan.d_steps, gan.gp_weight, gan.cls_weight, gan.rec_weight) == (5, 10.0, 1.0, 10.0)
    gan.compile()
    for opt in (gan.d_optimizer, gan.g_optimizer):
        assert float(opt.learning_rate) == pytest.approx(1e-4)
        assert (float(opt.beta_1), float(opt.beta_2)) == (0.5, 0.999)
    gan.compile(total_steps=4)           # the critic's schedule counts its 5 updates per step
    schedules = gan.g_optimizer._learning_rate, gan.d_optimizer._learning_rate
    assert all(isinstance(s, trainers.LinearDecay) for s in schedules)
    assert [(s.total_steps, s.constant_steps) for s in schedules] == [(4, 2), (20, 10)]
    with pytest.raises(ValueError, match="total_steps sets the default optimizers"):
        gan.compile(g_optimizer=_adam(), total_steps=4)


def test_resume_from_a_checkpoint_continues_the_targets_and_alpha_stream(tmp_path):
    """save_weights keeps the networks, the optimizers and the seed state: a step after loading
    equals the step after saving."""
    x, labels, index = _data(8)
    batch = (tf.constant(x), tf.constant(labels), tf.constant(index))
    gan = _stargan(d_steps=2, seed=4)
    gan.train_step(batch)
    gan.save_weights(tmp_path / "w.weights.h5")
    gan.train_step(batch)
    straight = gan.get_weights()
    resumed = _stargan(d_steps=2, seed=99)
    resumed.load_weights(tmp_path / "w.weights.h5")
    resumed.train_step(batch)
    for a, b in zip(straight, resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_translate_builds_the_mask_vector_or_takes_a_full_one():
    gan = _stargan()
    x, _, _ = _data(3)
    got = gan.translate(x, [0, 0, 0, 0, 1], dataset_index=1)
    want = gan.generator([x, np.tile([[0, 0, 0, 0, 1, 0, 1]], (3, 1)).astype(np.float32)])
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-6)
    wrong_mask = np.tile([[0, 0, 0, 0, 1, 1, 0]], (3, 1)).astype(np.float32)   # fig. 8
    np.testing.assert_allclose(gan.translate(x, wrong_mask),
                               np.asarray(gan.generator([x, wrong_mask])), rtol=1e-6)


# -- clear errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("labels,index,match", [
    (np.zeros((8, 4)), np.zeros(8), r"expects labels of shape \(n, 5\).*received shape \(8, 4\)"),
    (np.full((8, 5), 2.0), np.zeros(8), r"expects labels in \{0, 1\}, received 40 other values"),
    (np.zeros((6, 5)), np.zeros(6), r"expects 8 label rows \(one per image\), received 6"),
    (np.eye(8, 5), np.full(8, 2), r"dataset_index expects labels in \[0, 1\].*received values "
                                  r"in \[2, 2\]"),
    (np.zeros((8, 5)), np.ones(8), r"data set 1 is single-label.*one-hot rows.*summing to \[0\]"),
])
def test_bad_labels_are_refused_with_what_was_expected(labels, index, match):
    gan = _stargan()
    x, _, _ = _data(8)
    with pytest.raises(ValueError, match=match):
        gan.fit((x, labels.astype(np.float32), index.astype(np.int32)), batch_size=8, verbose=0)
    ds = tf.data.Dataset.from_tensor_slices((x, labels.astype(np.float32),
                                             index.astype(np.int32))) if len(labels) == 8 \
        else None
    if ds is not None:
        with pytest.raises(ValueError, match=match):
            gan.fit(ds.batch(8), verbose=0)


def test_batches_and_networks_that_do_not_fit_are_refused():
    gan = _stargan()
    x, labels, _ = _data(8)
    with pytest.raises(ValueError, match=r"2 data sets: batches must be \(images, labels, "
                                         r"dataset_index\)"):
        gan.fit(x, labels, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"expects labels of shape \(batch, 5\).*received "
                                         r"\(8, 3\)"):
        gan.train_step((tf.constant(x), tf.constant(labels[:, :3]), tf.zeros(8, tf.int32)))
    g, d = _nets(label_dim=5)
    with pytest.raises(ValueError, match=r"takes labels of shape \(5,\), expected \(7,\): "
                                         r"label_sizes \[3, 2\] \+ a mask vector of 2"):
        trainers.StarGAN(g, d, label_sizes=SIZES, multi_label=MULTI)
    g, d = _nets(n_labels=4)
    with pytest.raises(ValueError, match=r"must return 5 label logits.*got shape \(1, 1, 4\)"):
        trainers.StarGAN(g, d, label_sizes=SIZES, multi_label=MULTI)
    with pytest.raises(ValueError, match=r"multi_label must be a bool or 2 bools"):
        trainers.StarGAN(*_nets(), label_sizes=SIZES, multi_label=(True,))
    with pytest.raises(ValueError, match=r"expects images in \[-1, 1\]"):
        gan.translate(x * 3, [1, 0, 0, 0, 0], dataset_index=0)
