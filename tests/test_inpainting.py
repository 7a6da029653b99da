"""gan_tf.inpainting: contextual weights, Poisson blending, harmonic fill, latent search."""

import keras
import numpy as np
import pytest

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
                          keras.layers.Dense(16), keras.layers.Reshape((4, 4, 1))])
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
