"""Numerical divergences between densities on a grid, for the theory of chapters 3 and 5.

Pure NumPy functions on densities sampled on an evenly spaced grid ``x`` (1-D). They let a
notebook check the textbook's identities numerically:

- the optimal discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x))
  (Goodfellow et al., arXiv:1406.2661, Proposition 1);
- the value at the optimum V(D*, G) = -log 4 + 2 JSD(p_data || p_g) (ibid., Theorem 1);
- KL's asymmetry, and the Jensen-Shannon divergence's bound log 2.

See chapter 3.3.
"""

from __future__ import annotations

import numpy as np


def _grid(x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(f"x must be a 1-D grid of at least 2 points, got shape {x.shape}")
    dx = np.diff(x)
    if not np.allclose(dx, dx[0]):
        raise ValueError("x must be evenly spaced")
    return x, dx[0]


def _density(p, x, name):
    p = np.asarray(p, dtype=np.float64)
    if p.shape != x.shape:
        raise ValueError(f"{name} must have the grid's shape {x.shape}, got {p.shape}")
    if np.any(p < 0):
        raise ValueError(f"{name} must be non-negative")
    return p


def integrate(f, x):
    """Trapezoidal integral of ``f`` sampled on the grid ``x``."""
    x, dx = _grid(x)
    f = np.asarray(f, dtype=np.float64)
    return float(dx * (f.sum() - 0.5 * (f[0] + f[-1])))


def gaussian_pdf(x, mean, std):
    """Density of N(mean, std^2) at ``x``."""
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def kl_divergence(p, q, x):
    """KL(p || q) = integral p log(p / q) in nats; ``inf`` where p > 0 but q = 0."""
    x, _ = _grid(x)
    p, q = _density(p, x, "p"), _density(q, x, "q")
    mask = p > 0
    if np.any(mask & (q <= 0)):
        return float("inf")
    integrand = np.zeros_like(p)
    integrand[mask] = p[mask] * np.log(p[mask] / q[mask])
    return integrate(integrand, x)


def js_divergence(p, q, x):
    """JSD(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q)/2; in [0, log 2] nats."""
    x, _ = _grid(x)
    p, q = _density(p, x, "p"), _density(q, x, "q")
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m, x) + 0.5 * kl_divergence(q, m, x)


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data / (p_data + p_g), and 1/2 where both densities vanish."""
    p_data = np.asarray(p_data, dtype=np.float64)
    p_g = np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    out = np.full_like(total, 0.5)
    np.divide(p_data, total, out=out, where=total > 0)
    return out


def gan_value(d, p_data, p_g, x):
    """V(D, G) = E_{p_data}[log D] + E_{p_g}[log(1 - D)] for D sampled on the grid."""
    x, _ = _grid(x)
    d = np.clip(np.asarray(d, dtype=np.float64), 1e-300, 1 - 1e-16)
    p_data, p_g = _density(p_data, x, "p_data"), _density(p_g, x, "p_g")
    return integrate(p_data * np.log(d), x) + integrate(p_g * np.log1p(-d), x)
