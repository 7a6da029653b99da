"""gan_tf.data.labelled: labelled batches, few-label splits and semi-supervised batches."""

import numpy as np
import pytest
import tensorflow as tf

from gan_tf.data import images, labelled


def _tagged(n, size=2):
    """``n`` images whose every pixel encodes the image's index (so a batch can be traced back
    to the indices it came from) and the decoder."""
    values = np.linspace(-1.0, 1.0, n, dtype=np.float32)
    x = np.broadcast_to(values[:, None, None, None], (n, size, size, 1)).copy()

    def decode(batch):
        return np.rint((np.asarray(batch)[:, 0, 0, 0] + 1.0) / 2.0 * (n - 1)).astype(int)

    return x, decode


# -- few_label_split ---------------------------------------------------------------------


def test_few_label_split_counts_disjointness_and_hand_draw():
    labels = np.repeat([0, 1, 2], [5, 8, 12])
    labels = labels[np.random.default_rng(7).permutation(len(labels))]
    lab, unl = labelled.few_label_split(labels, 3, seed=4)
    np.testing.assert_array_equal(np.bincount(labels[lab], minlength=3), [3, 3, 3])
    np.testing.assert_array_equal(np.bincount(labels[unl], minlength=3), [2, 5, 9])
    assert lab.dtype == unl.dtype == np.int64
    assert np.all(np.diff(lab) > 0) and np.all(np.diff(unl) > 0)
    np.testing.assert_array_equal(np.union1d(lab, unl), np.arange(len(labels)))
    assert np.intersect1d(lab, unl).size == 0
    # the documented draw, by hand: one generator, classes in increasing order
    rng = np.random.default_rng(4)
    want = np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == c), 3, replace=False)
                                   for c in range(3)]))
    np.testing.assert_array_equal(lab, want)
    # deterministic by seed; another seed draws other examples
    np.testing.assert_array_equal(labelled.few_label_split(labels, 3, seed=4)[0], lab)
    assert not np.array_equal(labelled.few_label_split(labels, 3, seed=5)[0], lab)


@pytest.mark.parametrize("kwargs,message", [
    ({"n_per_class": 6}, r"needs 6 examples of every class, but class 0 has 5 \(classes with "
                         r"too few: 0: 5\)"),
    ({"n_per_class": 1, "n_classes": 4}, r"class 3 has 0"),
    ({"n_per_class": 0}, r"n_per_class must be a positive int, got 0"),
])
def test_few_label_split_errors(kwargs, message):
    labels = np.repeat([0, 1, 2], [5, 8, 12])
    with pytest.raises(ValueError, match=message):
        labelled.few_label_split(labels, **kwargs)


# -- labelled_dataset / load_labelled ----------------------------------------------------


def test_labelled_dataset_pairs_images_with_int32_labels():
    x, decode = _tagged(10)
    y = np.arange(10) % 3
    ds = labelled.labelled_dataset(x, y.astype(np.float64), batch_size=4, seed=1)
    assert ds.element_spec[1].dtype == tf.int32
    seen = []
    for xb, yb in ds:
        idx = decode(xb)
        np.testing.assert_array_equal(yb.numpy(), y[idx])
        seen.extend(idx)
    assert sorted(seen) == list(range(10))


def test_labelled_dataset_resumable_is_to_datasets_order():
    x, _ = _tagged(10)
    y = np.arange(10) % 3
    ds = labelled.labelled_dataset(x, y, batch_size=4, seed=2, resumable=True)
    ref = images.to_dataset(x, y.astype(np.int32), batch_size=4, seed=2, resumable=True)
    images.epoch_variable(ds).assign(3)
    images.epoch_variable(ref).assign(3)
    for (a, b), (c, d) in zip(ds, ref, strict=True):
        np.testing.assert_array_equal(a.numpy(), c.numpy())
        np.testing.assert_array_equal(b.numpy(), d.numpy())


