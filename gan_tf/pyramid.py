"""Gaussian and Laplacian image pyramids: pure functions on NHWC tensors.

Denton, Chintala, Szlam & Fergus 2015 (arXiv:1506.05751), section 2.2 "Laplacian Pyramid",
after Burt & Adelson (1983):

- ``downsample`` is the paper's d(.): blur, then keep every second row and column, so a
  j x j image becomes j/2 x j/2;
- ``upsample`` is u(.): the inverse size change, j x j -> 2j x 2j, smoothing as it expands;
- the Gaussian pyramid is ``[I_0, I_1, ..., I_K]`` with ``I_0 = I`` and ``I_{k+1} = d(I_k)``;
- the Laplacian pyramid (the book's eq. 6-3) is ``[h_0, ..., h_{K-1}, I_K]`` with the
  band-pass images ``h_k = I_k - u(I_{k+1})`` and the low-pass residual ``I_K`` as its last level;
- the reconstruction (the book's eq. 6-4) runs back up: ``I_k = u(I_{k+1}) + h_k``.

Reconstruction is exact for any d and u, by construction: each ``h_k`` stores what ``u`` loses,
so ``reconstruct(laplacian_pyramid(x, levels))`` returns ``x`` up to float rounding (about 1e-7
for float32 images in [-1, 1]).

The filters (the paper leaves them open; its code rescaled bilinearly): one fixed 5-tap
binomial kernel ``w = [1, 4, 6, 4, 1] / 16``, applied separably (rows, then columns), the
classic approximation of a Gaussian of standard deviation 1 (Burt & Adelson's a = 3/8).

- ``blur(x)``: ``x`` convolved with ``w`` along both axes, the border *reflected*
  (``tf.pad(mode="REFLECT")``: the pixel beyond the edge at distance t mirrors the one inside
  at distance t, the edge itself not repeated). The weights are positive and sum to 1, so a
  constant image stays constant and values stay in the input's range.
- ``downsample(x)`` = ``blur(x)[:, ::2, ::2]`` (rows and columns 0, 2, 4, ...): needs even
  heights and widths of at least 4.
- ``upsample(x)``: zero insertion (``x`` goes to the even rows and columns of a 2h x 2w image
  of zeros), then the same reflected blur with ``4 w``: each output pixel is a weighted mean of
  its two or three nearest input pixels per axis (weights 1/8, 6/8, 1/8 on the kept rows,
  1/2, 1/2 between them), so constants are preserved here too. Needs heights and widths of at
  least 2.

Inputs: NHWC float tensors or arrays ``(batch, height, width, channels)``, any batch and any
channel count. See chapter 6.1.
"""

from __future__ import annotations

import tensorflow as tf

TAPS = (1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16)


def _images(x, what, min_size, even=False):
    x = tf.convert_to_tensor(x)
    if x.shape.rank != 4:
        raise ValueError(f"{what} expects NHWC images of rank 4 (batch, height, width, "
                         f"channels), received shape {tuple(x.shape)}")
    if not x.dtype.is_floating:
        raise ValueError(f"{what} expects floating-point images, received dtype "
                         f"{x.dtype.name}")
    for axis, name in ((1, "height"), (2, "width")):
        n = x.shape[axis]
        if n is not None and (n < min_size or (even and n % 2)):
            want = f"an even {name} of at least {min_size}" if even else \
                f"a {name} of at least {min_size}"
            raise ValueError(f"{what} expects {want}, received shape {tuple(x.shape)}")
    return x


def _filter_axis(x, axis, taps, stride=1):
    """``x`` convolved with ``taps`` (5 of them, centred) along ``axis`` (1 or 2), the border
    reflected; every ``stride``-th output from the first."""
    n = x.shape[axis] if x.shape[axis] is not None else tf.shape(x)[axis]
    pads = [[0, 0]] * 4
    pads[axis] = [2, 2]
    xp = tf.pad(x, pads, mode="REFLECT")
    out = None
    for t, weight in enumerate(taps):
        index = [slice(None)] * 4
        index[axis] = slice(t, t + n, stride)
        term = tf.cast(weight, x.dtype) * xp[tuple(index)]
        out = term if out is None else out + term
    return out


def blur(x):
    """``x`` ``(batch, h, w, c)`` convolved with the separable 5-tap binomial kernel
    ``[1, 4, 6, 4, 1] / 16`` along both axes, reflected border; same shape (h, w >= 3).
    arXiv:1506.05751 section 2.2 (the blur of d and u). See chapter 6.1."""
    x = _images(x, "blur", 3)
    return _filter_axis(_filter_axis(x, 1, TAPS), 2, TAPS)


