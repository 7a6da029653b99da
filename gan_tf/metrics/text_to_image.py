"""Scores of text-to-image generators on the captioned scenes: does a sample show its caption,
how close are the samples to real scenes, does it put the item where it is asked to, and how
varied are the samples of one caption?

- ``text_to_image_scores``: caption accuracy by attribute and ``"all"`` (``caption_accuracy``:
  the caption checker reads the attributes back from the pixels) and FID on the scene
  classifier's features (``scene_feature_extractor``; Heusel et al., arXiv:1706.08500, eq. 2),
  the two numbers the papers' figures stand in for (Reed et al., arXiv:1605.05396 section 5,
  Zhang et al., arXiv:1612.03242 section 4 judge by eye and by Inception Score);
- ``box_sweep`` / ``box_control_iou`` and ``keypoint_sweep`` / ``keypoint_control_error``:
  GAWWN's location control (Reed et al., arXiv:1610.02454, figures 4-6: moving, shrinking and
  stretching the box, moving the keypoints) measured: the box (keypoints) the caption checker
  measures on the generated item (``measure_scenes``) against the requested one;
- ``caption_diversity``: the mean pairwise distance between samples of one caption, the
  quantity conditioning augmentation (arXiv:1612.03242 section 3.2, figure 7) and StackGAN-v2
  (arXiv:1710.10916 section 5) claim to raise.

See chapter 7.3.
"""

from __future__ import annotations

import itertools

import numpy as np

from gan_tf import checks
from gan_tf.data.scenes import mask_box
from gan_tf.metrics.captions import box_iou, caption_accuracy, measure_scenes
from gan_tf.metrics.features import embed
from gan_tf.metrics.scores import frechet_distance

DEFAULT_TOLERANCE = 0.1   # PCK: a keypoint is "correct" within this fraction of the canvas


def _mean_pairwise_distance(rows):
    """Mean Euclidean distance over the unordered pairs of the rows of ``(n, d)``."""
    rows = np.asarray(rows, np.float64).reshape(len(rows), -1)
    sq = (rows * rows).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * rows @ rows.T, 0.0)
    i, j = np.triu_indices(len(rows), k=1)
    return float(np.sqrt(d2[i, j]).mean())


def _sample_groups(samples_per_caption):
    if isinstance(samples_per_caption, np.ndarray) or hasattr(samples_per_caption, "shape"):
        arr = np.asarray(samples_per_caption)
        if arr.ndim != 5:
            raise ValueError(f"caption_diversity expects samples of shape (captions, samples, "
                             f"height, width, channels) or a list of (samples, height, width, "
                             f"channels) arrays, received shape {arr.shape}")
        groups = list(arr)
    else:
        groups = [np.asarray(g) for g in samples_per_caption]
    if not groups:
        raise ValueError("caption_diversity expects samples of at least one caption, received 0")
    for g in groups:
        if g.ndim != 4 or g.shape[0] < 2:
            raise ValueError(f"caption_diversity expects at least 2 images (n, height, width, "
                             f"channels) per caption, received shape {g.shape}")
    return groups


def caption_diversity(samples_per_caption, extractor=None, batch_size=500):
    """Diversity of the samples generated for the same caption.

    ``samples_per_caption``: ``(captions, n, h, w, c)`` or a list of ``(n_i, h, w, c)`` arrays
    (n_i >= 2), the samples drawn for each caption (different z, and with conditioning
    augmentation different epsilon). Returns a dict:

    - ``"feature"``: the mean over captions of the mean pairwise Euclidean distance between the
      caption's samples in ``extractor``'s feature space (``embed``; the scene classifier's
      128 features, ``scene_feature_extractor``); NaN when ``extractor`` is None;
    - ``"pixel"``: the same in pixel space, with each distance divided by sqrt(h w c) (the
      root-mean-square pixel difference, so 32x32 and 64x64 samples compare);
    - ``"per_caption"``: float64 ``(captions, 2)``, each caption's (feature, pixel) value.

    Identical samples give 0. A collapsed generator (one image per caption whatever z) scores
    0; higher is more varied, which is desirable only as long as the samples still show the
    caption (read it with ``text_to_image_scores``). See chapter 7.3.
    """
    groups = _sample_groups(samples_per_caption)
    per = np.zeros((len(groups), 2))
    for k, g in enumerate(groups):
        per[k, 1] = _mean_pairwise_distance(g) / np.sqrt(np.prod(g.shape[1:]))
        per[k, 0] = (np.nan if extractor is None else
                     _mean_pairwise_distance(embed(extractor, g, batch_size=batch_size)))
    return {"feature": float(per[:, 0].mean()), "pixel": float(per[:, 1].mean()),
            "per_caption": per}


