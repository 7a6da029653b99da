"""gan_tf.metrics.retrieval: caption -> image top-1 / recall@k against hand-computed ranks."""

import numpy as np
import pytest

from gan_tf import metrics


def test_retrieval_scores_by_hand():
    text = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    image = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.5]])
    # scores: caption 0 -> [2, 0, 1] (own 0 first); caption 1 -> [0, 1, 0.5] (own 1 first);
    # caption 2 -> [2, 1, 1.5] (own 2 second, behind image 0)
    matches = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1]], bool)  # caption 2 also fits image 0
    out = metrics.retrieval_scores(text, image, [0, 1, 2], matches, k=(1, 2))
    assert out["exact_top1"] == pytest.approx(2 / 3)
    assert out["recall@1"] == pytest.approx(2 / 3) and out["recall@2"] == 1.0
    assert out["attribute_top1"] == 1.0          # every top image has the stated attributes
    assert out["chance_attribute_top1"] == pytest.approx(5 / 9)
    assert (out["n_captions"], out["n_images"]) == (3, 3)
    no_fit = matches.copy()
    no_fit[2, 0] = False
    assert metrics.retrieval_scores(text, image, [0, 1, 2], no_fit)["attribute_top1"] \
        == pytest.approx(2 / 3)


def test_retrieval_scores_errors():
    t, v = np.ones((2, 3)), np.ones((4, 3))
    with pytest.raises(ValueError, match=r"one embedding size, received \(2, 3\) and \(4, 2\)"):
        metrics.retrieval_scores(t, v[:, :2], [0, 1])
    with pytest.raises(ValueError, match=r"labels in \[0, 3\] \(4 classes\), received values "
                                         r"in \[0, 4\]"):
        metrics.retrieval_scores(t, v, [0, 4])
    with pytest.raises(ValueError, match=r"matches must be a bool array of shape \(2, 4\)"):
        metrics.retrieval_scores(t, v, [0, 1], matches=np.ones((4, 2), bool))
