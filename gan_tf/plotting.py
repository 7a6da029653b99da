"""Figures: image grids, loss curves, 1-D densities, 2-D latent manifolds and scatters.

Every function returns the matplotlib ``Figure`` and, given ``path``, saves it there (PNG,
parent folders created). Paths should lie under the run's folder
(``gan_tf.config.output_dir(run_name)``). See chapters 3 and 4.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


def _save(fig, path, dpi=100):
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return fig


def tile_images(images, nrow=None, pad=1, pad_value=1.0):
    """Tile ``(n, h, w, c)`` images in [-1, 1] into one ``(H, W, c)`` array in [0, 1]."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must have shape (n, h, w, 1 or 3), got {images.shape}")
    n, h, w, c = images.shape
    ncol = nrow or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / ncol))
    grid = np.full((rows * (h + pad) + pad, ncol * (w + pad) + pad, c), pad_value, np.float32)
    scaled = np.clip((images + 1.0) / 2.0, 0.0, 1.0)
    for i in range(n):
        r, col = divmod(i, ncol)
        y, x = pad + r * (h + pad), pad + col * (w + pad)
        grid[y:y + h, x:x + w] = scaled[i]
    return grid


def image_grid(images, path=None, ncol=None, title=None, scale=0.6):
    """Show ``(n, h, w, c)`` images in [-1, 1] as one grid (``ncol`` per row)."""
    grid = tile_images(images, ncol)
    fig, ax = plt.subplots(figsize=(max(2.0, scale * grid.shape[1] / 10),
                                    max(2.0, scale * grid.shape[0] / 10)))
    ax.imshow(grid.squeeze(-1) if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=1,
              interpolation="nearest")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return _save(fig, path)


def image_rows(rows, labels=None, path=None, title=None, scale=1.0):
    """Several rows of images (e.g. originals above reconstructions), one label per row."""
    rows = [np.asarray(r) for r in rows]
    n = max(len(r) for r in rows)
    fig, axes = plt.subplots(len(rows), n, figsize=(scale * n, scale * len(rows) + 0.3),
                             squeeze=False)
    for i, row in enumerate(rows):
        for j in range(n):
            ax = axes[i, j]
            ax.axis("off")
            if j < len(row):
                img = np.clip((row[j] + 1) / 2, 0, 1)
                ax.imshow(img.squeeze(-1) if img.shape[-1] == 1 else img, cmap="gray",
                          vmin=0, vmax=1)
        if labels is not None:
            axes[i, 0].set_title(labels[i], fontsize=9, loc="left")
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def loss_curves(history, path=None, keys=None, title="Training losses", xlabel="epoch"):
    """Plot ``history`` (a ``keras.callbacks.History`` or a dict of lists) per key."""
    logs = getattr(history, "history", history)
    keys = keys or sorted(logs)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for key in keys:
        ax.plot(np.arange(1, len(logs[key]) + 1), logs[key], label=key)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, path)


def density_1d(xs, p_data, generated=None, discriminator=None, path=None, title=None,
               bins=50, ax=None):
    """The picture of chapter 3.4: data density, histogram of generated samples, and the
    discriminator's output D(x) on the grid ``xs``."""
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure
    ax.plot(xs, p_data, color="tab:blue", label="p_data")
    if generated is not None:
        ax.hist(np.ravel(generated), bins=bins, range=(xs[0], xs[-1]), density=True,
                color="tab:green", alpha=0.5, label="p_g (generated)")
    if discriminator is not None:
        ax.plot(xs, discriminator, color="tab:red", label="D(x)")
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(0, max(1.05, 1.1 * float(np.max(p_data))))
    ax.set_xlabel("x")
    ax.legend(loc="upper left", fontsize=8)
    if title:
        ax.set_title(title)
    return _save(fig, path) if own else fig


def latent_manifold(decode, n=15, limit=None, path=None, title="2-D latent manifold",
                    image_shape=(28, 28, 1)):
    """Decode an ``n x n`` grid of 2-D codes into one image (book fig. 3-6).

    Codes are the Gaussian quantiles 0.05 ... 0.95 (so the grid covers the prior's mass), or a
    linear grid on [-limit, limit] if ``limit`` is given. ``decode`` maps ``(k, 2)`` codes to
    images in [-1, 1].
    """
    from scipy.stats import norm

    if limit is None:
        ticks = norm.ppf(np.linspace(0.05, 0.95, n))
    else:
        ticks = np.linspace(-limit, limit, n)
    zz = np.array([[x, y] for y in ticks[::-1] for x in ticks], dtype=np.float32)
    images = np.asarray(decode(zz)).reshape((n * n,) + tuple(image_shape))
    grid = tile_images(images, n, pad=0)
    fig, ax = plt.subplots(figsize=(7, 7))
    ax.imshow(grid.squeeze(-1) if grid.shape[-1] == 1 else grid, cmap="gray",
              extent=(ticks[0], ticks[-1], ticks[0], ticks[-1]))
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    ax.set_title(title)
    return _save(fig, path)


def latent_scatter(codes, labels, class_names=None, path=None, title="Latent codes by class"):
    """Scatter of 2-D codes coloured by class label."""
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"codes must have shape (n, 2), got {codes.shape}")
    fig, ax = plt.subplots(figsize=(7, 6))
    sc = ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=3, alpha=0.7)
    classes = np.unique(labels)
    handles = [plt.Line2D([], [], marker="o", ls="", color=sc.cmap(sc.norm(k)),
                          label=class_names[k] if class_names else str(k)) for k in classes]
    ax.legend(handles=handles, fontsize=7, loc="best", markerscale=1.5)
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    ax.set_title(title)
    return _save(fig, path)


def close(fig=None):
    """Close ``fig`` (or all figures) to free memory in long notebooks."""
    plt.close(fig if fig is not None else "all")
