"""``evaluate_per_class``: how well a class-conditional generator (cGAN, AC-GAN, CC-LAPGAN)
draws the class it is asked for, class by class. See chapter 6.2.

For each class k it draws ``n_per_class`` samples with ``labels=k`` and reports

- ``accuracy``: the fraction the shipped domain classifier assigns to class k (the AC-GAN
  paper's "discriminability" measured with an independent classifier, arXiv:1610.09585 §4.1);
- ``fid``: FID (arXiv:1706.08500) against the real test images of class k, on the classifier's
  features — a per-class FID measures fidelity *and* intra-class diversity;
- ``precision`` and ``recall`` (Kynkaanniemi et al., arXiv:1904.06991, k = 3) against the same
  real images: low recall with high precision is the signature of low intra-class diversity,
  which is reported of AC-GAN (Odena et al. §4.2 measure it with MS-SSIM; Shu et al. 2017 and
  Gong et al., arXiv:1907.02690, explain it by the class loss on fakes pushing samples away
  from the class boundary).
"""

from __future__ import annotations

import numpy as np

from gan_tf import checks
from gan_tf.metrics import features as _features
from gan_tf.metrics import scores


def evaluate_per_class(generator, real_images, real_labels, n_classes=10, n_per_class=500,
                       dataset="fashion_mnist", seed=0, extractor=None, batch_size=500):
    """Per-class scores of a conditional ``generator`` (anything with ``.sample(n, seed=...,
    labels=...)``, e.g. ``trainers.ConditionalGAN``) against ``real_images`` ``(n, h, w, c)``
    in [-1, 1] with integer ``real_labels``.

    Returns ``{"classes": [{"class", "accuracy", "fid", "precision", "recall"}, ...],
    "accuracy", "fid", "precision", "recall"}`` (the last four: means over the classes, Python
    floats). ``extractor`` defaults to ``metrics.feature_extractor(dataset, with_logits=True)``
    (features and logits). Each class needs at least 4 real images. See chapter 6.2."""
    n_per_class = checks.positive_int(n_per_class, "n_per_class")
    real_images = np.asarray(real_images, dtype=np.float32)
    labels = checks.check_labels(real_labels, n_classes, "evaluate_per_class real_labels",
                                 n=len(real_images))
    checks.check_image_range(real_images, "evaluate_per_class real_images")
    if extractor is None:
        extractor = _features.feature_extractor(dataset, with_logits=True)
    real_feats, _ = _features.embed(extractor, real_images, batch_size)
    rows = []
    for k in range(n_classes):
        mine = real_feats[labels == k]
        if len(mine) < 4:
            raise ValueError(f"evaluate_per_class needs at least 4 real images of each class, "
                             f"received {len(mine)} of class {k}")
        fake = np.asarray(generator.sample(n_per_class, seed=seed + k, labels=k), np.float32)
        checks.check_image_range(fake, f"samples of class {k}", tol=1e-3)
        fake_feats, fake_logits = _features.embed(extractor, fake, batch_size)
        precision, recall = scores.precision_recall(mine, fake_feats, k=3)
        rows.append({"class": k,
                     "accuracy": float(np.mean(np.argmax(fake_logits, 1) == k)),
                     "fid": float(scores.frechet_distance(mine, fake_feats)),
                     "precision": float(precision), "recall": float(recall)})
    summary = {key: float(np.mean([r[key] for r in rows]))
               for key in ("accuracy", "fid", "precision", "recall")}
    return {"classes": rows, **summary}
