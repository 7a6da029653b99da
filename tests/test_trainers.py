"""gan_tf.trainers: a train_step equals a hand-written GradientTape step; fit runs eagerly,
compiled and with XLA; bad inputs raise clear errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import models, trainers
from gan_tf.data import toy
from twins import clone as _clone, adam as _adam

LATENT = 3


def _nets(seed=0):
    keras.utils.set_random_seed(seed)
    g = models.build_mlp_generator(LATENT, output_shape=(2,), hidden_units=(8,),
                                   output_activation=None)
    d = models.build_mlp_discriminator((2,), hidden_units=(8,))
    return g, d


def _manual_gan_step(g, d, real, d_steps, seed, g_loss="nonsaturating", jit=False):
    """Algorithm 1 of arXiv:1406.2661 written out by hand, with the trainer's noise."""
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    step = lambda: _manual_body(g, d, real, d_steps, sg, d_opt, g_opt, g_loss)  # noqa: E731
    if jit:
        step = tf.function(step, jit_compile=True)
    step()


def _manual_body(g, d, real, d_steps, sg, d_opt, g_opt, g_loss):
    m = real.shape[0] // d_steps
    for i in range(d_steps):
        z = keras.random.normal((m, LATENT), seed=sg)
        fake = g(z, training=True)
        with tf.GradientTape() as tape:
            r = d(real[i::d_steps][:m], training=True)  # every d_steps-th example
            f = d(fake, training=True)
            # -log sigmoid(r) - log(1 - sigmoid(f))
            loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(r)) - tf.math.log(1 - tf.sigmoid(f)))
        grads = tape.gradient(loss, d.trainable_variables)
        d_opt.apply_gradients(zip(grads, d.trainable_variables))
    z = keras.random.normal((m, LATENT), seed=sg)
    with tf.GradientTape() as tape:
        f = d(g(z, training=True), training=True)
        if g_loss == "nonsaturating":
            loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(f)))
        else:
            loss = tf.reduce_mean(tf.math.log(1 - tf.sigmoid(f)))
    grads = tape.gradient(loss, g.trainable_variables)
    g_opt.apply_gradients(zip(grads, g.trainable_variables))


@pytest.mark.parametrize("d_steps,loss", [(1, "nonsaturating"), (2, "nonsaturating"),
                                          (1, "minimax")])
def test_train_step_matches_manual_gradient_tape_step(d_steps, loss):
    g, d = _nets()
    g2, d2 = _clone(g), _clone(d)
    real = tf.constant(toy.ring_of_gaussians().sample(8, seed=1), tf.float32)
    gan = trainers.GAN(g, d, d_steps=d_steps, seed=5)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam(), loss=loss)
    logs = gan.train_step(real)
    _manual_gan_step(g2, d2, real, d_steps, seed=5, g_loss=loss)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # and the weights did move
    assert not np.allclose(g.get_weights()[0], _nets()[0].get_weights()[0])
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))


def test_xla_train_step_matches_manual_xla_step():
    """Under XLA the stateless RNG kernels draw other numbers than outside XLA (measured:
    N(0,1) for seed (2, 0) gave -0.639, -0.187, -0.828 outside and 0.705, 0.475, -1.013
    inside), so an XLA step is compared with the manual step compiled by XLA too."""
    g, d = _nets()
    g2, d2 = _clone(g), _clone(d)
    real = tf.constant(toy.ring_of_gaussians().sample(8, seed=1), tf.float32)
    gan = trainers.GAN(g, d, seed=5)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    tf.function(gan.train_step, jit_compile=True)(real)
    _manual_gan_step(g2, d2, real, 1, seed=5, jit=True)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _fit_weights(epochs=2, **compile_kwargs):
    g, d = _nets(seed=3)
    gan = trainers.GAN(g, d, seed=2)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam(), **compile_kwargs)
    ds = toy.ring_of_gaussians().dataset(n=64, batch_size=16, seed=0, shuffle=False)
    history = gan.fit(ds, epochs=epochs, verbose=0)
    return g.get_weights() + d.get_weights(), history.history


