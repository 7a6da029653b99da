"""gan_tf.trainers.LAPGANLevel / LAPGAN and gan_tf.models.lapgan (Denton et al.,
arXiv:1506.05751): a level's real pair is (h_k, l_k) with h_k + l_k = I_k; its step equals a
hand-written GradientTape step with the same noise planes; coarse-to-fine sampling is the
reconstruction of the sampled band-pass images (section 2.3); CC-LAPGAN labels are checked and
passed down every level; the container fits every level and its weights round-trip."""

import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import models, pyramid, trainers
from twins import clone as _clone, adam as _adam

S, K = 8, 3     # the levels of the step tests are 8x8; 3 classes


def _images(n=8, size=S, seed=0):
    rng = np.random.default_rng(seed)
    return np.tanh(rng.normal(size=(n, size, size, 1))).astype(np.float32)


def _level_nets(classes=None, seed=0, size=S):
    keras.utils.set_random_seed(seed)
    return (models.build_lapgan_level_generator(size, 1, n_classes=classes, filters=4),
            models.build_lapgan_level_discriminator(size, 1, n_classes=classes, filters=4,
                                                    dropout=0.0))


def _tiny_lapgan(classes=None, seed=0):
    keras.utils.set_random_seed(seed)
    return trainers.build_lapgan(image_size=16, levels=3, n_classes=classes, latent_dim=4,
                                 filters=4, coarse_units=(16,), coarse_d_units=(16,),
                                 dropout=0.0, seed=seed)


def test_level_real_pair_is_band_pass_and_low_pass_summing_to_the_image():
    x = _images()
    level = trainers.LAPGANLevel(*_level_nets())
    band, low = level.split_batch(tf.constant(x))
    expected_low = pyramid.upsample(pyramid.downsample(x)).numpy()     # l_k = u(d(I_k))
    np.testing.assert_allclose(low, expected_low, atol=1e-7)
    np.testing.assert_allclose(band.numpy() + low.numpy(), x, atol=1e-6)   # h_k + l_k = I_k
    assert np.abs(band.numpy()).max() > 0.05                          # real detail left
    cc = trainers.LAPGANLevel(*_level_nets(K), n_classes=K)
    y = np.arange(8, dtype=np.int32) % K
    band2, (low2, y2) = cc.split_batch((tf.constant(x), tf.constant(y)))
    np.testing.assert_allclose(band2, band, atol=0)
    np.testing.assert_allclose(low2, low, atol=0)
    np.testing.assert_array_equal(y2, y)


def _manual_level_step(g, d, images, labels, d_steps, seed):
    """The CGAN objective of arXiv:1506.05751 (section 2.1) at one level (non-saturating G loss),
    written out: h = I - u(d(I)), l = u(d(I)); the fakes G([z, l]) for the real minibatch's l,
    z uniform in [-1, 1] drawn from the trainer's seed generator; D sees (h, l) (+ the one-hot
    labels)."""
    sg = keras.random.SeedGenerator(seed)
    d_opt, g_opt = _adam(), _adam()
    d_opt.build(d.trainable_variables)
    g_opt.build(g.trainable_variables)
    low = pyramid.upsample(pyramid.downsample(images))
    band = images - low
    m = images.shape[0] // d_steps

    def rows(t, i):
        return t[i::d_steps][:m]

    def extra(i):
        return [] if labels is None else [tf.one_hot(rows(labels, i), K)]

    for i in range(d_steps):
        z = keras.random.uniform((m, S, S, 1), minval=-1.0, maxval=1.0, seed=sg)
        fake = g([z, rows(low, i)] + extra(i), training=True)
        with tf.GradientTape() as tape:
            r = d([rows(band, i), rows(low, i)] + extra(i), training=True)
            f = d([fake, rows(low, i)] + extra(i), training=True)
            loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(r)) - tf.math.log(1 - tf.sigmoid(f)))
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
    z = keras.random.uniform((m, S, S, 1), minval=-1.0, maxval=1.0, seed=sg)
    with tf.GradientTape() as tape:
        f = d([g([z, rows(low, 0)] + extra(0), training=True), rows(low, 0)] + extra(0),
              training=True)
        loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(f)))
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables), g.trainable_variables))


