"""gan_tf.data.paired: the chapter-8 stand-ins (pix2pix pairs, CycleGAN domains with a hidden
pairing, StarGAN attribute domains and mask-vector batches), checked on their numbers."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from gan_tf.data import epoch_variable, load_arrays, paired

N = 40   # items per builder: the test split loads in ~0.15 s


def _tagged(n, size=4, channels=1, offset=0.0):
    """``n`` images whose every pixel encodes the image's index, and the decoder."""
    values = np.linspace(-1.0, 1.0, n, dtype=np.float32) * (1 - offset) + offset
    x = np.broadcast_to(values[:, None, None, None], (n, size, size, channels)).copy()
    ints = np.round((values - offset) / (1 - offset) * 1e4)

    def decode(batch):
        got = np.round((np.asarray(batch)[:, 0, 0, 0] - offset) / (1 - offset) * 1e4)
        return np.searchsorted(ints, got)

    return x, decode


def _batches(ds):
    return [tf.nest.map_structure(lambda t: t.numpy(), b) for b in ds]


# -- items and the 32 -> 28 inverse ---------------------------------------------------------


def test_load_items_pads_real_items_deterministically_and_classifier_input_inverts_it():
    items, labels, index = paired.load_items(N, "test", seed=3)
    x28, y28 = load_arrays("fashion_mnist", "test")
    assert items.dtype == np.float32 and items.shape == (N, 32, 32, 1)
    np.testing.assert_array_equal(paired.classifier_input(items), x28[index])   # exact crop
    np.testing.assert_array_equal(labels, y28[index])
    border = np.ones((32, 32), bool)
    border[2:30, 2:30] = False
    assert np.all(items[:, border] == -1.0)
    # the documented draw: the first n of a permutation keyed on (seed, split)
    want = np.random.default_rng([3, 1, 0, 8]).permutation(len(y28))[:N]
    np.testing.assert_array_equal(index, want)
    again = paired.load_items(N, "test", seed=3)
    np.testing.assert_array_equal(again[0], items)
    assert not np.array_equal(paired.load_items(N, "test", seed=4)[2], index)
    shoes = paired.load_items(N, "test", seed=3, classes=(5, 7, 9))[1]
    assert set(shoes.tolist()) <= {5, 7, 9}


# -- edges -> items -------------------------------------------------------------------------


def test_canny_edges_of_a_square_lie_on_its_boundary_and_cover_it():
    x = -np.ones((1, 32, 32, 1), np.float32)
    x[0, 10:22, 10:22] = 1.0                      # the step is between 9|10 and 21|22
    e = paired.edge_map(x)[0]
    rows, cols = np.nonzero(e)
    on_step = (np.isin(rows, [9, 10, 21, 22]) & (cols >= 9) & (cols <= 22)) | (
        np.isin(cols, [9, 10, 21, 22]) & (rows >= 9) & (rows <= 22))
    assert e.sum() > 0 and np.all(on_step)       # no edge inside the flat square or outside
    ring = np.zeros((32, 32), bool)
    ring[10:22, 10:22] = True
    ring[11:21, 11:21] = False                    # the square's outermost pixels
    assert np.all(ndimage.binary_dilation(e, np.ones((3, 3), bool))[ring])


