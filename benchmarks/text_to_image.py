#!/usr/bin/env python
"""Text to image on the captioned scenes: GAN / GAN-CLS / GAN-INT / GAN-INT-CLS, GAWWN and
StackGAN v1/v2 scored by caption accuracy, FID, location control and diversity.

Protocol. Training data: ``data.make_scenes(--n-train, image_size, seed=0, split="train")``
(default 6,000 scenes, five captions each) at 32x32 and, for Stage-II and StackGAN-v2, the same
scenes at 64x64; every caption embedded once by the frozen text encoder
(``models.encode_captions``, 128-d) and divided by the standard deviation of the training
embeddings (about 0.05: the GANs get unit-scale inputs, as in the chapter's notebooks). For
each seed s in 0 .. ``--seeds`` - 1 (default 2) and each system, networks, data order, caption
draws and noise are seeded with s, the trainer is compiled with Adam(``RATES[system]``,
beta_1 = 0.5) for G and D and its default losses (non-saturating G loss; StackGAN's KL weight
1/128, the authors' lambda = 1 on the mean over the 128 dimensions) and trained with ``fit``
on ``data.captioned_dataset`` (batch ``--batch-size``, default 32; one caption of each image
drawn per pass, GAN-CLS's wrong text another image's caption) for the number of generator
steps in ``DEFAULT_STEPS`` (``--steps N`` sets one number for all, ``--steps stage2=3000``
one system's), at the widths ``FILTERS``:

- ``gan``, ``gan-cls``, ``gan-int``, ``gan-int-cls``: ``trainers.GANCLS`` with the switches
  (matching_aware, interpolate) = (F, F), (T, F), (F, T), (T, T), beta = 0.5 (Reed et al.,
  arXiv:1605.05396), Reed's text-conditional DCGAN at 32x32;
- ``gawwn-box``, ``gawwn-kp``: ``trainers.GAWWN`` (Reed et al., arXiv:1610.02454) conditioned
  on the item's box / its five keypoints, matching-aware, 16x16 location grid;
- ``stage1``, ``stage1-noca``: ``trainers.StackGANStage1`` (Zhang et al., arXiv:1612.03242)
  at 32x32 with and without conditioning augmentation;
- ``stage2``: ``trainers.StackGANStage2`` at 64x64 on the samples of that seed's frozen
  ``stage1`` generator (trained first if not selected);
- ``v2``: ``trainers.StackGANv2`` (arXiv:1710.10916), the 16/32/64 tree trained jointly.

Scoring, on ``--n-test`` (default 500) held-out scenes ``make_scenes(n, split="test")``:
each system generates one sample per test scene from the scene's caption 0 (the caption that
states all five attributes: class, colour, size, position, background; captions 1-4 state
the class and each other attribute with p = 0.6), with a fixed sampling seed; GAWWN also gets
the scene's own box / keypoints. ``metrics.text_to_image_scores``: caption accuracy per
attribute and "all" (the caption checker, ``metrics.caption_accuracy``) and FID on the scene
classifier's features (``metrics.scene_feature_extractor``) against the real test scenes of
the same size. Ceiling rows: the real test scenes with their own caption 0 (caption accuracy)
and real *training* scenes (the first n-test) against the real test scenes (FID).
64x64 comparison: Stage-I's samples (``StackGANStage2.sample_stages``, the very Stage-I images
Stage-II refines) bilinearly upsampled to 64x64 (``tf.image.resize``) against Stage-II's and
v2's 64x64 samples, FID with the 64x64 extractor.

GAWWN control: the box sweep ``metrics.box_sweep(3, sizes=(0.4, 0.65), aspect=(0.75, 1.0,
1.33))`` (9 centres x 2 sizes x 3 aspects = 54 boxes: moves, shrinks, stretches), each box
with ``--sweep-captions`` (default 4) held-out captions that state neither size nor position
(the location comes from the box): ``metrics.box_control_iou`` (IoU between the requested box
and the box of the item's mask measured by ``metrics.measure_scenes``; no item = 0); goal mean
IoU >= 0.7. Keypoints: each such caption's scene keypoints moved and scaled into the 18
centre x size boxes of the sweep at the scene's own aspect (``metrics.keypoint_sweep``),
``metrics.keypoint_control_error`` (mean distance in canvas fractions; PCK = fraction within
0.1 of the canvas). Both are also reported on the test scenes' own boxes / keypoints
("test" rows).

Diversity (``metrics.caption_diversity``): for the first ``--diversity-captions`` (default
8) test captions 0, ``--diversity-samples`` (default 16) samples each (different z and
eps); the mean over captions of the mean pairwise Euclidean distance between a caption's
samples in the scene classifier's feature space (and the root-mean-square pixel difference).
Stage-I with CA vs without CA (and the CA model sampled with eps = 0) at 32x32; StackGAN-v1
Stage-II vs v2 at 64x64.

Tables: mean +- standard deviation (population, ddof = 0) over the seeds. ``--out FILE``
appends one JSON line per record (the ceiling rows, then each trained system's), so an
interrupted run keeps its results (``--first-seed k --seeds m --systems ...`` with the same
``--out`` trains the missing ones); ``--table FILE`` prints the tables of such a file.

Budget. ``DEFAULT_STEPS``, ``RATES`` and ``FILTERS`` are the chapter notebooks' quick-profile
settings (Stage-II at width 16 where ch07c uses 8 to fit its time limit; the box GAWWN 2,000
steps at 2e-4 where ch07b trains 800 at 1e-3; ``--steps stage2=3000`` is the run that puts
Stage-II above Stage-I, guide ch07c section 3), measured there to
learn the caption within minutes; they are still far below the papers' budgets (hundreds of
epochs): the tables compare the systems early in training, at equal steps within each
comparison (the four GAN-CLS switches; Stage-I with and without CA), not their converged
quality. Step times (batch 32, after the first, traced step) on the 2-core AMD EPYC shared
with two other training jobs: GAN 0.095, GAN-CLS 0.094, GAN-INT 0.087, GAN-INT-CLS 0.12,
GAWWN box 0.46 (the authors' networks, in a 2,000-step run), keypoints 0.19-0.20, Stage-I 0.11 (0.10 without CA), Stage-II 0.42, v2
0.19 s per step; the full run (2 seeds, all systems) took 54 minutes as the load fell from
three jobs to one: 20 minutes for the four GAN-CLS variants, 34 for the rest. The script
prints each system's rate and an estimate of the total as it goes. The measured tables are in
the study guide ``chapters/ch07c_stackgan.md``, section 3. A quick look:

    python benchmarks/text_to_image.py                                  # the tables
    python benchmarks/text_to_image.py --seeds 1 --steps 20 --n-train 512 --n-test 64 \\
        --systems gan gan-cls                                           # a smoke run

See chapter 7.3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_tf import data, metrics, models, trainers  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from throughput import machine  # noqa: E402

tf.get_logger().setLevel("ERROR")   # Keras' retracing notes: each system is a new model

SYSTEMS = ("gan", "gan-cls", "gan-int", "gan-int-cls", "gawwn-box", "gawwn-kp", "stage1",
           "stage1-noca", "stage2", "v2")
GANCLS_SWITCHES = {"gan": (False, False), "gan-cls": (True, False), "gan-int": (False, True),
                   "gan-int-cls": (True, True)}
NAMES = {"gan": "GAN", "gan-cls": "GAN-CLS", "gan-int": "GAN-INT", "gan-int-cls": "GAN-INT-CLS",
         "gawwn-box": "GAWWN (box)", "gawwn-kp": "GAWWN (keypoints)",
         "stage1": "StackGAN-v1 Stage-I", "stage1-noca": "StackGAN-v1 Stage-I, no CA",
         "stage2": "StackGAN-v1 Stage-II", "v2": "StackGAN-v2"}
# Per-system settings: those of the chapter's notebooks in their quick profile (ch07a for the
# four GAN-CLS variants, ch07b for GAWWN, ch07c for StackGAN), where each was measured to learn
# the caption within minutes on two CPU cores (see Budget in the docstring).
DEFAULT_STEPS = {"gan": 1200, "gan-cls": 1200, "gan-int": 1200, "gan-int-cls": 1200,
                 "gawwn-box": 2000, "gawwn-kp": 800, "stage1": 1000, "stage1-noca": 1000,
                 "stage2": 1000, "v2": 400}
RATES = {"gan": 1e-3, "gan-cls": 1e-3, "gan-int": 1e-3, "gan-int-cls": 1e-3,
         "gawwn-box": 2e-4, "gawwn-kp": 2e-4, "stage1": 1e-3, "stage1-noca": 1e-3,
         "stage2": 1e-3, "v2": 1e-3}                   # Adam(rate, beta_1 = 0.5)
FILTERS = {"gan": (32, 32), "gan-cls": (32, 32), "gan-int": (32, 32), "gan-int-cls": (32, 32),
           "gawwn-box": 16, "gawwn-kp": 16, "stage1": 16, "stage1-noca": 16, "stage2": 16,
           "v2": 8}                                    # GAN-CLS: (G, D) base filters
KL_WEIGHT = 1.0 / 128     # lambda = 1 on the KL averaged over N_g = 128 (the authors' code)
SWEEP = {"positions": 3, "sizes": (0.4, 0.65), "aspect": (0.75, 1.0, 1.33)}
PCK_TOLERANCE = 0.1
ATTRIBUTES = data.scenes.ATTRIBUTES + ("all",)


# -- data ---------------------------------------------------------------------------------

def load_data(n_train, n_test, sizes=(32, 64), models_dir=None):
    """The training and test scenes (at each size in ``sizes``), their caption embeddings and
    the scene classifier's feature extractors. See chapter 7.3."""
    encoder = models.load_text_encoder(models_dir)
    out = {"train": {}, "test": {}, "extractor": {}, "real_features": {}}
    for s in sizes:
        out["train"][s] = data.make_scenes(n_train, image_size=s, seed=0, split="train")
        out["test"][s] = data.make_scenes(n_test, image_size=s, seed=0, split="test")
        out["extractor"][s] = metrics.scene_feature_extractor(s, models_dir=models_dir)
        out["real_features"][s] = metrics.embed(out["extractor"][s], out["test"][s].images)
    # every GAN gets phi(t) / its std over the training captions, as in the chapter's notebooks
    cond = models.TextConditioning(out["train"][sizes[0]].captions, encoder)
    out["embedding_scale"] = cond.scale
    out["train_embeddings"] = cond.train
    test = out["test"][sizes[0]]
    out["test_embeddings"] = cond.embed(test.captions)
    out["test_captions"] = [c[0] for c in test.captions]
    return out


