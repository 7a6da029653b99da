"""gan_tf.trainers.GAWWN and KeypointGAN (Reed et al., arXiv:1610.02454): a GAWWN step (box
and keypoints) equals a hand-written GAN-CLS GradientTape step whose networks also take the
location; the keypoint GAN's step equals a hand-written one with the same z and switch draws;
completions return the given keypoints exactly; sampling follows the box; bad locations are
one-line errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import models, trainers
from twins import adam as _adam, clone as _clone

SIZE, GRID, LATENT, TEXT, K = 8, 4, 4, 16, 5


def _nets(where, seed=0):
    keras.utils.set_random_seed(seed)
    if where == "box":
        return (models.build_gawwn_box_generator(LATENT, TEXT, SIZE, GRID, 3, 4),
                models.build_gawwn_box_discriminator(SIZE, TEXT, GRID, 3, 4))
    return (models.build_gawwn_keypoint_generator(LATENT, TEXT, K, SIZE, GRID, 3, 4),
            models.build_gawwn_keypoint_discriminator(SIZE, TEXT, K, GRID, 3, 4))


def _keypoints(rng, n):
    pos = rng.uniform(size=(n, K, 2))
    visible = (rng.uniform(size=(n, K, 1)) > 0.3).astype(np.float64)
    return np.concatenate([pos, visible], -1).astype(np.float32)


def _data(where, n=8, seed=1):
    rng = np.random.default_rng(seed)
    images = np.tanh(rng.normal(size=(n, SIZE, SIZE, 3))).astype(np.float32)
    text = rng.normal(size=(n, TEXT)).astype(np.float32)
    cond = {"text": text, "wrong_text": np.roll(text, 1, axis=0)}
    if where == "box":
        corner = rng.uniform(0.0, 0.5, size=(n, 2))
        cond["box"] = np.concatenate([corner, corner + rng.uniform(0.1, 0.5, (n, 2))],
                                     -1).astype(np.float32)
    else:
        cond["keypoints"] = _keypoints(rng, n)
    return images, cond


def _sp(x):
    return tf.nn.softplus(x)


def _manual_gawwn_step(g, d, images, cond, where, d_steps, seed):
    """GAN-CLS (arXiv:1605.05396 Algorithm 1) with the location as the networks' third input:
    per D step z ~ N(0, I), fakes G(z, h, l), s_r = D(x, h, l), s_w = D(x, h_hat, l),
    s_f = D(x_hat, h, l), L_D = BCE(s_r, 1) + 1/2 [BCE(s_w, 0) + BCE(s_f, 0)]; then G with
    fresh z: -log sigmoid(D(G(z, h, l), h, l))."""
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    m = images.shape[0] // d_steps
    x_all, h_all, w_all, l_all = (tf.constant(v) for v in (images, cond["text"],
                                                          cond["wrong_text"], cond[where]))
    for i in range(d_steps):
        x, h, hw, loc = (v[i::d_steps][:m] for v in (x_all, h_all, w_all, l_all))
        fake = g([keras.random.normal((m, LATENT), seed=sg), h, loc], training=True)
        with tf.GradientTape() as tape:
            s_r = d([x, h, loc], training=True)
            s_w = d([x, hw, loc], training=True)
            s_f = d([fake, h, loc], training=True)
            loss = tf.reduce_mean(_sp(-s_r) + 0.5 * (_sp(s_w) + _sp(s_f)))
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
    h, loc = h_all[::d_steps][:m], l_all[::d_steps][:m]
    with tf.GradientTape() as tape:
        fake = g([keras.random.normal((m, LATENT), seed=sg), h, loc], training=True)
        loss = tf.reduce_mean(_sp(-d([fake, h, loc], training=True)))
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables), g.trainable_variables))


@pytest.mark.parametrize("where,d_steps", [("box", 1), ("box", 2), ("keypoints", 1)])
def test_gawwn_step_matches_a_hand_written_gradient_tape_step(where, d_steps):
    g, d = _nets(where)
    g2, d2 = _clone(g), _clone(d)
    images, cond = _data(where)
    gan = trainers.GAWWN(g, d, condition=where, d_steps=d_steps, seed=5)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    logs = gan.train_step((tf.constant(images), {k: tf.constant(v) for k, v in cond.items()}))
    _manual_gawwn_step(g2, d2, images, cond, where, d_steps, seed=5)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(g.get_weights()[0], _nets(where)[0].get_weights()[0])
    assert np.isfinite(float(logs["d_loss"]))


def test_gawwn_fit_and_sample_follow_the_box():
    images, cond = _data("box")
    g, d = _nets("box")
    gan = trainers.GAWWN(g, d, condition="box", seed=0)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam(), run_eagerly=True)   # no tracing
    hist = gan.fit(tf.data.Dataset.from_tensor_slices((images, cond)).batch(4), epochs=1,
                   verbose=0).history
    assert np.isfinite(hist["d_loss"][0])
    box = [0.25, 0.25, 0.75, 0.75]
    s = gan.sample(3, seed=1, text=cond["text"][0], box=box)
    z = keras.random.normal((3, LATENT), seed=1)
    want = g([z, tf.constant(np.repeat(cond["text"][:1], 3, 0)), tf.constant([box] * 3)])
    np.testing.assert_allclose(s, want.numpy(), rtol=1e-5, atol=1e-6)
    moved = gan.sample(3, seed=1, text=cond["text"][0], box=[0.0, 0.5, 0.5, 1.0])
    shrunk = gan.sample(3, seed=1, text=cond["text"][0], box=[0.5, 0.5, 0.75, 0.75])
    # (on the 4x4 grid a box is resolved to whole cells: [0.4, 0.6] covers cells 1-2 as
    # [0.25, 0.75] does)
    assert np.abs(moved - s).max() > 1e-6 and np.abs(shrunk - s).max() > 1e-6


@pytest.mark.parametrize("box, match", [
    ([0.1, 0.2, 1.3, 0.9], r"boxes normalised to \[0, 1\], received values in \[\S+, 1.3\]"),
    ([0.6, 0.2, 0.5, 0.9], r"y1 >= y0 in every box \(y0, x0, y1, x1\), received \[0.6"),
    ([0.1, 0.7, 0.5, 0.2], r"x1 >= x0 in every box"),
])
def test_gawwn_rejects_bad_boxes_in_fit_and_sample(box, match):
    images, cond = _data("box")
    cond["box"] = cond["box"].copy()
    cond["box"][3] = box
    gan = trainers.GAWWN(*_nets("box"), condition="box", seed=0)
    gan.compile()
    with pytest.raises(ValueError, match=match):
        gan.fit(images, cond, batch_size=4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=match):
        gan.sample(2, text=cond["text"][0], box=box)


def test_gawwn_rejects_wrong_keypoint_counts_locations_and_networks():
    images, cond = _data("keypoints")
    gan = trainers.GAWWN(*_nets("keypoints"), condition="keypoints", seed=0)
    gan.compile()
    assert gan.n_keypoints == K
    bad = dict(cond, keypoints=cond["keypoints"][:, :3])
    with pytest.raises(ValueError, match=r"condition\['keypoints'\] of shape \(8, 5, 3\) "
                                         r"\(K = 5 keypoints \(y, x, visible\)\), received "
                                         r"shape \(8, 3, 3\)"):
        gan.fit(images, bad, batch_size=4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"keypoints of shape \(n, 5, 3\) \(K = 5 rows"):
        gan.sample(2, text=cond["text"][0], keypoints=np.zeros((4, 3), np.float32))
    far = cond["keypoints"].copy()
    far[0, 0] = [1.5, 0.2, 1.0]
    with pytest.raises(ValueError, match=r"visible keypoints' \(y, x\) in \[0, 1\], received "
                                         r"values in \[\S+, 1.5\]"):
        gan.fit(images, dict(cond, keypoints=far), batch_size=4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="condition must be 'box' or 'keypoints', got 'mask'"):
        trainers.GAWWN(*_nets("box"), condition="mask")
    with pytest.raises(ValueError, match=r"gawwn \(box\) needs generator and discriminator "
                                         r"location inputs of shape \(4,\), got \(5, 3\)"):
        trainers.GAWWN(*_nets("keypoints"), condition="box")
    no_box = trainers.GAWWN(*_nets("box"), seed=0)
    no_box.compile()
    with pytest.raises(ValueError, match=r"condition needs 'box', received keys"):
        no_box.fit(images, cond, batch_size=4, epochs=1, verbose=0)


# -- the keypoint generator (section 4.3) ------------------------------------------------------

def _keypoint_nets(seed=0):
    keras.utils.set_random_seed(seed)
    return (models.build_keypoint_generator(LATENT, TEXT, K, units=2),
            models.build_keypoint_discriminator(TEXT, K, units=2))


def test_keypoint_gan_step_matches_a_hand_written_gradient_tape_step():
    """Real sets with invisible rows zeroed; z ~ N(0, I) then u ~ U[0, 1) per keypoint,
    s = [u < given_prob] * visible; fakes G_k(z, t, k, s); D on [k, t]; BCE; G non-saturating
    with fresh z and switch."""
    g, d = _keypoint_nets()
    g2, d2 = _clone(g), _clone(d)
    rng = np.random.default_rng(4)
    kp = _keypoints(rng, 8)
    text = rng.normal(size=(8, TEXT)).astype(np.float32)
    gan = trainers.KeypointGAN(g, d, given_prob=0.5, seed=7)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    gan.train_step((tf.constant(kp), {"text": tf.constant(text)}))

    sg = keras.random.SeedGenerator(7)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d2.trainable_variables)
    g_opt.build(g2.trainable_variables)
    real = tf.constant(kp * (kp[..., 2:] >= 0.5))
    t = tf.constant(text)

    def latent():
        z = keras.random.normal((8, LATENT), seed=sg)
        u = keras.random.uniform((8, K), seed=sg)
        switch = tf.cast(u < 0.5, tf.float32) * real[..., 2]
        return [z, t, real, switch]

    fake = g2(latent(), training=True)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(_sp(-d2([real, t], training=True))
                              + _sp(d2([fake, t], training=True)))
    d_opt.apply_gradients(zip(tape.gradient(loss, d2.trainable_variables),
                              d2.trainable_variables))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(_sp(-d2([g2(latent(), training=True), t], training=True)))
    g_opt.apply_gradients(zip(tape.gradient(loss, g2.trainable_variables),
                              g2.trainable_variables))
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(g.get_weights()[0], _keypoint_nets()[0].get_weights()[0])


def test_complete_keypoints_returns_the_given_ones_exactly_and_generates_the_rest():
    g, d = _keypoint_nets()
    gan = trainers.KeypointGAN(g, d, seed=0)
    gan.compile()
    images, cond = _data("keypoints")
    hist = gan.fit(tf.data.Dataset.from_tensor_slices((images, cond)).batch(4), epochs=1,
                   verbose=0).history                  # a captioned batch: its keypoints
    assert np.isfinite(hist["d_loss"][0])
    kp = cond["keypoints"][:3]
    switch = np.array([[1, 0, 0, 0, 1], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]], np.float32)
    out = gan.complete_keypoints(cond["text"][:3], kp, switch, seed=3)
    on = switch.astype(bool)
    np.testing.assert_array_equal(out[on], kp[on])
    assert np.all(np.abs(out[~on] - kp[~on]).max(axis=-1) > 1e-4)
    again = gan.complete_keypoints(cond["text"][:3], kp, switch, seed=3)
    np.testing.assert_array_equal(again, out)           # seed fixes z
    other = gan.complete_keypoints(cond["text"][:3], kp, switch, seed=4)
    np.testing.assert_array_equal(other[on], kp[on])
    assert np.abs(other[~on] - out[~on]).max() > 1e-6   # another z, another completion
    free = gan.sample(2, seed=0, text=cond["text"][0])  # nothing given: all generated
    assert free.shape == (2, K, 3) and 0.0 <= free.min() and free.max() <= 1.0
    with pytest.raises(ValueError, match=r"a switch of 0s and 1s, received values \[0.0, 0.5"):
        gan.complete_keypoints(cond["text"][:3], kp, switch * 0.5, seed=3)
    with pytest.raises(ValueError, match=r"keypoints of shape \(n, 5, 3\) \(K = 5 rows of "
                                         r"\(y, x, visible\)\), received shape \(3, 4, 3\)"):
        gan.complete_keypoints(cond["text"][:3], kp[:, :4], switch[:, :4])
    with pytest.raises(ValueError, match=r"given_prob must be a number in \[0, 1\], got 2"):
        trainers.KeypointGAN(g, d, given_prob=2)
