"""Mode coverage on mixtures with known centres: the 2-D ring/grid protocol.

The protocol of VEEGAN (Srivastava et al., arXiv:1705.07761, section 5.1 and Table 1) and
PacGAN (Lin et al., arXiv:1712.04086, section 5.1 and Table 1), which PacGAN adopts from
VEEGAN and extends with a reverse KL:

- Draw **2,500 samples** from the trained generator.
- A sample is **high quality** if it lies within **3 standard deviations** of its nearest
  mode centre (distance ``< 3 * std``; the mixture components are isotropic with one ``std``).
- A mode is **captured** if it is the nearest centre of **at least one** high-quality sample
  (VEEGAN: "the number of mixture components whose mean is nearest to at least one high
  quality sample"; PacGAN's released code counts modes with a non-zero high-quality count).
- **% high quality** = high-quality samples / all samples.
- **Reverse KL** = KL(q || p), q the histogram of high-quality samples over the modes
  (normalised), p the true mode weights (uniform). A missed mode contributes 0 (q log q = 0).

The mixtures of the published tables (PacGAN's released configuration, the same as VEEGAN's):
ring of 8 Gaussians on the **unit circle, std 0.01**; grid of 25 Gaussians at
{-4, -2, 0, 2, 4}^2, **std 0.05** (``gan_tf.data.toy.benchmark_ring`` / ``benchmark_grid``).
VEEGAN averages five runs, PacGAN ten (mean +- standard error). See chapter 5.6.
"""

from __future__ import annotations

import numpy as np

#: the number of generator samples both papers evaluate
PROTOCOL_SAMPLES = 2500
#: a sample is high quality within this many standard deviations of its nearest centre
PROTOCOL_THRESHOLD = 3.0


def mode_coverage(samples, centres, std, threshold=PROTOCOL_THRESHOLD, min_count=1,
                  weights=None):
    """Modes captured, fraction of high-quality samples and reverse KL (VEEGAN/PacGAN protocol).

    Args:
        samples: ``(n, d)`` generator samples (the protocol uses n = 2,500).
        centres: ``(k, d)`` mode centres.
        std: the per-mode standard deviation of the true mixture (isotropic).
        threshold: a sample is high quality within ``threshold * std`` of its nearest centre.
        min_count: high-quality samples a mode needs to count as captured (protocol: 1).
        weights: true mode weights for the reverse KL (default uniform).

    Returns:
        dict with ``modes`` (number captured), ``n_modes``, ``high_quality`` (fraction in
        [0, 1]), ``reverse_kl`` (KL(q || p) of the high-quality mode histogram; ``inf`` when
        no sample is high quality), ``counts`` (high-quality samples per mode, int array) and
        ``nearest`` (nearest centre of every sample) and ``distance`` (distance to it).
    """
    x = np.asarray(samples, dtype=np.float64)
    c = np.asarray(centres, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"samples must have shape (n, d) with n >= 1, got {x.shape}")
    if c.ndim != 2 or c.shape[0] < 1 or c.shape[1] != x.shape[1]:
        raise ValueError(f"centres must have shape (k, {x.shape[1]}), got {c.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples contain NaN or inf values")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std}")
    if not threshold > 0 or int(min_count) < 1:
        raise ValueError(f"threshold must be > 0 and min_count >= 1, got {threshold}, {min_count}")
    k = len(c)
    if weights is None:
        p = np.full(k, 1.0 / k)
    else:
        p = np.asarray(weights, dtype=np.float64)
        if p.shape != (k,) or np.any(p <= 0):
            raise ValueError(f"weights must be {k} positive numbers, got {weights!r}")
        p = p / p.sum()

    d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    nearest = np.argmin(d2, axis=1)
    distance = np.sqrt(d2[np.arange(len(x)), nearest])
    good = distance < threshold * std
    counts = np.bincount(nearest[good], minlength=k)
    n_good = int(good.sum())
    if n_good:
        q = counts / n_good
        nz = q > 0
        reverse_kl = float(np.sum(q[nz] * np.log(q[nz] / p[nz])))
    else:
        reverse_kl = float("inf")
    return {
        "modes": int(np.sum(counts >= int(min_count))),
        "n_modes": k,
        "high_quality": n_good / len(x),
        "reverse_kl": reverse_kl,
        "counts": counts,
        "nearest": nearest,
        "distance": distance,
    }