def location_free_captions(scenes, count):
    """``(scene index, caption index)`` of the first ``count`` captions stating neither size
    nor position (GAWWN's location comes from the box). See chapter 7.2."""
    found = []
    for i, caps in enumerate(scenes.captions):
        for c, text in enumerate(caps):
            said = data.parse_caption(text)
            if "size" not in said and "position" not in said:
                found.append((i, c))
                break
        if len(found) == count:
            break
    if len(found) < count:
        raise ValueError(f"only {len(found)} test scenes have a caption without size and "
                         f"position; expected {count} (raise --n-test)")
    return found


# -- training -----------------------------------------------------------------------------

class StepClock(keras.callbacks.Callback):
    """Wall time of the first step (tracing included) and of the steps after it."""

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.first = None

    def on_train_batch_end(self, batch, logs=None):
        if self.first is None:
            self.first = time.perf_counter()

    def on_train_end(self, logs=None):
        self.end = time.perf_counter()


def build(system, seed, stage1_generator=None, eager=False):
    """The compiled trainer of ``system`` (networks seeded with ``seed``, ``FILTERS`` wide,
    Adam(``RATES[system]``, beta_1 = 0.5) for G and D; ``eager``: steps run eagerly, no
    tf.function tracing, for smoke runs). See chapter 7.3."""
    keras.utils.set_random_seed(seed)
    k = data.NUM_KEYPOINTS
    f = FILTERS.get(system)
    if system in GANCLS_SWITCHES:
        aware, interp = GANCLS_SWITCHES[system]
        g = models.build_text_dcgan_generator(100, 128, image_size=32, base_filters=f[0])
        d = models.build_text_dcgan_discriminator(32, 128, base_filters=f[1])
        t = trainers.GANCLS(g, d, matching_aware=aware, interpolate=interp, beta=0.5, seed=seed)
    elif system == "gawwn-box":
        t = trainers.GAWWN(models.build_gawwn_box_generator(100, 128, 32, 16, filters=f),
                           models.build_gawwn_box_discriminator(32, 128, 16, filters=f),
                           condition="box", seed=seed)
    elif system == "gawwn-kp":
        t = trainers.GAWWN(models.build_gawwn_keypoint_generator(100, 128, k, 32, 16, filters=f),
                           models.build_gawwn_keypoint_discriminator(32, 128, k, 16, filters=f),
                           condition="keypoints", seed=seed)
    elif system in ("stage1", "stage1-noca"):
        t = trainers.StackGANStage1(models.build_stackgan_stage1_generator(filters=f),
                                    models.build_stackgan_discriminator(32, filters=f),
                                    conditioning_augmentation=system == "stage1",
                                    kl_weight=KL_WEIGHT, seed=seed)
    elif system == "stage2":
        t = trainers.StackGANStage2(models.build_stackgan_stage2_generator(filters=f),
                                    models.build_stackgan_discriminator(64, filters=f),
                                    stage1_generator=stage1_generator, kl_weight=KL_WEIGHT,
                                    seed=seed)
    elif system == "v2":
        t = trainers.StackGANv2(models.build_stackgan_v2_generator(filters=f),
                                models.build_stackgan_v2_discriminators(filters=f),
                                kl_weight=KL_WEIGHT, seed=seed)
    else:
        raise ValueError(f"unknown system {system!r}; expected one of {SYSTEMS}")
    rate = RATES[system]
    t.compile(d_optimizer=keras.optimizers.Adam(rate, beta_1=0.5),
              g_optimizer=keras.optimizers.Adam(rate, beta_1=0.5), run_eagerly=eager)
    return t