def test_fit_eager_compiled_and_xla():
    g, d = _nets(seed=3)
    start = g.get_weights() + d.get_weights()
    eager, h_eager = _fit_weights(run_eagerly=True)
    graph, h_graph = _fit_weights()
    xla, h_xla = _fit_weights(jit_compile=True)
    for a, b in zip(eager, graph):  # same noise, same numbers
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h_eager["d_loss"], h_graph["d_loss"], rtol=1e-5)
    assert set(h_graph) == {"d_loss", "g_loss"} and len(h_graph["d_loss"]) == 2
    # XLA draws other noise (see above): it trains, to nearby losses
    assert all(np.isfinite(h_xla["d_loss"])) and all(np.isfinite(h_xla["g_loss"]))
    assert max(np.abs(a - b).max() for a, b in zip(start, xla)) > 1e-3
    np.testing.assert_allclose(h_xla["d_loss"], h_graph["d_loss"], atol=0.2)


def test_gan_learns_a_1d_gaussian():
    """A few hundred steps move the generated mean from ~0 towards the data's mean 3."""
    keras.utils.set_random_seed(0)
    g = models.build_mlp_generator(4, output_shape=(1,), hidden_units=(16,),
                                   output_activation=None)
    d = models.build_mlp_discriminator((1,), hidden_units=(16,))
    gan = trainers.GAN(g, d, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(5e-3, 0.5),
                g_optimizer=keras.optimizers.Adam(5e-3, 0.5))
    before = float(gan.sample(2000, seed=1).mean())
    gan.fit(toy.Gaussian1D(3.0, 0.5).dataset(n=8192, batch_size=128), epochs=6, verbose=0)
    after = float(gan.sample(2000, seed=1).mean())
    assert abs(after - 3.0) < 0.5 < abs(before - 3.0)


def test_sample_is_deterministic_and_leaves_training_noise_alone():
    g, d = _nets()
    gan = trainers.GAN(g, d, seed=4)
    state = np.array(gan.seed_generator.state.numpy())
    a, b = gan.sample(10, seed=1), gan.sample(10, seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, gan.sample(10, seed=2))
    np.testing.assert_array_equal(state, gan.seed_generator.state.numpy())
    assert a.shape == (10, 2) and a.dtype == np.float32


def test_training_noise_state_is_a_tracked_variable():
    g, d = _nets()
    gan = trainers.GAN(g, d, seed=4)
    gan.compile()
    before = np.array(gan.seed_generator.state.numpy())
    gan.train_step(tf.zeros((4, 2)))
    assert not np.array_equal(before, gan.seed_generator.state.numpy())
    assert any(v is gan.seed_generator.state for v in gan.variables)


def test_clear_errors():
    g, d = _nets()
    with pytest.raises(ValueError, match="latent_dim=5 but the generator expects z of size 3"):
        trainers.GAN(g, d, latent_dim=5)
    with pytest.raises(ValueError, match="does not match discriminator input"):
        trainers.GAN(g, models.build_mlp_discriminator((3,)))
    with pytest.raises(ValueError, match="d_steps"):
        trainers.GAN(g, d, d_steps=0)
    gan = trainers.GAN(g, d)
    with pytest.raises(ValueError, match="compile"):
        gan.fit(tf.data.Dataset.from_tensor_slices(np.zeros((4, 2), np.float32)).batch(2))
    with pytest.raises(ValueError, match="unknown GAN loss"):
        gan.compile(loss="wgan")
    # images: wrong rank / channels / dtype / range
    ig = models.build_mlp_generator(4, hidden_units=(8,))
    idisc = models.build_mlp_discriminator(hidden_units=(8,))
    igan = trainers.GAN(ig, idisc)
    igan.compile()

    def ds(x):
        return tf.data.Dataset.from_tensor_slices(x).batch(2)

    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 28, 28, 1\).*rank"):
        igan.fit(ds(np.zeros((4, 28, 28), np.float32)), verbose=0)
    with pytest.raises(ValueError, match="channel count"):
        igan.fit(ds(np.zeros((4, 28, 28, 3), np.float32)), verbose=0)
    with pytest.raises(ValueError, match="floating-point"):
        igan.fit(ds(np.zeros((4, 28, 28, 1), np.uint8)), verbose=0)
    with pytest.raises(ValueError, match=r"\[-1, 1\].*received values in \[0, 127.5\]"):
        igan.fit(ds(np.linspace(0, 255, 4 * 784, dtype=np.float32).reshape(4, 28, 28, 1)),
                 verbose=0)