@pytest.mark.parametrize("labels,n_classes,message", [
    (np.array([0, 1, 2, -1] * 2 + [0, 1]), None, r"labels in \[0, 2\] \(3 classes\), received "
                                                  r"values in \[-1, 2\]"),
    (np.arange(10) % 4, 3, r"labels in \[0, 2\] \(3 classes\), received values in \[0, 3\]"),
    (np.eye(10, 3), None, r"a vector of class labels \(shape \(n,\)\), received shape \(10, 3\)"),
    (np.full(10, 0.5), None, r"integer class labels, received dtype float64 with fractional"),
    (np.zeros(9, int), None, r"10 labels \(one per example\), received 9"),
    (np.array(["a"] * 10), None, r"integer class labels, received dtype str"),
])
def test_labelled_dataset_bad_labels(labels, n_classes, message):
    x, _ = _tagged(10)
    with pytest.raises(ValueError, match=r"labelled_dataset expects " + message):
        labelled.labelled_dataset(x, labels, n_classes=n_classes)


@pytest.mark.parametrize("x,message", [
    (np.full((4, 2, 2, 1), 2.0, np.float32), r"expects images in \[-1, 1\], received values in "
                                             r"\[2, 2\]"),
    (np.zeros((4, 2, 2), np.float32), r"expects NHWC images .*received shape \(4, 2, 2\)"),
])
def test_labelled_dataset_bad_images(x, message):
    with pytest.raises(ValueError, match=message):
        labelled.labelled_dataset(x, np.zeros(4, int))


def test_load_labelled_pad_to_32_adds_a_background_border():
    # the test split (10,000 images) is the faster file to read
    want, labels = images.load_arrays("fashion_mnist", "test", limit=6)
    ds = labelled.load_labelled("fashion_mnist", "test", batch_size=6, limit=6, pad_to=32)
    ds_plain = labelled.load_labelled("fashion_mnist", "test", batch_size=6, limit=6)
    (x, y), = list(ds)
    (x_plain, y_plain), = list(ds_plain)
    x = x.numpy()
    assert x.shape == (6, 32, 32, 1)
    np.testing.assert_array_equal(y.numpy(), y_plain.numpy())   # same seed: same order
    np.testing.assert_array_equal(x[:, 2:30, 2:30], x_plain.numpy())
    border = np.ones((32, 32), bool)
    border[2:30, 2:30] = False
    assert np.all(x[:, border] == -1.0)
    # the images are the data set's: every padded centre is one of the 6 originals
    order = [int(np.flatnonzero(np.all(want == c, axis=(1, 2, 3)))[0]) for c in x[:, 2:30, 2:30]]
    assert sorted(order) == list(range(6))
    np.testing.assert_array_equal(y.numpy(), labels[order])


def test_pad_images_odd_excess_and_error():
    x = np.zeros((1, 3, 2, 1), np.float32)
    padded = labelled.pad_images(x, 6)
    assert padded.shape == (1, 6, 6, 1)
    np.testing.assert_array_equal(padded[0, :, :, 0] == 0,
                                  np.pad(np.ones((3, 2), bool), ((1, 2), (2, 2))))
    with pytest.raises(ValueError, match=r"pad_to must be at least the image size 3x2, got 2"):
        labelled.pad_images(x, 2)


# -- semi_supervised_dataset -------------------------------------------------------------


N, CLASSES = 40, 4
LABELS = np.arange(N) % CLASSES


def test_semi_supervised_batches_structure_and_sources():
    x, decode = _tagged(N)
    ds, lab = labelled.semi_supervised_dataset(x, LABELS, n_per_class=2, batch_size=10,
                                               labelled_batch_size=6, seed=3)
    np.testing.assert_array_equal(lab, labelled.few_label_split(LABELS, 2, seed=3)[0])
    spec_x, (spec_xl, spec_yl) = ds.element_spec
    assert (spec_x.dtype, spec_xl.dtype, spec_yl.dtype) == (tf.float32, tf.float32, tf.int32)
    assert int(ds.cardinality()) == 4   # 32 unlabelled images in batches of 10: 10, 10, 10, 2
    pool, drawn = [], []
    for xb, (xl, yl) in ds:
        assert xl.shape == (6, 2, 2, 1) and yl.shape == (6,)
        idx_l = decode(xl)
        assert set(idx_l) <= set(lab)                                   # labelled set only
        np.testing.assert_array_equal(yl.numpy(), LABELS[idx_l])        # with their labels
        pool.extend(decode(xb))
        drawn.extend(idx_l)
    assert [len(b[0]) for b in ds] == [10, 10, 10, 2]
    # one epoch = every unlabelled example once, never a labelled one
    np.testing.assert_array_equal(np.sort(pool), np.setdiff1d(np.arange(N), lab))
    # 4 steps x 6 = 24 labelled draws from 8 labelled examples: 3 whole permutations
    assert len(drawn) == 24
    np.testing.assert_array_equal(np.bincount(drawn, minlength=N)[lab], [3] * 8)


