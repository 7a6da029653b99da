"""gan_tf.metrics.match_clusters: unsupervised classification accuracy after the best
one-to-one cluster -> class map (Hungarian algorithm), as InfoGAN's MNIST error
(arXiv:1606.03657, section 7.2) is measured."""

import numpy as np
import pytest

from gan_tf import metrics


def test_a_permuted_labelling_is_perfect_and_the_mapping_inverts_it():
    labels = np.random.default_rng(0).integers(0, 10, size=200)
    perm = np.random.default_rng(1).permutation(10)
    accuracy, mapping = metrics.match_clusters(perm[labels], labels)
    assert accuracy == 1.0
    assert mapping == {int(perm[c]): c for c in range(10)}


def test_accuracy_counts_the_best_one_to_one_map():
    # clusters 0 -> class 1 (2 hits), 1 -> class 0 (2 hits), 2 -> class 2 (1 hit): 5 of 6;
    # the greedy "cluster 0 -> class 0" would give less
    pred = [0, 0, 0, 1, 1, 2]
    labels = [1, 1, 0, 0, 0, 2]
    accuracy, mapping = metrics.match_clusters(pred, labels)
    assert accuracy == pytest.approx(5 / 6) and mapping == {0: 1, 1: 0, 2: 2}
    # two clusters for one class: only one of them can map to it
    accuracy, mapping = metrics.match_clusters([0, 1, 2, 2], [0, 0, 1, 1])
    assert accuracy == pytest.approx(3 / 4) and mapping[2] == 1 and len(mapping) == 2


def test_match_clusters_rejects_bad_labels():
    with pytest.raises(ValueError, match="expects 3 labels"):
        metrics.match_clusters([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match=r"received values in \[-1, 1\]"):
        metrics.match_clusters([0, -1, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="integer class labels"):
        metrics.match_clusters([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="at least one example"):
        metrics.match_clusters([], [])
