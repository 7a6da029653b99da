"""Sample-quality scores on embeddings, class probabilities and pixels.

- ``frechet_distance``: FID, Heusel et al., arXiv:1706.08500, eq. 2.
- ``kernel_inception_distance``: KID, Binkowski et al., arXiv:1801.01401, section 3.
- ``inception_score``: Salimans et al., arXiv:1606.03498, section 4.
- ``precision_recall``: k-NN manifolds, Kynkaanniemi et al., arXiv:1904.06991, section 3.
- ``class_coverage``: mode coverage through a classifier's predicted labels.
- ``memorisation``: the nearest-training-image check of Goodfellow et al., arXiv:1406.2661,
  figure 2 (a generator that copies its data has a nearest neighbour at distance 0).

All work on NumPy arrays in float64. See chapter 5.5.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg

from gan_tf.checks import positive_int

#: squared distances below this fraction of ``|a|^2 + |b|^2`` count as exact ties (0),
#: far above float64 round-off (~1e-16) and far below any real distance between samples.
TIE_TOLERANCE = 1e-9


def _features(x, name, min_rows=1):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < min_rows or x.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-D array (n, d) with n >= {min_rows} and d >= 1, "
                         f"got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf values")
    return x


def _pair(a, b, min_rows, names=("features_a", "features_b")):
    a, b = _features(a, names[0], min_rows), _features(b, names[1], min_rows)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{names[0]} and {names[1]} must have the same feature dimension, "
                         f"got {a.shape[1]} and {b.shape[1]}")
    return a, b


# -- FID ------------------------------------------------------------------------------------

def _trace_sqrt_product(cov_a, cov_b, eps):
    """Tr (cov_a cov_b)^{1/2} for symmetric PSD matrices, as the sum of the square roots of
    the eigenvalues of cov_a^{1/2} cov_b cov_a^{1/2} (symmetric PSD, the same eigenvalues as
    cov_a cov_b): stable where sqrtm of the product is not (fewer samples than dimensions).
    Eigenvalues below ``-eps`` times the largest raise ``ValueError``."""
    def eigenvalues(m, what):
        w, v = np.linalg.eigh((m + m.T) / 2.0)
        if w.min() < -eps * max(1.0, np.abs(w).max()):
            raise ValueError(f"{what} is not positive semi-definite (eigenvalue {w.min():.3g})")
        return np.clip(w, 0.0, None), v

    w, v = eigenvalues(cov_a, "the first covariance")
    eigenvalues(cov_b, "the second covariance")
    half = (v * np.sqrt(w)) @ v.T
    product, _ = eigenvalues(half @ cov_b @ half, "cov_a^(1/2) cov_b cov_a^(1/2)")
    return float(np.sqrt(product).sum())


def frechet_distance_gaussians(mu_a, cov_a, mu_b, cov_b, eps=1e-6):
    """Frechet (2-Wasserstein) distance squared between N(mu_a, cov_a) and N(mu_b, cov_b):
    ``|mu_a - mu_b|^2 + Tr(cov_a + cov_b - 2 (cov_a cov_b)^{1/2})`` (Heusel et al.,
    arXiv:1706.08500, eq. 2). ``scipy.linalg.sqrtm`` gives the matrix square root, as in the
    reference implementation; where it is not finite or has an imaginary part above 1e-3 of its
    largest entry (singular products: fewer samples than dimensions), the trace is computed
    from the eigenvalues of ``cov_a^{1/2} cov_b cov_a^{1/2}`` instead, which is exact for
    positive semi-definite covariances. A covariance with an eigenvalue below ``-eps`` times
    its largest raises ``ValueError``. See chapter 5.5.
    """
    mu_a = np.atleast_1d(np.asarray(mu_a, dtype=np.float64))
    mu_b = np.atleast_1d(np.asarray(mu_b, dtype=np.float64))
    cov_a = np.atleast_2d(np.asarray(cov_a, dtype=np.float64))
    cov_b = np.atleast_2d(np.asarray(cov_b, dtype=np.float64))
    d = mu_a.shape[0]
    if mu_a.shape != (d,) or mu_b.shape != (d,):
        raise ValueError(f"means must be vectors of one length d, got {mu_a.shape} and "
                         f"{mu_b.shape}")
    if cov_a.shape != (d, d) or cov_b.shape != (d, d):
        raise ValueError(f"covariances must be ({d}, {d}) for d={d}, got {cov_a.shape} and "
                         f"{cov_b.shape}")
    diff = mu_a - mu_b
    with warnings.catch_warnings():  # singular products are handled just below
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov_a @ cov_b)
    stable = np.all(np.isfinite(covmean))
    if stable and np.iscomplexobj(covmean):
        imag = np.max(np.abs(covmean.imag))
        stable = imag <= 1e-3 * max(1.0, np.max(np.abs(covmean.real)))
        covmean = covmean.real
    trace = float(np.trace(covmean)) if stable else _trace_sqrt_product(cov_a, cov_b, eps)
    return float(diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace)


def frechet_distance(features_a, features_b, eps=1e-6):
    """FID between two sets of embeddings ``(n_a, d)`` and ``(n_b, d)`` (n >= 2 each): the
    Frechet distance of Gaussians fitted to each (sample mean, unbiased covariance).
    Heusel et al., arXiv:1706.08500, eq. 2. See chapter 5.5.
    """
    a, b = _pair(features_a, features_b, min_rows=2)
    return frechet_distance_gaussians(a.mean(0), np.cov(a, rowvar=False),
                                      b.mean(0), np.cov(b, rowvar=False), eps=eps)


# -- KID ------------------------------------------------------------------------------------

def _polynomial_mmd2_unbiased(x, y):
    d = x.shape[1]
    k_xx = (x @ x.T / d + 1.0) ** 3
    k_yy = (y @ y.T / d + 1.0) ** 3
    k_xy = (x @ y.T / d + 1.0) ** 3
    m, n = len(x), len(y)
    sum_xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    sum_yy = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return sum_xx + sum_yy - 2.0 * k_xy.mean()


def kernel_inception_distance(features_a, features_b, num_subsets=10, subset_size=1000,
                              seed=0):
    """KID: the unbiased estimate of MMD^2 with the cubic polynomial kernel
    ``k(x, y) = (x.y / d + 1)^3``, averaged over ``num_subsets`` random subsets of
    ``min(subset_size, n_a, n_b)`` rows of each set (drawn without replacement within a
    subset, with ``numpy.random.default_rng(seed)``). Returns ``(mean, std)`` over subsets.
    Unbiased, so it can be slightly negative when the two sets come from one distribution.
    Binkowski et al., arXiv:1801.01401, section 3. See chapter 5.5.
    """
    a, b = _pair(features_a, features_b, min_rows=2)
    num_subsets = positive_int(num_subsets, "num_subsets")
    subset_size = positive_int(subset_size, "subset_size")
    m = min(subset_size, len(a), len(b))
    if m < 2:
        raise ValueError(f"subset_size must be at least 2, got {subset_size}")
    rng = np.random.default_rng(seed)
    values = np.array([
        _polynomial_mmd2_unbiased(a[rng.choice(len(a), m, replace=False)],
                                  b[rng.choice(len(b), m, replace=False)])
        for _ in range(num_subsets)])
    return float(values.mean()), float(values.std())


# -- Inception Score ------------------------------------------------------------------------

def inception_score(probs, splits=10):
    """``exp(E_x KL(p(y|x) || p(y)))`` from class probabilities ``probs`` ``(n, classes)``
    (rows sum to 1), computed on ``splits`` consecutive equal parts; returns ``(mean, std)``
    over the parts (Salimans et al., arXiv:1606.03498, section 4, and their code). It is 1
    when every sample gets the same prediction and ``classes`` when predictions are
    confident and classes equally frequent. See chapter 5.5.
    """
    p = _features(probs, "probs")
    splits = positive_int(splits, "splits")
    if splits > len(p):
        raise ValueError(f"splits must be at most the number of samples {len(p)}, got {splits}")
    if np.any(p < 0) or not np.allclose(p.sum(1), 1.0, atol=1e-3):
        raise ValueError("probs must be probabilities: non-negative rows summing to 1 "
                         "(apply a softmax to logits first)")
    scores = []
    for part in np.array_split(p, splits):
        py = part.mean(0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = np.where(part > 0, part * (np.log(part) - np.log(py)), 0.0).sum(1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


# -- precision and recall -------------------------------------------------------------------

def _squared_distances(a, b, a_sq, b_sq):
    d2 = a_sq[:, None] + b_sq[None, :] - 2.0 * (a @ b.T)
    scale = a_sq[:, None] + b_sq[None, :]
    d2[d2 <= TIE_TOLERANCE * scale] = 0.0
    return d2


def _knn_radii_squared(x, k, chunk_size):
    sq = np.einsum("ij,ij->i", x, x)
    radii = np.empty(len(x))
    for i in range(0, len(x), chunk_size):
        d2 = _squared_distances(x[i:i + chunk_size], x, sq[i:i + chunk_size], sq)
        # index k of the sorted row skips the point itself (distance 0 at index 0)
        radii[i:i + chunk_size] = np.partition(d2, k, axis=1)[:, k]
    return radii


def _inside_fraction(manifold, radii2, queries, chunk_size):
    m_sq = np.einsum("ij,ij->i", manifold, manifold)
    q_sq = np.einsum("ij,ij->i", queries, queries)
    inside = 0
    for i in range(0, len(queries), chunk_size):
        d2 = _squared_distances(queries[i:i + chunk_size], manifold, q_sq[i:i + chunk_size],
                                m_sq)
        inside += int(np.any(d2 <= radii2[None, :], axis=1).sum())
    return inside / len(queries)


def precision_recall(real_features, fake_features, k=3, chunk_size=1000):
    """Improved precision and recall ``(precision, recall)`` with k-NN manifolds.

    The manifold of a set is the union of balls around its points, each with the radius of
    the point's ``k``-th nearest neighbour in the set (itself excluded). Precision is the
    fraction of fake samples inside the real manifold, recall the fraction of real samples
    inside the fake manifold (Kynkaanniemi et al., arXiv:1904.06991, section 3, k=3).
    Distances are computed ``chunk_size`` rows at a time, so memory is
    ``chunk_size * max(n_real, n_fake)`` floats. A set against itself gives exactly (1, 1).
    See chapter 5.5.
    """
    real, fake = _pair(real_features, fake_features, min_rows=1,
                       names=("real_features", "fake_features"))
    k = positive_int(k, "k")
    chunk_size = positive_int(chunk_size, "chunk_size")
    if k >= min(len(real), len(fake)):
        raise ValueError(f"k must be smaller than both set sizes ({len(real)} real, "
                         f"{len(fake)} fake), got k={k}")
    real_r2 = _knn_radii_squared(real, k, chunk_size)
    fake_r2 = _knn_radii_squared(fake, k, chunk_size)
    precision = _inside_fraction(real, real_r2, fake, chunk_size)
    recall = _inside_fraction(fake, fake_r2, real, chunk_size)
    return float(precision), float(recall)


# -- class coverage -------------------------------------------------------------------------

def class_coverage(predicted_labels, num_classes, threshold=0.1):
    """Mode coverage from predicted class labels ``(n,)`` of generated samples.

    Returns ``{"counts", "histogram" (fractions, sum 1), "classes_covered", "kl_to_uniform"}``.
    A class counts as covered when its fraction is at least ``threshold / num_classes``
    (default: a tenth of its share under a uniform generator, e.g. 1% for 10 classes) so that
    a few misclassified samples do not hide a collapsed mode. ``kl_to_uniform`` is
    ``KL(histogram || uniform)`` in nats: 0 for perfect balance, ``log(num_classes)`` when
    every sample falls in one class. See chapter 5.5.
    """
    num_classes = positive_int(num_classes, "num_classes")
    labels = np.asarray(predicted_labels)
    if labels.ndim != 1 or labels.size == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"predicted_labels must be a non-empty 1-D integer array, got "
                         f"shape {labels.shape} dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"predicted_labels must lie in [0, {num_classes - 1}], got values in "
                         f"[{labels.min()}, {labels.max()}]")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold}")
    counts = np.bincount(labels, minlength=num_classes)
    hist = counts / counts.sum()
    covered = int(np.sum(hist >= threshold / num_classes)) if threshold > 0 \
        else int(np.sum(counts > 0))
    nz = hist > 0
    kl = float(np.sum(hist[nz] * np.log(hist[nz] * num_classes)))
    return {"counts": counts, "histogram": hist, "classes_covered": covered,
            "kl_to_uniform": kl}


# -- memorisation ---------------------------------------------------------------------------

def memorisation(samples, train_images, batch_size=256):
    """The memorisation check: for each sample, its nearest training image in pixel space.

    ``samples`` ``(n, ...)`` and ``train_images`` ``(m, ...)`` of one shape per image.
    Returns ``{"index": (n,) int, "distance": (n,) L2 distances, "mean", "min"}``. The
    nearest neighbour is found ``batch_size`` samples at a time by the expanded
    ``|a|^2 + |b|^2 - 2 a.b``, and its distance recomputed exactly as ``|a - b|``, so an
    exact copy shows distance 0. Goodfellow et al., arXiv:1406.2661, figure 2 (nearest
    training examples next to samples). See chapter 5.5.
    """
    s = np.asarray(samples, dtype=np.float64)
    t = np.asarray(train_images, dtype=np.float64)
    if s.ndim < 2 or t.ndim < 2 or s.shape[1:] != t.shape[1:] or not len(s) or not len(t):
        raise ValueError(f"samples and train_images must be non-empty arrays (n, ...) with "
                         f"the same image shape, got {s.shape} and {t.shape}")
    batch_size = positive_int(batch_size, "batch_size")
    s, t = s.reshape(len(s), -1), t.reshape(len(t), -1)
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(t))):
        raise ValueError("samples and train_images must be finite")
    t_sq = np.einsum("ij,ij->i", t, t)
    index = np.empty(len(s), dtype=np.int64)
    for i in range(0, len(s), batch_size):
        chunk = s[i:i + batch_size]
        d2 = t_sq[None, :] - 2.0 * (chunk @ t.T)  # + |chunk|^2, constant per row
        index[i:i + batch_size] = np.argmin(d2, axis=1)
    distance = np.linalg.norm(s - t[index], axis=1)
    return {"index": index, "distance": distance, "mean": float(distance.mean()),
            "min": float(distance.min())}
