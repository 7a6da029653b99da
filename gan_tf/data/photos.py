"""Colour photographs that work offline, and super-resolution patches cut from them (SRGAN).

The photos ship with scikit-image (``skimage.data``, files inside the package: no download) and
scikit-learn (``load_sample_images``). Name, source and size (height x width, RGB):

====================  ======================================  ============  =====
name                  source                                  size          split
====================  ======================================  ============  =====
astronaut             ``skimage.data.astronaut()``            512 x 512     test
chelsea               ``skimage.data.chelsea()`` (a cat)      300 x 451     test
coffee                ``skimage.data.coffee()``               400 x 600     train
rocket                ``skimage.data.rocket()``               427 x 640     train
immunohistochemistry  ``skimage.data.immunohistochemistry()`` 512 x 512     train
retina                ``skimage.data.retina()``               1411 x 1411   train
motorcycle            ``skimage.data.stereo_motorcycle()[0]`` 500 x 741     train
china                 ``sklearn.datasets.load_sample_images`` 427 x 640     train
flower                ``sklearn.datasets.load_sample_images`` 427 x 640     train
====================  ======================================  ============  =====

The split is fixed: the test photos (a face and a cat's fur) are never cropped for training.
Left out: ``cat`` (the same picture as ``chelsea``), ``hubble_deep_field`` (72 % of its pixels
are near black), ``colorwheel`` and ``logo`` (drawings, not photos); ``lily``, ``eagle``,
``kidney``, ``skin`` and the other pooch-fetched images need a download. About 23 % of
``retina`` is the black surround of the fundus.

See chapter 6.
"""

from __future__ import annotations

import functools

import numpy as np

from gan_tf import checks
from gan_tf.data.images import to_dataset

# name -> (loader module, loader attribute); the split of each photo is fixed
_SOURCES = {
    "astronaut": ("skimage", "astronaut"),
    "chelsea": ("skimage", "chelsea"),
    "coffee": ("skimage", "coffee"),
    "rocket": ("skimage", "rocket"),
    "immunohistochemistry": ("skimage", "immunohistochemistry"),
    "retina": ("skimage", "retina"),
    "motorcycle": ("skimage", "stereo_motorcycle"),
    "china": ("sklearn", "china.jpg"),
    "flower": ("sklearn", "flower.jpg"),
}
PHOTO_SIZES = {
    "astronaut": (512, 512), "chelsea": (300, 451), "coffee": (400, 600),
    "rocket": (427, 640), "immunohistochemistry": (512, 512), "retina": (1411, 1411),
    "motorcycle": (500, 741), "china": (427, 640), "flower": (427, 640),
}
TEST_PHOTOS = ("astronaut", "chelsea")
TRAIN_PHOTOS = tuple(name for name in _SOURCES if name not in TEST_PHOTOS)
SPLITS = ("train", "test")
CROPS_PER_PHOTO = 32   # n=None: this many crops per photo of the split


def photo_names(split=None):
    """The names of the bundled photos (module docstring: source and size of each), in a fixed
    order; ``split="train"`` or ``"test"`` gives that split's. See chapter 6."""
    if split is None:
        return tuple(_SOURCES)
    return _split_photos(split)


def _split_photos(split):
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    return TRAIN_PHOTOS if split == "train" else TEST_PHOTOS


@functools.lru_cache(maxsize=None)
def _photo_uint8(name):
    """The photo as a read-only uint8 (h, w, 3) array, loaded once per process."""
    module, attr = _SOURCES[name]
    if module == "skimage":
        import skimage.data

        image = getattr(skimage.data, attr)()
        if isinstance(image, tuple):   # stereo_motorcycle: (left, right, disparity)
            image = image[0]
    else:
        from sklearn.datasets import load_sample_images

        bunch = load_sample_images()
        image = next(img for path, img in zip(bunch.filenames, bunch.images)
                     if path.endswith(attr))
    image = np.ascontiguousarray(image[..., :3], dtype=np.uint8)
    image.flags.writeable = False
    return image


def load_photo(name):
    """The photo ``name`` (``photo_names()``) as a float32 (h, w, 3) array in [-1, 1]
    (``uint8 / 127.5 - 1``). See chapter 6."""
    if name not in _SOURCES:
        raise ValueError(f"unknown photo {name!r}; known: {', '.join(_SOURCES)}")
    return _photo_uint8(name).astype(np.float32) / 127.5 - 1.0


