"""gan_tf.manipulation (iGAN, arXiv:1609.03552), the projection encoder and its trainer.

A *linear* generator G(z) = Az + b makes every optimum known in closed form: projection is least
squares (box-constrained when the box binds), editing under a colour brush is a ridge regression.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy.optimize import lsq_linear

from gan_tf import losses, manipulation, models, trainers

D, SIDE = 4, 8
P = SIDE * SIDE


def _linear_generator(seed=0, d=D):
    """G(z) = A z + b on 8x8x1 images; returns (G, A (P, d), b (P,))."""
    rng = np.random.default_rng(seed)
    g = keras.Sequential([keras.Input((d,)), keras.layers.Dense(P),
                          keras.layers.Reshape((SIDE, SIDE, 1))])
    w = rng.normal(0.0, 0.1, (d, P)).astype(np.float32)
    b = rng.uniform(-0.2, 0.2, P).astype(np.float32)
    g.set_weights([w, b])
    return g, w.T.astype(np.float64), b.astype(np.float64)


def _images(g, z, noise=0.0, seed=1):
    x = np.asarray(g(np.asarray(z, np.float32)))
    return (x + noise * np.random.default_rng(seed).normal(size=x.shape)).astype(np.float32)


def _flat(x):
    return np.asarray(x, np.float64).reshape(len(x), -1)


# -- projection ------------------------------------------------------------------------------

def test_projection_by_optimisation_is_least_squares_inside_the_box_and_bounded_outside():
    g, a, b = _linear_generator()
    z_true = np.array([[0.3, -0.5, 0.2, 0.1], [2.5, -0.4, -2.0, 0.6]], np.float32)
    x = _images(g, z_true, noise=0.01)
    free = np.linalg.lstsq(a, (_flat(x) - b).T, rcond=None)[0].T           # (2, d)
    assert np.abs(free[0]).max() < 1 < np.abs(free[1]).max()               # image 1: box binds
    bounded = lsq_linear(a, _flat(x)[1] - b, bounds=(-1, 1), tol=1e-12).x
    out = manipulation.project(g, x, steps=100, restarts=2, prior="uniform")
    np.testing.assert_allclose(out["z"][0], free[0], atol=1e-4)
    np.testing.assert_allclose(out["z"][1], bounded, atol=1e-4)
    # projected Adam reaches the same points
    adam = manipulation.project(g, x, solver="adam", steps=300, learning_rate=0.05,
                                restarts=1, prior="uniform")
    np.testing.assert_allclose(adam["z"], out["z"], atol=5e-3)
    # errors: mean squared pixel difference of G(z*) against x, by hand
    pixel = ((a @ out["z"].T.astype(np.float64)).T + b - _flat(x)) ** 2
    np.testing.assert_allclose(out["pixel_error"], pixel.mean(axis=1), rtol=1e-4)
    np.testing.assert_allclose(out["loss"], out["pixel_error"])
    assert out["feature_error"] is None and out["seconds"] > out["seconds_per_step"] > 0


def test_projection_with_a_feature_loss_is_the_weighted_least_squares_solution():
    """L = mean_P (Az + b - x)^2 + lam mean_K (F(Az + b) - F x)^2 with linear features F."""
    g, a, b = _linear_generator(seed=2)
    k, lam = 5, 0.5
    f = np.random.default_rng(3).normal(0.0, 1.0, (P, k)).astype(np.float32)
    feat = keras.Sequential([keras.Input((SIDE, SIDE, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(k, use_bias=False)])
    feat.set_weights([f])
    x = _images(g, [[0.4, -0.3, 0.5, -0.2]], noise=0.05, seed=4)
    ft = f.T.astype(np.float64)
    stacked = np.vstack([a / np.sqrt(P), np.sqrt(lam / k) * ft @ a])
    r = _flat(x)[0] - b
    rhs = np.concatenate([r / np.sqrt(P), np.sqrt(lam / k) * ft @ r])
    z_star = np.linalg.lstsq(stacked, rhs, rcond=None)[0]
    z_pixels = np.linalg.lstsq(a, _flat(x)[0] - b, rcond=None)[0]
    assert np.abs(z_star - z_pixels).max() > 0.02          # the feature term moves the optimum
    out = manipulation.project(g, x, feature_network=feat, lam=lam, steps=200, restarts=1)
    np.testing.assert_allclose(out["z"][0], z_star, atol=1e-4)
    fake = a @ out["z"][0].astype(np.float64) + b
    feature_error = np.mean((ft @ fake - ft @ _flat(x)[0]) ** 2)
    np.testing.assert_allclose(out["feature_error"], [feature_error], rtol=1e-3)
    np.testing.assert_allclose(out["loss"], out["pixel_error"] + lam * out["feature_error"],
                               rtol=1e-6)


def test_restarts_keep_the_best_code_per_image():
    keras.utils.set_random_seed(0)
    g = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
                          keras.layers.Dense(16, activation="tanh"),
                          keras.layers.Reshape((4, 4, 1))])
    x = _images(g, [[2.0, -2.5], [-1.5, 1.0], [0.5, 2.5]])
    kw = dict(solver="adam", steps=30, learning_rate=0.05)
    one = manipulation.project(g, x, restarts=1, **kw)
    four = manipulation.project(g, x, restarts=4, **kw)
    # the first of the four starts is the single run's start, and Adam moves codes independently
    assert np.all(four["loss"] <= one["loss"] + 1e-6)
    assert np.any(four["loss"] < one["loss"] - 1e-4)


def test_encoder_learns_the_inverse_of_a_linear_generator_and_hybrid_is_best():
    g, a, b = _linear_generator(seed=5)
    rng = np.random.default_rng(6)
    train = _images(g, rng.uniform(-1, 1, (256, D)))
    z_test = rng.uniform(-1, 1, (6, D)).astype(np.float32)
    keras.utils.set_random_seed(0)
    encoder = keras.Sequential([keras.Input((SIDE, SIDE, 1)), keras.layers.Flatten(),
                                keras.layers.Dense(D)])
    trainer = trainers.ProjectionEncoder(encoder, g)
    trainer.compile(optimizer=keras.optimizers.Adam(0.02))
    start = trainer.evaluate(train, batch_size=256, verbose=0, return_dict=True)["loss"]
    trainer.fit(tf.data.Dataset.from_tensor_slices(train).batch(32).repeat(30), verbose=0)
    end = trainer.evaluate(train, batch_size=256, verbose=0, return_dict=True)["loss"]
    assert end < 1e-3 * start
    # on the generator's range the encoder inverts it: P(G(z)) = z
    np.testing.assert_allclose(np.asarray(encoder(g(z_test))), z_test, atol=0.02)
    test = _images(g, z_test, noise=0.02, seed=7)      # off the manifold: projections differ
    kw = dict(encoder=encoder, prior="uniform", steps=60)
    enc = manipulation.project(g, test, method="encoder", **kw)
    opt = manipulation.project(g, test, method="optimisation", restarts=1, **kw)
    hyb = manipulation.project(g, test, method="hybrid", **kw)
    assert np.all(hyb["loss"] <= enc["loss"] + 1e-7)
    assert np.all(hyb["loss"] <= opt["loss"] + 1e-7)
    assert enc["loss"].mean() > 1.05 * hyb["loss"].mean()    # optimisation still helps


def test_train_step_matches_a_manual_gradient_tape_step():
    g, _, _ = _linear_generator(seed=8)
    keras.utils.set_random_seed(1)
    encoder = keras.Sequential([keras.Input((SIDE, SIDE, 1)), keras.layers.Flatten(),
                                keras.layers.Dense(6, activation="tanh"), keras.layers.Dense(D)])
    feat = keras.Sequential([keras.Input((SIDE, SIDE, 1)),
                             keras.layers.Conv2D(3, 3, activation="relu")])
    x = np.tanh(np.random.default_rng(9).normal(size=(5, SIDE, SIDE, 1))).astype(np.float32)
    twin = keras.models.clone_model(encoder)
    twin.set_weights(encoder.get_weights())
    trainer = trainers.ProjectionEncoder(encoder, g, feature_network=feat, lam=0.3)
    trainer.compile(optimizer=keras.optimizers.SGD(0.1))
    logs = trainer.train_step(tf.constant(x))
    with tf.GradientTape() as tape:
        fake = g(twin(x))
        per = (tf.reduce_mean(tf.square(fake - x), axis=[1, 2, 3])
               + 0.3 * tf.reduce_mean(tf.square(feat(fake) - feat(x)), axis=[1, 2, 3]))
        loss = tf.reduce_mean(per)
    grads = tape.gradient(loss, twin.trainable_variables)
    for v, grad, new in zip(twin.trainable_variables, grads, encoder.get_weights()):
        np.testing.assert_allclose(new, v.numpy() - 0.1 * grad.numpy(), rtol=1e-5, atol=1e-6)
    assert float(logs["loss"]) == pytest.approx(float(loss), rel=1e-5)
    assert float(logs["pixel_loss"]) < float(logs["loss"])


def test_save_weights_holds_everything_needed_to_continue_training(tmp_path):
    """The checkpoint callback's contract: a trainer restored from ``save_weights`` (encoder
    weights, batch-norm statistics, optimizer slots and step count) continues exactly as the
    uninterrupted one (the step draws no random numbers, so there is no seed state)."""
    g, _, _ = _linear_generator(seed=15)
    x = _images(g, np.random.default_rng(16).uniform(-1, 1, (32, D)))

    def make(seed):
        keras.utils.set_random_seed(seed)
        encoder = keras.Sequential([keras.Input((SIDE, SIDE, 1)), keras.layers.Flatten(),
                                    keras.layers.Dense(8), keras.layers.BatchNormalization(),
                                    keras.layers.Dense(D)])
        trainer = trainers.ProjectionEncoder(encoder, g)
        trainer.compile(optimizer=keras.optimizers.Adam(0.01))
        return trainer

    straight = make(0)
    straight.fit(x, batch_size=8, epochs=2, shuffle=False, verbose=0)
    path = str(tmp_path / "encoder.weights.h5")
    straight.save_weights(path)
    straight.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    resumed = make(1)
    resumed.load_weights(path)
    assert int(resumed.optimizer.iterations) == 8
    resumed.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(straight.encoder.weights, resumed.encoder.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7)


def test_build_projection_encoder_bounds_its_codes_to_the_box():
    enc = models.build_projection_encoder((28, 28, 1), latent_dim=5, box=2.0)
    x = np.tanh(np.random.default_rng(0).normal(size=(3, 28, 28, 1)) * 3).astype(np.float32)
    trunk = keras.Model(enc.input, enc.get_layer("flatten").output)
    w, bias = enc.get_layer("z").get_weights()
    expected = 2.0 * np.tanh(np.asarray(trunk(x)) @ w + bias)
    np.testing.assert_allclose(np.asarray(enc(x)), expected, rtol=1e-5, atol=1e-6)
    linear = models.build_projection_encoder((28, 28, 1), latent_dim=5)
    assert linear.output_shape == (None, 5) and linear.layers[-1].name == "z"
    with pytest.raises(ValueError, match="box must be a positive half-width or None, got -1"):
        models.build_projection_encoder(box=-1)


def test_feature_network_is_the_classifiers_last_convolution():
    from gan_tf.metrics.features import load_classifier

    net = manipulation.feature_network()
    x = np.tanh(np.random.default_rng(0).normal(size=(2, 28, 28, 1))).astype(np.float32)
    clf = load_classifier()
    h = x
    for name in ("conv_0", "conv_1", "conv_2"):
        h = clf.get_layer(name)(h)
    np.testing.assert_allclose(np.asarray(net(x)), np.asarray(h), rtol=1e-5, atol=1e-6)
    assert net.output_shape == (None, 7, 7, 128)


# -- editing ---------------------------------------------------------------------------------

def _ridge(a, b, z0, mask, values, weight, lam_s):
    """argmin_z weight * mean_S (Az + b - v)^2 + lam_s * mean_d (z - z0)^2 (S: mask == 1)."""
    s = mask.ravel() == 1
    a_s, r = a[s], values.ravel()[s] - b[s]
    c, d = weight / s.sum(), lam_s / a.shape[1]
    return np.linalg.solve(c * a_s.T @ a_s + d * np.eye(a.shape[1]), c * a_s.T @ r + d * z0)


def test_colour_edit_is_the_ridge_regression_inside_the_box_and_bounded_outside():
    g, a, b = _linear_generator(seed=10)
    rng = np.random.default_rng(11)
    mask = (rng.random((SIDE, SIDE)) < 0.3).astype(np.float32)
    values = rng.uniform(-0.4, 0.4, (SIDE, SIDE, 1)).astype(np.float32)
    z0 = np.array([[0.2, -0.1, 0.3, 0.0]], np.float32)
    brush = manipulation.colour_constraint(mask, values, weight=2.0)
    z_star = _ridge(a, b, z0[0].astype(np.float64), mask, values, 2.0, 10.0)
    assert np.abs(z_star).max() < 1
    for solver, kw, tol in (("lbfgs", {}, 1e-4), ("adam", dict(learning_rate=0.02), 2e-3)):
        out = manipulation.edit(g, z0, [brush], solver=solver, steps=300, prior="uniform", **kw)
        np.testing.assert_allclose(out["z"][0], z_star, atol=tol)
    # eq. 5 at z* by hand equals the reported loss
    s = mask.ravel() == 1
    fake = a @ out["z"][0].astype(np.float64) + b
    by_hand = (2.0 * np.mean((fake[s] - values.ravel()[s]) ** 2)
               + 10.0 * np.mean((out["z"][0] - z0[0]) ** 2))
    assert out["loss"][0] == pytest.approx(by_hand, rel=1e-4)
    # a weak prior term and a far target: the box binds, and the optimum is the bounded one
    far = np.full((SIDE, SIDE, 1), 0.9, np.float32)
    brush = manipulation.colour_constraint(mask, far, weight=1.0)
    assert np.abs(_ridge(a, b, z0[0], mask, far, 1.0, 0.01)).max() > 1
    c, d = 1.0 / s.sum(), 0.01 / D
    stacked = np.vstack([np.sqrt(c) * a[s], np.sqrt(d) * np.eye(D)])
    rhs = np.concatenate([np.sqrt(c) * (0.9 - b[s]), np.sqrt(d) * z0[0]])
    bounded = lsq_linear(stacked, rhs, bounds=(-1, 1), tol=1e-12).x
    out = manipulation.edit(g, z0, [brush], lam_s=0.01, solver="lbfgs", steps=300,
                            prior="uniform")
    np.testing.assert_allclose(out["z"][0], bounded, atol=1e-4)


def test_interpolation_runs_from_the_projection_to_the_edit():
    g, a, b = _linear_generator(seed=12)
    z0 = np.array([[0.5, -0.5, 0.1, 0.2], [-0.3, 0.4, 0.0, -0.6]], np.float32)
    brush = manipulation.colour_constraint(np.eye(SIDE, dtype=np.float32), 0.3)
    out = manipulation.edit(g, z0, [brush], steps=20, frames=5)
    frames = out["frames"]
    assert frames.shape == (2, 5, SIDE, SIDE, 1)
    np.testing.assert_allclose(frames[:, 0], np.asarray(g(z0)), atol=1e-6)
    np.testing.assert_allclose(frames[:, -1], np.asarray(g(out["z"])), atol=1e-6)
    np.testing.assert_array_equal(out["start"], frames[:, 0])
    np.testing.assert_array_equal(out["edited"], frames[:, -1])
    np.testing.assert_allclose(out["t"], [0, 0.25, 0.5, 0.75, 1])
    # G is linear, so the middle frame is the mean of the two ends
    np.testing.assert_allclose(frames[:, 2], (frames[:, 0] + frames[:, -1]) / 2, atol=1e-6)


def test_an_editor_edits_again_without_tracing_and_as_a_fresh_edit_does():
    g, _, _ = _linear_generator(seed=17)
    z0 = np.array([[0.2, 0.1, -0.3, 0.4]], np.float32)
    mask = np.zeros((SIDE, SIDE), np.float32)
    mask[2:5, 2:5] = 1
    editor = manipulation.Editor(g)
    first = editor.edit(z0, [manipulation.colour_constraint(mask, 0.5)], steps=30)
    brushes = [manipulation.colour_constraint(mask.T, -0.2, weight=3.0)]   # new data, same kinds
    again = editor.edit(z0, brushes, steps=40)
    assert editor._search.adam.experimental_get_tracing_count() == 1
    fresh = manipulation.edit(g, z0, brushes, steps=40)
    np.testing.assert_allclose(again["z"], fresh["z"], atol=1e-6)
    assert np.abs(again["z"] - first["z"]).max() > 1e-3
    assert again["seconds_per_step"] > 0


def _numpy_sobel_magnitude(x, eps=1e-6):
    """|Sobel| / 8 per channel (reflected borders without repeating the edge), channel mean."""
    pad = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect").astype(np.float64)
    h, w = x.shape[1:3]

    def at(dr, dc):
        return pad[:, 1 + dr:1 + dr + h, 1 + dc:1 + dc + w]

    gy = (at(1, -1) + 2 * at(1, 0) + at(1, 1)) - (at(-1, -1) + 2 * at(-1, 0) + at(-1, 1))
    gx = (at(-1, 1) + 2 * at(0, 1) + at(1, 1)) - (at(-1, -1) + 2 * at(0, -1) + at(1, -1))
    return (np.sqrt(gx ** 2 + gy ** 2 + eps) / 8).mean(axis=-1, keepdims=True)


def test_edge_map_is_the_sobel_magnitude():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 6, 7, 2)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(manipulation.edge_map(x)), _numpy_sobel_magnitude(x),
                               rtol=1e-5, atol=1e-6)
    step = np.where(np.arange(8) < 4, -1.0, 1.0)[None, None, :, None] * np.ones((1, 5, 8, 1))
    edges = np.asarray(manipulation.edge_map(step))[0, :, :, 0]
    np.testing.assert_allclose(edges[:, 3:5], 1.0, rtol=1e-6)            # a full-contrast edge
    np.testing.assert_allclose(np.delete(edges, [3, 4], axis=1), 1e-3 / 8, rtol=1e-4)  # sqrt(eps)/8


def test_sketch_edit_matches_the_edges_of_a_reachable_drawing():
    g, _, _ = _linear_generator(seed=13)
    target = np.asarray(manipulation.edge_map(g(np.array([[0.8, -0.6, 0.7, -0.9]],
                                                         np.float32))))[0, :, :, 0]
    assert target.max() <= 1
    z0 = np.zeros((1, D), np.float32)
    brush = manipulation.sketch_constraint(target, np.ones((SIDE, SIDE)))
    before = float(manipulation.edit_objective(g, z0, z0, [brush])[0])
    out = manipulation.edit(g, z0, [brush], lam_s=0.0, solver="lbfgs", steps=200)
    assert out["loss"][0] < 1e-3 * before
    edges = np.asarray(manipulation.edge_map(out["edited"]))[0, :, :, 0]
    np.testing.assert_allclose(edges, target, atol=5e-3)
    # the default mask: the stroke pixels
    np.testing.assert_array_equal(manipulation.sketch_constraint(np.eye(3)).mask, np.eye(3))


def test_warp_constraint_moves_a_region_and_clips_it_at_the_border():
    image = np.arange(36, dtype=np.float32).reshape(6, 6, 1) / 36
    c = manipulation.warp_constraint(image, region=(1, 1, 2, 3), shift=(2, -1))
    assert c.kind == "warp"
    np.testing.assert_array_equal(c.target[3:5, 0:3, 0], image[1:3, 1:4, 0])
    expected = np.zeros((6, 6))
    expected[3:5, 0:3] = 1
    np.testing.assert_array_equal(c.mask, expected)
    assert c.target[c.mask == 0].sum() == 0
    edge = manipulation.warp_constraint(image, region=(4, 4, 2, 2), shift=(1, 1))   # half out
    np.testing.assert_array_equal(np.argwhere(edge.mask), [[5, 5]])
    assert edge.target[5, 5, 0] == image[4, 4, 0]
    with pytest.raises(ValueError, match=r"region \(top, left, height, width\) must lie inside "
                                         r"the 6x6 image, got \(4, 4, 3, 2\)"):
        manipulation.warp_constraint(image, region=(4, 4, 3, 2), shift=(0, 0))


def test_a_warp_edit_of_a_linear_generator_is_the_ridge_regression_on_the_moved_pixels():
    g, a, b = _linear_generator(seed=14)
    z0 = np.array([[0.1, 0.4, -0.2, 0.3]], np.float32)
    start = np.asarray(g(z0))[0]
    brush = manipulation.warp_constraint(start, region=(2, 2, 3, 3), shift=(1, 2))
    z_star = _ridge(a, b, z0[0].astype(np.float64), brush.mask, brush.target, 1.0, 10.0)
    out = manipulation.edit(g, z0, [brush], solver="lbfgs", steps=200, prior="uniform")
    np.testing.assert_allclose(out["z"][0], z_star, atol=1e-4)


# -- errors ----------------------------------------------------------------------------------

def test_errors_name_what_was_expected_and_received():
    g, _, _ = _linear_generator()
    x = np.zeros((2, SIDE, SIDE, 1), np.float32)
    z0 = np.zeros((2, D), np.float32)
    brush = manipulation.colour_constraint(np.ones((SIDE, SIDE)), 0.5)
    with pytest.raises(ValueError, match=r"^project images expects images in \[-1, 1\], "
                                         r"received values in \[0, 255\]"):
        manipulation.project(g, x + np.array([0, 255], np.float32)[:, None, None, None])
    with pytest.raises(ValueError, match=r"project images must have the generator's image "
                                         r"shape \(8, 8, 1\), got \(8, 8, 3\)"):
        manipulation.project(g, np.zeros((2, SIDE, SIDE, 3), np.float32))
    with pytest.raises(ValueError, match=r"project images must have shape \(n, h, w, c\), "
                                         r"got \(8, 8, 1\)"):
        manipulation.project(g, x[0])
    with pytest.raises(ValueError, match=r"^colour mask must have shape \(h, w\) = \(8, 8\) or "
                                         r"\(n, h, w\) = \(2, 8, 8\) to match images "
                                         r"\(2, 8, 8, 1\), got \(7, 7\)$"):
        manipulation.edit(g, z0, [manipulation.colour_constraint(np.ones((7, 7)), 0.5)])
    with pytest.raises(ValueError, match=r"colour mask must hold only 0 \(free\) and 1 "
                                         r"\(constrained\)"):
        manipulation.edit(g, z0, [manipulation.colour_constraint(np.full((8, 8), 0.5), 0.5)])
    with pytest.raises(ValueError, match=r"^lam must be a number >= 0, got -1"):
        manipulation.project(g, x, lam=-1)
    with pytest.raises(ValueError, match=r"^lam_s must be a number >= 0, got -0.5"):
        manipulation.edit(g, z0, [brush], lam_s=-0.5)
    with pytest.raises(ValueError, match=r"^weight must be a number >= 0, got -2"):
        manipulation.colour_constraint(np.ones((8, 8)), 0.5, weight=-2)
    with pytest.raises(ValueError, match=r"^steps must be a positive int, got 0"):
        manipulation.project(g, x, steps=0)
    with pytest.raises(ValueError, match=r"^steps must be a positive int, got -3"):
        manipulation.edit(g, z0, [brush], steps=-3)
    with pytest.raises(ValueError, match=r"^z0 must have shape \(n, 4\), got \(2, 5\)"):
        manipulation.edit(g, np.zeros((2, 5)), [brush])
    with pytest.raises(ValueError, match=r"^method='hybrid' needs encoder="):
        manipulation.project(g, x, method="hybrid")
    with pytest.raises(ValueError, match=r"^unknown prior 'gauss'; expected one of "
                                         r"\('normal', 'uniform'\)"):
        manipulation.project(g, x, prior="gauss")
    with pytest.raises(ValueError, match=r"^colour_constraint values expects images in "
                                         r"\[-1, 1\], received values in \[2, 2\]"):
        manipulation.colour_constraint(np.ones((8, 8)), 2.0)
    with pytest.raises(ValueError, match=r"^edit needs at least one constraint"):
        manipulation.edit(g, z0, [])
    encoder = keras.Sequential([keras.Input((SIDE, SIDE, 1)), keras.layers.Flatten(),
                                keras.layers.Dense(D + 1)])
    with pytest.raises(ValueError, match=r"the encoder returns \(5,\), the generator takes z of "
                                         r"shape \(4,\)"):
        trainers.ProjectionEncoder(encoder, g)


def test_projection_loss_by_hand():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 3, 3, 1)), rng.normal(size=(2, 3, 3, 1))
    fx, fy = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    expected = ((x - y) ** 2).mean(axis=(1, 2, 3)) + 0.1 * ((fx - fy) ** 2).mean(axis=1)
    np.testing.assert_allclose(losses.projection_loss(x, y, fx, fy, lam=0.1, reduction="none"),
                               expected, rtol=1e-5)
    with pytest.raises(ValueError, match="give both features and target_features, or neither"):
        losses.projection_loss(x, y, fx)