def image_size(system):
    return 64 if system in ("stage2", "v2") else 32


def train(system, seed, d, steps, batch_size, stage1_generator=None, eager=False):
    """Train ``system`` for ``steps`` generator steps; returns ``(trainer, timing)``.
    See chapter 7.3."""
    trainer = build(system, seed, stage1_generator, eager)
    scenes = d["train"][image_size(system)]
    extra = {}
    if system == "gawwn-box":
        extra["box"] = scenes.box
    if system == "gawwn-kp":
        extra["keypoints"] = scenes.keypoints
    ds = data.captioned_dataset(scenes.images, d["train_embeddings"], batch_size, seed=seed,
                                drop_remainder=True, **extra).repeat()
    clock = StepClock()
    trainer.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[clock])
    total = clock.end - clock.start
    per_step = (clock.end - clock.first) / (steps - 1) if steps > 1 else total
    return trainer, {"steps": steps, "seconds": total, "first_step": clock.first - clock.start,
                     "step_seconds": per_step}


# -- scoring ------------------------------------------------------------------------------

def upsample(images, size=64):
    """Bilinear resize to ``size`` x ``size`` (``tf.image.resize``), clipped to [-1, 1]."""
    return np.clip(tf.image.resize(images, (size, size), method="bilinear").numpy(), -1, 1)


