"""CycleGAN (Zhu et al., arXiv:1703.10593): the cycle and identity L1 terms and the LSGAN terms
on known networks, a train step against a hand-written GradientTape step (with a NumPy copy of
the authors' ImagePool, through the fill phase and the full phase), the history buffer's rules,
draws, counts and checkpointing, the default optimizers driving the linear decay (the schedule
itself: tests/test_trainers.py), the input errors, and kill -9
and resume. The MirroredStrategy check is in tests/test_distribute.py.

Networks are tiny hand-built convolutions on 8x8 images (the ResNet generator and PatchGAN
live in gan_tf.models; the trainer takes any image-to-image models)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import resume
from gan_tf import trainers
from gan_tf.trainers import cyclegan as cg
from twins import adam as _adam, clone as _clone

S = 8


def _generator(c_in=1, c_out=1, seed=0):
    keras.utils.set_random_seed(seed)
    x = keras.Input((S, S, c_in))
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(x)
    return keras.Model(x, keras.layers.Conv2D(c_out, 3, padding="same", activation="tanh")(h))


def _discriminator(c=1, seed=0):
    """A patch discriminator: 4x4 stride-2 conv, LeakyReLU, conv to a 4x4 map of raw scores."""
    keras.utils.set_random_seed(seed)
    x = keras.Input((S, S, c))
    h = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(4, 4, strides=2, padding="same")(x))
    return keras.Model(x, keras.layers.Conv2D(1, 3, padding="same")(h))


def _nets(c_x=1, c_y=1):
    return (_generator(c_x, c_y, 0), _generator(c_y, c_x, 1), _discriminator(c_x, 2),
            _discriminator(c_y, 3))


def _images(n, c=1, seed=0):
    return np.tanh(np.random.default_rng(seed).normal(size=(n, S, S, c))).astype(np.float32)


def _affine(scale, shift, c=1):
    """A 1x1 convolution computing scale * x + shift (a network with a known output)."""
    x = keras.Input((S, S, c))
    conv = keras.layers.Conv2D(c, 1)
    model = keras.Model(x, conv(x))
    conv.set_weights([np.eye(c, dtype=np.float32)[None, None] * scale,
                      np.full(c, shift, np.float32)])
    return model


def _constant(value, c=1):
    """A patch 'discriminator' whose 4x4 map is ``value`` everywhere."""
    x = keras.Input((S, S, c))
    conv = keras.layers.Conv2D(1, 2, strides=2)
    model = keras.Model(x, conv(x))
    conv.set_weights([np.zeros((2, 2, c, 1), np.float32), np.full(1, value, np.float32)])
    return model


# -- the loss terms --------------------------------------------------------------------------

def test_lsgan_distance_on_known_values():
    """(The cycle and identity terms are losses.l1_loss: tests/test_losses.py.)"""
    logits = np.array([[0.0, 1.0, 2.0, 3.0], [1.0, 1.0, 1.0, 1.0]], np.float32).reshape(
        2, 2, 2, 1)
    # mean over the map of (D - 1)^2 and of D^2
    np.testing.assert_allclose(cg.lsgan_distance(logits, 1.0).numpy(), [1.5, 0.0])
    np.testing.assert_allclose(cg.lsgan_distance(logits, 0.0).numpy(), [3.5, 1.0])


def test_reported_cycle_identity_and_lsgan_losses_equal_the_hand_computed_ones():
    """G(x) = 0.5 x, F(y) = y + 0.25, D_X = 0.3 and D_Y = -0.2 everywhere: every term of the
    objective has a closed form. The step reports the losses of the weights it starts from."""
    x, y = _images(3, seed=0), _images(3, seed=1)
    gan = trainers.CycleGAN(_affine(0.5, 0.0), _affine(1.0, 0.25), _constant(0.3),
                            _constant(-0.2), seed=0)
    assert (gan.lambda_cycle, gan.lambda_identity, gan.pool_size) == (10.0, 5.0, 50)
    gan.compile()
    logs = {k: float(v) for k, v in gan.train_step((tf.constant(x), tf.constant(y))).items()}
    # eq. 2: |F(G(x)) - x| = |0.25 - 0.5 x|, |G(F(y)) - y| = |0.125 - 0.5 y| (means per image)
    cycle = np.abs(0.25 - 0.5 * x).mean() + np.abs(0.125 - 0.5 * y).mean()
    identity = np.abs(0.25) + np.abs(0.5 * y).mean()      # |F(x) - x| + |G(y) - y|
    adversarial = (-0.2 - 1) ** 2 + (0.3 - 1) ** 2         # (D_Y(G(x)) - 1)^2 + (D_X(F(y)) - 1)^2
    np.testing.assert_allclose(logs["cycle_loss"], cycle, rtol=1e-5)
    np.testing.assert_allclose(logs["identity_loss"], identity, rtol=1e-5)
    np.testing.assert_allclose(logs["g_loss"], adversarial + 10 * cycle + 5 * identity, rtol=1e-5)
    # D minimises [(D(real) - 1)^2 + D(fake)^2] / 2
    np.testing.assert_allclose(logs["d_x_loss"], ((0.3 - 1) ** 2 + 0.3 ** 2) / 2, rtol=1e-5)
    np.testing.assert_allclose(logs["d_y_loss"], ((-0.2 - 1) ** 2 + 0.2 ** 2) / 2, rtol=1e-5)


def test_ablations_zero_a_weight_but_still_report_the_term():
    x, y = _images(2, seed=0), _images(2, seed=1)
    def nets():        # fresh ones per trainer: a step moves them
        return _affine(0.5, 0.0), _affine(1.0, 0.25), _constant(0.3), _constant(-0.2)

    no_cycle = trainers.CycleGAN(*nets(), lambda_cycle=0)
    assert no_cycle.lambda_identity == 0.0                   # 0.5 lambda_cycle by default
    no_identity = trainers.CycleGAN(*nets(), lambda_identity=0)
    both = trainers.CycleGAN(*nets(), lambda_cycle=0, lambda_identity=5.0)
    adversarial = (-0.2 - 1) ** 2 + (0.3 - 1) ** 2
    cycle = np.abs(0.25 - 0.5 * x).mean() + np.abs(0.125 - 0.5 * y).mean()
    identity = 0.25 + np.abs(0.5 * y).mean()
    for gan, g_loss in ((no_cycle, adversarial), (no_identity, adversarial + 10 * cycle),
                        (both, adversarial + 5 * identity)):
        gan.compile()
        logs = gan.train_step((tf.constant(x), tf.constant(y)))
        np.testing.assert_allclose(float(logs["g_loss"]), g_loss, rtol=1e-5)
        np.testing.assert_allclose(float(logs["cycle_loss"]), cycle, rtol=1e-5)
        np.testing.assert_allclose(float(logs["identity_loss"]), identity, rtol=1e-5)


# -- the step against a hand-written step ----------------------------------------------------

class _ReferencePool:
    """The authors' ImagePool (util/image_pool.py) in NumPy, fed our random numbers."""

    def __init__(self, size):
        self.size, self.images = size, []

    def query(self, images, u, slots):
        out = []
        for image, p, slot in zip(images, u, slots):
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif p > 0.5:
                out.append(self.images[slot])
                self.images[slot] = image
            else:
                out.append(image)
        return np.stack(out)


