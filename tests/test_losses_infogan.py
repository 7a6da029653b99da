"""gan_tf.losses' InfoGAN bounds (arXiv:1606.03657, eq. 5) against NumPy: the categorical
L_I = log softmax(logits)[c] + log K, the Gaussian L_I = sum_j log N(c_j; mu_j, sigma_j) +
log(high - low) with a learned or fixed (sigma = 1) std; reductions and input checks."""

import math

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses

LOGITS = np.array([[2.0, -1.0, 0.5], [0.0, 0.0, 0.0], [-3.0, 4.0, 1.0]], np.float32)
CODES = np.array([0, 2, 1])


def _log_softmax(x):
    x = np.asarray(x, np.float64)
    return x - x.max(-1, keepdims=True) - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1,
                                                                                      keepdims=True))


def test_categorical_bound_is_log_q_of_the_drawn_code_plus_log_k():
    want = _log_softmax(LOGITS)[np.arange(3), CODES] + math.log(3)
    got = losses.categorical_info_bound(LOGITS, CODES, reduction="none").numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], 0.0, atol=1e-6)   # uniform Q: no information
    onehot = np.eye(3, dtype=np.float32)[CODES]
    np.testing.assert_allclose(losses.categorical_info_bound(LOGITS, onehot).numpy(),
                               want.mean(), rtol=1e-5)
    # a certain Q reaches H(c) = log K, never more
    sure = losses.categorical_info_bound(np.eye(3, dtype=np.float32)[CODES] * 50.0, CODES)
    np.testing.assert_allclose(sure.numpy(), math.log(3), rtol=1e-5)


def _log_normal(c, mu, log_sigma):
    c, mu, log_sigma = (np.asarray(a, np.float64) for a in (c, mu, log_sigma))
    return -0.5 * ((c - mu) / np.exp(log_sigma)) ** 2 - log_sigma - 0.5 * np.log(2 * np.pi)


def test_gaussian_bound_with_learned_and_fixed_std():
    c = np.array([[0.5, -1.0], [0.9, 0.0]], np.float32)
    mu = np.array([[0.2, -0.5], [1.5, 0.1]], np.float32)
    log_sigma = np.array([[-1.0, 0.3], [0.0, -0.2]], np.float32)
    want = _log_normal(c, mu, log_sigma).sum(-1) + 2 * math.log(2.0)
    got = losses.gaussian_info_bound(c, mu, log_sigma, reduction="none").numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # fixed std 1 (the official MNIST codes): -(c - mu)^2 / 2 - log(2 pi) / 2 + log 2 per code
    fixed = losses.gaussian_info_bound(c, mu, reduction="none").numpy()
    np.testing.assert_allclose(fixed, _log_normal(c, mu, 0.0).sum(-1) + 2 * math.log(2.0),
                               rtol=1e-5)
    np.testing.assert_allclose(fixed[0], -0.5 * (0.3 ** 2 + 0.5 ** 2) - 2 * 0.9189385 + 2
                               * 0.6931472, rtol=1e-5)
    # prior Unif(low, high): H(c) = log(high - low) per code
    wide = losses.gaussian_info_bound(c, mu, low=-2.0, high=2.0, reduction="none").numpy()
    np.testing.assert_allclose(wide - fixed, 2 * math.log(2.0), rtol=1e-5)
    np.testing.assert_allclose(losses.gaussian_info_bound(c, mu, log_sigma).numpy(),
                               want.mean(), rtol=1e-5)


def test_bounds_reject_mismatched_shapes():
    with pytest.raises(ValueError, match=r"one-hot rows \(batch, 3\)"):
        losses.categorical_info_bound(LOGITS, np.eye(4)[:3])
    with pytest.raises(ValueError, match=r"code_logits must have shape \(batch, dims\)"):
        losses.categorical_info_bound(LOGITS[0], CODES[:1])
    with pytest.raises(ValueError, match=r"codes must have the shape of mean \(batch, 2\)"):
        losses.gaussian_info_bound(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"log_std must have the shape of mean \(batch, 2\)"):
        losses.gaussian_info_bound(np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="needs high > low, got low=1, high=1"):
        losses.gaussian_info_bound(np.zeros((2, 2)), np.zeros((2, 2)), low=1, high=1)
    with pytest.raises(ValueError, match="unknown reduction 'sum'"):
        losses.categorical_info_bound(LOGITS, CODES, reduction="sum")


def test_bounds_are_differentiable_in_q_outputs():
    logits = tf.Variable(LOGITS)
    with tf.GradientTape() as tape:
        value = losses.categorical_info_bound(logits, CODES, reduction="none")[0]
    grad = tape.gradient(value, logits).numpy()
    p = np.exp(_log_softmax(LOGITS[0]))
    np.testing.assert_allclose(grad[0], np.eye(3)[0] - p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad[1:], 0.0)
