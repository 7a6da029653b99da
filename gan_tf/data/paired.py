"""Paired, unpaired and multi-domain image data: the offline stand-ins of image-to-image GANs.

The papers of chapter 8 train on data that is not available offline: Pix2Pix (Isola et al.,
arXiv:1611.07004 section 4) on edges2shoes / edges2handbags (HED edges of Zappos and Amazon
photos), facades, Cityscapes and maps; CycleGAN (Zhu et al., arXiv:1703.10593 section 5) on
horse2zebra, apple2orange, summer2winter and paintings; StarGAN (Choi et al., arXiv:1711.09020
section 4) on CelebA (40 binary attributes) and RaFD (8 expressions). Here every set is made from
the real Fashion-MNIST (Xiao et al., arXiv:1708.07747, shipped in ``data/fashion-mnist/``) or
scikit-learn's 8x8 digits, and every one keeps a **ground truth**, so a translation is *scored*
(pixel error, SSIM, the shipped classifier's accuracy), not only looked at:

========================  ===================================  ===================================
function                  stands in for                        ground truth kept
========================  ===================================  ===================================
``edges_to_items``        edges2shoes / edges2handbags         the item each edge map came from
``hole_to_items``         the book's fig. 8-22 recipe          the full item
``unpaired_restyle``      horse2zebra (unpaired, 2 domains)    the hidden pairing of the domains
``unpaired_classes``      apple2orange (two object classes)    the class labels only
``failure_domain``        figs. 8-48/8-49 (a rider, unseen)    the items' classes (and restyle)
``attribute_domains``     CelebA (binary attributes)           the plain item under every label
``digit_domains``         RaFD (a second, single-label set)    the digit classes
========================  ===================================  ===================================

**Image size.** Every image is 32 x 32, float32 NHWC in [-1, 1]. The 28 x 28 items are *padded*
with the background value -1 (2 pixels each side, ``gan_tf.data.labelled.pad_images``), not
resized: no pixel is resampled, so the ground truth is the real item, and the inverse
(``classifier_input``: crop the border) is exact, giving back the 28 x 28 images the shipped
Fashion-MNIST classifier (``gan_tf.metrics.load_classifier``) was trained on. 32 = 2^5 lets the
U-Net encoder halve the size down to 1 x 1 (a resize to 32 would blur every item and have no
exact inverse). Chapter 6's LAPGAN pads the same way.

**Determinism.** Each builder draws its items (and shuffles, attributes) from
``numpy.random.default_rng`` seeded with ``(seed, split, purpose)``: the same arguments always
give the same arrays. The ``tf.data`` helpers key each epoch's order on ``(seed, epoch)``
(``resumable=True`` as in ``gan_tf.data.to_dataset``).

See chapter 8.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from gan_tf import checks
from gan_tf.data.images import SPLITS, load_arrays, to_dataset
from gan_tf.data.labelled import _images, pad_images

IMAGE_SIZE = 32
ITEM_SIZE = 28
BORDER = (IMAGE_SIZE - ITEM_SIZE) // 2      # 2 pixels of background on every side
NUM_CLASSES = 10
SNEAKER, BAG, ANKLE_BOOT = 7, 8, 9          # Fashion-MNIST class indices

# Canny (scikit-image) on the item's intensity in [0, 1]: Gaussian sigma and the hysteresis
# thresholds on the smoothed Sobel gradient magnitude (scikit-image's defaults for float images).
CANNY_SIGMA = 1.0
CANNY_LOW = 0.1
CANNY_HIGH = 0.2

# The hole of pix2pix-tensorflow's ``tools/process.py --operation blank`` (the book's fig. 8-22):
# side int(0.3 s), top-left corner int(s / 2 - side / 2), filled with ones (white).
HOLE_FRACTION = 0.3
HOLE_FILL = 1.0

STYLES = ("hot", "stripes")
STRIPE_PERIOD = 8                                        # pixels, along the diagonal
STRIPE_RGB = np.array([[1.0, 1.0, 1.0], [1.0, 0.45, 0.1]], np.float32)   # white, orange

ATTRIBUTE_NAMES = ("tint", "inverted", "flipped", "thick")
TINT_RGB = np.array([1.0, 0.6, 0.2], np.float32)         # amber; red = 1 keeps the intensity


class Pairs(NamedTuple):
    """Paired translation data (``edges_to_items``, ``hole_to_items``). See chapter 8.2."""

    source: np.ndarray     # float32 (n, 32, 32, 1) in [-1, 1]: the input x (edges, holed item)
    target: np.ndarray     # float32 (n, 32, 32, 1) in [-1, 1]: the item y
    labels: np.ndarray     # int64 (n,): the item's Fashion-MNIST class


class Unpaired(NamedTuple):
    """Two unpaired domains (``unpaired_restyle``, ``unpaired_classes``). ``pairing`` is for
    evaluation only: ``b[pairing[i]]`` is the counterpart of ``a[i]`` (``None`` when there is
    no pairing). See chapter 8.3."""

    a: np.ndarray          # float32 (n_a, 32, 32, c_a) in [-1, 1]: domain X
    b: np.ndarray          # float32 (n_b, 32, 32, c_b) in [-1, 1]: domain Y
    labels_a: np.ndarray   # int64 (n_a,) Fashion-MNIST classes
    labels_b: np.ndarray   # int64 (n_b,)
    pairing: np.ndarray | None   # int64 (n_a,) or None


class AttributeDomains(NamedTuple):
    """Items under procedural binary attributes (``attribute_domains``). See chapter 8.4."""

    images: np.ndarray       # float32 (n, 32, 32, 3) in [-1, 1]: apply_attributes(items, ...)
    attributes: np.ndarray   # float32 (n, k) in {0, 1}, columns in the order of ``names``
    items: np.ndarray        # float32 (n, 32, 32, 1) in [-1, 1]: the plain items (ground truth)
    labels: np.ndarray       # int64 (n,) Fashion-MNIST classes
    names: tuple             # the k attribute names


# --- items -----------------------------------------------------------------------------------

_PURPOSES = {"items": 0, "shuffle": 1, "attributes": 2, "domain_b": 3}


def _rng(seed, split, purpose):
    """A generator keyed on (seed, split, purpose) only."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return np.random.default_rng([int(seed), SPLITS.index(split), _PURPOSES[purpose], 8])


