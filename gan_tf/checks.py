"""Input checks shared across layers of the package (the bottom layer: NumPy only).

A check used in a second place lives here, once: the trainers (``fit``'s images) and the task
modules (``inpainting``'s images) both use ``check_image_range``. Each raises a one-line
``ValueError`` naming what was expected and what was received. See chapters 3.2 and 4.4.
"""

from __future__ import annotations

import numpy as np


def check_image_range(x, what, low=-1.0, high=1.0, tol=1e-3):
    """Raise ``ValueError`` if ``x`` (an array or eager tensor of images) holds NaN or infinite
    values, or values outside ``[low - tol, high + tol]`` (images in [-1, 1]).

    ``what`` names the receiver in the message (``"inpaint images"``, ``"GAN.fit"``). Returns
    nothing. See chapters 3.2 and 4.4.
    """
    values = np.asarray(x)
    if values.size == 0:
        return
    finite = np.isfinite(values)
    if not finite.all():
        bad = int(values.size - np.count_nonzero(finite))
        raise ValueError(
            f"{what} expects finite images in [{low:g}, {high:g}], received {bad} NaN or "
            f"infinite value(s) out of {values.size}"
        )
    lo, hi = float(values.min()), float(values.max())
    if lo < low - tol or hi > high + tol:
        raise ValueError(
            f"{what} expects images in [{low:g}, {high:g}], received values in "
            f"[{lo:.4g}, {hi:.4g}]; scale uint8 images with x / 127.5 - 1"
        )
