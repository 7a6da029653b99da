"""gan_tf.pyramid (arXiv:1506.05751 section 2.2): d and u against a NumPy reference of the
documented filters, constants preserved, the impulse response is the binomial kernel, the
Laplacian pyramid reconstructs exactly, shapes 32 -> 16 -> 8, errors."""

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import pyramid

W = np.array([1, 4, 6, 4, 1], np.float64) / 16


def _np_filter(x, taps, axis):
    """Reflect-padded 5-tap convolution of a NumPy NHWC array along ``axis``, written out."""
    pad = [(0, 0)] * 4
    pad[axis] = (2, 2)
    xp = np.pad(x, pad, mode="reflect")
    n = x.shape[axis]
    return sum(w * np.take(xp, np.arange(t, t + n), axis=axis) for t, w in enumerate(taps))


def _np_blur(x):
    return _np_filter(_np_filter(x, W, 1), W, 2)


def _np_upsample(x):
    b, h, w, c = x.shape
    z = np.zeros((b, 2 * h, 2 * w, c))
    z[:, ::2, ::2] = x
    return 4 * _np_blur(z)


def _random(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


def test_blur_and_downsample_of_an_impulse_are_the_binomial_kernel():
    x = np.zeros((1, 12, 12, 1), np.float32)
    x[0, 6, 4, 0] = 1.0
    blurred = pyramid.blur(x).numpy()[0, :, :, 0]
    np.testing.assert_allclose(blurred[4:9, 2:7], np.outer(W, W), atol=1e-7)
    assert abs(blurred.sum() - 1.0) < 1e-6 and np.count_nonzero(blurred) == 25
    down = pyramid.downsample(x).numpy()[0, :, :, 0]     # rows/columns 0, 2, 4, ... of blur
    assert down.shape == (6, 6)
    np.testing.assert_allclose(down[2:5, 1:4], np.outer(W[::2], W[::2]), atol=1e-7)
    assert np.count_nonzero(down) == 9
    # u of an impulse: 4 w (x) w centred on the pixel's even position
    y = np.zeros((1, 6, 6, 1), np.float32)
    y[0, 3, 2, 0] = 1.0
    up = pyramid.upsample(y).numpy()[0, :, :, 0]
    np.testing.assert_allclose(up[4:9, 2:7], 4 * np.outer(W, W), atol=1e-7)


@pytest.mark.parametrize("shape", [(2, 8, 8, 1), (1, 6, 10, 3), (3, 32, 32, 2)])
def test_d_and_u_keep_constant_images_constant(shape):
    x = np.full(shape, 0.37, np.float32)
    np.testing.assert_allclose(pyramid.downsample(x), 0.37, atol=1e-6)
    np.testing.assert_allclose(pyramid.upsample(x), 0.37, atol=1e-6)
    np.testing.assert_allclose(pyramid.blur(x), 0.37, atol=1e-6)
    bands = pyramid.laplacian_pyramid(x, 2)
    np.testing.assert_allclose(bands[0], 0.0, atol=1e-6)    # no detail in a flat image


@pytest.mark.parametrize("shape", [(2, 8, 8, 1), (1, 12, 20, 3)])
def test_d_and_u_equal_the_numpy_reference_border_included(shape):
    x = _random(shape, 1)
    np.testing.assert_allclose(pyramid.blur(x), _np_blur(x), atol=1e-6)
    np.testing.assert_allclose(pyramid.downsample(x), _np_blur(x)[:, ::2, ::2], atol=1e-6)
    np.testing.assert_allclose(pyramid.upsample(x), _np_upsample(x), atol=1e-6)
    # the reflected border by hand, first row of the row blur: (x2 + 4 x1 + 6 x0 + 4 x1 + x2)/16
    row = pyramid.blur(x).numpy()
    col_blur = _np_filter(x, W, 2)
    first = (col_blur[:, 2] + 8 * col_blur[:, 1] + 6 * col_blur[:, 0] + col_blur[:, 2]) / 16
    np.testing.assert_allclose(row[:, 0], first, atol=1e-6)


@pytest.mark.parametrize("shape, levels", [((3, 32, 32, 1), 3), ((2, 16, 24, 3), 3),
                                           ((1, 8, 8, 2), 2), ((2, 40, 16, 1), 4),
                                           ((2, 4, 4, 1), 1)])
def test_laplacian_pyramid_reconstructs_exactly(shape, levels):
    x = _random(shape, 2)
    bands = pyramid.laplacian_pyramid(x, levels)
    gauss = pyramid.gaussian_pyramid(x, levels)
    assert len(bands) == len(gauss) == levels
    for k in range(levels):
        assert bands[k].shape == (shape[0], shape[1] >> k, shape[2] >> k, shape[3])
    for k in range(levels - 1):        # h_k = I_k - u(I_{k+1})
        np.testing.assert_allclose(bands[k], gauss[k] - _np_upsample(gauss[k + 1].numpy()),
                                   atol=1e-6)
    np.testing.assert_allclose(bands[-1], gauss[-1], atol=0)
    np.testing.assert_allclose(pyramid.reconstruct(bands), x, atol=1e-6)   # I_k = u(I_k+1) + h_k


def test_pyramid_shapes_32_16_8_in_a_tf_function_with_unknown_batch():
    spec = tf.TensorSpec((None, 32, 32, 1), tf.float32)
    f = tf.function(lambda t: pyramid.laplacian_pyramid(t, 3), input_signature=[spec])
    bands = f(_random((5, 32, 32, 1)))
    assert [tuple(b.shape) for b in bands] == [(5, 32, 32, 1), (5, 16, 16, 1), (5, 8, 8, 1)]
    traced = f.get_concrete_function().structured_outputs
    assert [tuple(b.shape) for b in traced] == [(None, 32, 32, 1), (None, 16, 16, 1),
                                                (None, 8, 8, 1)]
    # low-pass images stay in [-1, 1] (positive weights summing to 1)
    gauss = pyramid.gaussian_pyramid(_random((4, 32, 32, 1), 3), 3)
    assert all(float(tf.reduce_max(tf.abs(g))) <= 1.0 for g in gauss)


@pytest.mark.parametrize("fn, x, match", [
    (pyramid.downsample, np.zeros((2, 7, 8, 1), np.float32),
     r"downsample expects an even height of at least 4, received shape \(2, 7, 8, 1\)"),
    (pyramid.downsample, np.zeros((8, 8, 1), np.float32), r"rank 4 .* received shape \(8, 8, 1\)"),
    (pyramid.upsample, np.zeros((1, 1, 4, 1), np.float32), "a height of at least 2"),
    (pyramid.blur, np.zeros((1, 4, 4, 1), np.int32), "floating-point images, received dtype int32"),
])
def test_pyramid_rejects_bad_images(fn, x, match):
    with pytest.raises(ValueError, match=match):
        fn(x)


def test_pyramid_rejects_bad_levels_and_mismatched_bands():
    with pytest.raises(ValueError, match="levels must be a positive int, got 0"):
        pyramid.laplacian_pyramid(_random((1, 8, 8, 1)), 0)
    with pytest.raises(ValueError, match=r"level 0 of size 16x16 \(twice level 1\), received"):
        pyramid.reconstruct([_random((1, 8, 8, 1)), _random((1, 8, 8, 1))])
    with pytest.raises(ValueError, match=r"non-empty list"):
        pyramid.reconstruct([])