def test_semi_supervised_labelled_stream_repeats_and_partial_permutation():
    x, decode = _tagged(N)
    ds, lab = labelled.semi_supervised_dataset(x, LABELS, n_per_class=1, batch_size=12,
                                               seed=0, drop_remainder=True)
    # 36 unlabelled -> 3 steps of 12; 36 labelled draws from 4 examples = 9 permutations
    assert int(ds.cardinality()) == 3
    counts = np.zeros(N, int)
    for _ in range(2):   # two epochs: the labelled stream does not run out
        for xb, (xl, yl) in ds:
            assert xb.shape[0] == 12 and xl.shape[0] == 12
            np.add.at(counts, decode(xl), 1)
    np.testing.assert_array_equal(counts[lab], [18] * 4)
    assert counts.sum() == 72


def _epochs(ds, n):
    return [[(a.numpy(), b.numpy(), c.numpy()) for a, (b, c) in ds] for _ in range(n)]


def _assert_same(epoch_a, epoch_b):
    for batch_a, batch_b in zip(epoch_a, epoch_b, strict=True):
        for u, v in zip(batch_a, batch_b, strict=True):
            np.testing.assert_array_equal(u, v)


def test_semi_supervised_is_deterministic_and_resumable():
    x, _ = _tagged(N)
    kwargs = dict(n_per_class=2, batch_size=8, labelled_batch_size=3, seed=5)
    ds, _ = labelled.semi_supervised_dataset(x, LABELS, resumable=True, **kwargs)
    reference = _epochs(ds, 4)
    assert not np.array_equal(reference[0][0][0], reference[1][0][0])   # reshuffled per epoch
    assert not np.array_equal(reference[0][0][2], reference[1][0][2])
    # a fresh dataset (a resumed run) told "epoch 3" reads epoch 3's batches, also through .map
    fresh, _ = labelled.semi_supervised_dataset(x, LABELS, resumable=True, **kwargs)
    derived = fresh.map(lambda u, lab: (u, lab)).prefetch(1)
    variable = images.epoch_variable(derived)
    assert variable is not None and int(variable.numpy()) == 0
    variable.assign(3)
    _assert_same(_epochs(derived, 1)[0], reference[3])
    # not resumable: no counter for fit, same batches given the seed, others for another seed
    plain, _ = labelled.semi_supervised_dataset(x, LABELS, **kwargs)
    assert images.epoch_variable(plain) is None
    for got, want in zip(_epochs(plain, 2), reference[:2]):
        _assert_same(got, want)
    other, _ = labelled.semi_supervised_dataset(x, LABELS, **{**kwargs, "seed": 6})
    assert not np.array_equal(_epochs(other, 1)[0][0][0], reference[0][0][0])


def test_semi_supervised_small_last_batch_is_filtered_by_its_unlabelled_size():
    x, _ = _tagged(N)
    ds, _ = labelled.semi_supervised_dataset(x, LABELS, n_per_class=2, batch_size=10)
    kept, dropped = images.drop_small_batches(ds, 3)
    assert dropped
    assert [int(u.shape[0]) for u, _ in kept] == [10, 10, 10]


@pytest.mark.parametrize("kwargs,message", [
    ({"n_per_class": 11}, r"needs 11 examples of every class, but class 0 has 10"),
    ({"n_per_class": 10}, r"batch of 64, but only 0 of the 40 examples are left unlabelled"),
    ({"n_per_class": 9, "batch_size": 5, "drop_remainder": True},
     r"needs at least one unlabelled batch of 5, but only 4 of the 40 examples"),
    ({"n_per_class": 2, "labelled_batch_size": 0}, r"labelled_batch_size must be a positive int"),
])
def test_semi_supervised_errors(kwargs, message):
    x, _ = _tagged(N)
    with pytest.raises(ValueError, match=message):
        labelled.semi_supervised_dataset(x, LABELS, **kwargs)