def _draws(seed_generator, n, size):
    u = keras.random.uniform((n,), seed=seed_generator).numpy()
    slots = np.minimum(np.floor(keras.random.uniform((n,), seed=seed_generator).numpy() * size),
                       size - 1).astype(int)
    return u, slots


def _manual_step(nets, opts, pools, seed_generator, x, y, lam=10.0, lam_id=5.0):
    """One CycleGAN iteration written out: (G, F) on the LSGAN + cycle + identity objective,
    then (D_X, D_Y) on the halved LSGAN terms with the pre-update fakes through the pools."""
    g, f, d_x, d_y = nets
    g_opt, d_opt = opts

    def l1(a, b):
        return tf.reduce_mean(tf.abs(a - b))

    g_vars = g.trainable_variables + f.trainable_variables
    with tf.GradientTape() as tape:
        fake_y, fake_x = g(x, training=True), f(y, training=True)
        adv = (tf.reduce_mean(tf.square(d_y(fake_y) - 1))
               + tf.reduce_mean(tf.square(d_x(fake_x) - 1)))
        cycle = l1(f(fake_y), x) + l1(g(fake_x), y)
        identity = l1(g(y), y) + l1(f(x), x)
        loss = adv + lam * cycle + lam_id * identity
    g_opt.apply_gradients(zip(tape.gradient(loss, g_vars), g_vars))
    pool_x, pool_y = pools
    seen_y = pool_y.query(fake_y.numpy(), *_draws(seed_generator, len(x), pool_y.size))
    seen_x = pool_x.query(fake_x.numpy(), *_draws(seed_generator, len(y), pool_x.size))
    d_vars = d_x.trainable_variables + d_y.trainable_variables
    with tf.GradientTape() as tape:
        loss = 0.5 * (tf.reduce_mean(tf.square(d_y(y) - 1)) + tf.reduce_mean(tf.square(d_y(seen_y)))
                      + tf.reduce_mean(tf.square(d_x(x) - 1))
                      + tf.reduce_mean(tf.square(d_x(seen_x))))
    d_opt.apply_gradients(zip(tape.gradient(loss, d_vars), d_vars))
    return seen_x, seen_y


