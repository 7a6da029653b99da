"""Loaders for the image data sets (see ``gan_tf.data``). See chapter 3.1."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from gan_tf import checks, config

KNOWN_DATASETS = ("fashion_mnist", "mnist", "digits", "tfds:<name>")
SPLITS = ("train", "test")

CLASS_NAMES = {
    "fashion_mnist": (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
    "mnist": tuple(str(i) for i in range(10)),
    "digits": tuple(str(i) for i in range(10)),
}

_FASHION_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
_DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
DIGITS_TRAIN_SIZE = 1437  # first 80% of scikit-learn's 1,797 digits; the rest is "test"


def _read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into a uint8 array."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {int(np.prod(shape))} values, found {array.size}")
    return array.reshape(shape)


def _fashion_dirs(data_dir):
    dirs = []
    if data_dir is not None:
        dirs.append(Path(data_dir))
    dirs += [root / "fashion-mnist" for root in config.data_roots()]
    dirs.append(_DEBIAN_FASHION)
    return dirs


def _load_fashion_mnist(split, data_dir):
    image_file, label_file = _FASHION_FILES[split]
    tried = []
    for folder in _fashion_dirs(data_dir):
        images, labels = folder / image_file, folder / label_file
        if images.exists() and labels.exists():
            return _read_idx(images), _read_idx(labels).astype(np.int64)
        tried.append(str(folder))
    raise FileNotFoundError(
        f"Fashion-MNIST files {image_file} and {label_file} not found; looked in: "
        + "; ".join(tried)
        + ". Put the four IDX .gz files from https://github.com/zalandoresearch/fashion-mnist "
        "in one of these folders (or `apt-get install dataset-fashion-mnist`, or set "
        f"${config.DATA_ENV})."
    )


def _download_mnist(target: Path) -> Path:
    """Download ``mnist.npz`` into ``target``'s folder (raises on any network failure)."""
    import keras

    return Path(
        keras.utils.get_file(
            fname=target.name,
            origin=MNIST_URL,
            file_hash=MNIST_SHA256,
            cache_dir=str(target.parent),
            cache_subdir="",
        )
    )


def _load_mnist(split, data_dir):
    candidates = []
    if data_dir is not None:
        candidates.append(Path(data_dir) / "mnist.npz")
    candidates.append(config.cache_dir() / "mnist.npz")
    candidates.append(Path.home() / ".keras" / "datasets" / "mnist.npz")
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        target = candidates[0] if data_dir is not None else config.cache_dir() / "mnist.npz"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            path = _download_mnist(target)
        except Exception as err:  # no network, proxy, bad hash, ...
            raise FileNotFoundError(
                "MNIST is not available offline: mnist.npz was not found in "
                + ", ".join(str(p.parent) for p in candidates)
                + f", and downloading it from {MNIST_URL} failed ({type(err).__name__}: {err}). "
                f"Copy mnist.npz (keras.datasets format: x_train, y_train, x_test, y_test) to "
                f"{target}, or pass data_dir=<folder holding mnist.npz>. "
                "Available offline: 'fashion_mnist' (shipped) and 'digits' (scikit-learn)."
            ) from err
    with np.load(path) as f:
        return f[f"x_{split}"], f[f"y_{split}"].astype(np.int64)


def _load_digits(split):
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)
    labels = bunch.target.astype(np.int64)
    sl = slice(0, DIGITS_TRAIN_SIZE) if split == "train" else slice(DIGITS_TRAIN_SIZE, None)
    return images[sl], labels[sl]


def _load_tfds(tfds_name, split, data_dir):
    try:
        import tensorflow_datasets as tfds
    except ImportError as err:
        raise ImportError(
            f"'tfds:{tfds_name}' needs tensorflow-datasets: `pip install tensorflow-datasets`. "
            "Offline, use 'fashion_mnist' (shipped) or 'digits'."
        ) from err
    try:
        ds = tfds.load(tfds_name, split=split, data_dir=data_dir, as_supervised=False)
    except Exception as err:
        raise FileNotFoundError(
            f"tensorflow-datasets could not load {tfds_name!r} split {split!r} "
            f"({type(err).__name__}: {err}). It needs a network or a prepared data_dir. "
            "Offline, use 'fashion_mnist' (shipped) or 'digits'."
        ) from err
    images, labels = [], []
    for ex in tfds.as_numpy(ds):
        images.append(ex["image"])
        labels.append(ex.get("label", -1))
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def _check_name(name):
    if not isinstance(name, str):
        raise ValueError(f"data set name must be a string, got {name!r}")
    if name in ("fashion_mnist", "mnist", "digits"):
        return
    if name.startswith("tfds:") and len(name) > 5:
        return
    raise ValueError(
        f"unknown data set {name!r}; known: {', '.join(KNOWN_DATASETS)} "
        "(fashion_mnist and digits work offline; mnist needs a download or mnist.npz)"
    )


def load_arrays(name="fashion_mnist", split="train", limit=None, data_dir=None,
                image_size=None):
    """Return ``(images, labels)``: float32 NHWC images in [-1, 1] and int64 labels.

    ``limit`` keeps the first ``limit`` examples (deterministic). ``image_size=(h, w)``
    resizes (bilinear). See chapter 3.1.
    """
    _check_name(name)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer))
                              or limit <= 0):
        raise ValueError(f"limit must be a positive int or None, got {limit!r}")
    if name == "fashion_mnist":
        images, labels = _load_fashion_mnist(split, data_dir)
    elif name == "mnist":
        images, labels = _load_mnist(split, data_dir)
    elif name == "digits":
        images, labels = _load_digits(split)
    else:
        images, labels = _load_tfds(name[5:], split, data_dir)
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    if images.ndim == 3:
        images = images[..., None]
    x = images.astype(np.float32) / 127.5 - 1.0
    if image_size is not None:
        import tensorflow as tf

        try:
            size = tuple(int(s) for s in image_size)
        except TypeError:
            size = ()
        if len(size) != 2 or min(size) <= 0:
            raise ValueError(f"image_size must be (height, width), got {image_size!r}")
        x = tf.clip_by_value(tf.image.resize(x, size), -1.0, 1.0).numpy()
    return x, labels