def quality(samples, d, size):
    return metrics.text_to_image_scores(samples, d["test_captions"], d["real_features"][size],
                                        d["extractor"][size])


def sample_rows(trainer, system, d, seed, **extra):
    """One sample per test scene from its caption 0 (fixed sampling seed)."""
    text = d["test_embeddings"][:, 0]
    return trainer.sample(len(text), seed=10_000 + seed, text=text, **extra)


def diversity(trainer, d, args, seed, size, **kw):
    text = d["test_embeddings"][:args.diversity_captions, 0]
    groups = [trainer.sample(args.diversity_samples, seed=20_000 + 100 * seed + i, text=row,
                             **kw) for i, row in enumerate(text)]
    out = metrics.caption_diversity(groups, d["extractor"][size])
    return {"feature": out["feature"], "pixel": out["pixel"]}


def control(trainer, system, d, args, seed):
    """GAWWN's location control: test-scene locations and the sweep. See chapter 7.2."""
    test = d["test"][32]
    text0 = d["test_embeddings"][:, 0]
    picks = location_free_captions(test, args.sweep_captions)
    rows = []
    if system == "gawwn-box":
        own = trainer.sample(len(test), seed=10_000 + seed, text=text0, box=test.box)
        m = metrics.measure_scenes(own)
        rows.append({"control": "box, test scenes", "iou": float(
            metrics.box_control_iou(own, test.box, m).mean()), "iou_largest": float(
            metrics.box_control_iou(own, test.box, m, part="largest").mean())})
        boxes = metrics.box_sweep(**SWEEP)
        ious, largest = [], []
        for k, (i, c) in enumerate(picks):
            x = trainer.sample(len(boxes), seed=30_000 + 100 * seed + k,
                               text=d["test_embeddings"][i, c], box=boxes)
            m = metrics.measure_scenes(x)
            ious.append(metrics.box_control_iou(x, boxes, m))
            largest.append(metrics.box_control_iou(x, boxes, m, part="largest"))
        ious = np.stack(ious)                       # (captions, boxes)
        rows.append({"control": f"box sweep ({len(boxes)} boxes x {len(picks)} captions)",
                     "iou": float(ious.mean()), "iou_largest": float(np.mean(largest)),
                     "iou_small": float(ious[:, _size_index(boxes, 0)].mean()),
                     "iou_large": float(ious[:, _size_index(boxes, 1)].mean()),
                     "iou_ge_0.7": float((ious >= 0.7).mean())})
    else:
        own = trainer.sample(len(test), seed=10_000 + seed, text=text0, keypoints=test.keypoints)
        r = metrics.keypoint_control_error(own, test.keypoints, tolerance=PCK_TOLERANCE)
        rows.append({"control": "keypoints, test scenes", "error": r["error"], "pck": r["pck"],
                     "found": r["found"]})
        errs, hits, found = [], [], []
        for k, (i, c) in enumerate(picks):
            box = test.box[i]
            aspect = float((box[2] - box[0]) / (box[3] - box[1]))
            boxes = metrics.box_sweep(SWEEP["positions"], SWEEP["sizes"], aspect=[aspect])
            kp = metrics.keypoint_sweep(test.keypoints[i], box, np.clip(boxes, 0, 1))
            x = trainer.sample(len(kp), seed=30_000 + 100 * seed + k,
                               text=d["test_embeddings"][i, c], keypoints=kp)
            r = metrics.keypoint_control_error(x, kp, tolerance=PCK_TOLERANCE)
            errs.append(r["error"] if r["found"] > 0 else np.nan)
            hits.append(r["pck"])
            found.append(r["found"])
        rows.append({"control": f"keypoint sweep ({len(kp)} layouts x {len(picks)} captions)",
                     "error": _nanmean(errs), "pck": float(np.mean(hits)),
                     "found": float(np.mean(found))})
    return rows