def _check_split(split):
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")


def _check_classes(classes, what="classes"):
    if classes is None:
        return None
    values = tuple(classes) if np.ndim(classes) else (classes,)
    if not values:
        raise ValueError(f"{what} must name at least one Fashion-MNIST class (0-9), got "
                         f"{classes!r}")
    for c in values:
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or not 0 <= c < 10:
            raise ValueError(f"{what} must be Fashion-MNIST class indices in 0-9, got "
                             f"{classes!r}")
    return tuple(sorted({int(c) for c in values}))


def load_items(n=None, split="train", seed=0, classes=None):
    """``(items, labels, index)``: ``n`` Fashion-MNIST ``split`` items padded to 32 x 32.

    ``items`` float32 ``(n, 32, 32, 1)`` in [-1, 1] (the 28 x 28 item centred, a 2-pixel
    background border of -1); ``labels`` int64 classes; ``index`` int64 positions in the split.
    The items are the first ``n`` of a permutation (``numpy.random.default_rng`` keyed on
    ``(seed, split)``) of the split's items of ``classes`` (all ten when ``None``); ``n=None``
    takes them all. More than there are raises ``ValueError``. See chapter 8.
    """
    return _draw_items(n, split, seed, classes, "items")


def _draw_items(n, split, seed, classes, purpose):
    """``load_items`` with the random stream ``purpose``."""
    _check_split(split)
    classes = _check_classes(classes)
    x, labels = load_arrays("fashion_mnist", split)
    pool = (np.arange(len(labels)) if classes is None
            else np.flatnonzero(np.isin(labels, classes)))
    if n is None:
        n = len(pool)
    n = checks.positive_int(n, "n")
    if n > len(pool):
        which = "all classes" if classes is None else f"classes {classes}"
        raise ValueError(f"n={n} exceeds the {len(pool)} {split} items of {which}")
    index = pool[_rng(seed, split, purpose).permutation(len(pool))[:n]].astype(np.int64)
    return pad_images(x[index], IMAGE_SIZE), labels[index].astype(np.int64), index


def classifier_input(images):
    """32 x 32 items back to the shipped classifier's 28 x 28: float32 ``(n, 28, 28, 1)``, the
    2-pixel border cropped (the exact inverse of the padding). Only grey images: map an RGB
    image back to grey first (``unstyle`` for a restyled domain, ``untint`` for an attribute
    image). See chapter 8."""
    x = _images(images, "classifier_input")
    if x.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 1):
        raise ValueError(f"classifier_input expects grey 32x32 items (n, 32, 32, 1), received "
                         f"shape {x.shape}; map RGB images to grey with unstyle or untint first")
    return x[:, BORDER:BORDER + ITEM_SIZE, BORDER:BORDER + ITEM_SIZE]


def _unit(images):
    """[-1, 1] -> [0, 1] intensity (float32)."""
    return (np.asarray(images, np.float32) + 1.0) / 2.0