def _fractions(values, name, low, high):
    v = np.atleast_1d(np.asarray(values, np.float64))
    if v.ndim != 1 or v.size == 0 or not np.all((v > low) & (v <= high)):
        raise ValueError(f"{name} must be a non-empty list of numbers in ({low}, {high}], "
                         f"received {values!r}")
    return v


def box_sweep(positions=3, sizes=(0.45, 0.7), aspect=(0.6, 1.0, 1.6)):
    """A grid of requested boxes ``(n, 4)`` = (y0, x0, y1, x1) in [0, 1]: every combination of
    a centre (moves), a size (shrinks) and an aspect ratio (stretches), the sweeps of GAWWN's
    figures 4-5 (arXiv:1610.02454).

    ``positions``: an int p (the p x p grid of centres evenly spaced over [0.25, 0.75] per axis;
    1 gives the centre) or centres ``(m, 2)`` = (cy, cx) in [0, 1]. ``sizes``: the side of the
    square of the box's area, as a fraction of the canvas. ``aspect``: height / width. A box of
    side a and aspect r is sqrt(r) a high and a / sqrt(r) wide (sides capped at 1), then shifted
    (not shrunk) to lie inside the canvas. Order: ``itertools.product(centres, sizes, aspect)``
    (the aspect varies fastest). Returns float32. See chapter 7.2.
    """
    if isinstance(positions, (int, np.integer)) and not isinstance(positions, bool):
        p = checks.positive_int(positions, "positions")
        axis = np.array([0.5]) if p == 1 else np.linspace(0.25, 0.75, p)
        centres = np.array([(cy, cx) for cy in axis for cx in axis])
    else:
        centres = np.asarray(positions, np.float64)
        if centres.ndim != 2 or centres.shape[1] != 2 or len(centres) == 0 \
                or not np.all((centres >= 0) & (centres <= 1)):
            raise ValueError(f"positions must be a positive int or centres (m, 2) = (cy, cx) "
                             f"in [0, 1], received {positions!r}")
    sizes = _fractions(sizes, "sizes", 0.0, 1.0)
    aspect = _fractions(aspect, "aspect", 0.0, np.inf)
    boxes = []
    for (cy, cx), a, r in itertools.product(centres, sizes, aspect):
        h, w = min(a * np.sqrt(r), 1.0), min(a / np.sqrt(r), 1.0)
        y0 = np.clip(cy - h / 2, 0.0, 1.0 - h)
        x0 = np.clip(cx - w / 2, 0.0, 1.0 - w)
        boxes.append((y0, x0, y0 + h, x0 + w))
    return np.array(boxes, np.float32)


def _measured(samples, measured, what):
    if measured is None:
        return measure_scenes(samples)
    if not isinstance(measured, dict) or "box" not in measured or "keypoints" not in measured:
        raise ValueError(f"{what}: measured must be a measure_scenes result (a dict with 'box' "
                         f"and 'keypoints'), received {type(measured).__name__}")
    return measured


def largest_part(mask):
    """The largest 8-connected part of each boolean mask ``(n, s, s)`` (ties: the first in
    scan order), bool ``(n, s, s)``; empty masks stay empty. See chapter 7.2."""
    from scipy import ndimage

    mask = np.asarray(mask, bool)
    out = np.zeros_like(mask)
    for i, m in enumerate(mask):
        parts, n = ndimage.label(m, structure=np.ones((3, 3), bool))
        if n:
            out[i] = parts == 1 + int(np.argmax(np.bincount(parts.ravel())[1:]))
    return out


