"""Labelled image data for the structured GANs of chapter 6.

- ``labelled_dataset`` / ``load_labelled``: ``(images, labels)`` batches (int32 labels) for the
  class-conditional trainers (cGAN, ACGAN) and LAPGAN; a thin layer over
  ``gan_tf.data.to_dataset``, so ``resumable=True`` and the trainers' handling of small last
  batches work as for unlabelled data. ``load_labelled(pad_to=32)`` pads 28x28 images to 32x32
  (LAPGAN's 32/16/8 pyramid).
- ``few_label_split``: keep the labels of ``n_per_class`` examples per class, hide the rest.
- ``semi_supervised_dataset``: the batches a semi-supervised GAN trains on, an unlabelled batch
  and a labelled batch every step (Odena, arXiv:1606.01583; Salimans et al., arXiv:1606.03498
  section 5).

See chapter 6.
"""

from __future__ import annotations

import math

import numpy as np

from gan_tf import checks
from gan_tf.data.images import CLASS_NAMES, load_arrays, to_dataset


def _images(images, what):
    """``images`` as a float32 NHWC array in [-1, 1] (``checks.check_image_range``)."""
    x = np.asarray(images)
    if x.ndim != 4:
        raise ValueError(f"{what} expects NHWC images (rank 4: batch, height, width, channels), "
                         f"received shape {x.shape}")
    checks.check_image_range(x, what)
    return x.astype(np.float32, copy=False)


def _labels(labels, n_classes, what, n=None):
    """``(labels as int32, n_classes)`` through ``checks.check_labels``; ``n_classes=None`` means
    the largest label plus one."""
    if n_classes is None:
        values = np.asarray(labels)
        n_classes = 1
        if values.size and (values.dtype.kind in "iu"
                            or (values.dtype.kind == "f" and np.all(np.isfinite(values)))):
            n_classes = max(int(values.max()) + 1, 1)
    y = checks.check_labels(labels, n_classes, what, n=n)
    return y, int(n_classes)


def labelled_dataset(images, labels, batch_size=64, n_classes=None, seed=0, shuffle=True,
                     drop_remainder=False, resumable=False):
    """A ``tf.data.Dataset`` of ``(images, labels)`` batches: float32 NHWC images in [-1, 1] and
    int32 class indices in ``[0, n_classes)`` (``n_classes=None``: the largest label plus one).

    Bad labels (not a vector of integers, one per image, in range) or images outside [-1, 1]
    raise a ``ValueError`` (``gan_tf.checks``). Batching, shuffling and ``resumable=True`` (each
    epoch's order keyed on ``(seed, epoch)``, set by the trainers' ``fit``) are those of
    ``gan_tf.data.to_dataset``. See chapter 6.
    """
    what = "labelled_dataset"
    x = _images(images, what)
    y, _ = _labels(labels, n_classes, what, n=len(x))
    return to_dataset(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed,
                      drop_remainder=drop_remainder, resumable=resumable)


def pad_images(images, size, value=-1.0):
    """Zero-pad (with ``value``, the background -1 of images in [-1, 1]) NHWC ``images`` to
    ``size x size``, the original centred (an odd excess puts the extra row/column at the bottom
    and right). 28x28 -> 32x32 adds 2 pixels on every side. See chapter 6."""
    size = checks.positive_int(size, "pad_to")
    h, w = images.shape[1:3]
    if size < h or size < w:
        raise ValueError(f"pad_to must be at least the image size {h}x{w}, got {size}")
    top, left = (size - h) // 2, (size - w) // 2
    return np.pad(images, ((0, 0), (top, size - h - top), (left, size - w - left), (0, 0)),
                  constant_values=np.float32(value))


def load_labelled(name="fashion_mnist", split="train", batch_size=64, limit=None, seed=0,
                  resumable=False, image_size=None, pad_to=None, shuffle=True,
                  drop_remainder=False, data_dir=None):
    """``labelled_dataset`` of a named image set (``gan_tf.data.load_arrays``: ``fashion_mnist``,
    ``mnist``, ``digits``, ``tfds:<name>``) with its labels.

    ``image_size=(h, w)`` resizes (bilinear); ``pad_to=n`` then pads each image to ``n x n``
    with the background value -1 (black), the original centred: ``pad_to=32`` turns 28x28
    Fashion-MNIST into the 32x32 images whose Laplacian pyramid is 32/16/8 (LAPGAN, Denton et
    al., arXiv:1506.05751 section 4), without resampling a pixel. The number of classes is the
    data set's (10 for the named sets). See chapter 6.
    """
    x, labels = load_arrays(name, split=split, limit=limit, data_dir=data_dir,
                            image_size=image_size)
    if pad_to is not None:
        x = pad_images(x, pad_to)
    n_classes = len(CLASS_NAMES[name]) if name in CLASS_NAMES else None
    return labelled_dataset(x, labels, batch_size=batch_size, n_classes=n_classes, seed=seed,
                            shuffle=shuffle, drop_remainder=drop_remainder, resumable=resumable)


