"""Captioned scenes: the offline stand-in for the captioned photo sets of text-to-image GANs.

Captioned scenes
----------------
GAN-CLS/GAN-INT (Reed et al., arXiv:1605.05396 section 5), GAWWN (Reed et al.,
arXiv:1610.02454 section 4) and StackGAN (Zhang et al., arXiv:1612.03242 section 4.1) train on
CUB-200-2011 birds and Oxford-102 flowers with ten human captions per image (and, for GAWWN,
bird boxes and 15 part keypoints). None of that, nor a pre-trained text encoder, is available
offline, so chapter 7 trains on *scenes* built from real Fashion-MNIST items
(Xiao et al., arXiv:1708.07747): each scene is one item, colourised, scaled, placed on a plain
background, with several captions from a small grammar, its box, keypoints and mask. Unlike a
photo set, every attribute a caption states is *recoverable from the pixels alone*, so a
generator's faithfulness to its caption can be measured (``gan_tf.metrics.check_captions``):

- ``background`` (black, grey, white): the canvas border is pure background;
- the item's opacity ``a = |pixel - background|_max / D(background)`` (``item_alpha``): the
  item is painted as ``pixel = background * (1 - a) + colour * a`` with ``a`` the item's
  intensity; every item colour is a pure hue (one RGB channel 0, one 1), so the largest channel
  difference from a grey background ``g`` is ``a * max(g, 1 - g)`` whatever the colour;
- ``mask`` = ``a >= MASK_THRESHOLD``; ``box`` and ``keypoints`` are computed from the mask;
- ``colour`` (6 hues 60 degrees apart): mixing a hue with a grey keeps its HSV hue, so every
  item pixel has the colour's hue;
- ``size`` (small, large): the box's long side, below or above ``SIZE_THRESHOLD`` of the canvas;
- ``position`` (3 x 3: top/middle/bottom x left/centre/right): the item's *box* is placed at the
  left edge (plus a margin), centred, or at the right edge, so the box tells the position;
- ``label`` (the Fashion-MNIST class): the item cropped to its box, made grey and resized to
  28x28 (``classifier_input``) is classified by the shipped Fashion-MNIST classifier.

Only items whose class and size survive this round trip are used: ``data/scenes/items.npz``
marks, for both Fashion-MNIST splits, the items that the shipped classifier classifies
correctly as plain 28x28 items *and* after rendering at every (image size, size) of the scenes
and ``classifier_input``, and whose measured size is right at every scale. It was made once by
``scripts/scene_items.py`` (see ``data/scenes/README.md``); the data layer must not import the
metrics, so the filter ships as data. The class frequencies of the scenes are therefore not
uniform (ambiguous items, most often shirts, are dropped more often): see ``item_pool``.

Captions come from a closed grammar with synonyms ("sneaker"/"trainer", "red"/"scarlet") and
several word orders. The first caption of every image states all five attributes; every other
caption states the class and each other attribute with probability ``STATE_PROBABILITY``, like
human captions that mention some details and not others. ``parse_caption`` inverts the grammar.

See chapter 7.1.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from gan_tf import checks, config
from gan_tf.data.images import SPLITS, epoch_variable, load_arrays, to_dataset

IMAGE_SIZES = (32, 64)
ITEM_SIZE = 28
MASK_THRESHOLD = 0.25          # an item pixel has opacity >= this
SIZE_THRESHOLD = 0.5           # box long side / canvas: small below, large above
FRAME_FRACTIONS = (7 / 16, 11 / 16)   # the 28x28 item frame scaled to this fraction of s
STATE_PROBABILITY = 0.6        # captions 1.. state each non-class attribute with this prob.
ITEMS_FILE = Path("scenes") / "items.npz"

ATTRIBUTES = ("label", "colour", "size", "position", "background")

COLOUR_NAMES = ("red", "yellow", "green", "cyan", "blue", "magenta")
COLOUR_HUES = (0.0, 60.0, 120.0, 180.0, 240.0, 300.0)          # HSV hue, degrees
COLOUR_RGB = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1], [1, 0, 1]],
                      np.float32)                               # in [0, 1]
SIZE_NAMES = ("small", "large")
POSITION_NAMES = ("top left", "top", "top right", "left", "centre", "right",
                  "bottom left", "bottom", "bottom right")     # index = 3 * row + column
BACKGROUND_NAMES = ("black", "grey", "white")
BACKGROUND_GREY = np.array([0.0, 0.5, 1.0], np.float32)         # in [0, 1]
KEYPOINT_NAMES = ("top", "bottom", "left", "right", "centroid")
NUM_KEYPOINTS = len(KEYPOINT_NAMES)

# --- the grammar -------------------------------------------------------------------------
CLASS_WORDS = (
    ("t-shirt", "tee"), ("trousers", "pants", "slacks"), ("pullover", "sweater", "jumper"),
    ("dress", "gown", "frock"), ("coat", "jacket", "overcoat"), ("sandal", "flip-flop"),
    ("shirt", "blouse"), ("sneaker", "trainer"), ("bag", "handbag", "purse"),
    ("boot", "ankle-boot", "bootie"),
)
COLOUR_WORDS = (
    ("red", "scarlet", "crimson"), ("yellow", "golden", "lemon"), ("green", "emerald", "jade"),
    ("cyan", "turquoise", "aqua"), ("blue", "cobalt", "sapphire"),
    ("magenta", "fuchsia", "purple"),
)
SIZE_WORDS = (("small", "little", "tiny"), ("large", "big", "huge"))
BACKGROUND_WORDS = (("black", "dark"), ("grey", "gray"), ("white", "light"))
_ROW_WORDS = {0: ("top", "upper"), 2: ("bottom", "lower")}
_COLUMN_WORDS = {0: ("left",), 2: ("right",)}
_CENTRE_WORDS = ("centre", "center", "middle")
_NOUN_PHRASES = 4      # how size and colour attach to the noun
_SENTENCES = 5         # orders of noun phrase, position phrase, background phrase
_FUNCTION_WORDS = ("a", "an", "the", "pair", "of", "in", "at", "on", "near", "to", "against",
                   "front", "background", "backdrop", "there", "is", "picture", "corner",
                   "side", "edge", "part", "that", "and", "coloured")


def _content_words():
    table = {}
    for attribute, groups in (("label", CLASS_WORDS), ("colour", COLOUR_WORDS),
                              ("size", SIZE_WORDS), ("background", BACKGROUND_WORDS)):
        for value, words in enumerate(groups):
            for word in words:
                table[word] = (attribute, value)
    for row, words in _ROW_WORDS.items():
        for word in words:
            table[word] = ("row", row)
    for column, words in _COLUMN_WORDS.items():
        for word in words:
            table[word] = ("column", column)
    for word in _CENTRE_WORDS:
        table[word] = ("centre", 1)
    return table


_CONTENT = _content_words()
VOCABULARY = ("<pad>",) + tuple(sorted(set(_CONTENT) | set(_FUNCTION_WORDS)))
_WORD_ID = {w: i for i, w in enumerate(VOCABULARY)}
MAX_WORDS = 24


@dataclasses.dataclass
class Scenes:
    """Captioned scenes (``make_scenes``): images, captions, attributes, box, keypoints, mask.
    See chapter 7.1."""

    images: np.ndarray       # float32 (n, s, s, 3) in [-1, 1]
    captions: list           # n lists of captions_per_image str
    label: np.ndarray        # int64 (n,) Fashion-MNIST class
    colour: np.ndarray       # int64 (n,) index into COLOUR_NAMES
    size: np.ndarray         # int64 (n,) index into SIZE_NAMES
    position: np.ndarray     # int64 (n,) index into POSITION_NAMES (3 * row + column)
    background: np.ndarray   # int64 (n,) index into BACKGROUND_NAMES
    box: np.ndarray          # float32 (n, 4) (y0, x0, y1, x1) in [0, 1]
    keypoints: np.ndarray    # float32 (n, K, 3) (y, x, visible)
    mask: np.ndarray         # bool (n, s, s)
    item_index: np.ndarray   # int64 (n,) index of the Fashion-MNIST item in its split

    def __len__(self):
        return len(self.images)

    def attributes(self):
        """``{attribute: int array (n,)}`` for the five attributes captions state. See chapter
        7.1."""
        return {a: getattr(self, a) for a in ATTRIBUTES}


# --- resampling, shared by the renderer and the checker's classifier input ---------------

def _tri_weights(centres, support, n_src, lo=None, hi=None):
    """Weights ``(..., m, n_src)`` of a triangle (bilinear, widened to ``support`` source pixels
    when shrinking, as antialiased resizers do) centred at ``centres`` ``(..., m)`` in source
    pixel coordinates (pixel k's centre at k). Source pixels outside ``[lo, hi)`` count as 0:
    the weights are normalised by the full kernel's sum, so the outside acts as zero padding."""
    centres = np.asarray(centres, np.float64)[..., None]
    support = np.asarray(support, np.float64)[..., None, None]
    reach = int(np.ceil(np.max(support))) + 2
    k = np.arange(-reach, n_src + reach, dtype=np.float64)
    w = np.maximum(0.0, 1.0 - np.abs(k - centres) / support)
    norm = w.sum(-1, keepdims=True)
    inside = (k >= 0) & (k < n_src)
    if lo is not None:
        lo, hi = np.asarray(lo)[..., None, None], np.asarray(hi)[..., None, None]
        inside = inside & (k >= lo) & (k < hi)
    w = np.where(inside, w, 0.0) / np.maximum(norm, 1e-12)
    return w[..., reach:reach + n_src]


def _resize_matrix(n_in, n_out):
    """``(n_out, n_in)`` matrix resizing a signal of ``n_in`` pixels to ``n_out``."""
    scale = n_in / n_out
    centres = (np.arange(n_out) + 0.5) * scale - 0.5
    return _tri_weights(centres, max(1.0, scale), n_in)


def _mask_boxes(mask):
    """Pixel boxes ``(y0, x0, y1, x1)`` (ints, y1/x1 exclusive) of boolean masks ``(n, s, s)``
    and whether each mask is non-empty; empty masks get the box (0, 0, 0, 0)."""
    rows, cols = mask.any(2), mask.any(1)
    s = mask.shape[1]
    present = rows.any(1)
    y0 = np.argmax(rows, 1)
    y1 = s - np.argmax(rows[:, ::-1], 1)
    x0 = np.argmax(cols, 1)
    x1 = mask.shape[2] - np.argmax(cols[:, ::-1], 1)
    boxes = np.stack([y0, x0, y1, x1], 1) * present[:, None]
    return boxes.astype(np.int64), present


def mask_box(mask):
    """Tight boxes of boolean masks ``(n, s, s)``: float32 ``(n, 4)`` = (y0, x0, y1, x1)
    normalised by the canvas size (pixel edges: a box covering rows 3..5 of 32 has y0 = 3/32,
    y1 = 6/32); NaN rows for empty masks. See chapter 7.1."""
    mask = np.asarray(mask, bool)
    boxes, present = _mask_boxes(mask)
    size = np.array(mask.shape[1:3] * 2, np.float64)[[0, 1, 0, 1]]
    out = boxes / size
    out[~present] = np.nan
    return out.astype(np.float32)


def mask_keypoints(mask):
    """The ``NUM_KEYPOINTS`` part keypoints of boolean masks ``(n, s, s)``: float32
    ``(n, K, 3)`` = (y, x, visible) with (y, x) pixel centres normalised to [0, 1]
    (pixel (r, c) -> ((r + 0.5) / s, (c + 0.5) / s)). Parts (``KEYPOINT_NAMES``): ``top`` = the
    top row of the mask at the mean column of its mask pixels, ``bottom`` likewise for the
    bottom row, ``left`` / ``right`` = the left-most / right-most column at the mean row of its
    mask pixels, ``centroid`` = the mean of all mask pixels. Every part is visible (1) on a
    non-empty mask; an empty mask gives (NaN, NaN, 0). See chapter 7.1."""
    mask = np.asarray(mask, bool)
    n, h, w = mask.shape
    boxes, present = _mask_boxes(mask)
    idx = np.arange(n)
    ys, xs = np.arange(h) + 0.5, np.arange(w) + 0.5

    def mean_along(lines, coords):
        count = lines.sum(-1)
        return (lines * coords).sum(-1) / np.maximum(count, 1)

    top_row = mask[idx, boxes[:, 0]]
    bottom_row = mask[idx, np.maximum(boxes[:, 2] - 1, 0)]
    left_col = mask[idx, :, boxes[:, 1]]
    right_col = mask[idx, :, np.maximum(boxes[:, 3] - 1, 0)]
    per_row, per_col = np.count_nonzero(mask, 2), np.count_nonzero(mask, 1)
    count = np.maximum(per_row.sum(1), 1)
    y = np.stack([boxes[:, 0] + 0.5, boxes[:, 2] - 0.5, mean_along(left_col, ys),
                  mean_along(right_col, ys), (per_row * ys).sum(1) / count], 1) / h
    x = np.stack([mean_along(top_row, xs), mean_along(bottom_row, xs), boxes[:, 1] + 0.5,
                  boxes[:, 3] - 0.5, (per_col * xs).sum(1) / count], 1) / w
    visible = np.broadcast_to(present[:, None], y.shape).astype(np.float64)
    y[~present], x[~present] = np.nan, np.nan
    return np.stack([y, x, visible], -1).astype(np.float32)


def background_reach(background):
    """``D(g) = max(g, 1 - g)`` per channel max: the largest channel difference a pure hue can
    have from the background ``g`` (RGB in [0, 1], shape (..., 3)). See chapter 7.1."""
    g = np.asarray(background, np.float64)
    return np.max(np.maximum(g, 1.0 - g), -1)


def item_alpha(images, background):
    """The item opacity ``a`` of scenes ``(n, s, s, 3)`` in [-1, 1] on backgrounds
    ``(n, 3)`` (RGB in [0, 1]): ``max_channel |pixel - background| / D(background)``, float32
    ``(n, s, s)`` in [0, 1] (exactly the painted opacity for a pure-hue item on a grey
    background). See chapter 7.1."""
    x = np.asarray(images, np.float32)
    g = 2.0 * np.asarray(background, np.float32)[:, None, None, :] - 1.0
    alpha = np.zeros(x.shape[:3], np.float32)
    for c in range(x.shape[-1]):     # a channel loop: far faster than .max(-1) over 3 values
        diff = x[..., c] - g[..., c]
        np.abs(diff, out=diff)
        np.maximum(alpha, diff, out=alpha)
    alpha *= (0.5 / background_reach(background).astype(np.float32))[:, None, None]
    return np.clip(alpha, 0.0, 1.0, out=alpha)


def classifier_input(alpha, mask):
    """The item as a Fashion-MNIST image: float32 ``(n, 28, 28, 1)`` in [-1, 1].

    ``alpha`` ``(n, s, s)`` (item opacity, 0 = background) is cropped to the box of ``mask``,
    resized (antialiased bilinear) so that the box's long side spans 28 pixels and centred on
    a 28x28 black canvas, as Fashion-MNIST items were prepared (long side 28, centred), then
    mapped to [-1, 1] (``2 a - 1``). Empty masks give an all-black image. See chapter 7.1."""
    alpha = np.asarray(alpha, np.float32)
    mask = np.asarray(mask, bool)
    n, h, w = alpha.shape
    boxes, present = _mask_boxes(mask)
    y0, x0, y1, x1 = (boxes[:, i].astype(np.float64) for i in range(4))
    long_side = np.maximum(np.maximum(y1 - y0, x1 - x0), 1.0)
    scale = long_side / ITEM_SIZE
    offsets = np.arange(ITEM_SIZE) + 0.5 - ITEM_SIZE / 2
    support = np.maximum(1.0, scale)
    rows = _tri_weights((y0 + y1)[:, None] / 2 + offsets * scale[:, None] - 0.5, support, h,
                        y0, y1)
    cols = _tri_weights((x0 + x1)[:, None] / 2 + offsets * scale[:, None] - 0.5, support, w,
                        x0, x1)
    out = rows @ alpha.astype(np.float64) @ np.swapaxes(cols, 1, 2)
    out[~present] = 0.0
    return (2.0 * np.clip(out, 0.0, 1.0) - 1.0).astype(np.float32)[..., None]


# --- items ---------------------------------------------------------------------------------

def _item_alpha28(images28):
    """Fashion-MNIST items in [-1, 1] ``(n, 28, 28, 1)`` -> opacity in [0, 1] ``(n, 28, 28)``,
    each item divided by its largest intensity (so every item has a fully opaque pixel)."""
    a = (np.asarray(images28, np.float64)[..., 0] + 1.0) * 0.5
    return a / np.maximum(a.max((1, 2), keepdims=True), 1e-6)


def frame_sizes(image_size):
    """The side of the scaled 28x28 item frame per size (small, large) on an
    ``image_size`` canvas: 14 and 22 at 32, 28 and 44 at 64. See chapter 7.1."""
    return tuple(int(round(image_size * f)) for f in FRAME_FRACTIONS)


def margin(image_size):
    """Pixels between a left/right/top/bottom-placed box and the canvas edge: 1 at 32, 2 at
    64. See chapter 7.1."""
    return max(1, image_size // 32)


def render_items(alpha28, frame):
    """Opacity maps ``(n, 28, 28)`` resized (antialiased bilinear) to ``(n, frame, frame)``,
    float64. See chapter 7.1."""
    m = _resize_matrix(ITEM_SIZE, frame)
    return m @ np.asarray(alpha28, np.float64) @ m.T


def _items_path():
    tried = []
    for root in config.data_roots():
        path = root / ITEMS_FILE
        if path.exists():
            return path
        tried.append(str(path))
    raise FileNotFoundError(
        f"the scene item list {ITEMS_FILE} was not found (looked in: {'; '.join(tried)}); "
        "re-create it with `python scripts/scene_items.py` from the repository root")


def item_pool(split="train"):
    """Indices (int64, sorted) of the Fashion-MNIST ``split`` items scenes use: those the
    shipped classifier classifies correctly at 28x28 and after every scene rendering, with a
    measurable size (``data/scenes/items.npz``). See chapter 7.1."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    with np.load(_items_path()) as f:
        keep = np.unpackbits(f[split])[: int(f[f"{split}_count"])].astype(bool)
    return np.flatnonzero(keep).astype(np.int64)


# --- captions ------------------------------------------------------------------------------

def _article(word):
    return "an" if word[0] in "aeiou" else "a"


def _pick(words, u):
    return words[min(int(u * len(words)), len(words) - 1)]


def _noun_phrase(label, colour, size, form, u):
    """Noun phrase for a class; ``colour``/``size`` None when not stated."""
    noun = _pick(CLASS_WORDS[label], u[0])
    c = None if colour is None else _pick(COLOUR_WORDS[colour], u[1])
    s = None if size is None else _pick(SIZE_WORDS[size], u[2])
    pair = label == 1
    if form == 3 and (c or s):   # "a coat that is small and red"
        pred = " and ".join(w for w in ((s, c) if u[3] < 0.5 else (c, s)) if w)
        head = f"a pair of {noun}" if pair else f"{_article(noun)} {noun}"
        return f"{head} that is {pred}"
    if form == 1 and c:          # "a small coat in red"
        adjectives, tail = [s] if s else [], f" in {c}"
    elif form == 2 and c:        # "a small coat coloured red"
        adjectives, tail = [s] if s else [], f" coloured {c}"
    else:                        # "a small red coat"
        adjectives, tail = [w for w in (s, c) if w], ""
    words = adjectives + [noun]
    if pair:
        return "a pair of " + " ".join(words) + tail
    return f"{_article(words[0])} " + " ".join(words) + tail


def _position_phrase(position, u):
    row, col = divmod(int(position), 3)
    if row != 1 and col != 1:
        v, h = _pick(_ROW_WORDS[row], u[0]), _COLUMN_WORDS[col][0]
        return _pick((f"in the {v} {h} corner", f"at the {v} {h}", f"in the {v} {h}"), u[1])
    if row != 1:
        v = _pick(_ROW_WORDS[row], u[0])
        return _pick((f"at the {_ROW_WORDS[row][0]}", f"in the {v} part",
                      f"near the {_ROW_WORDS[row][0]} edge"), u[1])
    if col != 1:
        h = _COLUMN_WORDS[col][0]
        return _pick((f"on the {h}", f"on the {h} side", f"to the {h}"), u[1])
    return "in the " + _pick(_CENTRE_WORDS, u[0])


def _background_phrase(background, u):
    b = _pick(BACKGROUND_WORDS[background], u[0])
    return _pick((f"on a {b} background", f"against a {b} background",
                  f"in front of a {b} backdrop", f"on {b}"), u[1])


def _caption(label, colour, size, position, background, u):
    """One caption from 14 uniform numbers ``u``; attributes set to None are not stated."""
    np_ = _noun_phrase(label, colour, size, int(u[0] * _NOUN_PHRASES), u[1:5])
    pos = "" if position is None else _position_phrase(position, u[5:7])
    bg = "" if background is None else _background_phrase(background, u[7:9])
    form = int(u[9] * _SENTENCES)
    if form == 1:
        parts = (np_, bg, pos)
    elif form == 2:
        parts = (pos, "there is", np_, bg)
    elif form == 3:
        parts = (bg, "there is", np_, pos)
    elif form == 4:
        parts = ("a picture of", np_, pos, bg)
    else:
        parts = (np_, pos, bg)
    return " ".join(p for p in parts if p)


_CAPTION_DRAWS = 14   # 10 for the wording, 4 for which attributes are stated


def _captions(label, colour, size, position, background, u):
    """Captions of all scenes from uniform numbers ``u`` (n, captions_per_image, 14)."""
    out = []
    for i in range(len(label)):
        caps = []
        for j in range(u.shape[1]):
            said = u[i, j, 10:] < STATE_PROBABILITY
            if j == 0:
                said[:] = True
            caps.append(_caption(
                int(label[i]), int(colour[i]) if said[0] else None,
                int(size[i]) if said[1] else None, int(position[i]) if said[2] else None,
                int(background[i]) if said[3] else None, u[i, j]))
        out.append(caps)
    return out


def _words(text, what="caption"):
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a str, got {type(text).__name__}")
    words = text.lower().split()
    if not words:
        raise ValueError(f"{what} is empty; expected at least one word")
    for w in words:
        if w not in _WORD_ID or w == VOCABULARY[0]:
            raise ValueError(f"unknown word {w!r} in {what} {text!r}; the vocabulary is "
                             "gan_tf.data.scenes.VOCABULARY")
    return words


def parse_caption(text):
    """The attributes a caption states: ``{attribute: value index}`` for those of
    ``ATTRIBUTES`` it mentions (the inverse of the grammar: every content word names one value
    of one attribute; a position is a row word and/or a column word, or a centre word).
    ``ValueError`` for an unknown word or for two values of one attribute. See chapter 7.1."""
    found = {}
    for w in _words(text):
        if w not in _CONTENT:
            continue
        attribute, value = _CONTENT[w]
        if found.setdefault(attribute, value) != value:
            raise ValueError(f"caption {text!r} states two values of {attribute!r}")
    out = {a: found[a] for a in ATTRIBUTES if a in found}
    if {"row", "column", "centre"} & set(found):
        out["position"] = 3 * found.get("row", 1) + found.get("column", 1)
    return {a: out[a] for a in ATTRIBUTES if a in out}


def tokenize(captions, max_len=MAX_WORDS):
    """Word ids of captions: int32 ``(n, max_len)``, 0 = padding, word ``w`` ->
    ``VOCABULARY.index(w)`` (lower-cased, split at white space). ``ValueError`` naming the word
    for an unknown word, for an empty caption, for one longer than ``max_len`` words.
    See chapter 7.1."""
    max_len = checks.positive_int(max_len, "max_len")
    if isinstance(captions, str):
        captions = [captions]
    out = np.zeros((len(captions), max_len), np.int32)
    for i, text in enumerate(captions):
        words = _words(text, f"caption {i}")
        if len(words) > max_len:
            raise ValueError(f"caption {i} has {len(words)} words, more than max_len={max_len}: "
                             f"{text!r}")
        out[i, :len(words)] = [_WORD_ID[w] for w in words]
    return out


# --- scenes --------------------------------------------------------------------------------

def _check_image_size(image_size):
    if isinstance(image_size, bool) or image_size not in IMAGE_SIZES:
        raise ValueError(f"image_size must be one of {IMAGE_SIZES}, got {image_size!r}")
    return int(image_size)


def _streams(seed, split):
    """Independent generators per random choice, keyed on (seed, split) only: the same scenes
    (items, attributes, captions) at 32 and 64, and the first m of n scenes are the m scenes."""
    root = np.random.SeedSequence([int(seed), SPLITS.index(split), 7])
    return [np.random.default_rng(s) for s in root.spawn(6)]


def _place(patches, box, rows, cols, image_size):
    """Paste ``patches`` (n, f, f) with pixel boxes ``box`` (of their masks) on canvases so the
    box sits at ``rows``/``cols`` 0 = top/left edge + margin, 1 = centred, 2 = bottom/right."""
    n, f, _ = patches.shape
    s, m = image_size, margin(image_size)

    def offset(where, lo, hi):
        extent = hi - lo
        return np.select([where == 0, where == 1], [m - lo, (s - extent) // 2 - lo], s - m - hi)

    oy, ox = offset(rows, box[:, 0], box[:, 2]), offset(cols, box[:, 1], box[:, 3])
    sy = np.arange(s)[None, :] - oy[:, None]
    sx = np.arange(s)[None, :] - ox[:, None]
    vy, vx = (sy >= 0) & (sy < f), (sx >= 0) & (sx < f)
    canvas = patches[np.arange(n)[:, None, None], np.clip(sy, 0, f - 1)[:, :, None],
                     np.clip(sx, 0, f - 1)[:, None, :]]
    canvas *= vy[:, :, None] & vx[:, None, :]
    return canvas


def make_scenes(n, image_size=32, seed=0, split="train", captions_per_image=5):
    """``n`` captioned scenes (``Scenes``) of real Fashion-MNIST ``split`` items.

    Items are drawn without replacement from ``item_pool(split)`` (a fresh permutation of the
    pool follows when ``n`` exceeds it); colour, size, position (3 x 3) and background are
    uniform. The item's opacity is its intensity divided by its maximum; it is resized to the
    size's frame (``frame_sizes``), its mask's box is placed by ``position`` and it is painted
    ``background * (1 - a) + colour * a``. ``mask``, ``box`` and ``keypoints`` are computed from
    the final image (``item_alpha(images) >= MASK_THRESHOLD``), as the caption checker measures
    them. Deterministic given (seed, split); the items, attributes and captions do not depend
    on ``image_size`` (the 32 and 64 scenes of a seed show the same scenes), and the first m of
    n scenes equal ``make_scenes(m, ...)``. See chapter 7.1.
    """
    n = checks.positive_int(n, "n")
    s = _check_image_size(image_size)
    captions_per_image = checks.positive_int(captions_per_image, "captions_per_image")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    pool = item_pool(split)
    r_item, r_colour, r_size, r_pos, r_bg, r_cap = _streams(seed, split)
    perms = [r_item.permutation(len(pool)) for _ in range(-(-n // len(pool)))]
    item = pool[np.concatenate(perms)[:n]]
    colour = np.floor(r_colour.random(n) * len(COLOUR_NAMES)).astype(np.int64)
    size = np.floor(r_size.random(n) * len(SIZE_NAMES)).astype(np.int64)
    position = np.floor(r_pos.random(n) * len(POSITION_NAMES)).astype(np.int64)
    background = np.floor(r_bg.random(n) * len(BACKGROUND_NAMES)).astype(np.int64)
    u = r_cap.random((n, captions_per_image, _CAPTION_DRAWS))

    x28, labels = load_arrays("fashion_mnist", split)
    alpha28 = _item_alpha28(x28[item])
    label = labels[item].astype(np.int64)
    alpha = np.zeros((n, s, s), np.float32)
    for k, frame in enumerate(frame_sizes(s)):
        sel = np.flatnonzero(size == k)
        if sel.size == 0:
            continue
        patches = render_items(alpha28[sel], frame).astype(np.float32)
        boxes, _ = _mask_boxes(patches >= MASK_THRESHOLD)
        alpha[sel] = _place(patches, boxes, position[sel] // 3, position[sel] % 3, s)
    # 2 * (g (1 - a) + c a) - 1 = (2 g - 1) + 2 (c - g) a, in float32 without temporaries
    grey = np.repeat(BACKGROUND_GREY[background][:, None], 3, 1)
    images = alpha[..., None] * (2.0 * (COLOUR_RGB[colour] - grey))[:, None, None, :]
    images += (2.0 * grey - 1.0)[:, None, None, :]
    mask = item_alpha(images, grey) >= MASK_THRESHOLD
    captions = _captions(label, colour, size, position, background, u)
    return Scenes(images=images, captions=captions, label=label, colour=colour, size=size,
                  position=position, background=background, box=mask_box(mask),
                  keypoints=mask_keypoints(mask), mask=mask, item_index=item)


# --- tf.data ---------------------------------------------------------------------------------

def _check_scene_arrays(images, embeddings, box, keypoints):
    what = "captioned_dataset"
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"{what} expects RGB images (n, height, width, 3), received shape "
                         f"{x.shape}")
    checks.check_image_range(x, f"{what} images")
    n = len(x)
    e = np.asarray(embeddings)
    if e.ndim != 3 or len(e) != n:
        raise ValueError(f"{what} expects embeddings of shape (n={n}, captions_per_image, d), "
                         f"received shape {e.shape}")
    checks.check_finite(e, f"{what} embeddings")
    if n < 2:
        raise ValueError(f"{what} needs at least 2 images (the mismatching text comes from "
                         f"another image), received {n}")
    out = {}
    if box is not None:
        b = np.asarray(box)
        if b.shape != (n, 4):
            raise ValueError(f"{what} expects box of shape ({n}, 4), received {b.shape}")
        checks.check_finite(b, f"{what} box")
        out["box"] = b.astype(np.float32)
    if keypoints is not None:
        k = np.asarray(keypoints)
        if k.ndim != 3 or k.shape[0] != n or k.shape[2] != 3:
            raise ValueError(f"{what} expects keypoints of shape ({n}, K, 3), received "
                             f"{k.shape}")
        checks.check_finite(k, f"{what} keypoints")
        out["keypoints"] = k.astype(np.float32)
    return x.astype(np.float32, copy=False), e.astype(np.float32, copy=False), out


def captioned_dataset(images, embeddings, batch_size=64, seed=0, resumable=False, box=None,
                      keypoints=None, shuffle=True, drop_remainder=False):
    """A ``tf.data.Dataset`` of ``(images, condition)`` batches for text-to-image GANs.

    ``condition`` is a dict: ``"text"`` (b, d) = ``embeddings[i, c]`` for a caption ``c`` of
    image ``i`` drawn uniformly every epoch; ``"wrong_text"`` (b, d) = ``embeddings[j, c']``
    with ``j != i`` uniform over the *other* images and ``c'`` uniform (the mismatching text
    t-hat of GAN-CLS, Reed et al., arXiv:1605.05396 Algorithm 1: it comes from the data, so a
    MirroredStrategy step equals a single-device step); ``"box"`` (b, 4) and ``"keypoints"``
    (b, K, 3) when given (GAWWN, arXiv:1610.02454). ``embeddings``: (n, captions_per_image, d)
    float32, the frozen text encoder's output.

    The choices of epoch ``e`` are functions of ``(seed, e, i)`` alone
    (``tf.random.stateless_uniform``); the order is that of ``gan_tf.data.to_dataset``.
    ``resumable=True`` exposes the epoch counter (``gan_tf.data.epoch_variable``) that the
    trainers' ``fit`` sets, so a resumed run reads the order *and* the captions of an
    uninterrupted run; without it the counter counts passes from 0. See chapter 7.1.
    """
    import tensorflow as tf

    x, e, extra = _check_scene_arrays(images, embeddings, box, keypoints)
    batch_size = checks.positive_int(batch_size, "batch_size")
    n, per_image = e.shape[:2]
    seed = int(seed)
    consts = {"images": tf.constant(x), "embeddings": tf.constant(e),
              **{k: tf.constant(v) for k, v in extra.items()}}
    indices = np.arange(n, dtype=np.int64)

    def batch(idx, epoch):
        keys = tf.random.experimental.stateless_split(
            tf.stack([tf.constant(seed, tf.int64), epoch]), num=3)
        caption = tf.cast(tf.random.stateless_uniform([n], keys[0]) * per_image, tf.int64)
        partner = 1 + tf.cast(tf.random.stateless_uniform([n], keys[1]) * (n - 1), tf.int64)
        wrong = tf.cast(tf.random.stateless_uniform([n], keys[2]) * per_image, tf.int64)
        caption = tf.minimum(caption, per_image - 1)
        wrong = tf.minimum(wrong, per_image - 1)
        partner = tf.minimum(partner, n - 1)
        j = (idx + tf.gather(partner, idx)) % n
        condition = {
            "text": tf.gather_nd(consts["embeddings"],
                                 tf.stack([idx, tf.gather(caption, idx)], -1)),
            "wrong_text": tf.gather_nd(consts["embeddings"],
                                       tf.stack([j, tf.gather(wrong, idx)], -1)),
        }
        for k in extra:
            condition[k] = tf.gather(consts[k], idx)
        return tf.gather(consts["images"], idx), condition

    if shuffle and resumable:
        base = to_dataset(indices, batch_size=batch_size, shuffle=True, seed=seed,
                          drop_remainder=drop_remainder, resumable=True)
        counter = epoch_variable(base)   # advanced when a pass begins: epoch = value - 1
        return base.map(lambda idx: batch(idx, counter.read_value() - 1))
    base = to_dataset(indices, batch_size=batch_size, shuffle=shuffle, seed=seed,
                      drop_remainder=drop_remainder)
    counter = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_epoch")
    ds = (tf.data.Dataset.range(1).map(lambda _: counter.assign_add(1) - 1)
          .flat_map(lambda epoch: base.map(lambda idx: batch(idx, epoch))))
    ds = ds.prefetch(tf.data.AUTOTUNE)
    if resumable:
        ds._gan_tf_epoch = counter
    return ds