def box_control_iou(samples, requested_boxes, measured=None, part="all"):
    """IoU per sample between the requested box and the box of the generated item: float64
    ``(n,)``.

    ``samples`` ``(n, s, s, 3)`` in [-1, 1] (scenes, e.g. GAWWN's ``sample(..., box=...)``),
    ``requested_boxes`` ``(n, 4)`` = (y0, x0, y1, x1) in [0, 1] (one row per sample, e.g.
    ``box_sweep``). The item's box is the tight box of the mask ``measure_scenes`` finds
    (``measured`` reuses such a result of the same samples); ``box_iou`` compares them. With
    ``part="largest"`` the box is that of the mask's largest 8-connected part
    (``largest_part``), so a few stray pixels away from the item (a generator's faint
    speckle above the mask's opacity threshold) do not stretch it; ``"all"`` (default) counts
    every mask pixel. A sample with no item (empty mask) scores 0, not NaN: it failed the
    request. A requested box is resolved in whole pixels by any generator, so a box of a few
    pixels cannot reach IoU 1. See chapter 7.2.
    """
    x = np.asarray(samples)
    req = np.asarray(requested_boxes, np.float64)
    if req.ndim != 2 or req.shape[1] != 4 or x.ndim != 4 or len(req) != len(x):
        raise ValueError(f"box_control_iou expects samples (n, s, s, 3) and requested boxes "
                         f"(n, 4) with the same n, received {x.shape} and {req.shape}")
    if part not in ("all", "largest"):
        raise ValueError(f"box_control_iou: part must be 'all' or 'largest', received {part!r}")
    m = _measured(x, measured, "box_control_iou")
    box = m["box"] if part == "all" else mask_box(largest_part(m["mask"]))
    iou = box_iou(req, box)
    return np.where(np.isnan(iou), 0.0, iou)


def keypoint_sweep(keypoints, box, boxes):
    """Keypoints ``(K, 3)`` = (y, x, visible) of one item with box ``(4,)`` moved and scaled
    with it into each of ``boxes`` ``(n, 4)`` (the affine map of the box onto each box, per
    axis): float32 ``(n, K, 3)``, visibility kept. With ``box_sweep``'s boxes it moves,
    shrinks and stretches a real part layout, GAWWN's keypoint sweeps (arXiv:1610.02454,
    figure 6). See chapter 7.2."""
    kp = np.asarray(keypoints, np.float64)
    src = np.asarray(box, np.float64)
    dst = np.asarray(boxes, np.float64)
    if kp.ndim != 2 or kp.shape[1] != 3 or src.shape != (4,) or dst.ndim != 2 \
            or dst.shape[1] != 4:
        raise ValueError(f"keypoint_sweep expects keypoints (K, 3), a box (4,) and boxes (n, 4), "
                         f"received {kp.shape}, {src.shape} and {dst.shape}")
    if src[2] <= src[0] or src[3] <= src[1]:
        raise ValueError(f"keypoint_sweep expects a box with y1 > y0 and x1 > x0, received "
                         f"{src.tolist()}")
    uy = (kp[:, 0] - src[0]) / (src[2] - src[0])
    ux = (kp[:, 1] - src[1]) / (src[3] - src[1])
    y = dst[:, None, 0] + uy[None] * (dst[:, None, 2] - dst[:, None, 0])
    x = dst[:, None, 1] + ux[None] * (dst[:, None, 3] - dst[:, None, 1])
    vis = np.broadcast_to(kp[None, :, 2], y.shape)
    return np.stack([y, x, vis], -1).astype(np.float32)


