"""gan_tf.metrics.evaluate_per_class: per-class accuracy, FID, precision and recall of a
conditional generator, checked with 'generators' that return real images."""

import numpy as np
import pytest

from gan_tf import data, metrics

PER_CLASS = 140            # > 128 features: full-rank covariances for FID


@pytest.fixture(scope="module")
def balanced():
    x, y = data.load_arrays("fashion_mnist", "test", limit=2000)
    keep = np.concatenate([np.flatnonzero(y == k)[:PER_CLASS] for k in range(10)])
    return x[keep], y[keep].astype(np.int32)


class _Replay:
    """A 'generator' whose samples of class k are the real images of class (k + shift) % 10."""

    def __init__(self, x, y, shift=0):
        self.x, self.y, self.shift = x, y, shift

    def sample(self, n, seed=None, labels=None):
        return self.x[self.y == (labels + self.shift) % 10][:n]


def test_real_images_of_the_right_class_score_like_the_real_set(balanced):
    x, y = balanced
    extractor = metrics.feature_extractor("fashion_mnist", with_logits=True)
    report = metrics.evaluate_per_class(_Replay(x, y), x, y, n_per_class=PER_CLASS,
                                        extractor=extractor)
    _, logits = metrics.embed(extractor, x)
    expected = [float(np.mean(np.argmax(logits[y == k], 1) == k)) for k in range(10)]
    assert [r["accuracy"] for r in report["classes"]] == pytest.approx(expected)
    assert report["accuracy"] == pytest.approx(np.mean(expected))
    assert report["precision"] == 1.0 and report["recall"] == 1.0   # the same sets
    assert all(abs(r["fid"]) < 1e-3 for r in report["classes"])


def test_samples_of_the_wrong_class_are_caught(balanced):
    x, y = balanced
    report = metrics.evaluate_per_class(_Replay(x, y, shift=1), x, y, n_per_class=PER_CLASS)
    assert report["accuracy"] < 0.2 and report["fid"] > 10
    assert report["precision"] < 0.9


def test_per_class_evaluation_checks_its_inputs(balanced):
    x, y = balanced
    with pytest.raises(ValueError, match=r"labels in \[0, 9\]"):
        metrics.evaluate_per_class(_Replay(x, y), x, y + 1, n_per_class=4)
    with pytest.raises(ValueError, match="at least 4 real images of each class, received 0 of "
                                         "class 3"):
        metrics.evaluate_per_class(_Replay(x, y), x[y != 3], y[y != 3], n_per_class=4)
