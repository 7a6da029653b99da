"""gan_tf.trainers.GANCLS (Reed et al., arXiv:1605.05396): each of GAN, GAN-CLS, GAN-INT and
GAN-INT-CLS steps as a hand-written GradientTape step with the same seed draws; GAN-INT adds
exactly eq. 5's term (by hand, for beta = 0, 1/2, 1); the condition is checked; sampling; the
style encoder S (section 4.4) and style transfer."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import models, trainers
from twins import adam as _adam, clone as _clone

SIZE, LATENT, TEXT, PROJ = 8, 4, 16, 8
VARIANTS = {"GAN": (False, False), "GAN-CLS": (True, False), "GAN-INT": (False, True),
            "GAN-INT-CLS": (True, True)}


def _nets(seed=0):
    keras.utils.set_random_seed(seed)
    g = models.build_text_dcgan_generator(LATENT, TEXT, SIZE, PROJ, base_filters=4)
    d = models.build_text_dcgan_discriminator(SIZE, TEXT, PROJ, base_filters=4)
    return g, d


def _data(n=8, seed=1):
    rng = np.random.default_rng(seed)
    images = np.tanh(rng.normal(size=(n, SIZE, SIZE, 3))).astype(np.float32)
    text = rng.normal(size=(n, TEXT)).astype(np.float32)
    wrong = np.roll(text, 1, axis=0) + 0.1 * rng.normal(size=(n, TEXT)).astype(np.float32)
    return images, {"text": text, "wrong_text": wrong}


def _sp(x):
    return tf.nn.softplus(x)


def _manual_step(g, d, images, cond, matching_aware, interpolate, d_steps, seed, beta=0.5):
    """Algorithm 1 of arXiv:1605.05396 written out: per D step z ~ N(0, I), fakes G(z, h),
    s_r = D(x, h), s_w = D(x, h_hat), s_f = D(x_hat, h); L_D = BCE(s_r, 1) + 1/2 [BCE(s_w, 0) +
    BCE(s_f, 0)] (or BCE(s_r, 1) + BCE(s_f, 0)). G: fresh z, -log sigmoid(D(G(z, h), h)), plus
    for GAN-INT fresh z' and -log sigmoid(D(G(z', h_int), h_int)), h_int = beta h + (1 - beta)
    h_hat."""
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    m = images.shape[0] // d_steps
    text, wrong = tf.constant(cond["text"]), tf.constant(cond["wrong_text"])
    for i in range(d_steps):
        x, h, hw = (v[i::d_steps][:m] for v in (tf.constant(images), text, wrong))
        fake = g([keras.random.normal((m, LATENT), seed=sg), h], training=True)
        with tf.GradientTape() as tape:
            s_r = d([x, h], training=True)
            if matching_aware:
                s_w = d([x, hw], training=True)
            s_f = d([fake, h], training=True)
            if matching_aware:
                loss = tf.reduce_mean(_sp(-s_r) + 0.5 * (_sp(s_w) + _sp(s_f)))
            else:
                loss = tf.reduce_mean(_sp(-s_r) + _sp(s_f))
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
    h, hw = text[::d_steps][:m], wrong[::d_steps][:m]
    with tf.GradientTape() as tape:
        s_f = d([g([keras.random.normal((m, LATENT), seed=sg), h], training=True), h],
                training=True)
        per_example = _sp(-s_f)
        if interpolate:
            h_int = beta * h + (1 - beta) * hw
            z2 = keras.random.normal((m, LATENT), seed=sg)
            per_example += _sp(-d([g([z2, h_int], training=True), h_int], training=True))
        loss = tf.reduce_mean(per_example)
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables), g.trainable_variables))


@pytest.mark.parametrize("variant,d_steps", [("GAN", 1), ("GAN-CLS", 1), ("GAN-INT", 1),
                                             ("GAN-INT-CLS", 1), ("GAN-INT-CLS", 2)])
def test_each_variant_step_matches_a_hand_written_gradient_tape_step(variant, d_steps):
    matching_aware, interpolate = VARIANTS[variant]
    g, d = _nets()
    g2, d2 = _clone(g), _clone(d)
    images, cond = _data()
    gan = trainers.GANCLS(g, d, matching_aware=matching_aware, interpolate=interpolate,
                          d_steps=d_steps, seed=5)
    assert gan.variant == variant
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    logs = gan.train_step((tf.constant(images), {k: tf.constant(v) for k, v in cond.items()}))
    _manual_step(g2, d2, images, cond, matching_aware, interpolate, d_steps, seed=5)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert not np.allclose(g.get_weights()[0], _nets()[0].get_weights()[0])
    assert np.isfinite(float(logs["d_loss"]))
    assert ("int_loss" in logs) == interpolate


def _linear_nets():
    """G(z, t) = [z, t] W_g + b_g (2-D "images"), D(x, t) = [x, t] W_d + b_d: eq. 5's term can
    be computed in NumPy."""
    keras.utils.set_random_seed(3)
    z, t = keras.Input((LATENT,)), keras.Input((TEXT,))
    g = keras.Model([z, t], keras.layers.Dense(2)(keras.layers.Concatenate()([z, t])))
    x, td = keras.Input((2,)), keras.Input((TEXT,))
    d = keras.Model([x, td], keras.layers.Dense(1)(keras.layers.Concatenate()([x, td])))
    return g, d


def test_without_matching_awareness_wrong_text_is_ignored():
    """GAN (no CLS, no INT): a batch with wrong_text, one with other wrong_text and one without
    it train identically."""
    images, cond = _data()
    points = np.tanh(images.reshape(8, -1)[:, :2])
    weights = []
    for wrong in (cond["wrong_text"], -3 * cond["wrong_text"], None):
        gan = trainers.GANCLS(*_linear_nets(), matching_aware=False, seed=5)
        gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
        c = {"text": tf.constant(cond["text"])}
        if wrong is not None:
            c["wrong_text"] = tf.constant(wrong)
        gan.train_step((tf.constant(points), c))
        weights.append(gan.generator.get_weights() + gan.discriminator.get_weights())
    for other in weights[1:]:
        for a, b in zip(weights[0], other):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_interpolation_adds_exactly_the_eq_5_term(beta):
    """generator_loss = -log sigmoid(D(G(z, h), h)) + -log sigmoid(D(G(z', h_int), h_int)),
    h_int = beta h + (1 - beta) h_hat, z' the seed generator's next draw: beta = 1 is the
    matching text, beta = 0 the other image's caption."""
    g, d = _linear_nets()
    _, cond = _data(6)
    cond = {k: tf.constant(v) for k, v in cond.items()}
    gan = trainers.GANCLS(g, d, interpolate=True, beta=beta, seed=7)
    gan.compile()
    latent = gan.sample_latent(6, cond)
    fake = g(latent)
    fake_logits = gan.discriminate(fake, gan.fake_condition(latent))
    got = gan.generator_loss(fake, fake_logits, gan.fake_condition(latent), None, cond).numpy()

    sg = keras.random.SeedGenerator(7)
    z = keras.random.normal((6, LATENT), seed=sg).numpy()
    z2 = keras.random.normal((6, LATENT), seed=sg).numpy()
    (wg, bg), (wd, bd) = g.get_weights(), d.get_weights()
    h, hw = cond["text"].numpy(), cond["wrong_text"].numpy()
    h_int = {0.0: hw, 0.5: (h + hw) / 2, 1.0: h}[beta]

    def term(z_, t):
        x = np.concatenate([z_, t], 1) @ wg + bg
        s = (np.concatenate([x, t], 1) @ wd + bd)[:, 0]
        return np.log1p(np.exp(-s.astype(np.float64)))

    np.testing.assert_allclose(got, term(z, h) + term(z2, h_int), rtol=1e-4, atol=1e-6)
    gan_plain = trainers.GANCLS(*_linear_nets(), interpolate=False, seed=7)
    gan_plain.compile()
    np.testing.assert_allclose(
        gan_plain.generator_loss(fake, fake_logits, None, None, cond).numpy(), term(z, h),
        rtol=1e-4, atol=1e-6)


def _flat_image_nets():
    """G(z, t): dense -> 8x8x3 tanh; D(x, t): dense on [flatten(x), t]: cheap image networks."""
    keras.utils.set_random_seed(4)
    z, t = keras.Input((LATENT,)), keras.Input((TEXT,))
    h = keras.layers.Dense(SIZE * SIZE * 3, activation="tanh")(keras.layers.Concatenate()([z, t]))
    g = keras.Model([z, t], keras.layers.Reshape((SIZE, SIZE, 3))(h))
    x, td = keras.Input((SIZE, SIZE, 3)), keras.Input((TEXT,))
    h = keras.layers.Concatenate()([keras.layers.Flatten()(x), td])
    return g, keras.Model([x, td], keras.layers.Dense(1)(h))


@pytest.mark.parametrize("kind", ["arrays", "dataset"])
def test_fit_takes_arrays_or_a_dataset_of_images_and_condition_dicts(kind):
    images, cond = _data(16)
    gan = trainers.GANCLS(*_flat_image_nets(), interpolate=True, seed=0)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    if kind == "arrays":
        h = gan.fit(images, cond, batch_size=8, epochs=1, verbose=0, shuffle=False).history
        x, c = gan.split_batch(((tf.constant(images), cond),))  # what fit((images, cond)) yields
        assert x.shape == images.shape and set(c) == {"text", "wrong_text"}
    else:
        h = gan.fit(tf.data.Dataset.from_tensor_slices((images, cond)).batch(8), epochs=1,
                    verbose=0).history
    assert np.isfinite(h["d_loss"][0]) and np.isfinite(h["int_loss"][0])
    assert int(gan.g_optimizer.iterations) == 2


def test_sample_uses_the_requested_text():
    _, cond = _data(3)
    gan = trainers.GANCLS(*_nets(), seed=0)
    s = gan.sample(3, seed=1, text=cond["text"])
    z = keras.random.normal((3, LATENT), seed=1)
    np.testing.assert_allclose(s, gan.generator([z, tf.constant(cond["text"])]).numpy(),
                               rtol=1e-5, atol=1e-6)
    one = gan.sample(3, seed=1, text=cond["text"][0])            # one caption for all
    np.testing.assert_allclose(one[0], s[0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(one[1], s[1])


def test_bad_conditions_and_settings_raise_clear_errors():
    images, cond = _data(8)
    gan = trainers.GANCLS(*_nets(), seed=0)
    gan.compile()
    with pytest.raises(ValueError, match=r"condition needs 'text', received keys \['wrong_text'\]"):
        gan.fit(images, {"wrong_text": cond["wrong_text"]}, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"condition\['text'\] of shape \(batch, 16\) "
                                         r"\(text_dim=16\), received shape \(8, 5\)"):
        gan.fit(images, {"text": cond["text"][:, :5], "wrong_text": cond["wrong_text"]},
                batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"condition\['wrong_text'\] of shape \(batch, 16\)"):
        gan.train_step((tf.constant(images), {"text": tf.constant(cond["text"]),
                                              "wrong_text": tf.zeros((8, 3))}))
    with pytest.raises(ValueError, match=r"GAN-CLS\) needs the mismatching captions.*pass "
                                         r"condition\['wrong_text'\]"):
        gan.fit(images, {"text": cond["text"]}, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"GAN-INT\) needs the mismatching captions"):
        trainers.GANCLS(*_nets(), matching_aware=False, interpolate=True).train_step(
            (tf.constant(images), {"text": tf.constant(cond["text"])}))
    with pytest.raises(ValueError, match="one condition\\['text'\\] row per image \\(8\\), "
                                         "received 7"):
        gan.fit(images, {"text": cond["text"][:7], "wrong_text": cond["wrong_text"]},
                batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="received images alone"):
        gan.fit(images, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="condition is a dict with 'text'"):
        gan.train_step((tf.constant(images), tf.constant(cond["text"])))
    with pytest.raises(ValueError, match="finite values"):
        gan.fit(images, {**cond, "text": cond["text"] * np.nan}, batch_size=8, verbose=0)
    for beta in (-0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match=r"beta must be a number in \[0, 1\]"):
            trainers.GANCLS(*_nets(), beta=beta)
    with pytest.raises(ValueError, match="matching_aware must be True or False"):
        trainers.GANCLS(*_nets(), matching_aware="yes")
    with pytest.raises(ValueError, match="loss 'nonsaturating' or 'minimax'"):
        gan.compile(loss="wasserstein")
    g, d = _nets()
    with pytest.raises(ValueError, match=r"generator must take \[z, text\] \(2 inputs\)"):
        trainers.GANCLS(models.build_dcgan_generator(4, (8, 8, 3), base_filters=4), d)
    with pytest.raises(ValueError, match=r"generator takes text of shape \(16,\) and the "
                                         r"discriminator \(12,\)"):
        trainers.GANCLS(g, models.build_text_dcgan_discriminator(SIZE, 12, PROJ, base_filters=4))
    with pytest.raises(ValueError, match="sample takes text=..., received none"):
        gan.sample(2)
    with pytest.raises(ValueError, match=r"expects text of shape \(2, 16\) or one row \(16,\), "
                                         r"received \(3, 16\)"):
        gan.sample(2, text=cond["text"][:3])


def _linear_style_nets(seed=3):
    """Linear G(z, t) -> 8-D "images" and a linear S: L_style can be computed in NumPy."""
    keras.utils.set_random_seed(seed)
    z, t = keras.Input((LATENT,)), keras.Input((TEXT,))
    g = keras.Model([z, t], keras.layers.Dense(8)(keras.layers.Concatenate()([z, t])))
    x = keras.Input((8,))
    return g, keras.Model(x, keras.layers.Dense(LATENT)(x))


def test_style_encoder_step_reports_l_style_by_hand_and_equals_a_hand_written_step():
    """Section 4.4 of arXiv:1605.05396: L_style = mean_i ||z_i - S(G(z_i, t_i))||^2, z from the
    trainer's seed generator, only S updated."""
    g, s = _linear_style_nets()
    g_before, s2 = g.get_weights(), _clone(s)
    _, cond = _data(6)
    trainer = trainers.StyleEncoder(s, g, seed=4)
    trainer.compile(optimizer=_adam())
    logs = trainer.train_step(tf.constant(cond["text"]))

    sg = keras.random.SeedGenerator(4)
    z = keras.random.normal((6, LATENT), seed=sg)
    (wg, bg), (ws, bs) = g_before, s2.get_weights()
    x = np.concatenate([z.numpy(), cond["text"]], 1) @ wg + bg
    want = np.mean(np.sum((z.numpy() - (x @ ws + bs)) ** 2, axis=1))
    np.testing.assert_allclose(float(logs["style_loss"]), want, rtol=1e-4)

    opt = _adam()
    opt.build(s2.trainable_variables)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.reduce_sum(tf.square(z - s2(tf.constant(x, tf.float32))), 1))
    opt.apply_gradients(zip(tape.gradient(loss, s2.trainable_variables), s2.trainable_variables))
    for a, b in zip(s.get_weights(), s2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    for a, b in zip(g.get_weights(), g_before):               # G is frozen
        np.testing.assert_array_equal(a, b)


def test_training_the_style_encoder_lowers_l_style_and_transfer_uses_s_of_x():
    g, s = _linear_style_nets()
    _, cond = _data(64, seed=2)
    trainer = trainers.StyleEncoder(s, g, seed=0)
    trainer.compile(optimizer=keras.optimizers.Adam(3e-2))
    z_eval = np.random.default_rng(9).normal(size=(64, LATENT)).astype(np.float32)
    before = float(np.mean(trainer.style_loss(cond["text"], z_eval)))
    trainer.fit(tf.data.Dataset.from_tensor_slices(
        (np.zeros((64, 8), np.float32), cond)).batch(16), epochs=15, verbose=0)
    after = float(np.mean(trainer.style_loss(cond["text"], z_eval)))
    assert after < 0.5 * before, (before, after)
    trainer.fit(cond["text"], batch_size=16, epochs=1, verbose=0)        # bare embeddings
    # G(S(x), t): the style of x, the content of t
    x = g([tf.constant(z_eval[:4]), tf.constant(cond["text"][:4])]).numpy()
    out = trainers.transfer_style(g, trainer, x, cond["text"][4], batch_size=3)
    want = g([s(x), tf.constant(np.repeat(cond["text"][4:5], 4, 0))]).numpy()
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"transfer_style expects text of shape \(4, 16\)"):
        trainers.transfer_style(g, s, x, cond["text"][:3])
    with pytest.raises(ValueError, match=r"caption embeddings of shape \(batch, 16\), "
                                         r"received shape \(64, 3\)"):
        trainer.fit(cond["text"][:, :3], epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"the encoder returns \(4,\), the generator takes z "
                                         r"of shape \(5,\)"):
        z5, t5 = keras.Input((5,)), keras.Input((TEXT,))
        trainers.StyleEncoder(s, keras.Model([z5, t5], keras.layers.Dense(8)(
            keras.layers.Concatenate()([z5, t5]))))


def test_text_dcgan_networks_follow_the_paper_and_see_the_text():
    """arXiv:1605.05396 section 3.1 at 64x64 with the paper's widths: G's 4x4 map has 1024
    channels (ngf = 128), D's 512 (ndf = 64), the 128-d text projection replicated 4x4 next to
    it; the style encoder maps images to z."""
    g = models.build_text_dcgan_generator(100, 1024, 64, 128)
    d = models.build_text_dcgan_discriminator(64, 1024, 128)
    assert g.output_shape == (None, 64, 64, 3) and d.output_shape == (None, 1)
    assert d.get_layer("image_text").output.shape == (None, 4, 4, 512 + 128)
    assert d.get_layer("text_dense").kernel.shape == (1024, 128)
    assert g.get_layer("text_dense").kernel.shape == (1024, 128)
    assert g.get_layer("text_dcgan_generator_body").get_layer("project").kernel.shape == (
        100 + 128, 4 * 4 * 1024)
    assert models.build_style_encoder(64, 100).output_shape == (None, 100)
    g, d = _nets()
    z = tf.constant(np.random.default_rng(0).normal(size=(2, LATENT)), tf.float32)
    t0, t1 = (tf.constant(np.random.default_rng(i).normal(size=(2, TEXT)), tf.float32)
              for i in (1, 2))
    a, b = g([z, t0]), g([z, t1])
    assert a.shape == (2, SIZE, SIZE, 3) and np.abs(a.numpy() - b.numpy()).max() > 1e-4
    assert np.abs(d([a, t0]).numpy() - d([a, t1]).numpy()).max() > 1e-6
    with pytest.raises(ValueError, match=r"power-of-two side >= 8"):
        models.build_text_dcgan_discriminator(24, TEXT)
