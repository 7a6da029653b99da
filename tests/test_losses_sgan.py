"""The class losses of chapter 6.2 against NumPy hand computations: AC-GAN's class
cross-entropy (arXiv:1610.09585, eq. 3), the semi-supervised GAN's K + 1 probabilities and
losses (Odena, arXiv:1606.01583; Salimans et al., arXiv:1606.03498, section 5) and feature
matching (arXiv:1606.03498, section 3.1)."""

import numpy as np
import pytest

from gan_tf import losses

K = 3
LOGITS = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]], np.float32)            # K logits
LOGITS1 = np.array([[1.0, -2.0, 0.5, 0.7], [0.0, 3.0, -1.0, -2.5]], np.float32)  # K + 1


def _softmax(a):
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_k_plus_one_probabilities_fix_the_fake_logit_at_zero():
    p = losses.k_plus_one_probabilities(LOGITS, K).numpy()
    z = np.exp(LOGITS).sum(-1)                              # Z(x) = sum_k exp l_k
    np.testing.assert_allclose(p[:, K], 1 / (z + 1), rtol=1e-6)           # p(fake | x)
    np.testing.assert_allclose(p[:, :K], np.exp(LOGITS) / (z + 1)[:, None], rtol=1e-6)
    np.testing.assert_allclose(1 - p[:, K], z / (z + 1), rtol=1e-6)       # D(x) = Z / (Z + 1)
    p1 = losses.k_plus_one_probabilities(LOGITS1, K).numpy()
    np.testing.assert_allclose(p1, _softmax(LOGITS1), rtol=1e-6)
    # shifting all K + 1 logits changes nothing: K logits are K + 1 with l_{K+1} = 0
    shifted = LOGITS1[:, :K] - LOGITS1[:, K:]
    np.testing.assert_allclose(losses.k_plus_one_probabilities(shifted, K).numpy(), p1,
                               rtol=1e-5)
    s = losses.real_logit(LOGITS1, K).numpy()
    np.testing.assert_allclose(1 / (1 + np.exp(-s)), 1 - p1[:, K], rtol=1e-6)


def test_sgan_losses_match_numpy():
    y = np.array([2, 1])
    for logits in (LOGITS, LOGITS1):
        p = losses.k_plus_one_probabilities(logits, K).numpy()
        pk = _softmax(logits[:, :K])
        lab = losses.sgan_labelled_loss(logits, y, K, reduction="none").numpy()
        np.testing.assert_allclose(lab, -np.log(pk[[0, 1], y]), rtol=1e-5)
        odena = losses.sgan_labelled_loss(logits, y, K, include_fake=True, reduction="none")
        np.testing.assert_allclose(odena.numpy(), -np.log(p[[0, 1], y]), rtol=1e-5)
        fake = losses.sgan_fake_loss(logits, K, reduction="none").numpy()
        np.testing.assert_allclose(fake, -np.log(p[:, K]), rtol=1e-5)
        unsup = losses.sgan_unsupervised_loss(logits, logits[::-1], K, reduction="none")
        np.testing.assert_allclose(unsup.numpy(), -np.log(1 - p[:, K]) - np.log(p[::-1, K]),
                                   rtol=1e-5)
        assert np.isclose(float(losses.sgan_fake_loss(logits, K)), fake.mean(), rtol=1e-6)
    # Salimans et al.'s code with l = logsumexp: -l_unl + softplus(l_unl), softplus(l_gen)
    l_unl = np.log(np.exp(LOGITS).sum(-1))
    l_gen = l_unl[::-1]
    np.testing.assert_allclose(
        losses.sgan_unsupervised_loss(LOGITS, LOGITS[::-1], K, reduction="none").numpy(),
        -l_unl + np.log1p(np.exp(l_unl)) + np.log1p(np.exp(l_gen)), rtol=1e-5)


def test_class_cross_entropy_takes_indices_and_one_hot_rows():
    y = np.array([0, 2])
    want = -np.log(_softmax(LOGITS)[[0, 1], y])
    np.testing.assert_allclose(losses.class_cross_entropy(LOGITS, y, "none").numpy(), want,
                               rtol=1e-5)
    np.testing.assert_allclose(float(losses.class_cross_entropy(LOGITS, np.eye(K)[y])),
                               want.mean(), rtol=1e-5)


def test_feature_matching_is_the_squared_distance_of_the_batch_means():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(5, 2, 3)), rng.normal(size=(4, 2, 3)) + 1
    want = ((real.mean(0) - fake.mean(0)) ** 2).sum()
    np.testing.assert_allclose(float(losses.feature_matching_loss(real.astype(np.float32),
                                                                  fake.astype(np.float32))),
                               want, rtol=1e-5)
    with pytest.raises(ValueError, match=r"one feature shape, got \(5, 6\) and \(4, 5\)"):
        losses.feature_matching_loss(np.zeros((5, 6), np.float32), np.zeros((4, 5), np.float32))


def test_k_plus_one_logits_reject_other_widths():
    with pytest.raises(ValueError, match=r"shape \(batch, 3\) or \(batch, 4\) for n_classes=3, "
                                         r"got \(2, 5\)"):
        losses.k_plus_one_logits(np.zeros((2, 5), np.float32), K)
