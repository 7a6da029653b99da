"""losses.joint_embedding_loss against the formulas of Reed et al. (arXiv:1605.05395, section 3)
computed by hand in NumPy, class by class."""

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses


def reference(v, t, classes, negatives="max"):
    """Per-row l_v + l_t, written as the paper states them: loops over rows and over the
    classes present in the batch, expectations as means over the batch's rows of a class."""
    classes = np.asarray(classes)
    keys = [tuple(np.atleast_1d(c)) for c in classes]
    labels = sorted(set(keys))
    out = []
    for n in range(len(v)):
        own = np.dot(v[n], t[n])
        terms_v, terms_t = [], []
        for y in labels:
            rows = [k for k in range(len(v)) if keys[k] == y]
            delta = 0.0 if y == keys[n] else 1.0
            e_text = np.mean([np.dot(v[n], t[k]) for k in rows])     # E_{t ~ T(y)} F(v_n, t)
            e_image = np.mean([np.dot(v[k], t[n]) for k in rows])    # E_{v ~ V(y)} F(v, t_n)
            terms_v.append((delta, max(0.0, delta + e_text - own)))
            terms_t.append((delta, max(0.0, delta + e_image - own)))
        if negatives == "max":
            out.append(max(h for _, h in terms_v) + max(h for _, h in terms_t))
        else:
            wrong_v = [h for d, h in terms_v if d == 1.0]
            wrong_t = [h for d, h in terms_t if d == 1.0]
            out.append((np.mean(wrong_v) if wrong_v else 0.0)
                       + (np.mean(wrong_t) if wrong_t else 0.0))
    return np.array(out)


@pytest.mark.parametrize("negatives", ["max", "mean"])
def test_joint_embedding_loss_matches_the_papers_formula(negatives):
    rng = np.random.default_rng(0)
    v = rng.normal(size=(7, 5)).astype(np.float32)
    t = rng.normal(size=(7, 5)).astype(np.float32)
    # attribute tuples: rows 0, 3 and 5 share one tuple, rows 1 and 6 another, row 4 differs
    # from row 2 in its second attribute only (so it is another class)
    classes = np.array([[1, 2], [0, 1], [3, 3], [1, 2], [3, 0], [1, 2], [0, 1]], np.int64)
    got = losses.joint_embedding_loss(v, t, classes, negatives=negatives, reduction="none")
    want = reference(v, t, classes, negatives)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5)
    assert np.all(want > 0)
    mean = losses.joint_embedding_loss(v, t, classes, negatives=negatives)
    assert float(mean) == pytest.approx(want.mean(), rel=1e-5)
    # one integer per row is the same as a one-attribute tuple
    ids = np.array([0, 1, 2, 0, 3, 0, 1])
    np.testing.assert_allclose(
        losses.joint_embedding_loss(v, t, ids, negatives=negatives, reduction="none"),
        want, rtol=1e-5, atol=1e-5)


def test_unique_classes_give_the_hinge_on_the_score_matrix():
    # one row per class: l_v(n) = max(0, max_{j != n} 1 + S[n, j] - S[n, n]), l_t the same on
    # the columns, with S = V T^T; two rows by hand.
    v = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    t = np.array([[2.0, 0.0], [0.5, 0.5]], np.float32)
    # S = [[2, 0.5], [0, 0.5]]: l_v = [max(0, 1 + 0.5 - 2), max(0, 1 + 0 - 0.5)] = [0, 0.5];
    # l_t = [max(0, 1 + 0 - 2), max(0, 1 + 0.5 - 0.5)] = [0, 1]
    got = losses.joint_embedding_loss(v, t, [4, 9], reduction="none")
    np.testing.assert_allclose(got.numpy(), [0.0, 1.5], atol=1e-6)
    # a perfectly separated batch (margins > 1) has zero loss
    assert float(losses.joint_embedding_loss(3 * np.eye(3, dtype=np.float32),
                                             np.eye(3, dtype=np.float32), [0, 1, 2])) == 0.0


def test_joint_embedding_loss_gradient_is_finite_and_bad_input_is_refused():
    v = tf.Variable(np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32))
    t = tf.constant(np.random.default_rng(2).normal(size=(4, 3)).astype(np.float32))
    with tf.GradientTape() as tape:
        loss = losses.joint_embedding_loss(v, t, [0, 1, 0, 2])
    assert np.all(np.isfinite(tape.gradient(loss, v).numpy()))
    with pytest.raises(ValueError, match=r"must both have shape \(batch, d\), received "
                                         r"\(4, 3\) and \(4, 2\)"):
        losses.joint_embedding_loss(v, t[:, :2], [0, 1, 0, 2])
    with pytest.raises(ValueError, match=r"classes must be integers .* received dtype float32"):
        losses.joint_embedding_loss(v, t, np.zeros(4, np.float32))
    with pytest.raises(ValueError, match=r"with batch = 4, received dtype int64 and shape \(3,\)"):
        losses.joint_embedding_loss(v, t, np.zeros(3, np.int64))
    with pytest.raises(ValueError, match="unknown negatives 'sum'"):
        losses.joint_embedding_loss(v, t, [0, 1, 0, 2], negatives="sum")