def to_dataset(images, labels=None, batch_size=128, shuffle=True, seed=0,
               drop_remainder=False, cache=True, resumable=False):
    """Wrap arrays in a cached, shuffled, batched, prefetched ``tf.data.Dataset``.

    ``resumable=True`` makes each epoch's order a function of ``(seed, epoch)`` alone: the
    dataset carries an epoch counter that advances with every pass and that ``fit`` of the
    gan_tf trainers sets to the epoch being trained, so a run resumed from a checkpoint at
    epoch k reads epoch k's order, exactly as the uninterrupted run did (the default shuffle
    would restart at epoch 1's order). The order survives further transforms (``.repeat()``,
    ``.map``, ...): ``fit`` finds the counter through them. See ``epoch_variable`` and
    chapter 4.2."""
    import tensorflow as tf

    batch_size = checks.positive_int(batch_size, "batch_size")
    tensors = images if labels is None else (images, labels)
    if shuffle and resumable:
        return _resumable_dataset(tensors, len(images), int(batch_size), int(seed),
                                  drop_remainder)
    ds = tf.data.Dataset.from_tensor_slices(tensors)
    if cache:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(int(batch_size), drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)


def _resumable_dataset(tensors, n, batch_size, seed, drop_remainder):
    """Batches of ``tensors`` in the order ``stateless_shuffle(range(n), seed=(seed, epoch))``;
    ``epoch`` is a variable read (and advanced by one) whenever a pass begins."""
    import tensorflow as tf

    consts = tf.nest.map_structure(tf.convert_to_tensor, tensors)
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_epoch")

    def order(_):
        e = epoch.assign_add(1) - 1
        key = tf.stack([tf.constant(seed, tf.int64), e])
        return tf.argsort(tf.random.stateless_uniform([n], seed=key))

    ds = (tf.data.Dataset.range(1).map(order).unbatch()
          .batch(batch_size, drop_remainder=drop_remainder)
          .map(lambda idx: tf.nest.map_structure(lambda t: tf.gather(t, idx), consts)))
    ds = ds.prefetch(tf.data.AUTOTUNE)
    ds._gan_tf_epoch = epoch
    return ds


def epoch_variable(dataset):
    """The epoch counter of a ``to_dataset(..., resumable=True)`` dataset, or of any dataset
    derived from one (``.map``, ``.repeat()``, ``.prefetch``, ``.take``, ``zip``, ...: tf.data
    returns a new Dataset for every transform, so the counter is found by walking each dataset's
    inputs); ``None`` if there is none. Assign it the epoch about to be read (0-based) before
    iterating. See chapter 4.2."""
    stack, seen = [dataset], set()
    while stack:
        ds = stack.pop()
        if id(ds) in seen:
            continue
        seen.add(id(ds))
        variable = getattr(ds, "_gan_tf_epoch", None)
        if variable is not None:
            return variable
        inputs = getattr(ds, "_inputs", None)
        if callable(inputs):
            try:
                stack.extend(inputs())
            except (TypeError, NotImplementedError, AttributeError):
                pass
    return None


def drop_small_batches(dataset, min_batch):
    """``(dataset, dropped)``: ``dataset`` without its batches of fewer than ``min_batch``
    examples (the first tensor of nested elements counts: the images of ``(images, labels)`` or
    ``((images, tokens), classes)``). ``dropped`` says whether a filter
    was added: not when the static batch size is already ``>= min_batch`` (``drop_remainder``
    data). A GAN step with ``d_steps`` minibatches needs ``d_steps`` examples per replica; an
    empty minibatch would give NaN losses. See chapter 5.3."""
    import tensorflow as tf

    def first(batch):
        return tf.nest.flatten(batch)[0]

    spec = first(dataset.element_spec)
    shape = getattr(spec, "shape", None)
    size = shape[0] if shape is not None and shape.rank else None
    if min_batch <= 1 or (size is not None and size >= min_batch):
        return dataset, False
    return dataset.filter(lambda *batch: tf.shape(first(batch))[0] >= min_batch), True


def load_images(name="fashion_mnist", split="train", batch_size=128, limit=None,
                with_labels=False, shuffle=True, seed=0, drop_remainder=False,
                image_size=None, data_dir=None):
    """A shuffled, cached, prefetched ``tf.data.Dataset`` of float32 NHWC images in [-1, 1].

    Elements are image batches of shape ``(batch, h, w, c)``, or ``(images, labels)`` with
    ``with_labels=True``. Unknown names raise ``ValueError`` listing the known ones; data that
    cannot be found or downloaded raises ``FileNotFoundError`` saying how to supply it.
    See chapter 3.1.
    """
    images, labels = load_arrays(name, split=split, limit=limit, data_dir=data_dir,
                                 image_size=image_size)
    return to_dataset(images, labels if with_labels else None, batch_size=batch_size,
                      shuffle=shuffle, seed=seed, drop_remainder=drop_remainder)
