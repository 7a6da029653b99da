"""The Pix2Pix trainer (gan_tf/trainers/pix2pix.py): a step against a hand-written
tf.GradientTape step (same weights, same dropout masks), each objective's losses on known
logits, and clear errors for mismatched or mis-sized pairs."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses, models, trainers
from gan_tf.trainers.pix2pix import OBJECTIVES


def _pairs(n=4, size=16, seed=0):
    rng = np.random.default_rng(seed)
    x = np.tanh(rng.normal(size=(n, size, size, 1))).astype(np.float32)
    y = np.tanh(2.0 * x + 0.3 * rng.normal(size=x.shape)).astype(np.float32)
    return x, y


def _nets(conditional=True, dropout=0.5, seed=0):
    keras.utils.set_random_seed(seed)
    g = models.build_unet_generator(16, 1, 1, base_filters=4, dropout=dropout)
    d = models.build_patchgan_discriminator(16, 1, 1, 70, base_filters=4,
                                            conditional=conditional)
    return g, d


def _clone(model):
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    return twin


def _seed_states(model):
    return [layer.seed_generator.state for layer in model.layers
            if getattr(layer, "seed_generator", None) is not None]


def _adam():
    return keras.optimizers.Adam(1e-2, beta_1=0.5)


def _manual_step(g, d, x, y, objective, lam=100.0):
    """One D step on (-log D(x, y) - log(1 - D(x, G(x)))) / 2, then one G step on
    -log D(x, G(x)) + lam * mean|y - G(x)|, written out with tf.GradientTape."""
    conditional = "cgan" in objective
    x, y = tf.constant(x), tf.constant(y)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)

    def D(image):
        return d([x, image], training=True) if conditional else d(image, training=True)

    fake = tf.stop_gradient(g(x, training=True))
    with tf.GradientTape() as tape:
        real_logits, fake_logits = D(y), D(fake)
        per_patch = tf.nn.softplus(-real_logits) + tf.nn.softplus(fake_logits)
        d_loss = 0.5 * tf.reduce_mean(per_patch)
    d_opt.apply_gradients(zip(tape.gradient(d_loss, d.trainable_variables),
                              d.trainable_variables))
    with tf.GradientTape() as tape:
        fake = g(x, training=True)
        g_loss = tf.reduce_mean(tf.nn.softplus(-D(fake)))
        if objective.startswith("l1"):
            g_loss += lam * tf.reduce_mean(tf.abs(y - fake))
    g_opt.apply_gradients(zip(tape.gradient(g_loss, g.trainable_variables),
                              g.trainable_variables))
    return float(d_loss), float(g_loss)


@pytest.mark.parametrize("objective", ["l1+cgan", "gan"])
def test_train_step_matches_manual_gradient_tape_step(objective):
    """Same weights and the same dropout masks (the generator's dropout seed states copied to
    the twin): the step's D update (halved loss, D on [x, y] or y alone) and G update
    (non-saturating + 100 L1) equal the hand-written ones."""
    g, d = _nets(conditional="cgan" in objective)
    g2, d2 = _clone(g), _clone(d)
    for a, b in zip(_seed_states(g), _seed_states(g2)):
        b.assign(a)
    assert len(_seed_states(g)) == 3
    x, y = _pairs()
    p2p = trainers.Pix2Pix(g, d, objective=objective, seed=5)
    p2p.compile(d_optimizer=_adam(), g_optimizer=_adam())
    start = g.get_weights()[0].copy()
    logs = p2p.train_step((tf.constant(x), tf.constant(y)))
    d_loss, g_loss = _manual_step(g2, d2, x, y, objective)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert not np.allclose(start, g.get_weights()[0])
    assert float(logs["d_loss"]) == pytest.approx(d_loss, rel=1e-5)
    assert float(logs["g_loss"]) == pytest.approx(g_loss, rel=1e-5)


def test_l1_objective_trains_the_generator_alone_on_100_l1():
    g, d = _nets(dropout=0.0)
    g2 = _clone(g)
    d_start = [w.copy() for w in d.get_weights()]
    x, y = _pairs()
    p2p = trainers.Pix2Pix(g, d, objective="l1")
    p2p.compile(d_optimizer=_adam(), g_optimizer=_adam())
    logs = p2p.train_step((tf.constant(x), tf.constant(y)))
    opt = _adam()
    with tf.GradientTape() as tape:
        loss = 100.0 * tf.reduce_mean(tf.abs(y - g2(x, training=True)))
    opt.apply_gradients(zip(tape.gradient(loss, g2.trainable_variables), g2.trainable_variables))
    for a, b in zip(g.get_weights(), g2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for a, b in zip(d.get_weights(), d_start):          # D untouched
        np.testing.assert_array_equal(a, b)
    assert set(logs) == {"g_loss", "l1_loss"}
    assert float(logs["g_loss"]) == pytest.approx(100 * float(logs["l1_loss"]), rel=1e-5)


def test_each_objectives_losses_on_known_logits():
    """Table 1's rows on hand-set PatchGAN logits (2 examples, 2x2 patches) and images whose
    L1 is known: D's loss is half the patch-averaged cross-entropy; G's is the non-saturating
    term, plus 100 * L1 for the "l1..." objectives; "l1" is 100 * L1 alone."""
    real_logits = np.array([[[1.0, -2.0], [0.5, 3.0]], [[0.0, 0.0], [2.0, -1.0]]],
                           np.float32)[..., None]
    fake_logits = np.array([[[-1.0, 0.5], [2.0, -3.0]], [[1.0, 1.0], [-0.5, 0.0]]],
                           np.float32)[..., None]
    y = np.zeros((2, 4, 4, 1), np.float32)
    fake = np.full((2, 4, 4, 1), 0.25, np.float32)
    fake[1] = -0.5                                      # L1 = 0.25 and 0.5

    def softplus(v):
        return np.log1p(np.exp(v))

    d_want = 0.5 * (softplus(-real_logits) + softplus(fake_logits)).mean(axis=(1, 2, 3))
    adv = softplus(-fake_logits).mean(axis=(1, 2, 3))
    l1 = np.array([0.25, 0.5])
    np.testing.assert_allclose(losses.l1_loss(y, fake, reduction="none"), l1, rtol=1e-6)
    for objective in OBJECTIVES:
        g, d = _nets(conditional="cgan" in objective, dropout=0.0)
        p2p = trainers.Pix2Pix(g, d, objective=objective)
        p2p.compile()
        got_g = p2p.generator_loss(fake, None if objective == "l1" else fake_logits, None, y)
        want_g = {"l1": 100 * l1, "gan": adv, "cgan": adv}.get(objective, adv + 100 * l1)
        np.testing.assert_allclose(got_g, want_g, rtol=1e-5, err_msg=objective)
        if objective != "l1":
            np.testing.assert_allclose(p2p.discriminator_loss(y, fake, real_logits, fake_logits),
                                       d_want, rtol=1e-5, err_msg=objective)
    weighted = trainers.Pix2Pix(*_nets(dropout=0.0), lambda_l1=10.0)
    weighted.compile()
    np.testing.assert_allclose(weighted.generator_loss(fake, fake_logits, None, y),
                               adv + 10 * l1, rtol=1e-5)


def test_fit_translate_and_sample():
    """fit(inputs, targets) trains and reports the losses; translate keeps the generator's
    dropout on (two calls, two samples); sample(n, inputs=...) is the same function."""
    g, d = _nets()
    x, y = _pairs(8)
    p2p = trainers.Pix2Pix(g, d)
    p2p.compile(run_eagerly=True)
    history = p2p.fit(x, y, batch_size=4, epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "l1_loss", "adversarial_loss"}
    assert all(np.isfinite(v[0]) for v in history.values())
    a, b = p2p.translate(x[:3]), p2p.translate(x[:3], batch_size=2)
    assert a.shape == (3, 16, 16, 1) and a.dtype == np.float32
    assert np.abs(a).max() <= 1 and not np.allclose(a, b)
    assert p2p.sample(2, inputs=x[:2]).shape == (2, 16, 16, 1)


def test_translate_with_the_test_batchs_statistics_leaves_the_moving_averages():
    """The paper's test time (section 3.3): batch norm on the test batch's statistics. Without
    dropout the result is G in training mode on each batch, and the moving averages are kept."""
    g, d = _nets(dropout=0.0)
    x, _ = _pairs(6)
    p2p = trainers.Pix2Pix(g, d)
    before = [np.array(v) for v in g.non_trainable_variables]
    got = p2p.translate(x, batch_size=3, batch_statistics=True)
    for a, b in zip(before, g.non_trainable_variables):
        np.testing.assert_array_equal(a, np.asarray(b))
    want = np.concatenate([g(x[:3], training=True), g(x[3:], training=True)])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert not np.allclose(got, p2p.translate(x), atol=1e-3)   # moving averages differ


def test_mismatched_pairs_and_wrong_sizes_raise_clear_errors():
    g, d = _nets()
    x, y = _pairs(8)
    p2p = trainers.Pix2Pix(g, d)
    p2p.compile()
    with pytest.raises(ValueError, match="one target per input, received 8 inputs and 7 targets"):
        p2p.fit(x, y[:7], epochs=1, verbose=0)
    small = np.zeros((8, 8, 8, 1), np.float32)
    with pytest.raises(ValueError, match=r"pix2pix \(targets\) expects inputs of shape "
                                         r"\(batch, 16, 16, 1\).*received \(8, 8, 8, 1\)"):
        p2p.fit(x, small, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"pix2pix \(inputs\) expects images in \[-1, 1\]"):
        p2p.fit(x * 300, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"trains on \(inputs, targets\) batches"):
        p2p.fit(x, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="a dataset carries its targets; pass y=None"):
        p2p.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"pix2pix generates from input images \(\(inputs, "
                                         r"targets\) batches\): the batch must carry them"):
        p2p.sample_latent(2)
    with pytest.raises(ValueError, match="one target per input, received 4 inputs and 3"):
        p2p.train_step((tf.constant(x[:4]), tf.constant(y[:3])))
    with pytest.raises(ValueError, match=r"translate expects inputs of shape \(batch, 16, 16, "
                                         r"1\).*received \(2, 8, 8, 1\)"):
        p2p.translate(small[:2])
    with pytest.raises(ValueError, match="call sample\\(n, inputs=images\\)"):
        p2p.sample(2)


def test_networks_must_fit_the_objective():
    g, d_cond = _nets(conditional=True)
    _, d_plain = _nets(conditional=False)
    with pytest.raises(ValueError, match=r"objective 'gan' needs a discriminator on the outputs "
                                         r"\(16, 16, 1\) alone.*conditional=False"):
        trainers.Pix2Pix(g, d_cond, objective="gan")
    with pytest.raises(ValueError, match=r"objective 'l1\+cgan' needs a discriminator on two "
                                         r"inputs"):
        trainers.Pix2Pix(g, d_plain)
    with pytest.raises(ValueError, match="objective must be one of .*got 'l2'"):
        trainers.Pix2Pix(g, d_cond, objective="l2")
    with pytest.raises(ValueError, match="lambda_l1 must be a number >= 0, got -1"):
        trainers.Pix2Pix(g, d_cond, lambda_l1=-1)
    with pytest.raises(ValueError, match="latent_dim must be None, got 8"):
        trainers.Pix2Pix(g, d_cond, latent_dim=8)
    shrink = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(1, 2, strides=2)])
    with pytest.raises(ValueError, match=r"must keep the image size: it maps \(16, 16, 1\) to "
                                         r"\(8, 8, 1\)"):
        trainers.Pix2Pix(shrink, d_cond)


def test_resumed_run_continues_the_dropout_noise_and_ends_with_the_straight_runs_weights(
        tmp_path):
    """Two epochs straight, or one epoch, save_weights, a fresh trainer, load_weights and one
    more epoch: the same weights. The generator's noise is its dropout, so this holds only
    because AlwaysOnDropout's seed state is in the weights file (a fresh layer would replay
    the first epoch's masks)."""
    x, y = _pairs(8)

    def make():
        p2p = trainers.Pix2Pix(*_nets(seed=3), seed=1)
        p2p.compile(d_optimizer=_adam(), g_optimizer=_adam(), run_eagerly=True)
        return p2p

    straight = make()
    straight.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    first = make()
    first.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    first.save_weights(tmp_path / "epoch1.weights.h5")
    resumed = make()
    resumed.load_weights(tmp_path / "epoch1.weights.h5")
    resumed.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    moved = max(np.abs(a - b).max() for a, b in zip(first.get_weights(),
                                                    straight.get_weights()))
    assert moved > 1e-3