# -- the linear learning-rate decay (trainers/_common.py; CycleGAN's and StarGAN's schedule) --

def test_linear_decay_is_constant_then_linear_to_zero_said_either_way():
    schedule = trainers.LinearDecay(2e-4, total_steps=10, decay_steps=4)
    rates = [float(schedule(step)) for step in range(13)]
    np.testing.assert_allclose(rates, [2e-4] * 7 + [1.5e-4, 1e-4, 0.5e-4, 0, 0, 0], atol=1e-12)
    same = trainers.LinearDecay(2e-4, total_steps=10, constant_steps=6)   # the other phrasing
    assert same.get_config() == schedule.get_config() and same.constant_steps == 6
    # by default the second half decays: CycleGAN's 100 + 100 epochs, StarGAN's halves
    half = trainers.LinearDecay(1.0, total_steps=200)
    np.testing.assert_allclose([float(half(s)) for s in (0, 100, 150, 199, 200)],
                               [1, 1, 0.5, 0.01, 0], atol=1e-6)
    tenth = trainers.LinearDecay(1e-4, 10)
    np.testing.assert_allclose([float(tenth(s)) for s in (0, 4, 5, 6, 8, 10, 12)],
                               [1e-4, 1e-4, 1e-4, 0.8e-4, 0.4e-4, 0.0, 0.0], rtol=1e-6)
    odd = trainers.LinearDecay(1.0, 5)                  # the constant part is the longer
    assert (odd.constant_steps, odd.decay_steps) == (3, 2)
    np.testing.assert_allclose([float(odd(s)) for s in range(6)], [1, 1, 1, 1, 0.5, 0])
    assert trainers.LinearDecay.from_config(schedule.get_config()).get_config() == \
        schedule.get_config()
    with pytest.raises(ValueError, match="decay_steps must be at most total_steps=4, got 5"):
        trainers.LinearDecay(2e-4, total_steps=4, decay_steps=5)
    with pytest.raises(ValueError, match=r"constant_steps must be an int in \[0, total_steps=4\)"):
        trainers.LinearDecay(1e-4, 4, constant_steps=4)
    with pytest.raises(ValueError, match="give decay_steps or constant_steps"):
        trainers.LinearDecay(1e-4, 4, decay_steps=2, constant_steps=2)
    for rate in (0, -1e-4, float("nan"), True):
        with pytest.raises(ValueError, match="initial_learning_rate must be a number > 0"):
            trainers.LinearDecay(rate, 4)


# -- VAE -------------------------------------------------------------------------------------

def _vae_nets(seed=0):
    keras.utils.set_random_seed(seed)
    enc = models.build_vae_encoder((8, 8, 1), latent_dim=2, conv=False, hidden=(16,))
    dec = models.build_vae_decoder(2, (8, 8, 1), conv=False, hidden=(16,))
    return enc, dec


