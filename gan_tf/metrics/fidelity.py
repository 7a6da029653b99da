"""Full-reference image quality for super-resolution: PSNR, SSIM, a sharpness ratio and a
feature distance. Every function compares a batch ``a`` (e.g. super-resolved images) with the
reference ``b`` (the HR images), both NHWC in [-1, 1], and returns one value per image (a
float32 NumPy array ``(n,)``; the papers' tables report the mean over the test images).

- ``psnr`` and ``ssim``: ``tf.image.psnr`` / ``tf.image.ssim`` on the images mapped to [0, 1]
  (``max_val=1``; SSIM with Wang et al.'s 11 x 11 Gaussian window, sigma 1.5, K1 = 0.01,
  K2 = 0.03). SRGAN's protocol (Ledig et al., arXiv:1609.04802, section 4.1): "calculated on
  the y-channel of center-cropped, removal of a 4-pixel wide strip from each border images":
  ``y_channel=True, crop=4`` (the border is the scale factor, 4 for x4). The Y channel is
  ITU-R BT.601's studio-swing luma of MATLAB's ``rgb2ycbcr``, the one SR papers use: ``Y =
  (16 + 65.481 R + 128.553 G + 24.966 B) / 255`` for R, G, B in [0, 1] (``y_channel``).
- ``laplacian_energy_ratio``: mean squared Laplacian of ``a``'s luma over that of ``b``'s.
- ``feature_distance``: an LPIPS-like distance on a feature network's maps.

Why a sharpness ratio. PSNR and SSIM reward the MSE-optimal answer, the pixel-wise average of
all the HR textures that fit the LR image, and that average is smooth (the paper's fig. 3 and
section 1.1): SRResNet-MSE has the best PSNR and the blurriest images, SRGAN a lower PSNR and
much better opinion scores (table 2). Averaging removes high frequencies first, so the share of
the reference's high-frequency energy that survives measures how much texture is missing: the
discrete Laplacian (a high-pass filter) of the luma, squared and averaged, divided by the same
for the HR image. 1 means as much fine detail as the original, below 1 smoother (bicubic and
MSE outputs), above 1 more high-frequency energy than the original (noise, ringing,
checkerboard artefacts). It says nothing about whether the detail is *right* (white noise
scores high), so read it next to PSNR/SSIM and the feature distance, never alone; the paper
itself settles perceptual quality with mean opinion scores, which a notebook cannot collect.

See chapter 6.1.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from gan_tf import checks

# ITU-R BT.601 luma for R, G, B in [0, 1] (MATLAB rgb2ycbcr): Y = (16 + Y_COEFFS . rgb) / 255
Y_COEFFS = (65.481, 128.553, 24.966)
Y_OFFSET = 16.0
SSIM_FILTER_SIZE = 11
LAPLACIAN = ((0.0, 1.0, 0.0), (1.0, -4.0, 1.0), (0.0, 1.0, 0.0))


def _pair(a, b, what):
    a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    if a.ndim != 4 or a.shape != b.shape or a.shape[0] == 0:
        raise ValueError(f"{what} expects two batches of images of the same shape (n, height, "
                         f"width, channels) with n >= 1, received shapes {a.shape} and "
                         f"{b.shape}")
    checks.check_image_range(a, what)
    checks.check_image_range(b, what)
    return a, b


def to_unit(images):
    """[-1, 1] -> [0, 1]: ``(x + 1) / 2``. See chapter 6.1."""
    return (np.asarray(images, dtype=np.float32) + 1.0) / 2.0


def y_channel(images):
    """Luma Y of RGB images in [-1, 1], in [16/255, 235/255] (``(n, h, w, 1)``): ITU-R BT.601
    studio swing, ``(16 + 65.481 R + 128.553 G + 24.966 B) / 255`` with R, G, B in [0, 1], the
    Y of MATLAB's ``rgb2ycbcr`` used by SR papers' PSNR/SSIM. See chapter 6.1."""
    rgb = to_unit(images)
    if rgb.shape[-1] != 3:
        raise ValueError(f"y_channel expects RGB images (3 channels), received shape "
                         f"{rgb.shape}")
    y = (Y_OFFSET + rgb @ np.asarray(Y_COEFFS, dtype=np.float32)) / 255.0
    return y[..., None].astype(np.float32)


def _prepare(a, b, what, y, crop):
    a, b = _pair(a, b, what)
    if isinstance(crop, bool) or not isinstance(crop, (int, np.integer)) or crop < 0:
        raise ValueError(f"crop must be an int >= 0 (pixels removed at each border), got "
                         f"{crop!r}")
    if 2 * crop >= min(a.shape[1:3]):
        raise ValueError(f"crop={crop} removes the whole {a.shape[1]}x{a.shape[2]} image")
    if y:
        a, b = y_channel(a), y_channel(b)
    else:
        a, b = to_unit(a), to_unit(b)
    if crop:
        a, b = a[:, crop:-crop, crop:-crop], b[:, crop:-crop, crop:-crop]
    return a, b


def psnr(a, b, y_channel=False, crop=0):
    """Per-image PSNR in dB ``(n,)``: ``10 log10(1 / MSE)`` of the images in [0, 1]
    (``tf.image.psnr(max_val=1)``), over all channels, or over the BT.601 luma with
    ``y_channel=True``; ``crop`` pixels are removed at each border first (SRGAN's protocol:
    ``y_channel=True, crop=4``, arXiv:1609.04802 section 4.1). Identical images give ``inf``.
    See chapter 6.1."""
    a, b = _prepare(a, b, "psnr", y_channel, crop)
    return tf.image.psnr(a, b, max_val=1.0).numpy().astype(np.float32)


def ssim(a, b, y_channel=False, crop=0):
    """Per-image SSIM ``(n,)`` (Wang et al. 2004: 11 x 11 Gaussian window, sigma 1.5, K1 0.01,
    K2 0.03; ``tf.image.ssim(max_val=1)``) of the images in [0, 1], averaged over the channels
    or on the BT.601 luma (``y_channel=True``), after removing ``crop`` border pixels. The
    images (after the crop) must be at least 11 x 11. See chapter 6.1."""
    a, b = _prepare(a, b, "ssim", y_channel, crop)
    if min(a.shape[1:3]) < SSIM_FILTER_SIZE:
        raise ValueError(f"ssim needs images of at least {SSIM_FILTER_SIZE}x{SSIM_FILTER_SIZE} "
                         f"after the crop (its window), received {a.shape[1]}x{a.shape[2]}")
    return tf.image.ssim(a, b, max_val=1.0, filter_size=SSIM_FILTER_SIZE, filter_sigma=1.5,
                         k1=0.01, k2=0.03).numpy().astype(np.float32)


def laplacian_energy(images):
    """Per-image mean squared discrete Laplacian ``(n,)`` of single-channel images ``(n, h, w,
    1)`` (any range): ``L = x[i-1, j] + x[i+1, j] + x[i, j-1] + x[i, j+1] - 4 x[i, j]`` on the
    interior pixels ('valid', no padding), then ``mean(L^2)``. See chapter 6.1."""
    x = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    kernel = tf.constant(LAPLACIAN, tf.float32)[:, :, None, None]
    lap = tf.nn.conv2d(x, kernel, strides=1, padding="VALID")
    return tf.reduce_mean(tf.square(lap), axis=[1, 2, 3]).numpy()


def laplacian_energy_ratio(a, b, crop=0):
    """Per-image sharpness ratio ``(n,)``: ``laplacian_energy`` of ``a``'s luma over that of
    ``b``'s (the reference), luma = BT.601 Y for RGB, the image itself for one channel, in
    [0, 1] units, after removing ``crop`` border pixels. 1: as much fine detail as ``b``;
    below 1: smoother (the MSE-optimal average); above 1: more high-frequency energy than
    ``b`` (noise, artefacts). Why this measure: the module docstring. A flat reference (zero
    energy) gives ``inf`` or ``nan``. See chapter 6.1."""
    channels = np.shape(a)[-1] if np.ndim(a) else None
    if channels not in (1, 3):
        raise ValueError(f"laplacian_energy_ratio expects RGB or single-channel images, "
                         f"received shape {np.shape(a)}")
    a, b = _prepare(a, b, "laplacian_energy_ratio", channels == 3, crop)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (laplacian_energy(a) / laplacian_energy(b)).astype(np.float32)


def feature_distance(a, b, feature_network, batch_size=32, eps=1e-10):
    """Per-image LPIPS-like distance ``(n,)`` on ``feature_network``'s maps (images in
    [-1, 1] -> ``(n, h, w, c)``): each position's feature vector is divided by its L2 norm
    over the channels, then the squared differences are summed over channels and averaged
    over positions (Zhang et al., arXiv:1801.03924, eq. 1, with every channel weight 1, their
    untrained baseline; one network layer). 0 for identical images, at most 4. With the
    offline patch network (``gan_tf.trainers.train_patch_features``) it is a perceptual
    distance learnt from the training photos, not LPIPS's calibrated one. See chapter 6.1."""
    a, b = _pair(a, b, "feature_distance")
    batch_size = checks.positive_int(batch_size, "batch_size")
    out = []
    for i in range(0, len(a), batch_size):
        fa = tf.cast(feature_network(a[i:i + batch_size], training=False), tf.float32)
        fb = tf.cast(feature_network(b[i:i + batch_size], training=False), tf.float32)
        fa = fa / tf.sqrt(tf.reduce_sum(tf.square(fa), axis=-1, keepdims=True) + eps)
        fb = fb / tf.sqrt(tf.reduce_sum(tf.square(fb), axis=-1, keepdims=True) + eps)
        d = tf.reduce_sum(tf.square(fa - fb), axis=-1)
        if d.shape.rank > 1:                    # average over the positions
            d = tf.reduce_mean(d, axis=list(range(1, d.shape.rank)))
        out.append(d.numpy())
    return np.concatenate(out).astype(np.float32)