def test_train_step_matches_a_hand_written_gradient_tape_step():
    """Two steps of batch 2 with buffers of 2: the first fills them (D sees the new fakes), the
    second is the full phase (each fake swapped in with probability 1/2, by the seed's draws).
    G and F are updated first, then D_X and D_Y on the fakes made before that update."""
    nets = _nets()
    twins = [_clone(n) for n in nets]
    gan = trainers.CycleGAN(*nets, pool_size=2, seed=3)
    gan.compile(g_optimizer=_adam(), d_optimizer=_adam())
    opts = (_adam(), _adam())
    pools = (_ReferencePool(2), _ReferencePool(2))
    seed_generator = keras.random.SeedGenerator(3)
    for step in range(2):
        x, y = _images(2, seed=2 * step), _images(2, seed=2 * step + 1)
        gan.train_step((tf.constant(x), tf.constant(y)))
        seen_x, seen_y = _manual_step(twins, opts, pools, seed_generator, x, y)
        for net, twin in zip(nets, twins):
            for a, b in zip(net.get_weights(), twin.get_weights()):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        for buffer, ref in ((gan.history_x, pools[0]), (gan.history_y, pools[1])):
            np.testing.assert_allclose(buffer.images.numpy(), np.stack(ref.images), atol=1e-6)
            assert int(buffer.count.numpy()) == 2
    np.testing.assert_array_equal(gan.seed_generator.state.numpy(),
                                  seed_generator.state.numpy())
    assert int(gan.g_optimizer.iterations.numpy()) == int(gan.d_optimizer.iterations.numpy()) == 2