def keypoint_control_error(samples, requested_keypoints, tolerance=DEFAULT_TOLERANCE,
                           measured=None):
    """How far the generated item's keypoints are from the requested ones.

    ``samples`` ``(n, s, s, 3)``, ``requested_keypoints`` ``(n, K, 3)`` = (y, x, visible) in
    canvas fractions (``data.NUM_KEYPOINTS`` parts, ``scenes.KEYPOINT_NAMES``). The measured
    keypoints are those of the mask ``measure_scenes`` finds (``scenes.mask_keypoints``).
    Returns a dict over the requested *visible* keypoints:

    - ``"error"``: the mean Euclidean distance (canvas fractions: 0.1 = 3.2 px at 32x32)
      between requested and measured keypoints, over the samples with an item (NaN if none);
    - ``"pck"``: the fraction of requested keypoints whose measured keypoint lies within
      ``tolerance`` of it (the "percentage of correct keypoints" of pose estimation, with a
      tolerance relative to the canvas instead of the body); a sample without an item misses
      all its keypoints;
    - ``"per_keypoint"``: float64 ``(n, K)`` distances, NaN where not requested or no item;
    - ``"found"``: the fraction of samples with an item.

    See chapter 7.2.
    """
    x = np.asarray(samples)
    req = np.asarray(requested_keypoints, np.float64)
    if req.ndim != 3 or req.shape[2] != 3 or x.ndim != 4 or len(req) != len(x):
        raise ValueError(f"keypoint_control_error expects samples (n, s, s, 3) and requested "
                         f"keypoints (n, K, 3) with the same n, received {x.shape} and "
                         f"{req.shape}")
    if not np.isfinite(tolerance) or tolerance <= 0:
        raise ValueError(f"tolerance must be a positive number, received {tolerance!r}")
    m = _measured(x, measured, "keypoint_control_error")
    got = np.asarray(m["keypoints"], np.float64)
    if got.shape != req.shape:
        raise ValueError(f"keypoint_control_error expects {got.shape[1]} keypoints per sample "
                         f"(the measured ones), received {req.shape[1]}")
    wanted = req[..., 2] > 0.5
    found = got[..., 2] > 0.5
    d = np.sqrt(((req[..., :2] - got[..., :2]) ** 2).sum(-1))
    per = np.where(wanted & found, d, np.nan)
    hits = (wanted & found & (np.nan_to_num(d, nan=np.inf) <= tolerance)).sum()
    error = float(np.nanmean(per)) if np.any(~np.isnan(per)) else float("nan")
    pck = float(hits / wanted.sum()) if wanted.any() else float("nan")
    return {"error": error, "pck": pck, "per_keypoint": per,
            "found": float(np.asarray(m["item"], bool).mean())}


def text_to_image_scores(samples, captions, real_images, extractor, measured=None,
                         batch_size=500):
    """Caption accuracy and FID of samples generated from ``captions``.

    ``samples`` ``(n, s, s, 3)`` in [-1, 1], sample i generated from ``captions[i]`` (str);
    ``real_images``: real scenes ``(m, s, s, 3)`` of the same size, or their features ``(m, d)``
    already embedded with ``extractor`` (to embed a reference set once); ``extractor``: the
    scene classifier's features for size s (``scene_feature_extractor(s)``). Returns a dict:
    ``caption_accuracy``'s per-attribute fractions (``label``, ``colour``, ``size``,
    ``position``, ``background``) and ``"all"``, and ``"fid"`` = ``frechet_distance`` between
    the samples' and the real images' features (n, m >= 2). ``measured`` reuses a
    ``measure_scenes`` result of the samples. See chapter 7.1.
    """
    x = np.asarray(samples)
    if x.ndim != 4:
        raise ValueError(f"text_to_image_scores expects samples (n, s, s, 3), received shape "
                         f"{x.shape}")
    out = caption_accuracy(x, list(captions), measured=measured)
    real = np.asarray(real_images)
    if real.ndim == 4:
        real = embed(extractor, real, batch_size=batch_size)
    elif real.ndim != 2:
        raise ValueError(f"real_images must be images (m, s, s, 3) or features (m, d), "
                         f"received shape {real.shape}")
    out["fid"] = frechet_distance(embed(extractor, x, batch_size=batch_size), real)
    return out

