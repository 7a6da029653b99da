"""The caption checker of the captioned scenes: does an image show what its caption says?

Text-to-image papers judge faithfulness by eye or with the Inception Score (Reed et al.,
arXiv:1605.05396 section 5; Zhang et al., arXiv:1612.03242 section 4.2), which does not look at
the caption. On the scenes of ``gan_tf.data.scenes`` every stated attribute is measurable from
the pixels alone, so the checker reads them back and compares:

- ``background``: the per-channel median of the one-pixel border, snapped to the nearest of
  black, grey, white;
- ``mask``: pixels whose opacity ``max_channel |pixel - border| / D(border)`` is at least
  ``MASK_THRESHOLD`` (``scenes.item_alpha``), ``box`` and ``keypoints`` from the mask
  (``scenes.mask_box``, ``scenes.mask_keypoints``);
- ``size``: the box's long side over the canvas, below or above ``SIZE_THRESHOLD``;
- ``position``: per axis, the nearest of the three placements of a box of that extent (edge
  plus margin, centred, far edge plus margin);
- ``colour``: the chroma-weighted circular mean of the item pixels' HSV hue, snapped to the
  nearest of the six named hues (mixing a hue with a grey keeps its hue);
- ``label``: the shipped Fashion-MNIST classifier (``load_classifier``) on the item cropped to
  its box, made grey, resized to 28x28 (``scenes.classifier_input``).

``check_captions`` scores each stated attribute 1 (holds) or 0 (does not) and leaves unstated
ones NaN; ``caption_accuracy`` averages them. On real scenes every attribute is recovered
(exactly, except the class, which holds for the filtered items by construction); on captions of
*other* images the accuracy drops to the chance ``sum_v p_image(v) p_caption(v)``. An image
whose mask is empty fails every stated attribute but the background. See chapter 7.1.
"""

from __future__ import annotations

import functools

import numpy as np

from gan_tf import checks
from gan_tf.data import scenes
from gan_tf.metrics import features as _features

MEASURED = ("label", "colour", "size", "position", "background")


@functools.lru_cache(maxsize=1)
def _default_classifier():
    return _features.load_classifier("fashion_mnist")


def _check_scene_images(images, what):
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[-1] != 3 or x.shape[1] != x.shape[2]:
        raise ValueError(f"{what} expects square RGB scenes (n, s, s, 3), received shape "
                         f"{x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{what} expects at least one image, received 0")
    if x.shape[1] < 16:
        raise ValueError(f"{what} expects scenes of at least 16x16 pixels, received "
                         f"{x.shape[1]}x{x.shape[2]}")
    checks.check_image_range(x, what)
    return x.astype(np.float32, copy=False)


