"""StackGAN's pure losses (gan_tf.losses): the conditioning-augmentation KL against its closed
form in NumPy and a Monte-Carlo estimate (arXiv:1612.03242, section 3.2), and StackGAN-v2's
colour-consistency regulariser against per-image pixel statistics computed by hand
(arXiv:1710.10916, section 4.3)."""

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses


def _kl_numpy(mu, log_sigma):
    sigma2 = np.exp(2 * log_sigma)
    return np.sum(0.5 * (mu ** 2 + sigma2) - log_sigma - 0.5, axis=1)


def test_ca_kl_matches_the_closed_form_and_a_monte_carlo_estimate():
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(3, 4)).astype(np.float32)
    log_sigma = rng.normal(scale=0.5, size=(3, 4)).astype(np.float32)
    per_example = losses.ca_kl_loss(mu, log_sigma, reduction="none").numpy()
    np.testing.assert_allclose(per_example, _kl_numpy(mu, log_sigma), rtol=1e-5)
    assert float(losses.ca_kl_loss(mu, log_sigma)) == pytest.approx(per_example.mean(), 1e-6)
    # Monte Carlo: E_q[log q(c) - log p(c)] with c ~ N(mu, sigma^2)
    sigma = np.exp(log_sigma)
    c = mu + sigma * rng.normal(size=(200_000, 3, 4))
    log_q = -0.5 * ((c - mu) / sigma) ** 2 - log_sigma
    log_p = -0.5 * c ** 2
    estimate = (log_q - log_p).sum(axis=2).mean(axis=0)
    np.testing.assert_allclose(per_example, estimate, atol=0.03)
    # zero exactly at the prior, positive elsewhere
    assert losses.ca_kl_loss(np.zeros((2, 4)), np.zeros((2, 4)), "none").numpy() == \
        pytest.approx([0.0, 0.0])


def _stats(image):
    pixels = image.reshape(-1, image.shape[-1]).astype(np.float64)
    mean = pixels.mean(axis=0)
    centred = pixels - mean
    return mean, centred.T @ centred / len(pixels)


def test_colour_consistency_is_lambda1_mean_gap_plus_lambda2_covariance_gap_per_image():
    rng = np.random.default_rng(1)
    fine = np.tanh(rng.normal(size=(2, 8, 8, 3))).astype(np.float32)
    coarse = np.tanh(rng.normal(size=(2, 4, 4, 3)) + 0.3).astype(np.float32)
    want = []
    for j in range(2):
        (m1, c1), (m0, c0) = _stats(fine[j]), _stats(coarse[j])
        want.append(1.0 * np.sum((m1 - m0) ** 2) + 5.0 * np.sum((c1 - c0) ** 2))
    got = losses.colour_consistency_loss(fine, coarse, reduction="none").numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert float(losses.colour_consistency_loss(fine, coarse)) == pytest.approx(np.mean(want),
                                                                                rel=1e-5)
    # other weights; an image and its 2x2 average-pooled copy share their mean exactly
    got = losses.colour_consistency_loss(fine, coarse, lambda1=2.0, lambda2=0.0,
                                         reduction="none")
    np.testing.assert_allclose(got.numpy(), [2 * np.sum((_stats(fine[j])[0]
                                                         - _stats(coarse[j])[0]) ** 2)
                                             for j in range(2)], rtol=1e-5)
    pooled = tf.nn.avg_pool2d(fine, 2, 2, "VALID")
    assert float(losses.colour_consistency_loss(fine, pooled, 1.0, 0.0)) == pytest.approx(
        0.0, abs=1e-10)


def test_colour_consistency_rejects_non_images_and_channel_mismatch():
    with pytest.raises(ValueError, match=r"images_i must be images of shape"):
        losses.colour_consistency_loss(np.zeros((2, 3)), np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"one channel count, got 3 and 1"):
        losses.colour_consistency_loss(np.zeros((2, 4, 4, 3)), np.zeros((2, 4, 4, 1)))