def test_edges_to_items_pairs_real_items_with_their_canny_edges():
    p = paired.edges_to_items(N, "test", seed=0)
    items = paired.load_items(N, "test", seed=0)[0]
    np.testing.assert_array_equal(p.target, items)
    assert set(np.unique(p.source).tolist()) == {-1.0, 1.0}
    edges = p.source[..., 0] > 0
    np.testing.assert_array_equal(edges, paired.edge_map(items))
    v = (items[..., 0] + 1) / 2
    fp = np.ones((1, 3, 3), bool)
    # every edge pixel is within a pixel of an intensity step (3x3 range >= 0.05): measured
    # 99.999% on 1,000 test items
    contrast = ndimage.maximum_filter(v, footprint=fp) - ndimage.minimum_filter(v, footprint=fp)
    near = ndimage.binary_dilation(contrast >= 0.05, structure=fp)
    assert (edges & near).sum() / edges.sum() > 0.999
    # no edge in the background two pixels away from the item
    far = ~ndimage.binary_dilation(v > 0, structure=fp, iterations=2)
    assert not np.any(edges & far)
    # the silhouette's boundary (v > 0.1) has an edge within a pixel: measured 97.8% on 1,000
    mask = v > 0.1
    outline = mask & ~ndimage.binary_erosion(mask, structure=fp)
    covered = ndimage.binary_dilation(edges, structure=fp)
    assert (outline & covered).sum() / outline.sum() > 0.95


# -- centre hole -> item (fig. 8-22) --------------------------------------------------------


def test_hole_is_the_books_blank_operation():
    assert paired.hole_box(32) == (11, 9)            # int(0.3 * 32), int(16 - 4.5)
    assert paired.hole_box(256) == (90, 76)          # process.py at the paper's 256
    assert paired.hole_box(32, side=8) == (12, 8)
    p = paired.hole_to_items(N, "test", seed=1)
    np.testing.assert_array_equal(p.target, paired.load_items(N, "test", seed=1)[0])
    inside = np.zeros((32, 32), bool)
    inside[11:20, 11:20] = True
    assert np.all(p.source[:, inside] == 1.0)
    np.testing.assert_array_equal(p.source[:, ~inside], p.target[:, ~inside])
    dark = paired.cut_hole(p.target[:2], side=4, fill=-0.5)
    assert np.all(dark[:, 14:18, 14:18] == -0.5) and dark[:, ~inside].tolist() == \
        p.target[:2, ~inside].tolist()


# -- CycleGAN domains -----------------------------------------------------------------------


def test_hot_colour_map_values_and_exact_inverse():
    v = np.array([0, 1 / 6, 1 / 3, 1 / 2, 2 / 3, 1], np.float32)
    x = (2 * v - 1).reshape(1, 1, 6, 1)
    rgb = (paired.restyle(x, "hot")[0, 0] + 1) / 2
    want = [[0, 0, 0], [.5, 0, 0], [1, 0, 0], [1, .5, 0], [1, 1, 0], [1, 1, 1]]
    np.testing.assert_allclose(rgb, want, atol=1e-6)
    np.testing.assert_allclose(paired.unstyle(paired.restyle(x, "hot"), "hot"), x, atol=2e-7)


def test_stripes_alternate_two_colours_along_the_diagonal():
    x = np.ones((1, 8, 8, 1), np.float32)            # v = 1 everywhere
    s = paired.restyle(x, "stripes")[0]
    white, orange = np.ones(3), 2 * paired.STRIPE_RGB[1] - 1
    np.testing.assert_allclose(s[0, 0], white)       # (0 + 0) // 4 = 0
    np.testing.assert_allclose(s[0, 4], orange)      # (0 + 4) // 4 = 1
    np.testing.assert_allclose(s[3, 4], orange)
    np.testing.assert_allclose(s[4, 4], white)       # 8 // 4 = 2
    np.testing.assert_allclose(s[2, 1], white)


@pytest.mark.parametrize("style", paired.STYLES)
def test_hidden_pairing_recovers_each_items_restyle_and_unstyle_inverts_it(style):
    u = paired.unpaired_restyle(N, "test", seed=2, style=style)
    np.testing.assert_array_equal(u.a, paired.load_items(N, "test", seed=2)[0])
    assert u.b.shape == (N, 32, 32, 3)
    for i in range(N):
        np.testing.assert_array_equal(u.b[u.pairing[i]], paired.restyle(u.a[i:i + 1], style)[0])
    np.testing.assert_array_equal(u.labels_b[u.pairing], u.labels_a)
    assert np.sort(u.pairing).tolist() == list(range(N))
    assert np.mean(u.pairing == np.arange(N)) < 0.2          # the order is really shuffled
    # the inverse: measured max error 1.2e-7 (hot, float32 rounding) and 0 (stripes)
    np.testing.assert_allclose(paired.unstyle(u.b, style)[u.pairing], u.a, rtol=0, atol=2e-7)
    again = paired.unpaired_restyle(N, "test", seed=2, style=style)
    np.testing.assert_array_equal(again.b, u.b)


