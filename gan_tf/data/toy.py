"""Toy distributions for chapters 3 and 5: 1-D Gaussian, 2-D ring and grid of Gaussians,
Swiss roll.

Each is an object with ``sample(n, seed)`` (NumPy, deterministic given the seed),
``dataset(n, batch_size, seed)`` (a repeatable ``tf.data.Dataset`` of float32 batches), and,
for the mixtures, ``centres`` and ``std`` (the mode centres and the per-mode standard deviation,
used by ``gan_tf.metrics.mode_coverage``). ``ring_of_gaussians()`` defaults to the toy "8
Gaussians" of Unrolled GAN / WGAN-GP figures (radius 2, std 0.02); ``benchmark_ring()`` and
``benchmark_grid()`` are the mixtures of the published mode-collapse tables (VEEGAN,
arXiv:1705.07761, and PacGAN, arXiv:1712.04086, Table 1): ring of 8 on the unit circle with
std 0.01, grid of 25 on {-4, -2, 0, 2, 4}^2 with std 0.05. See chapters 3.4 and 5.6.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gan_tf import checks


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_n(n):
    checks.positive_int(n, "n")


class _Toy:
    dim = 1

    def sample(self, n, seed=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def dataset(self, n=10_000, batch_size=256, seed=0, shuffle=True, resumable=False):
        """``n`` fixed samples as a cached, shuffled, batched ``tf.data.Dataset`` (float32);
        ``resumable`` as in ``gan_tf.data.to_dataset``."""
        from gan_tf.data.images import to_dataset

        return to_dataset(self.sample(n, seed).astype(np.float32), batch_size=batch_size,
                          shuffle=shuffle, seed=seed, resumable=resumable)


@dataclass
class Gaussian1D(_Toy):
    """N(mean, std^2) on the real line; samples have shape ``(n, 1)``. See chapter 3.4."""

    mean: float = 3.0
    std: float = 0.5
    dim: int = 1

    def __post_init__(self):
        if self.std <= 0:
            raise ValueError(f"std must be positive, got {self.std}")

    @property
    def centres(self):
        return np.array([[self.mean]], dtype=np.float64)

    def sample(self, n, seed=None):
        _check_n(n)
        return _rng(seed).normal(self.mean, self.std, size=(n, 1))

    def pdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.exp(-0.5 * ((x - self.mean) / self.std) ** 2) / (self.std * np.sqrt(2 * np.pi))


@dataclass
class GaussianMixture2D(_Toy):
    """Equal-weight mixture of isotropic 2-D Gaussians at ``centres`` with one ``std``."""

    centres: np.ndarray = field(default_factory=lambda: np.zeros((1, 2)))
    std: float = 0.02
    dim: int = 2

    def __post_init__(self):
        self.centres = np.asarray(self.centres, dtype=np.float64)
        if self.centres.ndim != 2 or self.centres.shape[1] != 2:
            raise ValueError(f"centres must have shape (k, 2), got {self.centres.shape}")
        if self.std <= 0:
            raise ValueError(f"std must be positive, got {self.std}")

    @property
    def n_modes(self):
        return len(self.centres)

    def sample(self, n, seed=None, return_modes=False):
        _check_n(n)
        rng = _rng(seed)
        modes = rng.integers(0, self.n_modes, size=n)
        x = self.centres[modes] + rng.normal(0.0, self.std, size=(n, 2))
        return (x, modes) if return_modes else x

    def pdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        d2 = ((x[:, None, :] - self.centres[None]) ** 2).sum(-1)
        dens = np.exp(-0.5 * d2 / self.std**2) / (2 * np.pi * self.std**2)
        return dens.mean(axis=1)


def ring_of_gaussians(n_modes=8, radius=2.0, std=0.02):
    """``n_modes`` Gaussians evenly spaced on a circle of ``radius``, the first at angle 0."""
    if n_modes < 1:
        raise ValueError(f"n_modes must be >= 1, got {n_modes}")
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return GaussianMixture2D(np.stack([radius * np.cos(angles), radius * np.sin(angles)], 1), std)


def grid_of_gaussians(size=5, spacing=2.0, std=0.02):
    """``size x size`` Gaussians on a grid centred at 0 ({-4, ..., 4}^2 by default)."""
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    ticks = (np.arange(size) - (size - 1) / 2) * spacing
    xx, yy = np.meshgrid(ticks, ticks, indexing="ij")
    return GaussianMixture2D(np.stack([xx.ravel(), yy.ravel()], 1), std)


def benchmark_ring():
    """The "2D ring" of the mode-collapse tables: 8 Gaussians, radius 1, std 0.01 (PacGAN's
    released configuration of VEEGAN's benchmark, arXiv:1712.04086 / 1705.07761)."""
    return ring_of_gaussians(8, radius=1.0, std=0.01)


def benchmark_grid():
    """The "2D grid" of the mode-collapse tables: 25 Gaussians on {-4, -2, 0, 2, 4}^2, std 0.05."""
    return grid_of_gaussians(5, spacing=2.0, std=0.05)


@dataclass
class SwissRoll(_Toy):
    """2-D Swiss roll (scikit-learn's ``make_swiss_roll`` x/z plane, scaled by ``scale``).

    A continuous manifold: it has no modes, so ``centres`` is ``None``.
    """

    noise: float = 0.25
    scale: float = 0.2
    dim: int = 2
    centres: None = None

    def sample(self, n, seed=None):
        _check_n(n)
        rng = _rng(seed)
        t = 1.5 * np.pi * (1 + 2 * rng.random(n))
        x = np.stack([t * np.cos(t), t * np.sin(t)], 1)
        x += self.noise * rng.normal(size=(n, 2))
        return x * self.scale