def _check_sizes(split, hr_size, scale):
    names = _split_photos(split)
    hr_size = checks.positive_int(hr_size, "hr_size")
    scale = checks.positive_int(scale, "scale")
    if hr_size % scale:
        raise ValueError(f"hr_size must be divisible by scale (the low-resolution side is "
                         f"hr_size / scale), got hr_size={hr_size}, scale={scale}")
    smallest = min(names, key=lambda name: min(PHOTO_SIZES[name]))
    h, w = PHOTO_SIZES[smallest]
    if hr_size > min(h, w):
        raise ValueError(f"hr_size must be at most {min(h, w)}, the smallest side of the "
                         f"{split} photos ({smallest!r} is {h}x{w}), got {hr_size}")
    return names, hr_size, scale


def patch_sources(split="train", hr_size=96, n=None, seed=0):
    """Where ``sr_patches`` cuts its crops: a tuple of ``(photo name, top, left)``, one per crop.

    The ``n`` crops (``n=None``: ``CROPS_PER_PHOTO`` per photo of the split) are spread evenly
    over the split's photos (counts differ by at most one), in an order and at positions drawn
    uniformly by ``numpy.random.default_rng(seed)``: the same arguments give the same crops.
    See chapter 6."""
    names, hr_size, _ = _check_sizes(split, hr_size, 1)
    if n is None:
        n = CROPS_PER_PHOTO * len(names)
    n = checks.positive_int(n, "n")
    rng = np.random.default_rng(seed)
    which = rng.permutation(np.arange(n) % len(names))
    sources = []
    for k in which:
        h, w = PHOTO_SIZES[names[k]]
        top, left = rng.integers(0, h - hr_size + 1), rng.integers(0, w - hr_size + 1)
        sources.append((names[k], int(top), int(left)))
    return tuple(sources)


def sr_patches(split="train", hr_size=96, scale=4, n=None, seed=0):
    """``(lr, hr)``: float32 NHWC arrays in [-1, 1] for single-image super-resolution.

    ``hr`` holds ``n`` random ``hr_size x hr_size x 3`` crops of the split's photos (where:
    ``patch_sources(split, hr_size, n, seed)``; ``n=None``: ``CROPS_PER_PHOTO`` per photo).
    ``lr`` is each crop downsampled by ``scale`` with a bicubic kernel, as in SRGAN (Ledig et
    al., arXiv:1609.04802: a low-pass filter then downsampling by r, section 3; "bicubic kernel
    with downsampling factor r = 4" of random 96 x 96 HR crops, section 4.2):
    ``tf.image.resize(hr, (hr_size // scale,) * 2, method="bicubic", antialias=True)``, where
    ``antialias=True`` widens the kernel by ``scale`` (the low-pass filter), then clipped to
    [-1, 1] (the bicubic kernel overshoots at edges). Train and test crops come from different
    photos (``TRAIN_PHOTOS``, ``TEST_PHOTOS``). See chapter 6.
    """
    import tensorflow as tf

    _, hr_size, scale = _check_sizes(split, hr_size, scale)
    sources = patch_sources(split, hr_size, n, seed)
    hr = np.stack([_photo_uint8(name)[top:top + hr_size, left:left + hr_size]
                   for name, top, left in sources]).astype(np.float32) / 127.5 - 1.0
    lr_size = hr_size // scale
    lr = tf.image.resize(hr, (lr_size, lr_size), method="bicubic", antialias=True)
    return tf.clip_by_value(lr, -1.0, 1.0).numpy(), hr


def sr_dataset(split="train", batch_size=16, hr_size=96, scale=4, n=None, seed=0,
               resumable=False, shuffle=True, drop_remainder=False):
    """A ``tf.data.Dataset`` of ``(hr, lr)`` batches from ``sr_patches(split, hr_size, scale, n,
    seed)``: ``(real_high_res, condition_low_res)``, the real image first and its condition
    second, the ``(real, condition)`` order of every gan_tf conditional trainer (note:
    ``sr_patches`` returns ``(lr, hr)``). Shapes ``(b, hr_size, hr_size, 3)`` and
    ``(b, hr_size // scale, hr_size // scale, 3)``. Batching, shuffling (``seed``) and
    ``resumable=True`` are those of ``gan_tf.data.to_dataset``. See chapter 6."""
    lr, hr = sr_patches(split, hr_size=hr_size, scale=scale, n=n, seed=seed)
    return to_dataset(hr, lr, batch_size=batch_size, shuffle=shuffle, seed=seed,
                      drop_remainder=drop_remainder, resumable=resumable)