def test_fit_traced_gives_the_eager_weights():
    x, y = _images(4, seed=0), _images(4, seed=1)
    weights = []
    for eager in (True, False):
        gan = trainers.CycleGAN(*_nets(), pool_size=3, seed=1)
        gan.compile(g_optimizer=_adam(), d_optimizer=_adam(), run_eagerly=eager)
        gan.fit(x, y, batch_size=2, epochs=1, verbose=0)   # step 2 finds the buffers full
        weights.append(np.concatenate([w.ravel() for w in gan.get_weights()]))
    np.testing.assert_allclose(weights[1], weights[0], rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_fit_under_xla_trains_and_fills_the_buffers():
    """jit_compile=True (the buffer's while loop compiles). Not compared with the eager
    weights: inside XLA keras.random's stateless draws differ from the eager ones on this
    TensorFlow (2.21), so the buffer swaps other images."""
    gan = trainers.CycleGAN(*_nets(), pool_size=3, seed=1)
    gan.compile(jit_compile=True)
    history = gan.fit(_images(4), _images(4, seed=1), batch_size=2, epochs=2, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert int(gan.history_x.count.numpy()) == int(gan.history_y.count.numpy()) == 3


# -- the history buffer ----------------------------------------------------------------------

def _marked(values):
    """Images whose every pixel is their mark, so a returned image tells which one it is."""
    return tf.constant(np.asarray(values, np.float32)[:, None, None, None]
                       * np.ones((1, 2, 2, 1), np.float32))


def _marks(images):
    return np.asarray(images)[:, 0, 0, 0].tolist()


def test_history_fills_first_then_swaps_with_probability_one_half_in_order():
    buffer = cg.ImageHistory((2, 2, 1), size=3)
    # fill phase: stored and returned, whatever the draws
    assert _marks(buffer.query(_marked([1, 2]), [0.9, 0.9], [0, 0])) == [1, 2]
    # the third fills the buffer; the fourth finds it full: u > 0.5 swaps with slot 1 (image 2)
    assert _marks(buffer.query(_marked([3, 4]), [0.9, 0.9], [0, 1])) == [3, 2]
    assert _marks(buffer.images) == [1, 4, 3] and int(buffer.count.numpy()) == 3
    # full: 5 swaps with slot 1 (4 comes back), 6 stays (u <= 0.5), 7 swaps with slot 1 again
    # and gets 5, stored by the same batch a moment before (the images are taken in order)
    assert _marks(buffer.query(_marked([5, 6, 7]), [0.7, 0.5, 0.8], [1, 0, 1])) == [4, 6, 5]
    assert _marks(buffer.images) == [1, 7, 3]
    # a size of 0 is no buffer
    assert _marks(cg.ImageHistory((2, 2, 1), size=0).query(_marked([8]), [0.9], [0])) == [8]


def test_the_trainers_draws_swap_half_the_images_uniformly_over_the_slots():
    """The trainer's draws (u, then the slots, from its seed generator): a NumPy copy of the
    authors' ImagePool fed the same numbers returns the same images; over 400 images past the
    fill phase about half come from the buffer, every slot is used."""
    gan = trainers.CycleGAN(*_nets(), pool_size=4, seed=11)
    buffer = cg.ImageHistory((2, 2, 1), size=4)
    ref, seed_generator = _ReferencePool(4), keras.random.SeedGenerator(11)
    query = tf.function(lambda images: gan.from_history(buffer, images))   # traced once
    returned, stored_slots = [], []
    for start in range(0, 404, 4):
        batch = np.arange(start, start + 4) + 1.0
        out = _marks(query(_marked(batch)))
        u, slots = _draws(seed_generator, 4, 4)
        assert out == _marks(ref.query(np.asarray(_marked(batch)), u, slots))
        if start >= 4:
            returned += [o != b for o, b in zip(out, batch)]   # a swap returns another image
            stored_slots += [s for s, p in zip(slots, u) if p > 0.5]
    share = np.mean(returned)
    assert 0.43 < share < 0.57, share          # 400 draws: 1/2 +- 2.8 standard deviations
    assert sorted(set(stored_slots)) == [0, 1, 2, 3]
    assert min(np.bincount(stored_slots)) > 30


def test_the_buffers_and_the_seed_state_survive_save_and_load(tmp_path):
    x, y = _images(6, seed=0), _images(6, seed=1)
    gan = trainers.CycleGAN(*_nets(), pool_size=4, seed=5)
    gan.compile()
    for i in range(0, 6, 2):
        gan.train_step((tf.constant(x[i:i + 2]), tf.constant(y[i:i + 2])))
    assert int(gan.history_y.count.numpy()) == 4
    gan.save_weights(tmp_path / "cyclegan.weights.h5")
    other = trainers.CycleGAN(*_nets(), pool_size=4, seed=99)
    other.compile()
    other.load_weights(tmp_path / "cyclegan.weights.h5")
    for a, b in ((gan.history_x, other.history_x), (gan.history_y, other.history_y)):
        np.testing.assert_array_equal(a.images.numpy(), b.images.numpy())
        assert int(b.count.numpy()) == 4
    np.testing.assert_array_equal(gan.seed_generator.state.numpy(),
                                  other.seed_generator.state.numpy())
    assert int(other.g_optimizer.iterations.numpy()) == 3
    fakes = _images(3, seed=7)
    np.testing.assert_array_equal(gan.from_history(gan.history_y, tf.constant(fakes)).numpy(),
                                  other.from_history(other.history_y, tf.constant(fakes)).numpy())


# -- the learning rate -----------------------------------------------------------------------

def test_compile_defaults_are_the_papers_adam_and_the_optimizer_steps_drive_the_decay():
    gan = trainers.CycleGAN(*_nets(), seed=0)
    gan.compile(total_steps=4)
    for opt in (gan.g_optimizer, gan.d_optimizer):
        assert isinstance(opt, keras.optimizers.Adam) and opt.beta_1 == 0.5
        assert float(opt.learning_rate) == pytest.approx(2e-4)
    x, y = tf.constant(_images(4)), tf.constant(_images(4, seed=1))
    for i in range(4):
        gan.train_step((x[i:i + 1], y[i:i + 1]))
    # after 4 of 4 steps (2 constant, 2 decaying) the rate has reached 0
    assert int(gan.g_optimizer.iterations.numpy()) == 4
    assert float(gan.g_optimizer.learning_rate) == 0.0
    assert float(gan.d_optimizer.learning_rate) == 0.0
    plain = trainers.CycleGAN(*_nets(), seed=0)
    plain.compile()
    assert float(plain.g_optimizer.learning_rate) == pytest.approx(2e-4)
    with pytest.raises(ValueError, match="total_steps sets the default optimizers' schedule"):
        plain.compile(g_optimizer=_adam(), total_steps=4)


# -- input errors ----------------------------------------------------------------------------

def test_networks_that_do_not_fit_together_are_refused():
    g, f, d_x, d_y = _nets()
    with pytest.raises(ValueError, match=r"F \(inverse_generator\) must take images of shape "
                                         r"\(8, 8, 1\).*got input \(8, 8, 3\)"):
        trainers.CycleGAN(g, _generator(3, 1), d_x, d_y)
    with pytest.raises(ValueError, match=r"D_Y \(discriminator_y\) must take images of shape "
                                         r"\(8, 8, 1\).*got input \(8, 8, 3\)"):
        trainers.CycleGAN(g, f, d_x, _discriminator(3))
    with pytest.raises(ValueError, match=r"identity loss .* got X \(8, 8, 1\) and Y \(8, 8, 3\)"
                                         r": pass lambda_identity=0"):
        trainers.CycleGAN(_generator(1, 3), _generator(3, 1), d_x, _discriminator(3))
    trainers.CycleGAN(_generator(1, 3), _generator(3, 1), d_x, _discriminator(3),
                      lambda_identity=0)                  # grey <-> colour without identity
    x = keras.Input((None, None, 1))
    conv = keras.Model(x, keras.layers.Conv2D(1, 1)(x))
    with pytest.raises(ValueError, match=r"fixed image shape .* got \(None, None, 1\)"):
        trainers.CycleGAN(conv, f, d_x, d_y)
    with pytest.raises(ValueError, match="lambda_cycle must be a number >= 0, got -1"):
        trainers.CycleGAN(g, f, d_x, d_y, lambda_cycle=-1)
    with pytest.raises(ValueError, match="history buffer's size must be an int >= 0, got 2.5"):
        trainers.CycleGAN(g, f, d_x, d_y, pool_size=2.5)


def test_fit_refuses_wrong_shapes_ranges_and_single_domains():
    gan = trainers.CycleGAN(*_nets(), seed=0)
    gan.compile()
    x, y = _images(4), _images(4, seed=1)
    with pytest.raises(ValueError, match=r"cyclegan \(domain Y\) expects inputs of shape "
                                         r"\(batch, 8, 8, 1\), received \(4, 8, 8, 3\)"):
        gan.fit(x, _images(4, c=3), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"domain X\) expects inputs of shape .*received "
                                         r"\(4, 16, 16, 1\)"):
        gan.fit(np.zeros((4, 16, 16, 1), np.float32), y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"domain Y\) expects images in \[-1, 1\], received "
                                         r"values in \[0, 255\]"):
        gan.fit(x, np.linspace(0, 255, 4 * 64).reshape(4, 8, 8, 1).astype(np.float32),
                epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"trains on \(x_images, y_images\) batches, received "
                                         r"ndarray"):
        gan.fit(x, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"received TensorSpec"):
        gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(2), epochs=1, verbose=0)
    zipped = tf.data.Dataset.from_tensor_slices((x, _images(4, c=3))).batch(2)
    with pytest.raises(ValueError, match=r"domain Y\) expects inputs of shape"):
        gan.fit(zipped, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="a dataset carries its Y images; pass y=None"):
        gan.fit(zipped, y, epochs=1, verbose=0)
    with pytest.raises(TypeError, match="fit got multiple values for argument 'batch_size'"):
        gan.fit(x, y, 2, batch_size=2, verbose=0)          # fit's own positional order
    with pytest.raises(ValueError, match=r"translate expects inputs of shape \(batch, 8, 8, 1\)"
                                         r", received \(2, 8, 8, 3\)"):
        gan.translate(_images(2, c=3))
    with pytest.raises(ValueError, match=r"translate_back expects images in \[-1, 1\]"):
        gan.translate_back(y * 2)


def test_fit_on_arrays_of_two_lengths_reads_max_pairs_and_translation_is_g_and_f():
    """fit(x_images, y_images) reads data.unpaired_dataset (its batches: test_data_paired.py):
    max(5, 3) = 5 pairs, batches of 2, 2 and 1, so 3 steps; a batch_size above both domains'
    sizes is one step on all the images, not an epoch with nothing in it."""
    x, y = _images(5), _images(3, seed=1)
    gan = trainers.CycleGAN(*_nets(), seed=0)
    gan.compile(g_optimizer=_adam(), d_optimizer=_adam())
    gan.fit(x, y, batch_size=2, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations.numpy()) == 3
    gan.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations.numpy()) == 4
    np.testing.assert_allclose(gan.translate(x), gan.generator(x).numpy(), atol=1e-6)
    np.testing.assert_allclose(gan.translate_back(y), gan.inverse_generator(y).numpy(),
                               atol=1e-6)


