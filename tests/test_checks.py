"""gan_tf.checks: the shared input checks (label checks; the image checks are exercised through
the trainers in test_input_errors.py)."""

import numpy as np
import pytest

from gan_tf import checks


def test_check_labels_returns_int32_indices():
    out = checks.check_labels(np.array([0, 9, 3], dtype=np.int64), 10, "cgan", n=3)
    assert out.dtype == np.int32 and out.tolist() == [0, 9, 3]
    assert checks.check_labels([2.0, 5.0], 10, "cgan").tolist() == [2, 5]   # whole floats pass


@pytest.mark.parametrize("labels, n, match", [
    ([0, 10], None, r"labels in \[0, 9\] \(10 classes\), received values in \[0, 10\]"),
    ([-1, 3], None, r"received values in \[-1, 3\]"),
    ([0.5, 1.0], None, "integer class labels, received dtype float64 with fractional"),
    (["a", "b"], None, "integer class labels, received dtype str"),
    (np.eye(10)[:2], None, r"shape \(n,\)\), received shape \(2, 10\); pass integer indices"),
    ([1, 2], 3, "expects 3 labels \\(one per example\\), received 2"),
    ([1.0, np.nan], None, r"finite values, received non-finite values \(1 NaN"),
])
def test_check_labels_names_what_is_wrong(labels, n, match):
    with pytest.raises(ValueError, match=match):
        checks.check_labels(labels, 10, "cgan", n=n)