def downsample(x):
    """d(.) of arXiv:1506.05751 section 2.2: ``blur(x)`` decimated by 2 (rows and columns 0, 2,
    4, ...); ``(batch, h, w, c)`` -> ``(batch, h/2, w/2, c)``, h and w even and >= 4.
    See chapter 6.1."""
    x = _images(x, "downsample", 4, even=True)
    return _filter_axis(_filter_axis(x, 1, TAPS, stride=2), 2, TAPS, stride=2)


def _insert_zeros(x, axis):
    """``x`` on the even indices of ``axis`` (1 or 2) of an array twice as long, zeros between."""
    shape = tf.shape(x)
    doubled = tf.stack([x, tf.zeros_like(x)], axis=axis + 1)
    new_shape = [shape[0], shape[1], shape[2], shape[3]]
    new_shape[axis] = 2 * shape[axis]
    out = tf.reshape(doubled, new_shape)
    static = x.shape.as_list()
    if static[axis] is not None:
        static[axis] = 2 * static[axis]
    return tf.ensure_shape(out, static)


def upsample(x):
    """u(.) of arXiv:1506.05751 section 2.2: zero insertion then the reflected binomial blur
    times 4; ``(batch, h, w, c)`` -> ``(batch, 2h, 2w, c)``, h and w >= 2. Constant images
    stay constant. See chapter 6.1."""
    x = _images(x, "upsample", 2)
    taps = tuple(2.0 * t for t in TAPS)      # 4 w in two dimensions: 2 w along each axis
    x = _filter_axis(_insert_zeros(x, 1), 1, taps)
    return _filter_axis(_insert_zeros(x, 2), 2, taps)


def _levels(levels):
    if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
        raise ValueError(f"levels must be a positive int, got {levels!r}")
    return levels


def gaussian_pyramid(x, levels):
    """``[I_0, ..., I_{levels-1}]``: ``I_0 = x`` and ``I_{k+1} = downsample(I_k)``
    (arXiv:1506.05751 section 2.2); each level half the size of the one before, so the height
    and width must be divisible by ``2 ** (levels - 1)``. See chapter 6.1."""
    levels = _levels(levels)
    pyramid = [_images(x, "gaussian_pyramid", 1)]
    for _ in range(levels - 1):
        pyramid.append(downsample(pyramid[-1]))
    return pyramid


def laplacian_pyramid(x, levels):
    """``[h_0, ..., h_{K-1}, I_K]`` with ``K = levels - 1``: the band-pass images
    ``h_k = I_k - upsample(I_{k+1})`` (arXiv:1506.05751 section 2.2; the book's eq. 6-3) of the
    Gaussian pyramid and its coarsest level ``I_K``, the low-pass residual. ``levels=1`` gives
    ``[x]``.
    See chapter 6.1."""
    gauss = gaussian_pyramid(x, levels)
    return [fine - upsample(coarse) for fine, coarse in zip(gauss[:-1], gauss[1:])] + [gauss[-1]]


def reconstruct(pyramid):
    """The image of a Laplacian pyramid ``[h_0, ..., h_{K-1}, I_K]``: from ``I_K`` up,
    ``I_k = upsample(I_{k+1}) + h_k`` (arXiv:1506.05751 section 2.2; the book's eq. 6-4); exact
    inverse of ``laplacian_pyramid``. See chapter 6.1."""
    if not isinstance(pyramid, (list, tuple)) or not pyramid:
        raise ValueError(f"reconstruct expects a non-empty list [h_0, ..., h_(K-1), I_K], "
                         f"received {type(pyramid).__name__}")
    image = _images(pyramid[-1], "reconstruct", 1)
    for k in range(len(pyramid) - 2, -1, -1):
        band = _images(pyramid[k], "reconstruct", 1)
        expected = (2 * image.shape[1] if image.shape[1] else None,
                    2 * image.shape[2] if image.shape[2] else None)
        if None not in expected and tuple(band.shape[1:3]) != expected:
            raise ValueError(f"reconstruct expects level {k} of size {expected[0]}x"
                             f"{expected[1]} (twice level {k + 1}), received shape "
                             f"{tuple(band.shape)}")
        image = upsample(image) + tf.cast(band, image.dtype)
    return image
