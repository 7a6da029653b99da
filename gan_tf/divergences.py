"""Numerical divergences between densities on a grid, for the theory of chapters 3 and 5.

NumPy functions on densities sampled on an evenly spaced grid ``x`` (1-D), and on samples.
They let a notebook check the textbook's identities numerically:

- the optimal discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x))
  (Goodfellow et al., arXiv:1406.2661, Proposition 1);
- the value at the optimum V(D*, G) = -log 4 + 2 JSD(p_data || p_g) (ibid., Theorem 1);
- KL's asymmetry, and the Jensen-Shannon divergence's bound log 2;
- the total variation distance on a grid, and the Wasserstein-1 distance between samples (1-D
  by sorting, point clouds by optimal assignment with SciPy), for the parallel lines of
  Arjovsky et al. (arXiv:1701.07875, Example 1).

See chapters 3.3 and 5.2."""

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


def total_variation(p, q, x):
    """Total variation distance TV(p, q) = 1/2 integral |p - q| (= sup_A |P(A) - Q(A)|), in
    [0, 1]; 1 exactly when the densities do not overlap (Arjovsky et al., arXiv:1701.07875,
    section 2). Densities sampled on the evenly spaced 1-D grid ``x``. See chapter 5.2.
    """
    x, _ = _grid(x)
    p, q = _density(p, x, "p"), _density(q, x, "q")
    return 0.5 * integrate(np.abs(p - q), x)


def _samples(a, name, ndim=None):
    a = np.asarray(a, dtype=np.float64)
    if ndim == 1:
        a = a.reshape(-1) if a.ndim == 2 and a.shape[1] == 1 else a
        if a.ndim != 1 or len(a) < 1:
            raise ValueError(f"{name} must be a 1-D array of samples, got shape {a.shape}")
    elif a.ndim != 2 or len(a) < 1:
        raise ValueError(f"{name} must have shape (n, d), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf values")
    return a


def wasserstein_1d(u, v):
    """Wasserstein-1 (earth mover's) distance between two 1-D empirical distributions.

    ``u`` ``(n,)`` and ``v`` ``(m,)`` are samples, each point of weight 1/n (1/m). In one
    dimension the optimal transport plan is monotone (sorted to sorted), so
    W1 = integral |F_u(t) - F_v(t)| dt, computed exactly from the two empirical CDFs
    (Arjovsky et al., arXiv:1701.07875, eq. 1). See chapter 5.2.
    """
    u, v = _samples(u, "u", ndim=1), _samples(v, "v", ndim=1)
    u, v = np.sort(u), np.sort(v)
    points = np.sort(np.concatenate([u, v]))
    widths = np.diff(points)
    cdf_u = np.searchsorted(u, points[:-1], side="right") / len(u)
    cdf_v = np.searchsorted(v, points[:-1], side="right") / len(v)
    return float(np.sum(np.abs(cdf_u - cdf_v) * widths))


def wasserstein_points(a, b):
    """Exact Wasserstein-1 distance between two equal-size point clouds ``(n, d)``.

    With n points of weight 1/n on each side an optimal plan is a permutation (Birkhoff's
    theorem), so W1 = min over permutations s of (1/n) sum_i ||a_i - b_s(i)||_2, solved by
    ``scipy.optimize.linear_sum_assignment`` on the n x n Euclidean cost matrix (O(n^3); fine
    for a few thousand points). This is the primal problem of the Kantorovich-Rubinstein
    duality (arXiv:1701.07875, eq. 1 and Theorem 3). See chapter 5.2.
    """
    from scipy.optimize import linear_sum_assignment

    a, b = _samples(a, "a"), _samples(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (n, d), got {a.shape} and {b.shape}")
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())