def test_unpaired_classes_and_the_failure_domain():
    u = paired.unpaired_classes(N, "test", seed=0)
    assert u.pairing is None
    assert np.all(u.labels_a == paired.SNEAKER) and np.all(u.labels_b == paired.ANKLE_BOOT)
    x28, y28 = load_arrays("fashion_mnist", "test")
    assert np.all(y28[[_find(x28, im) for im in paired.classifier_input(u.b[:5])]] == 9)
    bags, labels = paired.failure_domain(N, "test", seed=0)
    assert np.all(labels == paired.BAG)
    hot, _ = paired.failure_domain(N, "test", seed=0, style="hot")
    np.testing.assert_array_equal(hot, paired.restyle(bags, "hot"))


def _find(x28, image):
    return int(np.flatnonzero(np.all(x28 == image, axis=(1, 2, 3)))[0])


# -- StarGAN attributes ---------------------------------------------------------------------


def test_attribute_primitives_by_hand():
    x = paired.load_items(4, "test", seed=5)[0]
    np.testing.assert_array_equal(paired.invert(paired.invert(x)), x)
    np.testing.assert_array_equal(paired.flip(paired.flip(x)), x)
    np.testing.assert_array_equal(paired.flip(x)[:, 0], x[:, 31])
    np.testing.assert_array_equal(paired.invert(x), -x)
    np.testing.assert_array_equal(paired.untint(paired.tint(x)), x)
    np.testing.assert_allclose((paired.tint(x) + 1) / 2, (x + 1) / 2 * paired.TINT_RGB,
                               atol=1e-6)
    dot = -np.ones((1, 5, 5, 1), np.float32)
    dot[0, 2, 2] = 0.5
    cross = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
    want = -np.ones((5, 5), np.float32)
    want[1:4, 1:4][cross] = 0.5
    np.testing.assert_array_equal(paired.thicken(dot)[0, ..., 0], want)


def test_apply_attributes_composes_in_the_documented_order_and_toggles_invert():
    x = paired.load_items(3, "test", seed=6)[0]
    grey = np.repeat(x, 3, -1)
    names = paired.ATTRIBUTE_NAMES                       # tint, inverted, flipped, thick
    np.testing.assert_array_equal(paired.apply_attributes(x, np.zeros((3, 4))), grey)
    everything = paired.apply_attributes(x, np.ones((3, 4)))
    np.testing.assert_array_equal(
        everything, paired.tint(paired.invert(paired.flip(paired.thicken(x)))))
    np.testing.assert_array_equal(paired.apply_attributes(x, [[0, 1]] * 3, ("thick", "flipped")),
                                  np.repeat(paired.flip(x), 3, -1))
    # translating c' -> c with the invertible attributes lands on apply_attributes(items, c)
    rng = np.random.default_rng(0)
    for _ in range(5):
        c = rng.integers(0, 2, (3, 4)).astype(np.float32)
        c[:, 0] = 0                                      # untinted: negation commutes with grey
        img = paired.apply_attributes(x, c, names)
        toggled = c.copy()
        toggled[:, 1:3] = 1 - toggled[:, 1:3]
        np.testing.assert_array_equal(paired.flip(paired.invert(img)),
                                      paired.apply_attributes(x, toggled, names))
        tinted = c.copy()
        tinted[:, 0] = 1
        np.testing.assert_allclose(paired.untint(paired.apply_attributes(x, tinted, names)),
                                   img[..., :1], atol=1e-7)


