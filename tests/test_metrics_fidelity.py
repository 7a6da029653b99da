"""gan_tf.metrics.fidelity: PSNR of a known MSE, the BT.601 Y channel and SRGAN's border crop,
SSIM of identical and of flat images against the formula, the Laplacian energy of a
checkerboard and the ratio of a contrast change, the LPIPS-like feature distance by hand."""

import keras
import numpy as np
import pytest

from gan_tf import metrics
from gan_tf.metrics import fidelity


def _images(n=2, size=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 3)).astype(np.float32)


def test_psnr_of_a_known_mse():
    a = np.zeros((2, 8, 8, 3), np.float32)           # 0.5 in [0, 1]
    b = a + 0.2                                      # 0.6: MSE 0.01 -> 20 dB
    np.testing.assert_allclose(metrics.psnr(a, b), [20.0, 20.0], rtol=1e-5)
    assert np.all(np.isinf(metrics.psnr(a, a)))


def test_y_channel_is_bt601_studio_swing():
    rgb = np.array([[[[-1, -1, -1], [1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]]],
                   np.float32)
    y = metrics.y_channel(rgb)[0, 0, :, 0]
    np.testing.assert_allclose(y, np.array([16, 235, 16 + 65.481, 16 + 128.553, 16 + 24.966])
                               / 255, rtol=1e-6)


def test_psnr_on_y_with_border_crop():
    a = _images()
    b = a.copy()
    b[..., 1] -= 0.1 * np.sign(b[..., 1])            # green channel off by 0.05 in [0, 1]
    mse_y = np.mean((128.553 / 255 * 0.05) ** 2)     # Y = (16 + ... + 128.553 G + ...) / 255
    np.testing.assert_allclose(metrics.psnr(a, b, y_channel=True),
                               10 * np.log10(1 / mse_y), rtol=1e-4)
    c = a.copy()
    c[:, :4] = -a[:, :4]                              # only a 4-pixel border differs
    assert np.all(np.isinf(metrics.psnr(a, c, y_channel=True, crop=4)))
    assert np.all(np.isfinite(metrics.psnr(a, c, y_channel=True, crop=3)))


def test_ssim_identical_is_one_and_flat_images_follow_the_formula():
    a = _images()
    np.testing.assert_allclose(metrics.ssim(a, a), [1.0, 1.0], rtol=1e-6)
    flat_a, flat_b = np.full((1, 12, 12, 3), 0.2, np.float32), np.full((1, 12, 12, 3), -0.4,
                                                                       np.float32)
    mu_a, mu_b, c1 = 0.6, 0.3, 0.01 ** 2           # in [0, 1]; no variance: SSIM = luminance
    expected = (2 * mu_a * mu_b + c1) / (mu_a ** 2 + mu_b ** 2 + c1)
    np.testing.assert_allclose(metrics.ssim(flat_a, flat_b), [expected], rtol=1e-4)
    np.testing.assert_allclose(metrics.ssim(flat_a, flat_b, y_channel=True),
                               [(2 * (16 + 219 * mu_a) * (16 + 219 * mu_b) / 255 ** 2 + c1)
                                / (((16 + 219 * mu_a) / 255) ** 2
                                   + ((16 + 219 * mu_b) / 255) ** 2 + c1)], rtol=1e-4)
    with pytest.raises(ValueError, match=r"ssim needs images of at least 11x11 after the crop"):
        metrics.ssim(a, a, crop=3)


def test_laplacian_energy_of_a_checkerboard_and_ratio_of_contrast():
    board = (np.indices((6, 6)).sum(axis=0) % 2).astype(np.float32)[None, :, :, None]
    np.testing.assert_allclose(fidelity.laplacian_energy(board), [16.0])   # +-4 inside
    b = _images()
    a = 0.5 * b + 0.1                               # contrast halved: luma energy x 1/4
    np.testing.assert_allclose(metrics.laplacian_energy_ratio(a, b), [0.25, 0.25], rtol=1e-5)
    grey = _images()[..., :1]
    np.testing.assert_allclose(metrics.laplacian_energy_ratio(0.5 * grey, grey), [0.25, 0.25],
                               rtol=1e-5)
    smooth = (b + np.roll(b, 1, axis=1) + np.roll(b, 1, axis=2) + np.roll(b, 1, (1, 2))) / 4
    assert np.all(metrics.laplacian_energy_ratio(smooth, b) < 0.5)       # blur loses detail


def test_feature_distance_by_hand():
    x = keras.Input((None, None, 3))
    conv = keras.layers.Conv2D(2, 1, use_bias=False)
    net = keras.Model(x, conv(x))
    w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]], np.float32)
    conv.set_weights([w[None, None]])
    a, b = _images(seed=1), _images(seed=2)
    fa, fb = a @ w, b @ w
    fa /= np.sqrt((fa ** 2).sum(-1, keepdims=True) + 1e-10)
    fb /= np.sqrt((fb ** 2).sum(-1, keepdims=True) + 1e-10)
    expected = ((fa - fb) ** 2).sum(-1).mean(axis=(1, 2))
    np.testing.assert_allclose(metrics.feature_distance(a, b, net, batch_size=1), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(metrics.feature_distance(a, a, net), [0.0, 0.0], atol=1e-6)


@pytest.mark.parametrize("a, b, match", [
    (np.zeros((2, 8, 8, 3)), np.zeros((2, 8, 9, 3)), r"same shape.*received shapes "
                                                     r"\(2, 8, 8, 3\) and \(2, 8, 9, 3\)"),
    (np.zeros((2, 8, 8, 3)), np.full((2, 8, 8, 3), 2.0), r"expects images in \[-1, 1\]"),
])
def test_metrics_reject_bad_images(a, b, match):
    with pytest.raises(ValueError, match=match):
        metrics.psnr(a, b)