def test_vae_train_step_matches_manual_step():
    enc, dec = _vae_nets()
    enc2, dec2 = _clone(enc), _clone(dec)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.uniform(-1, 1, (6, 8, 8, 1)), tf.float32)
    vae = trainers.VAE(enc, dec, seed=9)
    vae.compile(optimizer=keras.optimizers.Adam(1e-2))
    logs = vae.train_step(x)

    sg = keras.random.SeedGenerator(9)
    opt = keras.optimizers.Adam(1e-2)
    variables = enc2.trainable_variables + dec2.trainable_variables
    opt.build(variables)
    with tf.GradientTape() as tape:
        mean, log_var = enc2(x, training=True)
        z = mean + tf.exp(0.5 * log_var) * keras.random.normal(tf.shape(mean), seed=sg)
        logits = dec2(z, training=True)
        p = tf.sigmoid(logits)
        t = (x + 1) / 2
        rec = -tf.reduce_sum(t * tf.math.log(p) + (1 - t) * tf.math.log(1 - p), axis=[1, 2, 3])
        kl = 0.5 * tf.reduce_sum(tf.exp(log_var) + mean**2 - 1 - log_var, axis=1)
        loss = tf.reduce_mean(rec + kl)
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
    np.testing.assert_allclose(float(logs["loss"]), float(loss), rtol=1e-5)
    np.testing.assert_allclose(float(logs["kl_loss"]), float(tf.reduce_mean(kl)), rtol=1e-5)
    for a, b in zip(enc.get_weights() + dec.get_weights(), enc2.get_weights() + dec2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_vae_fit_lowers_negative_elbo_and_samples_in_range():
    from gan_tf import data

    enc, dec = _vae_nets(1)
    vae = trainers.VAE(enc, dec, seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(3e-3))
    train = data.load_images("digits", batch_size=64)
    test = data.load_images("digits", split="test", batch_size=128, shuffle=False)
    before = vae.evaluate(test, verbose=0, return_dict=True)["loss"]
    vae.fit(train, epochs=5, verbose=0)
    after = vae.evaluate(test, verbose=0, return_dict=True)["loss"]
    assert after < before - 2.0
    s = vae.sample(5, seed=0)
    assert s.shape == (5, 8, 8, 1) and s.min() >= -1 and s.max() <= 1


def test_vae_rejects_mismatched_nets():
    enc, dec = _vae_nets()
    with pytest.raises(ValueError, match="latent size"):
        trainers.VAE(enc, models.build_vae_decoder(3, (8, 8, 1), conv=False))
    with pytest.raises(ValueError, match="does not match encoder input"):
        trainers.VAE(enc, models.build_vae_decoder(2, (16, 16, 1), conv=False))


def test_reuse_fake_step_matches_manual_step_with_shared_noise():
    """reuse_fake: D update on G(z), then G update through the *updated* D on the same G(z)."""
    g, d = _nets()
    g2, d2 = _clone(g), _clone(d)
    real = tf.constant(toy.ring_of_gaussians().sample(8, seed=1), tf.float32)
    gan = trainers.GAN(g, d, seed=5, reuse_fake=True)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    gan.train_step(real)

    sg = keras.random.SeedGenerator(5)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d2.trainable_variables)
    g_opt.build(g2.trainable_variables)
    z = keras.random.normal((8, LATENT), seed=sg)
    with tf.GradientTape() as tape:
        fake = g2(z, training=True)
        r, f = d2(real, training=True), d2(tf.stop_gradient(fake), training=True)
        loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(r)) - tf.math.log(1 - tf.sigmoid(f)))
    d_opt.apply_gradients(zip(tape.gradient(loss, d2.trainable_variables), d2.trainable_variables))
    with tf.GradientTape() as tape:
        fake = g2(z, training=True)   # the same fakes, recomputed here for clarity
        loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(d2(fake, training=True))))
    g_opt.apply_gradients(zip(tape.gradient(loss, g2.trainable_variables), g2.trainable_variables))
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="reuse_fake needs d_steps=1"):
        trainers.GAN(g, d, d_steps=2, reuse_fake=True)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_trains_with_float32_losses_and_weights(policy, monkeypatch):
    from gan_tf import config

    monkeypatch.setenv("GAN_TF_MIXED_PRECISION", policy)
    try:
        assert config.precision() == policy
        g, d = _nets()
        gan = trainers.GAN(g, d, seed=0)
        gan.compile()
    finally:
        keras.config.set_dtype_policy("float32")
    is_lso = isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert is_lso == (policy == "mixed_float16")  # loss scaling only for float16
    assert g.layers[1].compute_dtype == policy.split("_")[1] and g.layers[1].kernel.dtype == "float32"
    start = [w.copy() for w in g.get_weights()]
    real = tf.constant(toy.ring_of_gaussians().sample(16, seed=1), tf.float32)
    for _ in range(3):
        logs = gan.train_step(real)
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))
    assert max(np.abs(a - b).max() for a, b in zip(start, g.get_weights())) > 1e-4
    assert gan.sample(4).dtype == np.float32