def test_attribute_domains_images_are_the_ground_truth_of_their_labels():
    d = paired.attribute_domains(N * 5, "test", seed=7)
    assert d.images.shape == (N * 5, 32, 32, 3) and d.names == paired.ATTRIBUTE_NAMES
    np.testing.assert_array_equal(d.images, paired.apply_attributes(d.items, d.attributes))
    assert set(np.unique(d.attributes).tolist()) == {0.0, 1.0}
    assert np.all(np.abs(d.attributes.mean(0) - 0.5) < 0.1)      # fair coins (200 draws)
    np.testing.assert_array_equal(paired.attribute_domains(N * 5, "test", seed=7).attributes,
                                  d.attributes)
    two = paired.attribute_domains(N, "test", seed=7, names=("flipped", "tint"))
    np.testing.assert_array_equal(two.images, paired.apply_attributes(
        two.items, two.attributes, ("flipped", "tint")))


def test_digit_domains_are_padded_grey_digits_with_their_labels():
    x, y = paired.digit_domains(30, "test", seed=0)
    ref, ref_y = load_arrays("digits", "test", image_size=(28, 28))
    idx = np.random.default_rng([0, 1, 0, 8]).permutation(len(ref))[:30]
    np.testing.assert_array_equal(y, ref_y[idx])
    np.testing.assert_array_equal(x[:, 2:30, 2:30, :1], ref[idx])
    np.testing.assert_array_equal(x[..., 0], x[..., 2])
    assert np.all(x[:, :2] == -1.0)


def test_unified_labels_zero_the_other_data_sets_and_set_the_mask():
    c = np.array([[1, 0, 1, 1], [0, 0, 0, 1]], np.float32)
    np.testing.assert_array_equal(paired.unified_labels(c, 0, (4, 3)),
                                  [[1, 0, 1, 1, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, 0, 0, 1, 0]])
    np.testing.assert_array_equal(paired.unified_labels(paired.one_hot([2], 3), 1, (4, 3)),
                                  [[0, 0, 0, 0, 0, 0, 1, 0, 1]])


# -- tf.data --------------------------------------------------------------------------------


def test_mask_vector_batches_alternate_and_carry_only_their_own_labels():
    x1, dec1 = _tagged(10)
    x2, dec2 = _tagged(6, offset=0.5)
    c1 = np.random.default_rng(0).integers(0, 2, (10, 4)).astype(np.float32)
    y2 = np.arange(6) % 3
    ds = paired.mask_vector_dataset([(x1, c1), (x2, paired.one_hot(y2, 3))], batch_size=4,
                                    seed=1)
    assert int(ds.cardinality()) == 4                 # 10 // 4 = 2 steps, one batch of each
    batches = _batches(ds)
    for k, (x, c) in enumerate(batches):
        assert x.shape == (4, 4, 4, 1) and c.shape == (4, 4 + 3 + 2)
        if k % 2 == 0:
            i = dec1(x)
            np.testing.assert_array_equal(c[:, :4], c1[i])
            assert np.all(c[:, 4:7] == 0) and np.all(c[:, 7:] == [1, 0])
        else:
            i = dec2(x)
            np.testing.assert_array_equal(c[:, 4:7], np.eye(3)[y2[i]])
            assert np.all(c[:, :4] == 0) and np.all(c[:, 7:] == [0, 1])
    seen = np.concatenate([dec1(b[0]) for b in batches[::2]])
    assert len(set(seen.tolist())) == 8               # the larger set: once, less 10 % 4
    again = _batches(paired.mask_vector_dataset([(x1, c1), (x2, paired.one_hot(y2, 3))],
                                                batch_size=4, seed=1))
    for a, b in zip(batches, again):
        np.testing.assert_array_equal(a[1], b[1])


