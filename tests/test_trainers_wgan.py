"""WGAN, WGAN-GP and LSGAN: each step equals a hand-written GradientTape step of the paper's
algorithm; clipping keeps every critic weight in [-c, c]; the WGAN-GP critic refuses batch norm."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import models, trainers
from gan_tf.data import toy
from twins import clone as _clone

LATENT = 3


def _nets(seed=0, critic_units=(8,)):
    keras.utils.set_random_seed(seed)
    g = models.build_mlp_generator(LATENT, output_shape=(2,), hidden_units=(8,),
                                   output_activation=None)
    d = models.build_mlp_discriminator((2,), hidden_units=critic_units)
    return g, d


def _assert_same(nets_a, nets_b):
    for a, b in zip(sum((n.get_weights() for n in nets_a), []),
                    sum((n.get_weights() for n in nets_b), [])):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _real(n):
    return tf.constant(toy.ring_of_gaussians().sample(n, seed=1), tf.float32)


def test_wgan_step_is_algorithm_1_of_arjovsky_et_al_and_clips():
    g, d = _nets()
    g2, d2 = _clone(g), _clone(d)
    n_critic, m, c = 5, 4, 0.01
    real = _real(n_critic * m)
    gan = trainers.WGAN(g, d, seed=3)          # defaults: n_critic 5, c 0.01, RMSProp 5e-5
    gan.compile(d_optimizer=keras.optimizers.RMSprop(5e-3), g_optimizer=keras.optimizers.RMSprop(5e-3))
    logs = gan.train_step(real)

    sg = keras.random.SeedGenerator(3)
    d_opt, g_opt = keras.optimizers.RMSprop(5e-3), keras.optimizers.RMSprop(5e-3)
    d_opt.build(d2.trainable_variables)
    g_opt.build(g2.trainable_variables)
    for i in range(n_critic):
        fake = g2(keras.random.normal((m, LATENT), seed=sg), training=True)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(d2(fake)) - tf.reduce_mean(d2(real[i::n_critic]))
        d_opt.apply_gradients(zip(tape.gradient(loss, d2.trainable_variables), d2.trainable_variables))
        for w in d2.trainable_variables:
            w.assign(tf.clip_by_value(w, -c, c))
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(d2(g2(keras.random.normal((m, LATENT), seed=sg), training=True)))
    g_opt.apply_gradients(zip(tape.gradient(loss, g2.trainable_variables), g2.trainable_variables))
    _assert_same([g, d], [g2, d2])
    for w in d.trainable_weights:
        assert float(tf.reduce_max(tf.abs(w))) <= c + 1e-7
    assert "wasserstein_estimate" in logs


def test_wgan_defaults_are_the_papers():
    g, d = _nets()
    gan = trainers.WGAN(g, d)
    gan.compile()
    assert gan.d_steps == 5 and gan.clip_value == 0.01
    assert isinstance(gan.d_optimizer, keras.optimizers.RMSprop)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(5e-5)
    gp = trainers.WGANGP(*_nets())
    gp.compile()
    assert gp.d_steps == 5 and gp.gp_weight == 10.0
    assert float(gp.d_optimizer.beta_1) == 0.0 and float(gp.d_optimizer.beta_2) == 0.9
    assert float(gp.g_optimizer.learning_rate) == pytest.approx(1e-4)


def test_wgan_gp_step_is_algorithm_1_of_gulrajani_et_al():
    g, d = _nets(critic_units=(8, 8))
    g2, d2 = _clone(g), _clone(d)
    m, lam = 6, 10.0
    real = _real(m)
    gan = trainers.WGANGP(g, d, d_steps=1, seed=4)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2, 0.0, 0.9),
                g_optimizer=keras.optimizers.Adam(1e-2, 0.0, 0.9))
    logs = gan.train_step(real)

    sg = keras.random.SeedGenerator(4)
    d_opt, g_opt = keras.optimizers.Adam(1e-2, 0.0, 0.9), keras.optimizers.Adam(1e-2, 0.0, 0.9)
    d_opt.build(d2.trainable_variables)
    g_opt.build(g2.trainable_variables)
    fake = g2(keras.random.normal((m, LATENT), seed=sg), training=True)
    eps = keras.random.uniform((m,), seed=sg)[:, None]          # one alpha per example
    with tf.GradientTape() as tape:
        x_hat = eps * real + (1 - eps) * fake
        with tf.GradientTape() as inner:
            inner.watch(x_hat)
            score = d2(x_hat)
        grad = inner.gradient(score, x_hat)
        gp = (tf.sqrt(tf.reduce_sum(grad ** 2, axis=1) + 1e-12) - 1.0) ** 2
        loss = tf.reduce_mean(d2(fake)[:, 0] - d2(real)[:, 0] + lam * gp)
    d_opt.apply_gradients(zip(tape.gradient(loss, d2.trainable_variables), d2.trainable_variables))
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(d2(g2(keras.random.normal((m, LATENT), seed=sg), training=True)))
    g_opt.apply_gradients(zip(tape.gradient(loss, g2.trainable_variables), g2.trainable_variables))
    _assert_same([g, d], [g2, d2])
    assert float(logs["gradient_penalty"]) > 0


def test_wgan_gp_refuses_a_batch_norm_critic():
    g = models.build_dcgan_generator(16)
    with pytest.raises(ValueError, match="must not use batch norm"):
        trainers.WGANGP(g, models.build_dcgan_discriminator((28, 28, 1)))


def test_lsgan_step_uses_the_least_squares_losses():
    g, d = _nets()
    g2, d2 = _clone(g), _clone(d)
    real = _real(8)
    gan = trainers.LSGAN(g, d, seed=2)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    gan.train_step(real)
    sg = keras.random.SeedGenerator(2)
    fake = g2(keras.random.normal((8, LATENT), seed=sg), training=True)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(0.5 * (d2(real) - 1) ** 2 + 0.5 * d2(fake) ** 2)
    for w, gr in zip(d2.trainable_variables, tape.gradient(loss, d2.trainable_variables)):
        w.assign_sub(0.1 * gr)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(0.5 * (d2(g2(keras.random.normal((8, LATENT), seed=sg))) - 1) ** 2)
    for w, gr in zip(g2.trainable_variables, tape.gradient(loss, g2.trainable_variables)):
        w.assign_sub(0.1 * gr)
    _assert_same([g, d], [g2, d2])


def test_wgan_default_rmsprop_matches_the_reference_implementation_on_small_gradients():
    """Clipped critics have tiny gradients. The WGAN authors' RMSProp (PyTorch: alpha 0.99,
    eps 1e-8 added outside the square root) takes a step of ~lr * g / |g| * 10 on the first
    update; Keras' default RMSprop (rho 0.9, eps 1e-7 *inside* the root) would take a step
    30x smaller for g = 1e-5, which stalls the critic."""
    g, d = _nets()
    gan = trainers.WGAN(g, d)
    gan.compile()
    # a fresh optimizer with the default's configuration (compile built it for the critic)
    opt = type(gan.d_optimizer).from_config(gan.d_optimizer.get_config())
    same = {k: v for k, v in opt.get_config().items() if k != "name"}
    assert {k: v for k, v in gan.g_optimizer.get_config().items() if k != "name"} == same
    v = keras.Variable(np.zeros(3, np.float32))
    opt.build([v])
    grad = np.array([1e-4, -3e-5, 1e-5], np.float32)
    opt.apply_gradients([(tf.constant(grad), v)])
    velocity = (1 - 0.99) * grad.astype(np.float64) ** 2
    reference = -5e-5 * grad / (np.sqrt(velocity) + 1e-8)
    np.testing.assert_allclose(v.numpy(), reference, rtol=0.012)


@pytest.mark.parametrize("cls,loss", [(trainers.WGAN, "least_squares"),
                                      (trainers.WGANGP, "least_squares"),
                                      (trainers.WGANGP, "nonsaturating"),
                                      (trainers.LSGAN, "hinge")])
def test_a_loss_the_algorithm_cannot_take_is_refused(cls, loss):
    gan = cls(*_nets(), d_steps=1)
    own = cls.default_loss
    with pytest.raises(ValueError, match=rf"{gan.name} trains with loss={own!r} only.*got {loss!r}"):
        gan.compile(loss=loss)
    with pytest.raises(ValueError, match=rf"{gan.name} trains with loss={own!r} only"):
        gan.compile(loss=(lambda r, f, reduction: f, lambda r, f, reduction: f))
    gan.compile(loss=own)   # its own loss, by name, is fine
    assert gan.loss_name == own


def _ring_fit(n, d_steps, batch, as_array=False, epochs=2, callbacks=()):
    from gan_tf import data

    gan = trainers.WGANGP(*_nets(), d_steps=d_steps, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3, 0.0, 0.9),
                g_optimizer=keras.optimizers.Adam(1e-3, 0.0, 0.9))
    x = toy.ring_of_gaussians().sample(n, seed=2).astype(np.float32)
    if as_array:
        history = gan.fit(x, batch_size=batch, epochs=epochs, verbose=0, callbacks=list(callbacks))
    else:
        history = gan.fit(data.to_dataset(x, batch_size=batch, seed=1), epochs=epochs, verbose=0,
                          callbacks=list(callbacks))
    return gan, history.history


@pytest.mark.parametrize("as_array", [False, True])
@pytest.mark.parametrize("n,steps", [(32, 2),    # batches 15, 15, 2: the 2 < d_steps are dropped
                                     (37, 3)])   # batches 15, 15, 7: the 7 give 3 minibatches of 2
def test_a_last_batch_smaller_than_d_steps_is_dropped_not_nan(n, steps, as_array, tmp_path):
    from gan_tf import callbacks

    ckpt = callbacks.Checkpoint(tmp_path / "run")     # stops on a NaN loss
    gan, history = _ring_fit(n, d_steps=3, batch=15, as_array=as_array, callbacks=[ckpt])
    assert all(np.isfinite(history["d_loss"])) and all(np.isfinite(history["g_loss"]))
    assert len(history["d_loss"]) == 2
    assert int(gan.g_optimizer.iterations) == 2 * steps       # 2 epochs
    assert int(gan.d_optimizer.iterations) == 2 * steps * 3   # d_steps critic updates each


@pytest.mark.parametrize("as_array", [False, True])
def test_batches_smaller_than_d_steps_are_nothing_to_train_on(as_array):
    with pytest.raises(ValueError, match=r"wgan_gp has no batch to train on: the first batch holds "
                                         r"4 examples, fewer than the 5 a step needs \(d_steps=5"):
        _ring_fit(20, d_steps=5, batch=4, as_array=as_array)
    with pytest.raises(ValueError, match=r"wgan_gp has no batch to train on: the first batch holds "
                                         r"3 examples, fewer than the 5"):
        _ring_fit(3, d_steps=5, batch=64, as_array=as_array)


def test_the_custom_strategy_loop_drops_batches_smaller_than_d_steps_too():
    from gan_tf import distribute

    gan = trainers.WGANGP(*_nets(), d_steps=2, seed=0)
    gan.compile()
    ds = tf.data.Dataset.from_tensor_slices(_real(5).numpy()).batch(4).repeat()  # 4, 1, 4, 1, ...
    logs = distribute.train_steps(gan, tf.distribute.get_strategy(), ds, 3)
    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])
    assert int(gan.g_optimizer.iterations) == 3 and int(gan.d_optimizer.iterations) == 6