def test_unknown_precision_is_a_clear_error(monkeypatch):
    from gan_tf import config

    monkeypatch.setenv("GAN_TF_MIXED_PRECISION", "fp8")
    with pytest.raises(ValueError, match=r"'fp8' \(from \$GAN_TF_MIXED_PRECISION\).*mixed_bfloat16"):
        config.precision()


class _Recording(trainers.GAN):
    """A GAN that records the first value of every real batch it trains on (eager)."""

    def train_step(self, data):
        self.seen.append(np.asarray(data)[:, 0].round(4).tolist())
        return super().train_step(data)


TRANSFORMS = {
    None: (lambda ds: ds, {}),
    "map": (lambda ds: ds.map(lambda b: b * 1.0), {}),
    # the user repeats it (the README's advice for custom loops) and gives the epoch length
    "repeat": (lambda ds: ds.repeat().prefetch(2), {"steps_per_epoch": 7}),
}


@pytest.mark.parametrize("resumable,transform", [(False, None), (True, None), (True, "map"),
                                                 (True, "repeat")])
def test_fit_reads_each_epoch_as_a_pass_through_one_iterator(resumable, transform, monkeypatch):
    """fit over a finite Dataset runs one reshuffled pass per epoch (the last batch partial),
    for a resumable one exactly the orders of epochs initial_epoch, ... (as a fresh dataset
    gives them), through a single iterator: a new iterator per epoch stalled every epoch start
    here by 0-20 s (TF 2.21 / Keras 3.15). A resumable dataset transformed further (``.map``,
    ``.repeat()``) keeps its epoch-keyed order: fit finds the counter through its inputs."""
    from gan_tf import data

    x = (np.arange(20 * 2, dtype=np.float32).reshape(20, 2) / 40.0)
    iterators = []
    original = tf.data.Dataset.__iter__
    monkeypatch.setattr(tf.data.Dataset, "__iter__",
                        lambda self: iterators.append(1) or original(self))
    start = 2 if resumable else 0   # not 1: fit's input check reads one pass, so 1 would pass by luck
    g, d = _nets()
    gan = _Recording(g, d, seed=0)
    gan.seen = []
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam(), run_eagerly=True)
    change, fit_kwargs = TRANSFORMS[transform]
    history = gan.fit(change(data.to_dataset(x, batch_size=3, seed=5, resumable=resumable)),
                      epochs=start + 2, initial_epoch=start, verbose=0, **fit_kwargs)
    assert len(iterators) <= 2  # fit's input check and one iterator for all epochs
    epochs = 2
    assert len(history.history["d_loss"]) == epochs
    assert int(gan.g_optimizer.iterations) == 7 * epochs
    seen = [gan.seen[7 * e:7 * (e + 1)] for e in range(epochs)]
    for batches in seen:  # a pass: every example once, batches of 3 and a last one of 2
        assert [len(b) for b in batches] == [3] * 6 + [2]
        assert sorted(v for b in batches for v in b) == x[:, 0].round(4).tolist()
    assert seen[0] != seen[1]
    if resumable:
        reference = data.to_dataset(x, batch_size=3, seed=5, resumable=True)
        passes = [[b[:, 0].numpy().round(4).tolist() for b in reference] for _ in range(4)]
        assert seen == passes[start:]