def test_unpaired_dataset_shuffles_the_domains_independently_and_resumes():
    a, dec_a = _tagged(12)
    b, dec_b = _tagged(12, channels=3, offset=0.5)
    ds = paired.unpaired_dataset(a, b, batch_size=3, seed=2, resumable=True)
    first = _batches(ds)
    assert len(first) == 4
    ia = np.concatenate([dec_a(x) for x, _ in first])
    ib = np.concatenate([dec_b(y) for _, y in first])
    assert sorted(ia.tolist()) == sorted(ib.tolist()) == list(range(12))
    assert np.mean(ia == ib) < 0.5                   # not paired by position
    second = _batches(ds)                            # epoch 1: another order
    assert [dec_a(x).tolist() for x, _ in second] != [dec_a(x).tolist() for x, _ in first]
    epoch_variable(ds).assign(0)                     # what fit does on resume
    for (x0, y0), (x1, y1) in zip(first, _batches(ds)):
        np.testing.assert_array_equal(x0, x1)
        np.testing.assert_array_equal(y0, y1)


def test_unpaired_dataset_of_two_lengths_reads_max_pairs_and_keeps_a_last_smaller_batch():
    """An epoch of max(n_a, n_b) pairs: the larger domain once, the smaller cycled (every image
    at least once); the last batch smaller (CycleGAN.fit on arrays: no pair silently left
    out, and a batch_size above both sizes still gives one batch); drop_remainder drops it."""
    a, dec_a = _tagged(5)
    b, dec_b = _tagged(3, offset=0.5)
    for seed in (0, 1):
        batches = _batches(paired.unpaired_dataset(a, b, batch_size=2, seed=seed))
        assert [len(x) for x, _ in batches] == [len(y) for _, y in batches] == [2, 2, 1]
        ia = np.concatenate([dec_a(x) for x, _ in batches])
        ib = np.concatenate([dec_b(y) for _, y in batches])
        assert sorted(ia.tolist()) == list(range(5))                 # every a once
        assert sorted(set(ib.tolist())) == [0, 1, 2] and len(ib) == 5  # every b, two twice
    one = _batches(paired.unpaired_dataset(a, b, batch_size=8, seed=0))
    assert [(len(x), len(y)) for x, y in one] == [(5, 5)]
    full = _batches(paired.unpaired_dataset(a, b, batch_size=2, seed=0, drop_remainder=True))
    assert [len(x) for x, _ in full] == [2, 2]
    with pytest.raises(ValueError, match=r"unpaired_dataset needs a batch of 8, but the largest "
                                         r"input holds only 5 images"):
        paired.unpaired_dataset(a, b, batch_size=8, drop_remainder=True)
    ordered = _batches(paired.unpaired_dataset(a, b, batch_size=2, shuffle=False))
    assert np.concatenate([dec_a(x) for x, _ in ordered]).tolist() == [0, 1, 2, 3, 4]
    assert np.concatenate([dec_b(y) for _, y in ordered]).tolist() == [0, 1, 2, 0, 1]

def test_paired_dataset_keeps_pairs_together():
    src, dec = _tagged(9)
    tgt = -src
    batches = _batches(paired.paired_dataset(src, tgt, batch_size=4, seed=0))
    for x, y in batches:
        np.testing.assert_array_equal(y, -x)
    assert sorted(np.concatenate([dec(x) for x, _ in batches]).tolist()) == list(range(9))


# -- errors ---------------------------------------------------------------------------------