@pytest.mark.parametrize("classes, d_steps", [(None, 1), (None, 2), (K, 2)])
def test_level_step_matches_manual_gradient_tape_step(classes, d_steps):
    g, d = _level_nets(classes)
    g2, d2 = _clone(g), _clone(d)
    x = _images()
    y = np.arange(8, dtype=np.int32) % K
    level = trainers.LAPGANLevel(g, d, n_classes=classes, d_steps=d_steps, seed=5)
    level.compile(d_optimizer=_adam(), g_optimizer=_adam())
    batch = tf.constant(x) if classes is None else (tf.constant(x), tf.constant(y))
    logs = level.train_step(batch)
    _manual_level_step(g2, d2, tf.constant(x), None if classes is None else tf.constant(y),
                       d_steps, seed=5)
    for a, b in zip(g.get_weights() + d.get_weights(), g2.get_weights() + d2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    start = _level_nets(classes)
    assert not np.allclose(g.get_weights()[0], start[0].get_weights()[0])
    assert not np.allclose(d.get_weights()[0], start[1].get_weights()[0])
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))


def test_sample_is_coarse_to_fine_and_the_reconstruction_of_its_levels():
    lap = _tiny_lapgan()
    images, levels = lap.sample(5, seed=3, return_levels=True)
    assert [a.shape for a in levels["gaussian"]] == [(5, 16, 16, 1), (5, 8, 8, 1),
                                                     (5, 4, 4, 1)]
    assert [a.shape for a in levels["laplacian"]] == [(5, 16, 16, 1), (5, 8, 8, 1),
                                                      (5, 4, 4, 1)]
    np.testing.assert_allclose(images, levels["gaussian"][0], atol=0)
    np.testing.assert_allclose(pyramid.reconstruct(levels["laplacian"]), images, atol=1e-6)
    for k in range(2):       # section 2.3: I~_k = u(I~_{k+1}) + G_k(z_k, u(I~_{k+1}))
        low = pyramid.upsample(levels["gaussian"][k + 1]).numpy()
        np.testing.assert_allclose(levels["lowpass"][k], low, atol=1e-6)
        np.testing.assert_allclose(levels["gaussian"][k], low + levels["laplacian"][k],
                                   atol=1e-6)
    # the finest band-pass image is G_0 on its own seed's noise planes and the upsampled 8x8
    seed_0 = trainers.lapgan._level_seed(3, 0)
    z = keras.random.uniform((5, 16, 16, 1), minval=-1.0, maxval=1.0, seed=seed_0)
    band = lap.levels[0].generator([z, tf.constant(levels["lowpass"][0])]).numpy()
    np.testing.assert_allclose(levels["laplacian"][0], band, atol=1e-6)
    np.testing.assert_allclose(levels["gaussian"][2], lap.levels[2].sample(
        5, seed=trainers.lapgan._level_seed(3, 2)), atol=0)
    np.testing.assert_allclose(lap.sample(5, seed=3), images, atol=0)      # seeded
    assert np.abs(lap.sample(5, seed=4) - images).max() > 1e-4


def test_cc_lapgan_passes_the_labels_down_every_level():
    lap = _tiny_lapgan(classes=K)
    images, levels = lap.sample(4, seed=1, labels=2, return_levels=True)
    np.testing.assert_allclose(levels["gaussian"][2], lap.levels[2].sample(
        4, seed=trainers.lapgan._level_seed(1, 2), labels=2), atol=0)
    z = keras.random.uniform((4, 16, 16, 1), minval=-1.0, maxval=1.0,
                             seed=trainers.lapgan._level_seed(1, 0))
    low = tf.constant(levels["lowpass"][0])
    band = lap.levels[0].generator([z, low, tf.one_hot([2] * 4, K)]).numpy()
    np.testing.assert_allclose(levels["laplacian"][0], band, atol=1e-6)
    default = lap.sample(4, seed=1)                          # classes in turn: 0 1 2 0
    np.testing.assert_allclose(default[2], images[2], atol=1e-6)
    mixed = lap.sample(4, seed=1, labels=[0, 1, 2, 0])
    np.testing.assert_allclose(mixed, default, atol=0)
    assert np.abs(lap.sample(4, seed=1, labels=0)[2] - images[2]).max() > 1e-5