def few_label_split(labels, n_per_class, seed=0, n_classes=None):
    """``(labelled_idx, unlabelled_idx)``: sorted int64 indices into ``labels``.

    For every class ``c`` in ``[0, n_classes)`` exactly ``n_per_class`` of its examples are drawn
    without replacement by ``numpy.random.default_rng(seed)`` (classes in increasing order); all
    other examples are unlabelled. The same ``(labels, n_per_class, seed)`` always gives the same
    split. A class with fewer than ``n_per_class`` examples raises ``ValueError`` naming it.
    ``n_per_class=10`` on Fashion-MNIST gives the 100 labels of the semi-supervised experiments
    (Salimans et al., arXiv:1606.03498 section 5). See chapter 6.
    """
    n_per_class = checks.positive_int(n_per_class, "n_per_class")
    y, n_classes = _labels(labels, n_classes, "few_label_split")
    counts = np.bincount(y, minlength=n_classes)
    short = np.flatnonzero(counts < n_per_class)
    if short.size:
        c = int(short[0])
        raise ValueError(f"few_label_split needs {n_per_class} examples of every class, but class "
                         f"{c} has {int(counts[c])} (classes with too few: "
                         f"{', '.join(f'{int(k)}: {int(counts[k])}' for k in short)})")
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(y == c), n_per_class, replace=False)
              for c in range(n_classes)]
    labelled = np.sort(np.concatenate(chosen)).astype(np.int64)
    mask = np.ones(len(y), bool)
    mask[labelled] = False
    return labelled, np.flatnonzero(mask).astype(np.int64)


def semi_supervised_dataset(images, labels, n_per_class, batch_size=64, labelled_batch_size=None,
                            seed=0, resumable=False, n_classes=None, drop_remainder=False):
    """``(dataset, labelled_idx)``: the batches of a semi-supervised GAN and the indices (into
    ``images``) of the examples whose labels it may use.

    Every element is ``(x, (x_labelled, y_labelled))``:

    - ``x``: ``batch_size`` unlabelled images (the last batch of an epoch may be smaller unless
      ``drop_remainder``) from the unlabelled pool, every example *not* in ``labelled_idx``; an
      epoch is one pass over the pool, each example once;
    - ``x_labelled``, ``y_labelled``: ``labelled_batch_size`` (default ``batch_size``) images and
      int32 labels from the small labelled set (``few_label_split(labels, n_per_class, seed)``).
      As in the reference code of Salimans et al. (arXiv:1606.03498 section 5), every epoch
      concatenates fresh permutations of the labelled set until it covers the epoch's steps, so
      the labelled batches never run out and each labelled example is used equally often.

    The discriminator's loss is the supervised cross-entropy on ``(x_labelled, y_labelled)``
    plus the unsupervised GAN loss on ``x`` and the generator's samples (Odena,
    arXiv:1606.01583; Salimans et al., section 5). Unlike that code, whose unlabelled stream
    is the whole training set, the pool here leaves the labelled examples out, so the two
    streams are disjoint. Both orders of epoch ``e`` are functions of ``(seed, e)`` alone
    (``tf.random.stateless_uniform``): deterministic given ``seed``. ``resumable=True`` exposes
    the epoch counter (``gan_tf.data.epoch_variable``), which the trainers' ``fit`` sets, so a
    resumed run reads the epoch's unlabelled *and* labelled batches of an uninterrupted run.
    See chapter 6.
    """
    import tensorflow as tf

    what = "semi_supervised_dataset"
    x = _images(images, what)
    y, n_classes = _labels(labels, n_classes, what, n=len(x))
    batch_size = checks.positive_int(batch_size, "batch_size")
    lb = checks.positive_int(labelled_batch_size if labelled_batch_size is not None
                             else batch_size, "labelled_batch_size")
    labelled_idx, unlabelled_idx = few_label_split(y, n_per_class, seed=seed, n_classes=n_classes)
    n_u, n_l = len(unlabelled_idx), len(labelled_idx)
    steps = n_u // batch_size if drop_remainder else math.ceil(n_u / batch_size)
    if steps == 0:
        raise ValueError(f"{what} needs at least one unlabelled batch of {batch_size}, but only "
                         f"{n_u} of the {len(x)} examples are left unlabelled")
    n_perm = math.ceil(steps * lb / n_l)
    x_u = tf.constant(x[unlabelled_idx])
    x_l, y_l = tf.constant(x[labelled_idx]), tf.constant(y[labelled_idx])
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_epoch")
    seed = int(seed)

    def orders(_):
        e = epoch.assign_add(1) - 1
        keys = tf.random.experimental.stateless_split(
            tf.stack([tf.constant(seed, tf.int64), e]), num=2)
        u = tf.argsort(tf.random.stateless_uniform([n_u], seed=keys[0]))
        perms = tf.argsort(tf.random.stateless_uniform([n_perm, n_l], seed=keys[1]), axis=-1)
        return u, tf.reshape(tf.reshape(perms, [-1])[:steps * lb], [steps, lb])

    def batches(u, l_idx):
        return tf.data.Dataset.zip((
            tf.data.Dataset.from_tensor_slices(u).batch(batch_size,
                                                        drop_remainder=drop_remainder),
            tf.data.Dataset.from_tensor_slices(l_idx)))

    def gather(u, l_idx):
        return tf.gather(x_u, u), (tf.gather(x_l, l_idx), tf.gather(y_l, l_idx))

    ds = (tf.data.Dataset.range(1).map(orders).flat_map(batches).map(gather)
          .apply(tf.data.experimental.assert_cardinality(steps))
          .prefetch(tf.data.AUTOTUNE))
    if resumable:
        ds._gan_tf_epoch = epoch
    return ds, labelled_idx
