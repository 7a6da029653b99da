"""gan_tf.inpainting: contextual weights, Poisson blending, harmonic fill, latent search."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import inpainting


def test_contextual_weights_count_missing_neighbours():
    mask = np.ones((1, 5, 5), np.float32)
    mask[0, 2, 2] = 0
    w = inpainting.contextual_weights(mask, window=3)[0]
    assert w[2, 2] == 0                                   # the missing pixel itself
    np.testing.assert_allclose(w[1:4, 1:4][mask[0, 1:4, 1:4] == 1], 1 / 9, rtol=1e-6)
    assert w[0].sum() == 0 and w[:, 0].sum() == 0          # outside the window
    with pytest.raises(ValueError, match="odd"):
        inpainting.contextual_weights(mask, window=4)


def test_poisson_blend_with_the_true_image_as_guidance_recovers_it():
    rng = np.random.default_rng(0)
    truth = rng.uniform(-1, 1, (2, 9, 9, 2)).astype(np.float32)
    mask = inpainting.centre_mask((9, 9), 5)
    damaged = truth * mask[None, :, :, None]
    out = inpainting.poisson_blend(damaged, mask, truth)
    np.testing.assert_allclose(out, truth, atol=1e-5)
    # a constant offset in the guidance changes nothing (only gradients count)
    np.testing.assert_allclose(inpainting.poisson_blend(damaged, mask, truth + 0.7), truth,
                               atol=1e-5)


def test_harmonic_fill_reproduces_a_linear_ramp_and_random_holes():
    ramp = np.linspace(-1, 1, 12, dtype=np.float32)
    image = np.tile(ramp[None, :], (12, 1))[None, :, :, None]
    for mask in (inpainting.centre_mask((12, 12), 6),
                 inpainting.random_mask(1, (12, 12), missing=0.8, seed=1)[0]):
        mask = mask.copy()
        mask[:, 0] = mask[:, -1] = 1   # a linear function is harmonic given its ends
        out = inpainting.harmonic_fill(image * mask[None, :, :, None], mask)
        np.testing.assert_allclose(out, image, atol=1e-5)


def test_random_mask_fraction_and_masked_error():
    masks = inpainting.random_mask(64, (28, 28), missing=0.8, seed=0)
    assert abs((1 - masks).mean() - 0.8) < 0.01
    truth = np.zeros((1, 4, 4, 1), np.float32)
    completed = np.ones_like(truth)
    mask = np.ones((4, 4), np.float32)
    mask[:2] = 0
    completed[:, 2:] = 0  # right where known, off by 1 where missing
    assert inpainting.masked_error(completed, truth, mask) == 1.0
    with pytest.raises(ValueError, match="0 \\(missing\\) and 1"):
        inpainting.masked_error(completed, truth, mask * 0.5)


def test_latent_search_recovers_missing_pixels_of_an_image_the_generator_can_make():
    """A linear 'generator' G(z) = Wz can make the truth exactly; the contextual loss alone
    (lambda = 0) then finds missing pixels far better than the harmonic baseline."""
    keras.utils.set_random_seed(0)
    g = keras.Sequential([keras.Input((6,)), keras.layers.Dense(64, use_bias=False),
                          keras.layers.Reshape((8, 8, 1))])
    d = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    z_true = np.random.default_rng(1).normal(size=(4, 6)).astype(np.float32)
    truth = np.asarray(g(z_true))
    mask = inpainting.centre_mask((8, 8), 4)
    damaged = truth * mask[None, :, :, None]
    out = inpainting.inpaint(g, d, damaged, mask, steps=400, lam=0.0, learning_rate=0.05,
                             window=3, seed=0)
    assert out["losses"][-1] < 0.05 * out["losses"][0]
    gan_err = inpainting.masked_error(out["blended"], truth, mask)
    base_err = inpainting.masked_error(inpainting.harmonic_fill(damaged, mask), truth, mask)
    assert gan_err < 0.1 * base_err
    np.testing.assert_array_equal(out["overlay"][:, 0], truth[:, 0])  # known pixels kept


def test_restarts_keep_the_best_code_per_image():
    keras.utils.set_random_seed(0)
    g = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="tanh"),
                          keras.layers.Dense(16, activation="tanh"),  # images in [-1, 1]
                          keras.layers.Reshape((4, 4, 1))])
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    truth = np.asarray(g(np.array([[1.5, -2.0], [-1.0, 0.5]], np.float32)))
    mask = inpainting.centre_mask((4, 4), 2)
    damaged = truth * mask[None, :, :, None]
    first_codes = np.asarray(keras.random.normal((2 * 4, 2), seed=1))[:2]
    one = inpainting.inpaint(g, d, damaged, mask, steps=30, lam=0.0, learning_rate=0.05,
                             window=3, blend=False, z_init=first_codes)
    four = inpainting.inpaint(g, d, damaged, mask, steps=30, lam=0.0, learning_rate=0.05,
                              window=3, seed=1, blend=False, restarts=4)
    w = inpainting.contextual_weights(np.broadcast_to(mask, (2, 4, 4)), 3)[..., None]

    def ctx(x):
        return np.abs(w * (x - damaged)).sum(axis=(1, 2, 3))

    # codes are optimised independently, and the first of the four starts where the single
    # run starts, so the best of four is no worse
    assert np.all(ctx(four["generated"]) <= ctx(one["generated"]) + 1e-5)
    assert four["z"].shape == (2, 2)


def _tiny_gd(latent=3, side=4):
    keras.utils.set_random_seed(0)
    g = keras.Sequential([keras.Input((latent,)), keras.layers.Dense(side * side, use_bias=False),
                          keras.layers.Reshape((side, side, 1))])
    d = keras.Sequential([keras.Input((side, side, 1)), keras.layers.Flatten(),
                          keras.layers.Dense(1, bias_initializer="ones")])
    return g, d


def test_inpaint_rejects_images_outside_minus_one_one_and_non_finite_values():
    g, d = _tiny_gd()
    mask = inpainting.centre_mask((4, 4), 2)
    uint8_like = np.full((2, 4, 4, 1), 255.0, np.float32)
    uint8_like[0, 0, 0, 0] = 0.0
    with pytest.raises(ValueError, match=r"^inpaint images expects images in \[-1, 1\], "
                                         r"received values in \[0, 255\]; scale uint8"):
        inpainting.inpaint(g, d, uint8_like, mask, steps=1)
    nan = np.zeros((2, 4, 4, 1), np.float32)
    nan[1, 2, 2, 0] = np.nan
    with pytest.raises(ValueError, match=r"^harmonic_fill images expects finite values, received "
                                         r"non-finite values \(1 NaN, 0 Inf\) among 32;"):
        inpainting.harmonic_fill(nan, mask)


def test_inpaint_rejects_a_mask_of_the_wrong_size_naming_both_shapes():
    g, d = _tiny_gd()
    images = np.zeros((2, 4, 4, 1), np.float32)
    with pytest.raises(ValueError, match=r"^mask must have shape \(h, w\) = \(4, 4\) or \(n, h, w\) "
                                         r"= \(2, 4, 4\) to match images \(2, 4, 4, 1\), got \(5, 5\)$"):
        inpainting.inpaint(g, d, images, np.ones((5, 5), np.float32), steps=1)
    with pytest.raises(ValueError, match=r"mask must have shape .* got \(3, 4, 4\)$"):
        inpainting.poisson_blend(images, np.ones((3, 4, 4), np.float32), images)


def test_check_image_range_numbers():
    from gan_tf import checks

    checks.check_image_range(np.array([-1.0005, 0.0, 1.0005]), "x")  # within tol 1e-3
    checks.check_image_range(tf.constant([[-1.0, 1.0]]), "x")        # eager tensors too
    with pytest.raises(ValueError, match=r"^f expects images in \[-1, 1\], received values in "
                                         r"\[-1, 1\.01\]"):
        checks.check_image_range(np.array([-1.0, 1.01]), "f")
    with pytest.raises(ValueError, match=r"^f expects images in \[0, 1\], received values in "
                                         r"\[-0\.5, 0\.5\]"):
        checks.check_image_range(np.array([-0.5, 0.5]), "f", low=0.0)
    with pytest.raises(ValueError, match=r"^f expects finite values, received non-finite values \(0 NaN, 2 Inf\) among 4"):
        checks.check_image_range(np.array([np.inf, 0.0, -np.inf, 0.5]), "f")


def test_total_loss_is_contextual_plus_lambda_times_perceptual_by_hand():
    """L(z) = ||W * (G(z) - y)||_1 + lambda * log(1 - D(G(z))), per code, averaged (eq. 4)."""
    g, d = _tiny_gd()
    rng = np.random.default_rng(0)
    z0 = rng.normal(size=(2, 3)).astype(np.float32)
    images = np.tanh(rng.normal(size=(2, 4, 4, 1))).astype(np.float32)
    mask = inpainting.centre_mask((4, 4), 2)
    (wg,), (wd, bd) = g.get_weights(), d.get_weights()
    fake = (z0.astype(np.float64) @ wg).reshape(2, 4, 4, 1)
    w = inpainting.contextual_weights(np.broadcast_to(mask, (2, 4, 4)), 3)[..., None]
    contextual = np.abs(w * (fake - images)).sum(axis=(1, 2, 3))
    logit = fake.reshape(2, 16) @ wd[:, 0] + bd[0]
    perceptual = np.log(1.0 - 1.0 / (1.0 + np.exp(-logit)))   # log(1 - D(G(z)))
    assert np.all(np.abs(perceptual) > 0.05) and np.all(contextual > 0.05)
    for lam in (0.0, 0.5, 2.0):
        out = inpainting.inpaint(g, d, images, mask, steps=1, lam=lam, window=3,
                                 blend=False, z_init=z0)
        # losses[0] is the loss at z_init, before the first step
        assert out["losses"][0] == pytest.approx(np.mean(contextual + lam * perceptual), rel=1e-5)


def test_the_perceptual_term_moves_the_search_towards_what_d_calls_real():
    """lambda > 0 trades context for realism: from the same start, the codes differ and
    D's logit on G(z_hat) ends higher than with lambda = 0 (lower log(1 - D))."""
    g, d = _tiny_gd()
    rng = np.random.default_rng(1)
    z0 = rng.normal(size=(2, 3)).astype(np.float32)
    truth = np.tanh(np.asarray(g(rng.normal(size=(2, 3)).astype(np.float32))))
    mask = inpainting.centre_mask((4, 4), 2)
    kw = dict(steps=60, learning_rate=0.05, window=3, blend=False, z_init=z0)
    plain = inpainting.inpaint(g, d, truth, mask, lam=0.0, **kw)
    real = inpainting.inpaint(g, d, truth, mask, lam=1.0, **kw)
    assert np.abs(plain["z"] - real["z"]).max() > 0.05
    logit_plain = np.asarray(d(plain["generated"]))[:, 0]
    logit_real = np.asarray(d(real["generated"]))[:, 0]
    assert np.all(logit_real > logit_plain + 0.1), (logit_plain, logit_real)


def test_sphere_keeps_every_code_at_the_typical_radius_of_the_prior():
    g, d = _tiny_gd(latent=6)
    rng = np.random.default_rng(2)
    truth = np.tanh(np.asarray(g(rng.normal(size=(3, 6)).astype(np.float32))))
    mask = inpainting.centre_mask((4, 4), 2)
    z0 = 5.0 * rng.normal(size=(3, 6)).astype(np.float32)  # far off the sphere |z| = sqrt(6)
    kw = dict(steps=40, lam=0.0, learning_rate=0.05, window=3, blend=False, z_init=z0)
    free = inpainting.inpaint(g, d, truth, mask, **kw)
    on = inpainting.inpaint(g, d, truth, mask, sphere=True, **kw)
    np.testing.assert_allclose(np.linalg.norm(on["z"], axis=1), np.sqrt(6.0), rtol=1e-5)
    assert np.abs(np.linalg.norm(free["z"], axis=1) - np.sqrt(6.0)).max() > 1.0
    assert on["losses"][-1] < on["losses"][0]
