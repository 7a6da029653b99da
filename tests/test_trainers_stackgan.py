"""gan_tf.trainers StackGAN (arXiv:1612.03242) and StackGAN-v2 (arXiv:1710.10916): conditioning
augmentation takes the trainer's eps and its KL gradient reaches the FC layer; Stage-I, Stage-II
and v2 steps equal hand-written GradientTape steps with the same seed draws; Stage-II never
changes the Stage-I generator; sampling with and without CA; the errors. Tiny networks: 8x8 and
16x16 images, text d = 16."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import models, trainers
from twins import adam as _adam, clone as _clone

TEXT, LATENT, COND, N_D = 16, 4, 4, 8


def _stage1_nets(seed=0):
    keras.utils.set_random_seed(seed)
    g = models.build_stackgan_stage1_generator(TEXT, LATENT, COND, image_size=8, filters=4)
    d = models.build_stackgan_discriminator(8, TEXT, filters=4, embedding_dim=N_D)
    return g, d


def _stage2_nets(seed=1):
    keras.utils.set_random_seed(seed)
    g = models.build_stackgan_stage2_generator(TEXT, COND, input_size=8, image_size=16,
                                               filters=4, residual_blocks=1, grid=4)
    d = models.build_stackgan_discriminator(16, TEXT, filters=4, embedding_dim=N_D)
    return g, d


def _v2_nets(conditional=True, seed=2):
    keras.utils.set_random_seed(seed)
    g = models.build_stackgan_v2_generator(TEXT, LATENT, COND, sizes=(8, 16), filters=4,
                                           residual_blocks=1, conditional=conditional)
    ds = models.build_stackgan_v2_discriminators((8, 16), TEXT, filters=4, embedding_dim=N_D,
                                                 conditional=conditional)
    return g, ds


def _data(n=8, size=8, seed=1):
    rng = np.random.default_rng(seed)
    images = np.tanh(rng.normal(size=(n, size, size, 3))).astype(np.float32)
    text = rng.normal(size=(n, TEXT)).astype(np.float32)
    wrong = np.roll(text, 1, axis=0)
    return tf.constant(images), {"text": tf.constant(text), "wrong_text": tf.constant(wrong)}


def _sp(x):
    return tf.nn.softplus(x)


def _ca_by_hand(g, text):
    """mu, log sigma of the CA layer's two Dense heads, as plain matrix products."""
    ca = g.get_layer(models.CA_NAME)
    (wm, bm), (ws, bs) = ca.get_layer("mu").weights, ca.get_layer("log_sigma").weights
    return tf.matmul(text, wm) + bm, tf.matmul(text, ws) + bs


def _kl_by_hand(g, text):
    mu, log_sigma = _ca_by_hand(g, text)
    return tf.reduce_sum(0.5 * (mu ** 2 + tf.exp(2 * log_sigma)) - log_sigma - 0.5, axis=1)


def _optimizers(g, d_vars):
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d_vars)
    g_opt.build(g.trainable_variables)
    return d_opt, g_opt


def _step(opt, tape, loss, variables):
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))


