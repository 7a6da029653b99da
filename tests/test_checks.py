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


def test_check_binary_labels_takes_multi_hot_rows_and_names_what_is_wrong():
    out = checks.check_binary_labels(np.array([[1, 0, 1], [0, 0, 0]], np.int64), 3, "stargan")
    assert out.dtype == np.float32 and out.tolist() == [[1, 0, 1], [0, 0, 0]]
    with pytest.raises(ValueError, match=r"stargan expects labels of shape \(n, 3\).*\(2, 4\)"):
        checks.check_binary_labels(np.zeros((2, 4)), 3, "stargan")
    with pytest.raises(ValueError, match=r"labels in \{0, 1\}, received 1 other values \(e.g. "
                                         r"0.5\)"):
        checks.check_binary_labels([[1, 0.5, 0]], 3, "stargan")
    with pytest.raises(ValueError, match=r"expects 3 label rows \(one per image\), received 1"):
        checks.check_binary_labels([[1, 0, 0]], 3, "stargan", n=3)
    with pytest.raises(ValueError, match=r"finite values \(1 NaN, 0 Inf\)"):
        checks.check_binary_labels([[1, np.nan, 0]], 3, "stargan")


@pytest.mark.parametrize("value", [-1, float("nan"), True, "1.0", None])
def test_non_negative_refuses_what_is_not_a_weight(value):
    with pytest.raises(ValueError, match=rf"rec_weight must be a number >= 0, got {value!r}"):
        checks.non_negative(value, "rec_weight")
    assert checks.non_negative(np.float32(2.5), "rec_weight") == 2.5


def test_non_negative_and_check_mask():
    assert checks.non_negative(0, "lam") == 0.0 and checks.non_negative(np.float32(2.5), "w") == 2.5
    for bad, match in ((-1e-3, r"^lam must be a number >= 0, got -0.001$"),
                       (np.nan, "lam must be a number >= 0"),
                       ("a", r"^lam must be a number >= 0, got 'a'$")):
        with pytest.raises(ValueError, match=match):
            checks.non_negative(bad, "lam")
    mask = np.array([[1, 0], [0, 1]])
    out = checks.check_mask(mask, (3, 2, 2, 1), "0 and 1")
    assert out.dtype == np.float32 and out.shape == (3, 2, 2) and out.sum() == 6
    with pytest.raises(ValueError, match=r"^brush must have shape \(h, w\) or \(n, h, w\) = "
                                         r"\(3, 2, 2\), got \(2, 2, 2\)$"):
        checks.check_mask(np.ones((2, 2, 2)), (3, 2, 2, 1), "0 and 1", name="brush")