# -- kill -9 and resume ----------------------------------------------------------------------

TRAIN_SCRIPT = resume.script(r"""
    from gan_tf import callbacks, trainers

    def net(c_in, seed, out):
        keras.utils.set_random_seed(seed)
        x = keras.Input((8, 8, 1))
        h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(x)
        if out == "image":
            return keras.Model(x, keras.layers.Conv2D(1, 3, padding="same", activation="tanh")(h))
        return keras.Model(x, keras.layers.Conv2D(1, 3, strides=2, padding="same")(h))

    def train(order):
        run_dir = f"{root}/{order}"
        gan = trainers.CycleGAN(net(1, 0, "image"), net(1, 1, "image"), net(1, 2, "score"),
                                net(1, 3, "score"), pool_size=3, seed=4)
        gan.compile(total_steps=2 * epochs)
        rng = np.random.default_rng(0)
        x = np.tanh(rng.normal(size=(4, 8, 8, 1))).astype(np.float32)
        y = np.tanh(rng.normal(size=(3, 8, 8, 1))).astype(np.float32)
        history = gan.fit(x, y, batch_size=2, epochs=epochs, verbose=0,
                          callbacks=[callbacks.Checkpoint(run_dir)] + pause_callbacks()).history
        print("METRICS", sorted(history), flush=True)
        state = [w.ravel() for w in gan.get_weights()]    # networks and both buffers
        np.save(run_dir + "/final.npy", np.concatenate(
            state + [gan.seed_generator.state.numpy().astype(np.float32)]))
        print("DONE", order, int(gan.d_optimizer.iterations.numpy()), flush=True)
""")


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory):
    """A straight 3-epoch run (2 steps an epoch), a run killed with SIGKILL after epoch 2 and
    its resume (``resume.kill_and_resume``)."""
    return resume.kill_and_resume(TRAIN_SCRIPT, tmp_path_factory.mktemp("resume"), ["cyclegan"],
                                  epochs=3, pause_after=2)["cyclegan"]


def test_resume_after_kill_9_gives_the_weights_and_buffers_of_a_straight_run(resumed_run):
    run = resumed_run
    code, out, err, straight_final = run["straight"]
    assert code == 0, err
    assert "DONE cyclegan 6" in out
    assert "PAUSED" in run["paused"], run.get("killed_stderr")
    assert run["pointer"]["epoch"] == 2
    code, out, err, resumed_final = run["resumed"]
    assert code == 0, err
    assert "DONE cyclegan 6" in out          # the step count (and the decay) continued from 4
    assert "METRICS ['cycle_loss', 'd_x_loss', 'd_y_loss', 'g_loss', 'identity_loss']" in out
    np.testing.assert_array_equal(np.load(straight_final), np.load(resumed_final))