def _signed(unit):
    """[0, 1] -> [-1, 1] (float32)."""
    return (2.0 * np.asarray(unit, np.float32) - 1.0).astype(np.float32)


# --- Pix2Pix: edges -> items -----------------------------------------------------------------

def edge_map(items):
    """Canny edges (scikit-image ``feature.canny``) of grey images: bool ``(n, h, w)``.

    Run on each item's intensity ``(x + 1) / 2`` in [0, 1] with ``sigma=CANNY_SIGMA`` (1.0) and
    hysteresis thresholds ``CANNY_LOW`` / ``CANNY_HIGH`` (0.1 / 0.2, scikit-image's defaults for
    float images) on the smoothed Sobel gradient magnitude. Canny rather than Sobel: its
    one-pixel-wide binary contours are a sketch, like the thinned HED edges of edges2shoes,
    whereas a Sobel magnitude is grey and keeps the item's shading. See chapter 8.2."""
    from skimage import feature

    x = _images(items, "edge_map")
    if x.shape[-1] != 1:
        raise ValueError(f"edge_map expects grey images (n, h, w, 1), received shape {x.shape}")
    unit = _unit(x[..., 0])
    return np.stack([feature.canny(im, sigma=CANNY_SIGMA, low_threshold=CANNY_LOW,
                                   high_threshold=CANNY_HIGH) for im in unit]).reshape(unit.shape)


def edges_to_items(n=None, split="train", seed=0, classes=None):
    """``Pairs(source=edges, target=items, labels)``: the stand-in for edges2shoes and
    edges2handbags (Isola et al., arXiv:1611.07004 section 4: HED edges of product photos).

    ``items`` are ``load_items(n, split, seed, classes)`` (32 x 32, grey); ``edges`` their Canny
    edges (``edge_map``) drawn as white lines (+1) on black (-1), the items' own background,
    float32 ``(n, 32, 32, 1)``. ``classes=(5, 7, 9)`` keeps the footwear (the shoes of the
    paper), ``(8,)`` the bags. ``labels`` let the shipped classifier score translated items
    (``classifier_input``). Building 1,000 pairs takes about 0.2 s of Canny. See chapter 8.2.
    """
    items, labels, _ = load_items(n, split, seed, classes)
    edges = np.where(edge_map(items)[..., None], np.float32(1.0), np.float32(-1.0))
    return Pairs(edges, items, labels)


# --- the book's fig. 8-22 recipe: centre hole -> full image ---------------------------------

def hole_box(image_size=IMAGE_SIZE, side=None):
    """``(top, side)``: the square hole rows/columns ``top:top + side`` of
    pix2pix-tensorflow's ``tools/process.py --operation blank`` (the book's fig. 8-22):
    ``side = int(0.3 * image_size)`` unless given, ``top = int(image_size / 2 - side / 2)``
    (for 32: side 9, rows and columns 11-19). See chapter 8.2."""
    image_size = checks.positive_int(image_size, "image_size")
    side = int(HOLE_FRACTION * image_size) if side is None else side
    if isinstance(side, bool) or not isinstance(side, (int, np.integer)) or not (
            0 < side < image_size):
        raise ValueError(f"hole side must be an int in [1, {image_size - 1}] for "
                         f"{image_size}x{image_size} images, got {side!r}")
    return int(image_size / 2 - side / 2), int(side)


def cut_hole(images, side=None, fill=HOLE_FILL):
    """``images`` (n, h, h, c) in [-1, 1] with the centred square ``hole_box(h, side)`` set to
    ``fill`` (white, 1.0, as the book's recipe fills ``np.ones``). See chapter 8.2."""
    x = _images(images, "cut_hole").copy()
    if x.shape[1] != x.shape[2]:
        raise ValueError(f"cut_hole expects square images, received {x.shape[1]}x{x.shape[2]}")
    fill = float(fill)
    if not -1.0 <= fill <= 1.0:
        raise ValueError(f"fill must be in [-1, 1], got {fill!r}")
    top, side = hole_box(x.shape[1], side)
    x[:, top:top + side, top:top + side, :] = fill
    return x


def hole_to_items(n=None, split="train", seed=0, classes=None, side=None, fill=HOLE_FILL):
    """``Pairs(source=holed items, target=items, labels)``: the book's own data recipe
    (fig. 8-22, ``process.py`` resize -> blank -> combine) on Fashion-MNIST: each item with its
    centred ``hole_box`` filled with ``fill``, paired with the full item (pix2pix as inpainting,
    fig. 8-28). The hole is the same in every image. See chapter 8.2."""
    items, labels, _ = load_items(n, split, seed, classes)
    return Pairs(cut_hole(items, side, fill), items, labels)