def test_bad_arguments_give_one_line_errors():
    z = np.zeros((2, 32, 32, 1), np.float32)
    with pytest.raises(ValueError, match=r"unknown split 'val'; expected one of \('train', "):
        paired.edges_to_items(4, "val")
    with pytest.raises(ValueError, match=r"seed must be a non-negative int, got -1"):
        paired.load_items(4, "test", seed=-1)
    with pytest.raises(ValueError, match=r"n must be a positive int, got -3"):
        paired.hole_to_items(-3, "test")
    with pytest.raises(ValueError, match=r"n=20000 exceeds the 10000 test items of all classes"):
        paired.load_items(20000, "test")
    with pytest.raises(ValueError, match=r"n=1001 exceeds the 1000 test items of classes \(8,\)"):
        paired.failure_domain(1001)
    with pytest.raises(ValueError, match=r"classes must be Fashion-MNIST class indices in 0-9"):
        paired.load_items(4, "test", classes=(3, 10))
    with pytest.raises(ValueError, match=r"class_a and class_b must differ, got 7 twice"):
        paired.unpaired_classes(4, "test", class_a=7, class_b=7)
    with pytest.raises(ValueError, match=r"unknown style 'zebra'; expected one of \('hot', "):
        paired.unpaired_restyle(4, "test", style="zebra")
    with pytest.raises(ValueError, match=r"unknown or repeated attribute names \['tint', 'bald'\]"):
        paired.attribute_domains(4, "test", names=("tint", "bald"))
    with pytest.raises(ValueError, match=r"hole side must be an int in \[1, 31\] for 32x32 "
                                         r"images, got 32"):
        paired.hole_to_items(4, "test", side=32)
    with pytest.raises(ValueError, match=r"fill must be in \[-1, 1\], got 2.0"):
        paired.cut_hole(z, fill=2.0)
    with pytest.raises(ValueError, match=r"classifier_input expects grey 32x32 items .* "
                                         r"received shape \(2, 32, 32, 3\)"):
        paired.classifier_input(np.zeros((2, 32, 32, 3), np.float32))
    with pytest.raises(ValueError, match=r"expects images in \[-1, 1\], received values in "
                                         r"\[0, 255\]"):
        paired.restyle(np.linspace(0, 255, 16, dtype=np.float32).reshape(1, 4, 4, 1))
    with pytest.raises(ValueError, match=r"apply_attributes expects labels of shape \(n, 4\) "
                                         r"\(one row of 4 binary labels per image\), received "
                                         r"shape \(2, 3\)"):
        paired.apply_attributes(z, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"apply_attributes expects labels in \{0, 1\}, "
                                         r"received 1 other values \(e.g. 0.5\)"):
        paired.apply_attributes(z, [[0, 0, 0, 0.5], [0, 0, 0, 0]])
    with pytest.raises(ValueError, match=r"dataset must be an index in \[0, 1\] of sizes "
                                         r"\(4, 3\), got 2"):
        paired.unified_labels(np.zeros((1, 3)), 2, (4, 3))
    with pytest.raises(ValueError, match=r"paired_dataset expects one target per source, "
                                         r"received 2 sources and 3 targets"):
        paired.paired_dataset(z, np.zeros((3, 32, 32, 1), np.float32))
    with pytest.raises(ValueError, match=r"unpaired_dataset expects images of one size, "
                                         r"received sizes \[\(16, 16\), \(32, 32\)\]"):
        paired.unpaired_dataset(z, np.zeros((2, 16, 16, 3), np.float32))
    with pytest.raises(ValueError, match=r"mask_vector_dataset needs a batch of 8, but the "
                                         r"largest input holds only 2 images"):
        paired.mask_vector_dataset([(z, np.zeros((2, 4))), (z, np.zeros((2, 3)))],
                                   batch_size=8)


def test_attribute_dataset_batches_images_with_float_attributes():
    x, dec = _tagged(6, channels=3)
    attrs = (np.arange(12).reshape(6, 2) % 3 == 0).astype(np.int64)
    batches = _batches(paired.attribute_dataset(x, attrs, batch_size=4, seed=0))
    for xb, ab in batches:
        assert ab.dtype == np.float32
        np.testing.assert_array_equal(ab, attrs[dec(xb)])
    with pytest.raises(ValueError, match=r"attribute_dataset expects labels in \{0, 1\}"):
        paired.attribute_dataset(x, attrs * 2)
