"""Unsupervised classification accuracy: clusters matched to classes one-to-one.

A model that sorts images into unlabelled clusters (InfoGAN's categorical code,
arXiv:1606.03657 section 7.2: "5 % error" on MNIST by matching each category of c1 to a
digit) is scored by the best one-to-one map from clusters to classes, found by the Hungarian
algorithm (``scipy.optimize.linear_sum_assignment``) on the cluster-by-class count table. See
chapter 6.3.
"""

from __future__ import annotations

import numpy as np

from gan_tf import checks


def _as_labels(values, what, n=None):
    values = np.asarray(values)
    bound = 1
    if values.ndim == 1 and values.size and values.dtype.kind in "iuf":
        finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        if finite.size:
            bound = max(1, int(np.floor(finite.max())) + 1)
    return checks.check_labels(values, bound, what, n=n)


def match_clusters(pred, labels):
    """``(accuracy, mapping)``: the fraction of examples whose cluster ``pred[i]`` maps to their
    class ``labels[i]`` under the one-to-one ``mapping`` {cluster: class} that maximises it
    (Hungarian algorithm). Both are vectors of non-negative integers of one length; with more
    clusters than classes, unmatched clusters count as errors (and are not in ``mapping``).
    See chapter 6.3."""
    from scipy.optimize import linear_sum_assignment

    pred = _as_labels(pred, "match_clusters pred")
    labels = _as_labels(labels, "match_clusters labels", n=len(pred))
    if len(pred) == 0:
        raise ValueError("match_clusters expects at least one example, received 0")
    counts = np.zeros((pred.max() + 1, labels.max() + 1), np.int64)
    np.add.at(counts, (pred, labels), 1)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    accuracy = float(counts[rows, cols].sum()) / len(pred)
    return accuracy, {int(r): int(c) for r, c in zip(rows, cols)}