# --- CycleGAN: two unpaired domains ----------------------------------------------------------

def _check_style(style):
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


def _stripe_index(h, w):
    """0/1 per pixel: diagonal bands of ``STRIPE_PERIOD // 2`` pixels, phase fixed in the image."""
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    return ((rows + cols) // (STRIPE_PERIOD // 2)) % 2


def restyle(items, style="hot"):
    """The procedural domain Y of the CycleGAN stand-in: grey ``items`` (n, h, w, 1) in [-1, 1]
    -> RGB (n, h, w, 3) in [-1, 1]. With ``v`` the intensity in [0, 1]:

    - ``"hot"``: the "hot" colour map, black -> red -> yellow -> white,
      ``(R, G, B) = clip(3v - (0, 1, 2), 0, 1)``, a thermal-camera look (pix2pix's
      thermal <-> RGB, fig. 8-29); a per-pixel map, so a generator can learn it exactly;
    - ``"stripes"``: zebra-like diagonal bands (``STRIPE_PERIOD`` pixels, fixed in the image)
      alternating white and orange, ``v * STRIPE_RGB[band]``: the horse -> zebra texture;
      a generator must place the bands by position, which convolutions see only through the
      image border, so it is the harder style.

    Both have an exact inverse (``unstyle``), so ``F(G(x))`` and ``G(x)`` have known right
    answers. See chapter 8.3."""
    _check_style(style)
    x = _images(items, "restyle")
    if x.shape[-1] != 1:
        raise ValueError(f"restyle expects grey images (n, h, w, 1), received shape {x.shape}")
    v = _unit(x)
    if style == "hot":
        rgb = np.clip(3.0 * v - np.array([0.0, 1.0, 2.0], np.float32), 0.0, 1.0)
    else:
        rgb = v * STRIPE_RGB[_stripe_index(*x.shape[1:3])]
    return _signed(rgb)


def unstyle(images, style="hot"):
    """The exact inverse of ``restyle``: RGB (n, h, w, 3) -> grey (n, h, w, 1) in [-1, 1].
    ``"hot"``: ``v = (R + G + B) / 3`` (the three ramps sum to ``3v``); ``"stripes"``:
    ``v = max(R, G, B)`` (both stripe colours have a channel equal to 1). On images that are not
    exact restyles (a generator's output) it is the grey image they encode. See chapter 8.3."""
    _check_style(style)
    x = _images(images, "unstyle")
    if x.shape[-1] != 3:
        raise ValueError(f"unstyle expects RGB images (n, h, w, 3), received shape {x.shape}")
    u = _unit(x)
    v = u.mean(axis=-1, keepdims=True) if style == "hot" else u.max(axis=-1, keepdims=True)
    return _signed(np.clip(v, 0.0, 1.0))


def unpaired_restyle(n=None, split="train", seed=0, style="hot", classes=None):
    """``Unpaired(a, b, labels_a, labels_b, pairing)``: the CycleGAN stand-in with a hidden
    pairing (Zhu et al., arXiv:1703.10593: horse2zebra is unpaired; here the pairs exist and are
    kept for evaluation only).

    ``a`` = ``load_items(n, split, seed, classes)``, grey (domain X); ``b`` = the *same* items
    restyled (``restyle(a, style)``, RGB, domain Y) in an independent random order. Training on
    ``(a, b)`` never sees which ``b`` belongs to which ``a``; ``b[pairing[i]] ==
    restyle(a[i:i+1], style)[0]`` for every ``i``, so ``G(a)`` can be compared with its true
    counterpart and ``F(G(a))`` with ``a``. (The right answer for any grey ``x`` is
    ``restyle(x, style)``, so held-out test items need no pairing.) See chapter 8.3."""
    items, labels, _ = load_items(n, split, seed, classes)
    order = _rng(seed, split, "shuffle").permutation(len(items))
    b = restyle(items, style)[order]
    return Unpaired(items, b, labels, labels[order], np.argsort(order).astype(np.int64))


def unpaired_classes(n=None, split="train", seed=0, class_a=SNEAKER, class_b=ANKLE_BOOT):
    """``Unpaired(a, b, labels_a, labels_b, pairing=None)``: two Fashion-MNIST classes as two
    unpaired domains (the spec's sneaker <-> ankle boot, like apple2orange of Zhu et al.,
    arXiv:1703.10593 fig. 8-45): ``n`` items of ``class_a`` and ``n`` other items of
    ``class_b``, grey, 32 x 32. There is no true counterpart; score a translation by the shipped
    classifier (``G(a)`` should be classified ``class_b``) and ``F(G(a))`` against ``a``.
    See chapter 8.3."""
    (class_a,), (class_b,) = _check_classes(class_a, "class_a"), _check_classes(class_b,
                                                                                 "class_b")
    if class_a == class_b:
        raise ValueError(f"class_a and class_b must differ, got {class_a} twice")
    a, labels_a, _ = load_items(n, split, seed, (class_a,))
    b, labels_b, _ = _draw_items(n, split, seed, (class_b,), "domain_b")
    return Unpaired(a, b, labels_a, labels_b, None)


def failure_domain(n=None, split="test", seed=0, classes=(BAG,), style=None):
    """Items from outside the training domains, for CycleGAN's failure case (figs. 8-48/8-49:
    a horse -> zebra model also puts stripes on the rider, whom it never saw in training):
    ``(images, labels)``, ``images`` = ``load_items(n, split, seed, classes)`` (grey), restyled
    to domain Y when ``style`` is given (the input of F). Train the translators without these
    classes (``unpaired_classes`` uses sneakers and ankle boots; ``unpaired_restyle(classes=...)``
    can leave the bags out), then show them these: the classifier's label of ``G(x)`` and
    ``|F(G(x)) - x|`` measure the failure, and for a restyle ``restyle(x)`` is still the right
    answer. See chapter 8.3."""
    items, labels, _ = load_items(n, split, seed, classes)
    return (items if style is None else restyle(items, style)), labels


# --- StarGAN: multi-attribute domains and a second label set ---------------------------------

def _check_names(names):
    names = (names,) if isinstance(names, str) else tuple(names)
    unknown = [a for a in names if a not in ATTRIBUTE_NAMES]
    if unknown or not names or len(set(names)) != len(names):
        raise ValueError(f"unknown or repeated attribute names {list(names)!r}; choose distinct "
                         f"names from {ATTRIBUTE_NAMES}")
    return names


def invert(images):
    """Negative image, ``1 - v`` in [0, 1] units, i.e. ``-x`` in [-1, 1]; its own inverse.
    See chapter 8.4."""
    return -_images(images, "invert")


def flip(images):
    """Upside down (rows reversed); its own inverse. Vertical, because left-right flips are
    StarGAN's data augmentation and many items are left-right symmetric. See chapter 8.4."""
    return _images(images, "flip")[:, ::-1].copy()


def thicken(images):
    """Thicker item: grey dilation (``scipy.ndimage.grey_dilation``) with a 3 x 3 cross on the
    intensity, every stroke one pixel wider on each side. Not invertible (details under the
    dilation are lost). See chapter 8.4."""
    from scipy import ndimage

    x = _images(images, "thicken")
    cross = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
    return ndimage.grey_dilation(x, footprint=cross[None, :, :, None], mode="constant",
                                 cval=-1.0).astype(np.float32)


def tint(images):
    """Grey (n, h, w, 1) -> amber RGB (n, h, w, 3): ``v * TINT_RGB`` in [0, 1] units. Red is 1
    in ``TINT_RGB``, so ``untint`` (the red channel) recovers ``v``. See chapter 8.4."""
    x = _images(images, "tint")
    if x.shape[-1] != 1:
        raise ValueError(f"tint expects grey images (n, h, w, 1), received shape {x.shape}")
    return _signed(_unit(x) * TINT_RGB)


def untint(images):
    """RGB images made by ``apply_attributes`` (tinted or not) -> grey (n, h, w, 1): the red
    channel, which is the intensity ``v`` in both cases. See chapter 8.4."""
    x = _images(images, "untint")
    if x.shape[-1] != 3:
        raise ValueError(f"untint expects RGB images (n, h, w, 3), received shape {x.shape}")
    return x[..., :1].copy()


def apply_attributes(items, attributes, names=ATTRIBUTE_NAMES):
    """The ground truth of StarGAN's stand-in: plain grey ``items`` (n, h, w, 1) in [-1, 1]
    under binary ``attributes`` (n, k) in {0, 1}, columns in the order of ``names`` -> RGB
    (n, h, w, 3) in [-1, 1].

    Applied in a fixed order, each where its bit is 1: ``thick`` (``thicken``), ``flipped``
    (``flip``), ``inverted`` (``invert``) on the grey item, then ``tint`` (amber, ``tint``) or
    grey -> RGB. Translating an image to a target attribute vector ``c`` has the known right
    answer ``apply_attributes(items, c)`` (Choi et al., arXiv:1711.09020 section 3: G(x, c)).
    See chapter 8.4."""
    names = _check_names(names)
    x = _images(items, "apply_attributes")
    if x.shape[-1] != 1:
        raise ValueError(f"apply_attributes expects plain grey items (n, h, w, 1), received "
                         f"shape {x.shape}")
    a = checks.check_binary_labels(attributes, len(names), "apply_attributes",
                                   n=len(x)).astype(bool)
    on = {name: a[:, j] for j, name in enumerate(names)}
    x = x.copy()
    for name, op in (("thick", thicken), ("flipped", flip), ("inverted", invert)):
        if name in on and on[name].any():
            x[on[name]] = op(x[on[name]])
    out = np.repeat(x, 3, axis=-1)
    if "tint" in on and on["tint"].any():
        out[on["tint"]] = tint(x[on["tint"]])
    return out


def attribute_domains(n=None, split="train", seed=0, names=ATTRIBUTE_NAMES, classes=None):
    """``AttributeDomains(images, attributes, items, labels, names)``: the stand-in for CelebA's
    binary attributes (Choi et al., arXiv:1711.09020 section 4.1: hair colour, gender, age).

    ``items`` = ``load_items(n, split, seed, classes)``; each bit of ``attributes`` is an
    independent fair coin (``numpy.random.default_rng`` keyed on ``(seed, split)``), so all
    ``2**k`` domains appear; ``images = apply_attributes(items, attributes, names)``, RGB
    32 x 32. Multi-label, so StarGAN's classification loss is a sum of sigmoid cross-entropies,
    as for CelebA. See chapter 8.4."""
    names = _check_names(names)
    items, labels, _ = load_items(n, split, seed, classes)
    attributes = (_rng(seed, split, "attributes").random((len(items), len(names))) < 0.5)
    attributes = attributes.astype(np.float32)
    return AttributeDomains(apply_attributes(items, attributes, names), attributes, items,
                            labels, names)


def digit_domains(n=None, split="train", seed=0):
    """``(images, labels)``: scikit-learn's 8x8 digits as StarGAN's second data set (the stand-in
    for RaFD's 8 expressions, Choi et al., arXiv:1711.09020 section 3.2): float32 RGB
    ``(n, 32, 32, 3)`` in [-1, 1] (bilinear 8 -> 28, padded to 32 like the items, grey in all
    three channels) and int64 digit classes, a single-label set of 10 (softmax cross-entropy,
    as for RaFD). The split is ``load_arrays("digits")``'s (1,437 train, 360 test); ``n`` of
    them in a seeded random order, ``None`` for all. See chapter 8.4."""
    _check_split(split)
    x, labels = load_arrays("digits", split, image_size=(ITEM_SIZE, ITEM_SIZE))
    if n is None:
        n = len(x)
    n = checks.positive_int(n, "n")
    if n > len(x):
        raise ValueError(f"n={n} exceeds the {len(x)} {split} digits")
    index = _rng(seed, split, "items").permutation(len(x))[:n]
    images = np.repeat(pad_images(x[index], IMAGE_SIZE), 3, axis=-1)
    return images.astype(np.float32), labels[index].astype(np.int64)


def one_hot(labels, n_classes=NUM_CLASSES):
    """int labels (n,) -> float32 (n, n_classes) one-hot rows (``checks.check_labels``).
    See chapter 8.4."""
    y = checks.check_labels(labels, n_classes, "one_hot")
    return np.eye(n_classes, dtype=np.float32)[y]


def unified_labels(labels, dataset, sizes):
    """StarGAN's unified label ``c~ = [c_1, ..., c_D, m]`` (Choi et al., arXiv:1711.09020
    section 3.2, fig. 8-58): float32 ``(n, sum(sizes) + D)``.

    ``labels`` (n, sizes[dataset]) are the labels of data set ``dataset`` (binary attributes, or
    one-hot rows for a single-label set); every other data set's block is zero ("unknown"), and
    the mask ``m`` is the one-hot of ``dataset`` over the ``D = len(sizes)`` data sets.
    See chapter 8.4."""
    sizes = tuple(checks.positive_int(s, "sizes") for s in sizes)
    if isinstance(dataset, bool) or not isinstance(dataset, (int, np.integer)) or not (
            0 <= dataset < len(sizes)):
        raise ValueError(f"dataset must be an index in [0, {len(sizes) - 1}] of sizes "
                         f"{sizes}, got {dataset!r}")
    c = np.asarray(labels)
    if c.ndim != 2 or c.shape[1] != sizes[dataset]:
        raise ValueError(f"unified_labels expects labels of shape (n, {sizes[dataset]}) for "
                         f"data set {dataset}, received shape {c.shape}")
    c = checks.check_binary_labels(c, sizes[dataset], "unified_labels")
    start = sum(sizes[:dataset])
    out = np.zeros((len(c), sum(sizes) + len(sizes)), np.float32)
    out[:, start:start + sizes[dataset]] = c
    out[:, sum(sizes) + dataset] = 1.0
    return out


# --- tf.data ---------------------------------------------------------------------------------

def _same_grid(arrays, what):
    shapes = {tuple(a.shape[1:3]) for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"{what} expects images of one size, received sizes "
                         f"{sorted(shapes)}")


def paired_dataset(source, target, batch_size=1, seed=0, shuffle=True, drop_remainder=False,
                   resumable=False):
    """A ``tf.data.Dataset`` of ``(source, target)`` batches for Pix2Pix: the pairs stay
    together (``gan_tf.data.to_dataset`` with the targets as the second tensor), ``batch_size``
    1 by default, as in the paper (Isola et al., arXiv:1611.07004 section 4). Mismatched pairs
    (counts or image sizes) raise ``ValueError``. See chapter 8.2."""
    what = "paired_dataset"
    x, y = _images(source, f"{what} source"), _images(target, f"{what} target")
    if len(x) != len(y):
        raise ValueError(f"{what} expects one target per source, received {len(x)} sources and "
                         f"{len(y)} targets")
    _same_grid((x, y), what)
    return to_dataset(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed,
                      drop_remainder=drop_remainder, resumable=resumable)


def attribute_dataset(images, attributes, batch_size=16, seed=0, shuffle=True,
                      drop_remainder=False, resumable=False):
    """A ``tf.data.Dataset`` of ``(images, attributes)`` batches for StarGAN on one data set
    (``attribute_domains``): float32 images in [-1, 1] and float32 attribute rows in {0, 1}
    (``gan_tf.data.to_dataset``; batch 16 as in the paper, Choi et al., arXiv:1711.09020
    section 4). Wrong shapes or non-binary attributes raise ``ValueError``. See chapter 8.4."""
    what = "attribute_dataset"
    x = _images(images, what)
    a = np.asarray(attributes)
    k = a.shape[1] if a.ndim == 2 and a.shape[1] else 1       # the width is the array's own
    a = checks.check_binary_labels(a, k, what, n=len(x))
    return to_dataset(x, a, batch_size=batch_size, shuffle=shuffle, seed=seed,
                      drop_remainder=drop_remainder, resumable=resumable)


def _stream_dataset(streams, batch_size, seed, what, drop_remainder=True, shuffle=True):
    """Batches from several streams (each a tuple of arrays with one first axis), one batch of
    every stream per step, ``max(len)`` examples of each stream per epoch: ``max(len) //
    batch_size`` full batches, and with ``drop_remainder=False`` a last, smaller batch of the
    ``max(len) % batch_size`` left over. Stream ``i``'s indices for epoch ``e`` are the first
    ``max(len)`` of the concatenated permutations ``argsort(stateless_uniform(..,
    key_i(seed, e)))`` (with ``shuffle=False``: ``0, 1, ..., len - 1`` repeated): the largest
    stream is read once (less its left-overs when they are dropped, different every epoch),
    the smaller ones are cycled. ``(dataset, epoch counter)``."""
    import tensorflow as tf

    batch_size = checks.positive_int(batch_size, "batch_size")
    sizes = [len(s[0]) for s in streams]
    if drop_remainder and max(sizes) < batch_size:
        raise ValueError(f"{what} needs a batch of {batch_size}, but the largest input holds "
                         f"only {max(sizes)} images")
    steps = max(sizes) // batch_size if drop_remainder else -(-max(sizes) // batch_size)
    length = steps * batch_size if drop_remainder else max(sizes)
    consts = [tuple(tf.constant(a) for a in s) for s in streams]
    repeats = [math.ceil(length / n) for n in sizes]
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_epoch")
    seed = int(seed)

    def orders(_):
        e = epoch.assign_add(1) - 1
        keys = tf.random.experimental.stateless_split(
            tf.stack([tf.constant(seed, tf.int64), e]), num=len(streams))
        out = []
        for i, (n, r) in enumerate(zip(sizes, repeats)):
            if shuffle:
                perms = tf.argsort(tf.random.stateless_uniform([r, n], seed=keys[i]), axis=-1)
            else:
                perms = tf.tile(tf.range(n, dtype=tf.int32)[None], [r, 1])
            out.append(tf.reshape(perms, [-1])[:length])
        return tuple(out)

    def gather(*idx):
        return tuple(tuple(tf.gather(t, i) for t in c) for c, i in zip(consts, idx))

    ds = (tf.data.Dataset.range(1).map(orders)
          .flat_map(lambda *idx: tf.data.Dataset.from_tensor_slices(idx))
          .batch(batch_size, drop_remainder=drop_remainder).map(gather)
          .apply(tf.data.experimental.assert_cardinality(steps)))
    return ds, epoch


def unpaired_dataset(a, b, batch_size=1, seed=0, shuffle=True, drop_remainder=False,
                     resumable=False):
    """A ``tf.data.Dataset`` of ``(a_batch, b_batch)`` for CycleGAN (what
    ``CycleGAN.fit(x_images, y_images)`` trains on): the two domains shuffled independently
    (own keys per epoch), so no batch pairs an image with its counterpart except by chance.
    An epoch has ``max(len(a), len(b))`` pairs, as the official code's unaligned data set (its
    length the larger domain's, a random B drawn for each A): the larger domain read once,
    the smaller cycled through fresh permutations. Batches of ``batch_size`` (1 by default, as
    in the paper, Zhu et al., arXiv:1703.10593 section 4), the last one smaller unless
    ``drop_remainder`` (which then drops ``max % batch_size`` pairs, other ones each epoch,
    and refuses a ``batch_size`` above the larger domain's size). ``shuffle=False`` reads
    both domains in order (the smaller one repeated). Each epoch's orders are functions of
    ``(seed, epoch)``; ``resumable=True`` exposes the epoch counter that the trainers' ``fit``
    sets, so a resumed run reads the batches of an uninterrupted one. See chapter 8.3."""
    import tensorflow as tf

    what = "unpaired_dataset"
    x, y = _images(a, f"{what} a"), _images(b, f"{what} b")
    _same_grid((x, y), what)
    ds, epoch = _stream_dataset([(x,), (y,)], batch_size, seed, what, drop_remainder, shuffle)
    ds = ds.map(lambda sa, sb: (sa[0], sb[0])).prefetch(tf.data.AUTOTUNE)
    if resumable:
        ds._gan_tf_epoch = epoch
    return ds


def mask_vector_dataset(datasets, batch_size=16, seed=0, resumable=False):
    """StarGAN's joint training batches (Choi et al., arXiv:1711.09020 section 3.2): a
    ``tf.data.Dataset`` of ``(images, c~)`` batches that alternate between the data sets, one
    batch of data set 0, one of data set 1, ... (the official code's loop over CelebA, RaFD).

    ``datasets`` is a list of ``(images, labels)``: float32 images (n_i, h, w, c) in [-1, 1],
    all of one shape, and labels (n_i, k_i) in {0, 1} (binary attributes, or ``one_hot`` rows of
    a single-label set). ``c~ = unified_labels(labels, i, (k_0, k_1, ...))``: the batch's own
    labels, zeros for the other data sets' labels, and the mask vector ``m``. Batches are full
    (``batch_size``); an epoch has ``max(n_i) // batch_size`` batches of *every* data set (the
    smaller ones cycled, see ``unpaired_dataset``), orders keyed on ``(seed, epoch)``.
    See chapter 8.4."""
    import tensorflow as tf

    what = "mask_vector_dataset"
    datasets = list(datasets)
    if len(datasets) < 2:
        raise ValueError(f"{what} expects at least 2 data sets (images, labels), received "
                         f"{len(datasets)}")
    images, labels = [], []
    for i, pair in enumerate(datasets):
        x, c = pair
        x = _images(x, f"{what} images of data set {i}")
        c = np.asarray(c)
        if c.ndim != 2 or len(c) != len(x):
            raise ValueError(f"{what} expects labels of shape ({len(x)}, k) for data set {i}, "
                             f"received shape {c.shape}")
        images.append(x)
        labels.append(c)
    if len({x.shape[1:] for x in images}) != 1:
        raise ValueError(f"{what} expects images of one shape in every data set, received "
                         f"{[x.shape[1:] for x in images]}")
    sizes = tuple(c.shape[1] for c in labels)
    streams = [(x, unified_labels(c, i, sizes)) for i, (x, c) in enumerate(zip(images, labels))]
    ds, epoch = _stream_dataset(streams, batch_size, seed, what)

    def alternate(*batches):
        out = tf.data.Dataset.from_tensors(batches[0])
        for batch in batches[1:]:
            out = out.concatenate(tf.data.Dataset.from_tensors(batch))
        return out

    steps = int(ds.cardinality())
    ds = (ds.flat_map(alternate)
          .apply(tf.data.experimental.assert_cardinality(steps * len(streams)))
          .prefetch(tf.data.AUTOTUNE))
    if resumable:
        ds._gan_tf_epoch = epoch
    return ds