def _nanmean(values):
    v = np.asarray(values, np.float64)
    return float(np.nanmean(v)) if np.any(np.isfinite(v)) else float("nan")


def _size_index(boxes, which):
    """Columns of ``box_sweep`` boxes of size index ``which`` (aspect varies fastest)."""
    n_aspect, n_size = len(SWEEP["aspect"]), len(SWEEP["sizes"])
    idx = np.arange(len(boxes))
    return idx[(idx // n_aspect) % n_size == which]


def score(system, trainer, d, args, seed):
    """Every record of one trained system. See chapter 7.3."""
    base = {"system": system, "seed": seed}
    recs = []
    if system == "stage2":
        text = d["test_embeddings"][:, 0]
        low, high = trainer.sample_stages(len(text), seed=10_000 + seed, text=text)
        recs.append({**base, "table": "quality64", "row": "StackGAN-v1 Stage-I (upsampled)",
                     **quality(upsample(low), d, 64)})
        recs.append({**base, "table": "quality64", "row": NAMES[system],
                     **quality(high, d, 64)})
        recs.append({**base, "table": "diversity", "row": "StackGAN-v1 Stage-II (64)",
                     **diversity(trainer, d, args, seed, 64)})
        return recs
    if system == "v2":
        text = d["test_embeddings"][:, 0]
        x16, x32, x64 = trainer.sample_all(len(text), seed=10_000 + seed, text=text)
        recs.append({**base, "table": "quality32", "row": "StackGAN-v2 (its 32x32 branch)",
                     **quality(x32, d, 32)})
        recs.append({**base, "table": "quality64", "row": NAMES[system],
                     **quality(x64, d, 64)})
        recs.append({**base, "table": "diversity", "row": "StackGAN-v2 (64)",
                     **diversity(trainer, d, args, seed, 64)})
        return recs
    extra = {}
    test = d["test"][32]
    if system == "gawwn-box":
        extra["box"] = test.box
    if system == "gawwn-kp":
        extra["keypoints"] = test.keypoints
    recs.append({**base, "table": "quality32", "row": NAMES[system],
                 **quality(sample_rows(trainer, system, d, seed, **extra), d, 32)})
    if system in ("gawwn-box", "gawwn-kp"):
        recs += [{**base, "table": "control", "row": NAMES[system], **r}
                 for r in control(trainer, system, d, args, seed)]
    if system in ("stage1", "stage1-noca"):
        recs.append({**base, "table": "diversity", "row": NAMES[system] + " (32)",
                     **diversity(trainer, d, args, seed, 32)})
        if system == "stage1":
            recs.append({**base, "table": "diversity",
                         "row": "StackGAN-v1 Stage-I, CA model sampled with eps = 0 (32)",
                         **diversity(trainer, d, args, seed, 32, ca=False)})
    if system == "gan-int-cls":
        recs.append({**base, "table": "diversity", "row": "GAN-INT-CLS (32)",
                     **diversity(trainer, d, args, seed, 32)})
    return recs


def ceiling(d):
    """The real-image rows: test scenes with their caption 0; FID real train vs real test."""
    recs = []
    for s in sorted(d["test"]):
        real = d["test"][s].images
        acc = metrics.caption_accuracy(real, d["test_captions"])
        n = len(real)
        train_feats = metrics.embed(d["extractor"][s], d["train"][s].images[:n])
        fid = metrics.frechet_distance(train_feats, d["real_features"][s])
        recs.append({"system": "real", "seed": 0, "table": f"quality{s}",
                     "row": "real test scenes (ceiling)", **acc, "fid": fid})
    return recs


# -- tables -------------------------------------------------------------------------------

def _cell(values, digits):
    v = np.array([x for x in values if x is not None and np.isfinite(x)], np.float64)
    if len(v) == 0:
        return "-"
    return f"{v.mean():.{digits}f}+-{v.std():.{digits}f}"


def _group(records, table):
    rows = {}
    for r in records:
        if r.get("table") == table:
            rows.setdefault(r["row"], []).append(r)
    return rows


def table(records, file=None):
    """Print the quality, control, diversity and timing tables (mean +- std over seeds).
    See chapter 7.3."""
    file = sys.stdout if file is None else file
    width = 44
    for size in (32, 64):
        rows = _group(records, f"quality{size}")
        if not rows:
            continue
        print(f"\n## Caption accuracy on held-out test captions 0 and FID ({size}x{size}; "
              f"mean+-std over seeds)", file=file)
        print(f"{'system':{width}s}" + "".join(f"{a:>13s}" for a in ATTRIBUTES)
              + f"{'FID':>15s}{'seeds':>6s}", file=file)
        for name, rs in rows.items():
            print(f"{name:{width}s}" + "".join(f"{_cell([r[a] for r in rs], 3):>13s}"
                                               for a in ATTRIBUTES)
                  + f"{_cell([r['fid'] for r in rs], 2):>15s}{len(rs):>6d}", file=file)
    rows = _group(records, "control")
    if rows:
        print(f"\n## GAWWN location control (IoU: requested vs measured box; keypoints: mean "
              f"distance in canvas fractions, PCK@{PCK_TOLERANCE})", file=file)
        by = {}
        for r in (r for rs in rows.values() for r in rs):
            by.setdefault((r["row"], r["control"]), []).append(r)
        cols = ("iou", "iou_largest", "iou_small", "iou_large", "iou_ge_0.7", "error", "pck",
                "found")
        print(f"{'system / requested locations':{width + 16}s}"
              + "".join(f"{c:>13s}" for c in cols), file=file)
        for (name, what), rs in by.items():
            print(f"{name + ': ' + what:{width + 16}s}"
                  + "".join(f"{_cell([r.get(c) for r in rs], 3):>13s}" for c in cols),
                  file=file)
    rows = _group(records, "diversity")
    if rows:
        print("\n## Diversity for one caption: mean pairwise distance between samples of one "
              "caption (scene-classifier features; RMS pixel difference)", file=file)
        print(f"{'system (size)':{width + 16}s}{'feature':>13s}{'pixel':>13s}{'seeds':>6s}",
              file=file)
        for name, rs in rows.items():
            print(f"{name:{width + 16}s}{_cell([r['feature'] for r in rs], 3):>13s}"
                  f"{_cell([r['pixel'] for r in rs], 3):>13s}{len(rs):>6d}", file=file)
    rows = _group(records, "timing")
    if rows:
        print("\n## Training (generator steps, seconds per step after the first, minutes)",
              file=file)
        print(f"{'system':{width}s}{'steps':>8s}{'s/step':>13s}{'first (s)':>13s}"
              f"{'minutes':>13s}", file=file)
        for name, rs in rows.items():
            print(f"{name:{width}s}{rs[0]['steps']:>8d}"
                  f"{_cell([r['step_seconds'] for r in rs], 3):>13s}"
                  f"{_cell([r['first_step'] for r in rs], 1):>13s}"
                  f"{_cell([r['seconds'] / 60 for r in rs], 2):>13s}", file=file)


# -- main ---------------------------------------------------------------------------------

def _ceilings_in(path):
    """The tables whose real-image row the JSON-lines file ``path`` already holds (so that runs
    of more systems or seeds into one ``--out`` file write each ceiling once)."""
    if not path or not os.path.exists(path):
        return set()
    with open(path) as f:
        return {r["table"] for r in map(json.loads, filter(str.strip, f))
                if r.get("system") == "real"}


def steps_per_system(items):
    """Generator steps per system from ``--steps``: None (``DEFAULT_STEPS``), one number for
    every system, or ``system=N`` items overriding the default of those systems."""
    steps = dict(DEFAULT_STEPS)
    if not items:
        return steps
    if len(items) == 1 and "=" not in items[0]:
        items = [f"{s}={items[0]}" for s in SYSTEMS]
    elif any("=" not in item for item in items):
        raise ValueError(f"--steps takes one number or system=N items, received {items!r}")
    for item in items:
        system, _, n = item.partition("=")
        if system not in SYSTEMS:
            raise ValueError(f"--steps: unknown system {system!r}; expected one of "
                             f"{', '.join(SYSTEMS)}")
        if not n.isdigit() or int(n) <= 0:
            raise ValueError(f"--steps must be positive, received {item!r}")
        steps[system] = int(n)
    return steps


def run(args, emit=print):
    """Train and score every selected system for every seed; returns the records."""
    systems = list(dict.fromkeys(args.systems))
    sizes = sorted({image_size(s) for s in systems} | ({32} if "stage2" in systems else set()))
    t0 = time.perf_counter()
    d = load_data(args.n_train, args.n_test, sizes=tuple(sizes), models_dir=args.models_dir)
    emit(f"data: {args.n_train} train scenes at {sizes}, {args.n_test} test scenes; embedded "
         f"and feature extractors loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    records = [r for r in ceiling(d) if r["table"] not in _ceilings_in(args.out)]
    if args.out and records:
        with open(args.out, "a") as f:
            f.write("".join(json.dumps(r) + "\n" for r in records))
    steps_of = steps_per_system(args.steps)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    todo = [(seed, s) for seed in seeds for s in systems]
    start = time.perf_counter()
    for seed in seeds:
        stage1 = None
        order = systems
        if "stage2" in systems and "stage1" not in systems:
            order = ["stage1"] + systems        # Stage-II needs this seed's Stage-I
        for system in order:
            trainer, timing = train(system, seed, d, steps_of[system], args.batch_size,
                                    stage1_generator=stage1, eager=args.eager)
            if system == "stage1":
                stage1 = trainer.generator
            recs = [{"system": system, "seed": seed, "table": "timing", "row": NAMES[system],
                     **timing}]
            if system in systems:
                recs += score(system, trainer, d, args, seed)
            records += recs
            if args.out:
                with open(args.out, "a") as f:
                    f.write("".join(json.dumps(r) + "\n" for r in recs))
            elapsed = time.perf_counter() - start
            done = sum(1 for r in records if r["table"] == "timing")
            emit(f"seed {seed} {system}: {timing['steps']} steps, "
                 f"{timing['step_seconds']:.3f} s/step (first {timing['first_step']:.1f} s), "
                 f"trained+scored; elapsed {elapsed / 60:.1f} min, estimated total "
                 f"{elapsed / done * len(todo) / 60:.1f} min; "
                 + "; ".join(f"{r['row']}: all {r['all']:.3f} FID {r['fid']:.1f}"
                             for r in recs if r["table"].startswith("quality")), flush=True)
    return records


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=2, help="seeds first-seed .. first-seed + "
                   "seeds - 1")
    p.add_argument("--first-seed", type=int, default=0, help="to finish an interrupted run "
                   "into the same --out file (each real-image row is written to it once)")
    p.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    p.add_argument("--steps", nargs="+", help="generator steps: one number for every system, "
                   "or system=N items (e.g. stage2=3000) overriding DEFAULT_STEPS for those")
    p.add_argument("--n-train", type=int, default=6000)
    p.add_argument("--n-test", type=int, default=500)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--diversity-captions", type=int, default=8)
    p.add_argument("--diversity-samples", type=int, default=16)
    p.add_argument("--sweep-captions", type=int, default=4)
    p.add_argument("--models-dir", help="folder of the scene models' weights (default: the "
                   "shipped data/models)")
    p.add_argument("--eager", action="store_true", help="run the training steps eagerly "
                   "(no tf.function tracing: faster for a few steps; smoke tests)")
    p.add_argument("--out", help="append the records to this JSON-lines file")
    p.add_argument("--table", help="print the tables of a JSON-lines file and exit")
    args = p.parse_args(argv)
    if args.table:
        with open(args.table) as f:
            records = [json.loads(line) for line in f if line.strip()]
        table(records)
        return records
    for name in ("seeds", "n_train", "n_test", "batch_size", "diversity_captions",
                 "sweep_captions"):
        if getattr(args, name) <= 0:
            p.error(f"--{name.replace('_', '-')} must be positive")
    if args.first_seed < 0:
        p.error("--first-seed must be >= 0")
    try:
        steps_of = steps_per_system(args.steps)
    except ValueError as e:
        p.error(str(e))
    if args.diversity_samples < 2:
        p.error("--diversity-samples must be at least 2")
    if args.n_train < args.batch_size:
        p.error("--n-train must be at least --batch-size")
    print(machine())
    print(f"systems {' '.join(args.systems)}; seeds {args.first_seed}-"
          f"{args.first_seed + args.seeds - 1}; steps "
          + ", ".join(f"{s} {steps_of[s]}" for s in args.systems)
          + f"; batch {args.batch_size}", flush=True)
    start = time.perf_counter()
    records = run(args)
    table(records)
    print(f"\nwall time {(time.perf_counter() - start) / 60:.1f} min")
    return records


if __name__ == "__main__":
    main()