def _assert_same(a_list, b_list):
    for a, b in zip(a_list, b_list):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_ca_takes_the_trainers_eps_and_its_kl_gradient_reaches_the_fc_layer():
    images, cond = _data()
    text = cond["text"][:4]
    latents = []
    for _ in range(2):
        gan = trainers.StackGANStage1(*_stage1_nets(), seed=7)
        latents.append(gan.sample_latent(4, cond))
    sg = keras.random.SeedGenerator(7)             # z first, then eps
    z, eps = keras.random.normal((4, LATENT), seed=sg), keras.random.normal((4, COND), seed=sg)
    for latent in latents:
        np.testing.assert_array_equal(latent[0], z)
        np.testing.assert_array_equal(latent[2], eps)
    # c_hat = mu + sigma * eps from the generator's FC layer, the same for the same seed
    c_hat, mu, log_sigma = gan.ca([text, latents[0][2][:4]])
    mu_h, ls_h = _ca_by_hand(gan.generator, text)
    np.testing.assert_allclose(mu, mu_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c_hat, mu_h + np.exp(ls_h) * eps[:4], rtol=1e-5, atol=1e-6)
    # the KL term (lambda = 1) and its gradient:
    # dKL/dW_ls = phi^T (sigma^2 - 1), dKL/dW_mu = phi^T mu
    ca = gan.ca
    with tf.GradientTape() as tape:
        kl = gan.kl_loss(text)
    np.testing.assert_allclose(kl, _kl_by_hand(gan.generator, text), rtol=1e-5)
    g_mu, g_ls = tape.gradient(kl, [ca.get_layer("mu").kernel, ca.get_layer("log_sigma").kernel])
    np.testing.assert_allclose(g_mu, tf.matmul(text, mu_h, transpose_a=True), rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_allclose(g_ls, tf.matmul(text, np.exp(2 * ls_h) - 1, transpose_a=True),
                               rtol=1e-4, atol=1e-6)
    # the adversarial term reaches both heads through c_hat too
    with tf.GradientTape() as tape:
        latent = gan.sample_latent(4, {"text": text})
        fake = gan.generator(latent, training=True)
        adv = tf.reduce_mean(_sp(-gan.discriminator([fake, text], training=True)))
    grads = tape.gradient(adv, [ca.get_layer("mu").kernel, ca.get_layer("log_sigma").kernel])
    assert all(float(tf.reduce_max(tf.abs(g))) > 0 for g in grads)


@pytest.mark.parametrize("d_steps", [1, 2])
def test_stage1_step_matches_a_hand_written_step_with_kl_added_to_gs_loss(d_steps):
    g, d = _stage1_nets()
    g2, d2 = _clone(g), _clone(d)
    images, cond = _data()
    gan = trainers.StackGANStage1(g, d, d_steps=d_steps, seed=5)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    logs = gan.train_step((images, cond))
    # by hand: per D step z, eps ~ N(0, I) (that order), G0([z, h, eps]); GAN-CLS's D loss;
    # G: fresh z, eps, -log sigmoid(D0(G0(z, c_hat), h)) + 1 * KL(N(mu, sigma^2) || N(0, I))
    sg = keras.random.SeedGenerator(5)
    d_opt, g_opt = _optimizers(g2, d2.trainable_variables)
    m = 8 // d_steps
    for i in range(d_steps):
        x, h, hw = (v[i::d_steps][:m] for v in (images, cond["text"], cond["wrong_text"]))
        z, eps = keras.random.normal((m, LATENT), seed=sg), keras.random.normal((m, COND), seed=sg)
        fake = g2([z, h, eps], training=True)
        with tf.GradientTape() as tape:
            s_r, s_w = d2([x, h], training=True), d2([x, hw], training=True)
            s_f = d2([fake, h], training=True)
            loss = tf.reduce_mean(_sp(-s_r) + 0.5 * (_sp(s_w) + _sp(s_f)))
        _step(d_opt, tape, loss, d2.trainable_variables)
    h = cond["text"][::d_steps][:m]
    with tf.GradientTape() as tape:
        z, eps = keras.random.normal((m, LATENT), seed=sg), keras.random.normal((m, COND), seed=sg)
        s_f = d2([g2([z, h, eps], training=True), h], training=True)
        loss = tf.reduce_mean(_sp(-s_f)[:, 0] + _kl_by_hand(g2, h))
    _step(g_opt, tape, loss, g2.trainable_variables)
    _assert_same(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights())
    assert not np.allclose(g.get_weights()[0], _stage1_nets()[0].get_weights()[0])
    assert float(logs["kl_loss"]) > 0


def test_training_without_ca_uses_eps_zero_and_no_kl():
    g, d = _stage1_nets()
    ls_kernel = g.get_layer(models.CA_NAME).get_layer("log_sigma").kernel
    mu_kernel = g.get_layer(models.CA_NAME).get_layer("mu").kernel
    before = ls_kernel.numpy(), mu_kernel.numpy()
    gan = trainers.StackGANStage1(g, d, conditioning_augmentation=False, seed=5)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    _, cond = _data()
    latent = gan.sample_latent(8, cond)
    np.testing.assert_array_equal(latent[2], np.zeros((8, COND)))
    np.testing.assert_array_equal(latent[0], keras.random.normal(
        (8, LATENT), seed=keras.random.SeedGenerator(5)))        # z is the only draw
    logs = gan.train_step(_data())
    assert float(logs["kl_loss"]) == 0.0
    np.testing.assert_array_equal(ls_kernel.numpy(), before[0])   # sigma is unused
    assert not np.allclose(mu_kernel.numpy(), before[1])          # c_hat = mu(phi) trains


def test_stage2_step_matches_a_hand_written_step_and_leaves_stage1_unchanged():
    g0, _ = _stage1_nets()
    g0_weights = [w.copy() for w in g0.get_weights()]              # BN statistics included
    g, d = _stage2_nets()
    g2, d2 = _clone(g), _clone(d)
    images, cond = _data(size=16)
    gan = trainers.StackGANStage2(g, d, stage1_generator=g0, seed=5)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    gan.train_step((images, cond))
    for a, b in zip(g0.get_weights(), g0_weights):
        np.testing.assert_array_equal(a, b)
    # by hand: z, eps_0, eps from the seed generator; s_0 = G0(z, h, eps_0) (inference mode)
    sg = keras.random.SeedGenerator(5)
    d_opt, g_opt = _optimizers(g2, d2.trainable_variables)
    h, hw = cond["text"], cond["wrong_text"]

    def latent():
        z = keras.random.normal((8, LATENT), seed=sg)
        s0 = g0([z, h, keras.random.normal((8, COND), seed=sg)], training=False)
        return [s0, h, keras.random.normal((8, COND), seed=sg)]

    fake = g2(latent(), training=True)
    with tf.GradientTape() as tape:
        s_r, s_w = d2([images, h], training=True), d2([images, hw], training=True)
        s_f = d2([fake, h], training=True)
        loss = tf.reduce_mean(_sp(-s_r) + 0.5 * (_sp(s_w) + _sp(s_f)))
    _step(d_opt, tape, loss, d2.trainable_variables)
    with tf.GradientTape() as tape:
        s_f = d2([g2(latent(), training=True), h], training=True)
        loss = tf.reduce_mean(_sp(-s_f)[:, 0] + _kl_by_hand(g2, h))
    _step(g_opt, tape, loss, g2.trainable_variables)
    _assert_same(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights())


def _pixel_stats(x):
    pixels = tf.reshape(x, (x.shape[0], -1, 3))
    mean = tf.reduce_mean(pixels, axis=1)
    c = pixels - mean[:, None]
    return mean, tf.matmul(c, c, transpose_a=True) / pixels.shape[1]


@pytest.mark.parametrize("conditional", [True, False])
def test_v2_step_matches_a_hand_written_step(conditional):
    g, ds = _v2_nets(conditional)
    g2, ds2 = _clone(g), [_clone(d) for d in ds]
    images, cond = _data(size=16)
    gan = trainers.StackGANv2(g, ds, seed=5)
    assert gan.colour_weight == (0.0 if conditional else 50.0)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    logs = gan.train_step((images, cond) if conditional else images)
    # by hand: reals at 8x8 = 2x2 means of the 16x16 batch; per scale an unconditional and a
    # conditional (GAN-CLS) term for D; G: 1/2 + 1/2 per scale, + KL (text) or
    # + 50 * colour consistency (no text)
    sg = keras.random.SeedGenerator(5)
    d_vars = [v for d in ds2 for v in d.trainable_variables]
    d_opt, g_opt = _optimizers(g2, d_vars)
    h, hw = cond["text"], cond["wrong_text"]
    reals = [tf.nn.avg_pool2d(images, 2, 2, "VALID"), images]

    def fakes():
        z = keras.random.normal((8, LATENT), seed=sg)
        if not conditional:
            return g2(z, training=True)
        return g2([z, h, keras.random.normal((8, COND), seed=sg)], training=True)

    fake = [tf.stop_gradient(f) for f in fakes()]
    with tf.GradientTape() as tape:
        loss = 0.0
        for d, x, f in zip(ds2, reals, fake):
            if conditional:
                (u_r, c_r), (_, c_w), (u_f, c_f) = (d([x, h], training=True),
                                                    d([x, hw], training=True),
                                                    d([f, h], training=True))
                loss += _sp(-u_r) + _sp(u_f) + _sp(-c_r) + 0.5 * (_sp(c_w) + _sp(c_f))
            else:
                loss += _sp(-d(x, training=True)) + _sp(d(f, training=True))
        loss = tf.reduce_mean(loss)
    _step(d_opt, tape, loss, d_vars)
    with tf.GradientTape() as tape:
        fake = fakes()
        per_example = 0.0
        for d, f in zip(ds2, fake):
            if conditional:
                u_f, c_f = d([f, h], training=True)
                per_example += 0.5 * _sp(-u_f)[:, 0] + 0.5 * _sp(-c_f)[:, 0]
            else:
                per_example += _sp(-d(f, training=True))[:, 0]
        if conditional:
            per_example += _kl_by_hand(g2, h)
        else:
            (m1, c1), (m0, c0) = _pixel_stats(fake[1]), _pixel_stats(fake[0])
            per_example += 50.0 * (tf.reduce_sum((m1 - m0) ** 2, 1)
                                   + 5.0 * tf.reduce_sum((c1 - c0) ** 2, [1, 2]))
        loss = tf.reduce_mean(per_example)
    _step(g_opt, tape, loss, g2.trainable_variables)
    _assert_same(g.get_weights() + [w for d in ds for w in d.get_weights()],
                 g2.get_weights() + [w for d in ds2 for w in d.get_weights()])
    assert (float(logs["colour_loss"]) > 0) == (not conditional)


def test_sampling_with_and_without_ca_and_the_stage1_image_of_stage2():
    g0, d0 = _stage1_nets()
    stage1 = trainers.StackGANStage1(g0, d0, seed=0)
    _, cond = _data()
    text = cond["text"][:3]
    sg = keras.random.SeedGenerator(11)
    z, eps = keras.random.normal((3, LATENT), seed=sg), keras.random.normal((3, COND), seed=sg)
    with_ca = stage1.sample(3, seed=11, text=text)
    np.testing.assert_allclose(with_ca, g0([z, text, eps], training=False), atol=1e-6)
    without = stage1.sample(3, seed=11, text=text, ca=False)
    np.testing.assert_allclose(without, g0([z, text, tf.zeros((3, COND))], training=False),
                               atol=1e-6)
    assert not np.allclose(with_ca, without)
    np.testing.assert_array_equal(stage1.sample(3, seed=11, text=text), with_ca)
    # Stage-II: its Stage-I image for a seed is Stage-I's sample for that seed
    stage2 = trainers.StackGANStage2(*_stage2_nets(), stage1_generator=g0, seed=0)
    for ca in (True, False):
        s0, s = stage2.sample_stages(3, seed=11, text=text, ca=ca)
        np.testing.assert_allclose(s0, stage1.sample(3, seed=11, text=text, ca=ca), atol=1e-6)
        assert s.shape == (3, 16, 16, 3)
        np.testing.assert_allclose(stage2.sample(3, seed=11, text=text, ca=ca), s, atol=1e-6)
    # v2: every scale, the top one is sample()
    v2 = trainers.StackGANv2(*_v2_nets(), seed=0)
    scales = v2.sample_all(3, seed=4, text=text[0])
    assert [s.shape for s in scales] == [(3, 8, 8, 3), (3, 16, 16, 3)]
    np.testing.assert_array_equal(v2.sample(3, seed=4, text=text[0]), scales[-1])
    with pytest.raises(ValueError, match=r"ca must be True or False, got 'no'"):
        stage1.sample(2, seed=1, text=text[0], ca="no")


def test_errors_name_the_expected_and_received_values():
    g0, d0 = _stage1_nets()
    g, d = _stage2_nets()
    with pytest.raises(ValueError, match=r"needs the trained Stage-I generator"):
        trainers.StackGANStage2(g, d)
    keras.utils.set_random_seed(0)
    g0_16 = models.build_stackgan_stage1_generator(TEXT, LATENT, COND, image_size=16, filters=4)
    with pytest.raises(ValueError, match=r"makes images of shape \(16, 16, 3\) but the Stage-II "
                                         r"generator takes \(8, 8, 3\)"):
        trainers.StackGANStage2(g, d, stage1_generator=g0_16)
    stage1 = trainers.StackGANStage1(g0, d0)
    stage1.compile()
    images, cond = _data(size=16)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 8, 8, 3\), "
                                         r"received \(8, 16, 16, 3\)"):
        stage1.fit(images.numpy(), {k: v.numpy() for k, v in cond.items()}, epochs=1, verbose=0)
    plain = models.build_text_dcgan_generator(LATENT, TEXT, 8, N_D, base_filters=4)
    with pytest.raises(ValueError, match=r"must take \[z, text, eps\] \(3 inputs\)"):
        trainers.StackGANStage1(plain, d0)
    with pytest.raises(ValueError, match=r"colour_weight must be a number >= 0, got -1"):
        trainers.StackGANv2(*_v2_nets(), colour_weight=-1)
    gv, ds = _v2_nets()
    with pytest.raises(ValueError, match=r"the generator's images have shapes \[\(8, 8, 3\), "
                                         r"\(16, 16, 3\)\], the discriminators take "
                                         r"\[\(16, 16, 3\), \(8, 8, 3\)\]"):
        trainers.StackGANv2(gv, ds[::-1])