@pytest.mark.parametrize("labels, match", [
    (np.array([0, 1, 2, 7]), r"labels in \[0, 2\] \(3 classes\), received values in \[0, 7\]"),
    (np.array([0.5] * 4), "integer class labels"),
    (np.arange(3), "expects 4 labels"),
])
def test_cc_lapgan_rejects_bad_labels(labels, match):
    lap = _tiny_lapgan(classes=K)
    with pytest.raises(ValueError, match=match):
        lap.sample(4, labels=labels)
    lap.compile()
    x = _images(4, 16)
    with pytest.raises(ValueError, match=match):
        lap.fit(x, labels, batch_size=4, steps=1)
    level = lap.levels[1]                 # a level on its own checks them too (8x8 images)
    with pytest.raises(ValueError, match=match):
        level.fit(_images(4, 8), labels, batch_size=4, epochs=1, verbose=0)


def test_lapgan_label_and_structure_errors():
    plain = _tiny_lapgan()
    with pytest.raises(ValueError, match="lapgan is unconditional: sample\\(\\) takes no labels"):
        plain.sample(2, labels=1)
    cc = _tiny_lapgan(classes=K)
    with pytest.raises(ValueError, match=r"cc_lapgan.sample expects 4 labels .*received 2"):
        cc.sample(4, labels=[0, 1])
    cc.compile()
    with pytest.raises(ValueError, match="trains on \\(images, labels\\), received images alone"):
        cc.fit(_images(4, 16), batch_size=4, steps=1)
    with pytest.raises(ValueError, match="level 1 must make images half the size of level 0"):
        trainers.LAPGAN([plain.levels[0], plain.levels[0], plain.levels[2]])
    with pytest.raises(ValueError, match="same n_classes"):
        trainers.LAPGAN([plain.levels[0], plain.levels[1], cc.levels[2]])
    with pytest.raises(ValueError, match="levels\\[0\\] must be a LAPGANLevel, got GAN"):
        trainers.LAPGAN([plain.levels[2], plain.levels[2]])
    with pytest.raises(ValueError, match="each level needs its own d_optimizer"):
        plain.compile(d_optimizer=keras.optimizers.Adam())
    with pytest.raises(ValueError, match=r"generator must take \[z, l\] \(2 inputs\)"):
        trainers.LAPGANLevel(_level_nets(K)[0], _level_nets()[1])
    with pytest.raises(ValueError, match=r"takes y of shape \(3,\), expected \(4,\)"):
        trainers.LAPGANLevel(*_level_nets(K), n_classes=4)
    with pytest.raises(ValueError, match=r"expects lowpass of shape \(2, 8, 8, 1\)"):
        plain.levels[1].sample(2, lowpass=np.zeros((2, 4, 4, 1), np.float32))


def test_lapgan_fit_trains_every_level_on_its_own_pyramid_level():
    lap = _tiny_lapgan()
    lap.compile(d_optimizer=_adam, g_optimizer=_adam, run_eagerly=True)   # no tracing: < 3 s
    x = _images(64, 16, seed=2)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(64)
    coarse_batch = next(iter(lap.level_data(ds, 2)))
    np.testing.assert_allclose(coarse_batch, pyramid.gaussian_pyramid(x, 3)[2], atol=1e-6)
    before = [[w.copy() for w in lvl.generator.get_weights() + lvl.discriminator.get_weights()]
              for lvl in lap.levels]
    history = lap.fit(x, batch_size=64)     # equal steps: one pass, one batch of 64 per level
    assert list(history) == ["lapgan_level_0", "lapgan_level_1", "lapgan_level_2"]
    for lvl, start in zip(lap.levels, before):
        after = lvl.generator.get_weights() + lvl.discriminator.get_weights()
        assert all(np.abs(a - b).max() > 1e-6 for a, b in zip(after, start)), lvl.name
        assert int(lvl.d_optimizer.iterations) == 1 and int(lvl.g_optimizer.iterations) == 1
    coarse = lap.levels[2]                   # the time budget stops fit after its first step
    timed = coarse.fit(lap.level_data(ds, 2), epochs=50, verbose=0,
                       callbacks=[trainers.lapgan._TimeBudget(1e-3)])
    assert int(coarse.g_optimizer.iterations) == 2 and len(timed.history["d_loss"]) == 1


