"""Input checks used by several layers of the package (the bottom layer: NumPy only).

A check needed in a second place lives here, once: the trainers (what ``fit`` trains on) and the
task modules (``inpainting``'s and ``manipulation``'s images and masks) both use them. Each
raises a one-line ``ValueError`` naming what was expected and what was received. See chapters
3.2, 4.4 and 8.1.
"""

from __future__ import annotations

import numpy as np


def positive_int(value, name):
    """``value`` as an int; ``ValueError`` naming ``name`` unless it is a positive int (Python or
    NumPy; ``True`` is refused). See chapter 3.1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def check_finite(x, what):
    """Raise ``ValueError`` counting the NaN and the +-Inf in ``x`` (an array or eager tensor),
    if it holds any. Non-floating inputs pass. See chapter 3.2."""
    values = np.asarray(x)
    if values.size == 0 or values.dtype.kind in "biu":   # bool and integers are finite
        return
    values = values.astype(np.float32, copy=False)
    nan = int(np.count_nonzero(np.isnan(values)))
    inf = int(np.count_nonzero(np.isinf(values)))
    if nan or inf:
        raise ValueError(
            f"{what} expects finite values, received non-finite values ({nan} NaN, {inf} Inf) "
            f"among {values.size}; remove or replace them"
        )


def check_mask(mask, images_shape, meaning, name="mask"):
    """``mask`` broadcast to ``(n, h, w)`` float32, after checking that it is ``(h, w)`` (one
    mask for every image) or ``(n, h, w)`` for images of shape ``images_shape = (n, h, w, c)``
    and holds only 0 and 1; ``meaning`` says what they mean in the message (``"0 (missing) and
    1 (known)"``). Raises a one-line ``ValueError`` naming both shapes. See chapters 4.4 and 8.1.
    """
    mask = np.asarray(mask, dtype=np.float32)
    images_shape = tuple(images_shape)
    if mask.ndim == 2:
        if mask.shape != images_shape[1:3]:
            raise ValueError(f"{name} must have shape (h, w) = {images_shape[1:3]} or (n, h, w) = "
                             f"{images_shape[:3]} to match images {images_shape}, got {mask.shape}")
        mask = np.broadcast_to(mask, images_shape[:3])
    if mask.shape != images_shape[:3]:
        raise ValueError(f"{name} must have shape (h, w) or (n, h, w) = {images_shape[:3]}, "
                         f"got {mask.shape}")
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError(f"{name} must hold only {meaning}")
    return np.ascontiguousarray(mask)


def check_image_batch(images, what):
    """``images`` as a float32 array after checking that it is a batch ``(n, h, w, c)`` of
    finite images in [-1, 1] (``check_image_range``). See chapters 4.4 and 8.1."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(f"{what} must have shape (n, h, w, c), got {images.shape}")
    check_image_range(images, what)
    return images


def check_image_range(x, what, low=-1.0, high=1.0, tol=1e-3):
    """Raise ``ValueError`` if ``x`` (an array or eager tensor of images) holds NaN or infinite
    values (``check_finite``), or values outside ``[low - tol, high + tol]`` (images in [-1, 1]).

    ``what`` names the receiver in the message (``"inpaint images"``, ``"gan"``). Returns
    nothing. See chapters 3.2 and 4.4.
    """
    values = np.asarray(x)
    if values.size == 0:
        return
    check_finite(values, what)
    lo, hi = float(values.min()), float(values.max())
    if lo < low - tol or hi > high + tol:
        raise ValueError(
            f"{what} expects images in [{low:g}, {high:g}], received values in "
            f"[{lo:.4g}, {hi:.4g}]; scale uint8 images with x / 127.5 - 1"
        )


def check_labels(labels, n_classes, what, n=None):
    """``labels`` as an int32 NumPy vector, after checking that they are class indices: a 1-D
    array (or a list, or an eager tensor) of integers (integer dtype, or floats holding whole
    numbers), each in ``[0, n_classes)``, and ``n`` of them when ``n`` is given (one per image).
    Raises a one-line ``ValueError`` naming ``what`` and what was received. See chapter 6.1."""
    n_classes = positive_int(n_classes, "n_classes")
    values = np.asarray(labels)
    if values.ndim != 1:
        raise ValueError(f"{what} expects a vector of class labels (shape (n,)), received shape "
                         f"{values.shape}; pass integer indices, not one-hot rows")
    if n is not None and len(values) != n:
        raise ValueError(f"{what} expects {n} labels (one per example), received {len(values)}")
    if values.dtype.kind == "f":
        check_finite(values, what)
        if values.size and not np.all(values == np.round(values)):
            raise ValueError(f"{what} expects integer class labels, received dtype "
                             f"{values.dtype.name} with fractional values")
    elif values.dtype.kind not in "iu" and values.size:
        raise ValueError(f"{what} expects integer class labels, received dtype "
                         f"{values.dtype.name}")
    if values.size:
        lo, hi = int(values.min()), int(values.max())
        if lo < 0 or hi >= n_classes:
            raise ValueError(f"{what} expects labels in [0, {n_classes - 1}] ({n_classes} "
                             f"classes), received values in [{lo}, {hi}]")
    return values.astype(np.int32)


def check_binary_labels(labels, width, what, n=None):
    """``labels`` as a float32 NumPy array, after checking that they are rows of ``width``
    binary labels (multi-hot attribute vectors, or one-hot rows): shape ``(n, width)``, finite,
    every value 0 or 1, and ``n`` rows when ``n`` is given (one per image). Raises a one-line
    ``ValueError`` naming ``what`` and what was received. See chapter 8.4."""
    width = positive_int(width, "width")
    values = np.asarray(labels)
    if values.ndim != 2 or values.shape[1] != width:
        raise ValueError(f"{what} expects labels of shape (n, {width}) (one row of {width} "
                         f"binary labels per image), received shape {values.shape}")
    if n is not None and len(values) != n:
        raise ValueError(f"{what} expects {n} label rows (one per image), received "
                         f"{len(values)}")
    if values.dtype.kind not in "biuf":
        raise ValueError(f"{what} expects numeric labels in {{0, 1}}, received dtype "
                         f"{values.dtype.name}")
    check_finite(values, what)
    bad = values[(values != 0) & (values != 1)]
    if bad.size:
        raise ValueError(f"{what} expects labels in {{0, 1}}, received {bad.size} other values "
                         f"(e.g. {bad.flat[0]:g})")
    return values.astype(np.float32)


def non_negative(value, name):
    """``value`` as a float; ``ValueError`` naming ``name`` unless it is a finite number >= 0
    (Python or NumPy; ``True`` is refused): the weight of a loss term. See chapter 6.3."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)) \
            or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)