def _hue(rgb):
    """HSV hue in degrees and chroma (max - min) of RGB values in [0, 1], shape (..., 3)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    top, bottom = rgb.max(-1), rgb.min(-1)
    chroma = top - bottom
    safe = np.where(chroma > 0, chroma, 1.0)
    hue = np.where(top == r, ((g - b) / safe) % 6.0,
                   np.where(top == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    return hue * 60.0, chroma


def _nearest_placement(lo, hi, size, m):
    """Per axis: 0, 1, 2 = the box ``[lo, hi)`` is nearest to starting at ``m``, centred
    (start ``(size - extent) // 2``), or ending at ``size - m``."""
    extent = hi - lo
    candidates = np.stack([np.full_like(lo, m), (size - extent) // 2, size - m - extent], -1)
    return np.argmin(np.abs(candidates - lo[:, None]), -1)


def measure_scenes(images, classifier=None, batch_size=500):
    """The attributes of scenes ``(n, s, s, 3)`` in [-1, 1] measured from their pixels.

    Returns a dict: int64 arrays ``label``, ``colour``, ``size``, ``position``, ``background``
    (value indices as in ``gan_tf.data.scenes``; -1 where the mask is empty, except
    ``background``), ``item`` (bool: the mask is non-empty), ``mask`` (bool (n, s, s)),
    ``box`` (float32 (n, 4)), ``keypoints`` (float32 (n, K, 3)), ``border`` (float32 (n, 3):
    the measured background RGB in [0, 1]). ``classifier`` defaults to the shipped
    Fashion-MNIST classifier (``load_classifier``, loaded once). See chapter 7.1.
    """
    x = _check_scene_images(images, "measure_scenes")
    n, s = x.shape[:2]
    ring = np.concatenate([x[:, 0], x[:, -1], x[:, 1:-1, 0], x[:, 1:-1, -1]], 1)
    border = (np.median(ring, 1) + 1.0) * 0.5
    background = np.argmin(np.abs(border[:, None, :]
                                  - scenes.BACKGROUND_GREY[None, :, None]).sum(-1), 1)
    alpha = scenes.item_alpha(x, border)
    mask = alpha >= scenes.MASK_THRESHOLD
    boxes, item = scenes._mask_boxes(mask)
    long_side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) / s
    size = (long_side >= scenes.SIZE_THRESHOLD).astype(np.int64)
    m = scenes.margin(s)
    position = (3 * _nearest_placement(boxes[:, 0], boxes[:, 2], s, m)
                + _nearest_placement(boxes[:, 1], boxes[:, 3], s, m))
    hue, chroma = _hue((x + 1.0) * 0.5)
    weight = chroma * mask
    angle = np.deg2rad(hue)
    mean = np.arctan2((weight * np.sin(angle)).sum((1, 2)), (weight * np.cos(angle)).sum((1, 2)))
    gap = np.abs((np.rad2deg(mean)[:, None] - np.array(scenes.COLOUR_HUES)[None] + 180.0)
                 % 360.0 - 180.0)
    colour = np.argmin(gap, 1)
    clf = _default_classifier() if classifier is None else classifier
    logits = _features.embed(clf, scenes.classifier_input(alpha, mask), batch_size=batch_size)
    label = np.argmax(logits, 1)
    out = {"label": label, "colour": colour, "size": size, "position": position}
    out = {k: np.where(item, v, -1).astype(np.int64) for k, v in out.items()}
    out.update(background=background.astype(np.int64), item=item, mask=mask,
               box=scenes.mask_box(mask), keypoints=scenes.mask_keypoints(mask),
               border=border.astype(np.float32))
    return out


def _check_captions_list(captions, n):
    if isinstance(captions, str) or not hasattr(captions, "__len__"):
        raise ValueError(f"check_captions expects a list of {n} captions (one str per image), "
                         f"received {type(captions).__name__}")
    if len(captions) != n:
        raise ValueError(f"check_captions expects {n} captions (one per image), received "
                         f"{len(captions)}")
    return [scenes.parse_caption(c) for c in captions]


def check_captions(images, captions, classifier=None, measured=None):
    """Whether each image shows what its caption states: ``{attribute: float array (n,)}`` for
    the five ``ATTRIBUTES``, 1 where the stated value is the measured one, 0 where it is not,
    NaN where the caption does not state the attribute. ``captions``: one str per image
    (``parse_caption``; unknown words raise ``ValueError``). ``measured`` reuses a
    ``measure_scenes`` result of the same images. See chapter 7.1."""
    x = _check_scene_images(images, "check_captions")
    stated = _check_captions_list(captions, len(x))
    if measured is None:
        measured = measure_scenes(x, classifier=classifier)
    out = {}
    for attribute in MEASURED:
        holds = np.full(len(x), np.nan)
        for i, said in enumerate(stated):
            if attribute in said:
                holds[i] = float(said[attribute] == measured[attribute][i])
        out[attribute] = holds
    return out


def caption_accuracy(images, captions, classifier=None, measured=None):
    """The fraction of images showing each stated attribute (``check_captions`` averaged over
    the captions that state it; NaN if none does), and ``"all"``: the fraction of all stated
    (caption, attribute) pairs that hold. See chapter 7.1."""
    holds = check_captions(images, captions, classifier=classifier, measured=measured)
    out = {a: float(np.nanmean(v)) if np.any(~np.isnan(v)) else float("nan")
           for a, v in holds.items()}
    every = np.concatenate(list(holds.values()))
    out["all"] = float(np.nanmean(every)) if np.any(~np.isnan(every)) else float("nan")
    return out


def _boxes(b, what):
    b = np.asarray(b, np.float64)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"{what} expects boxes of shape (n, 4) = (y0, x0, y1, x1), received "
                         f"{b.shape}")
    return b


def box_iou(a, b):
    """Intersection over union of boxes ``(n, 4)`` = (y0, x0, y1, x1) row by row: float64
    ``(n,)``; NaN where either box is NaN (an empty mask). See chapter 7.1."""
    a, b = _boxes(a, "box_iou"), _boxes(b, "box_iou")
    if a.shape != b.shape:
        raise ValueError(f"box_iou expects two box arrays of one shape, received {a.shape} "
                         f"and {b.shape}")
    h = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    w = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = h * w
    area = ((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
    union = area - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1.0), np.nan)


def keypoint_error(predicted, target):
    """Euclidean distances (in canvas units, [0, 1]) between keypoints ``(n, K, 3)`` =
    (y, x, visible): float64 ``(n, K)``, NaN where a keypoint is not visible in both.
    See chapter 7.1."""
    p, t = np.asarray(predicted, np.float64), np.asarray(target, np.float64)
    if p.ndim != 3 or p.shape[2] != 3 or p.shape != t.shape:
        raise ValueError(f"keypoint_error expects two keypoint arrays of one shape (n, K, 3), "
                         f"received {p.shape} and {t.shape}")
    d = np.sqrt(((p[..., :2] - t[..., :2]) ** 2).sum(-1))
    both = (p[..., 2] > 0.5) & (t[..., 2] > 0.5)
    return np.where(both, d, np.nan)