def test_lapgan_fit_gives_every_level_the_same_budget(monkeypatch):
    lap = _tiny_lapgan()
    lap.compile()
    calls = []
    for lvl in lap.levels:
        monkeypatch.setattr(lvl, "fit", lambda ds, **kw: calls.append((ds, kw)) or
                            types.SimpleNamespace(history={}))
    x = _images(8, 16)
    lap.fit(x, batch_size=4, steps=5)
    assert [(kw["epochs"], kw["steps_per_epoch"]) for _, kw in calls] == [(1, 5)] * 3
    assert all(ds.cardinality() == tf.data.INFINITE_CARDINALITY for ds, _ in calls)
    calls.clear()
    lap.fit(x, batch_size=4, epochs=3)
    assert [kw["epochs"] for _, kw in calls] == [3] * 3
    assert [tuple(next(iter(ds)).shape) for ds, _ in calls] == [(4, 16, 16, 1), (4, 8, 8, 1),
                                                               (4, 4, 4, 1)]
    calls.clear()
    lap.fit(x, batch_size=4, seconds=2.5)
    budgets = [[c.seconds for c in kw["callbacks"] if isinstance(c, trainers.lapgan._TimeBudget)]
               for _, kw in calls]
    assert budgets == [[2.5]] * 3 and all(kw["epochs"] >= 10 ** 6 for _, kw in calls)
    with pytest.raises(ValueError, match="give steps or seconds, not both"):
        lap.fit(x, steps=1, seconds=1.0)
    with pytest.raises(ValueError, match="seconds must be a positive number, got 0"):
        lap.fit(x, seconds=0)
    with pytest.raises(ValueError, match=r"expects images of shape \(n, 16, 16, 1\), received "
                                         r"\(8, 8, 8, 1\)"):
        lap.fit(_images(8, 8))


def test_lapgan_weights_round_trip(tmp_path):
    lap = _tiny_lapgan(classes=K, seed=0)
    lap.compile()
    x, y = _images(8, 16), tf.constant(np.arange(8) % K)
    for lvl, images in zip(lap.levels, pyramid.gaussian_pyramid(x, 3)):   # one step each
        lvl.train_step((images, y))
    path = str(tmp_path / "lapgan.weights.h5")
    lap.save_weights(path)
    other = _tiny_lapgan(classes=K, seed=1)
    other.compile()
    assert np.abs(other.sample(3, seed=2) - lap.sample(3, seed=2)).max() > 1e-4
    other.load_weights(path)
    for a, b in zip(lap.weights, other.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=0)
    for x, y in zip(lap.levels, other.levels):
        np.testing.assert_array_equal(x.seed_generator.state.numpy(),
                                      y.seed_generator.state.numpy())
    np.testing.assert_allclose(other.sample(3, seed=2), lap.sample(3, seed=2), atol=0)


def test_lapgan_networks_follow_the_paper():
    g, d = _level_nets()
    h, low = tf.constant(_images(2, seed=3)), tf.constant(_images(2, seed=4))
    # join="add": D_k sees h + l (arXiv:1506.05751 section 2.3)
    np.testing.assert_allclose(d([h, low]), d([h + low, tf.zeros_like(low)]), atol=1e-5)
    cat = models.build_lapgan_level_discriminator(S, 1, filters=4, dropout=0.0, join="concat")
    assert cat.get_layer("conv_0").kernel.shape == (5, 5, 2, 4)
    z = tf.random.uniform((2, S, S, 1), -1.0, 1.0, seed=0)
    assert g([z, low]).shape == (2, S, S, 1)
    assert g.get_layer("conv_0").kernel.shape == (5, 5, 2, 4)       # noise plane + l
    gc = models.build_lapgan_level_generator(S, 1, n_classes=K, filters=4)
    assert gc.get_layer("conv_0").kernel.shape == (5, 5, 3, 4)      # + the class plane
    assert gc.get_layer("y_linear").kernel.shape == (K, S * S)
    a = gc([z, low, tf.one_hot([0, 0], K)]).numpy()
    b = gc([z, low, tf.one_hot([1, 1], K)]).numpy()
    assert np.abs(a - b).max() > 1e-5
    coarse_g = models.build_lapgan_coarse_generator()
    assert coarse_g.count_params() == (100 * 1200 + 1200) + (1200 * 1200 + 1200) + (1200 * 64
                                                                                    + 64)
    coarse_d = models.build_lapgan_coarse_discriminator()
    assert coarse_d.count_params() == (64 * 600 + 600) + (600 * 600 + 600) + 601
    assert models.lapgan.level_sizes(32, 3) == (32, 16, 8)
    with pytest.raises(ValueError, match="divisible by 2 \\*\\* \\(levels - 1\\) = 4"):
        models.lapgan.level_sizes(30, 3)
    with pytest.raises(ValueError, match="join must be one of add, concat, got 'sum'"):
        models.build_lapgan_level_discriminator(S, join="sum")
