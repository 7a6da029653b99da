"""``evaluate``: every metric of ``gan_tf.metrics`` for one generator, in one dict.
See chapter 5.5."""

from __future__ import annotations

import numpy as np

from gan_tf.metrics import features as _features
from gan_tf.metrics import scores

DEFAULT_NUM_SAMPLES = 5000
DEFAULT_MEMORISATION_SAMPLES = 500
RANGE_SLACK = 1e-3  # generated pixels may overshoot [-1, 1] by this much (float round-off)


def _draw(generator, n, seed):
    if hasattr(generator, "sample"):
        images = generator.sample(n, seed=seed)
    elif callable(generator):
        images = generator(n, seed=seed)
    else:
        raise ValueError("generator must have a .sample(n, seed=...) method (a gan_tf trainer) "
                         f"or be a callable (n, seed=...) -> images; got {type(generator)!r}")
    return np.asarray(images, dtype=np.float32)


def _check_images(images, name, shape=None, n=None):
    if images.ndim != 4:
        raise ValueError(f"{name} must have shape (n, height, width, channels), got "
                         f"{images.shape}")
    if n is not None and len(images) != n:
        raise ValueError(f"{name}: expected {n} images, received {len(images)}")
    if shape is not None and tuple(images.shape[1:]) != tuple(shape):
        raise ValueError(f"{name}: expected images of shape {tuple(shape)}, received "
                         f"{tuple(images.shape[1:])}")
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{name} contains NaN or inf values")
    lo, hi = float(images.min()), float(images.max())
    if lo < -1 - RANGE_SLACK or hi > 1 + RANGE_SLACK:
        raise ValueError(f"{name} must be in [-1, 1] (tanh output), got values in "
                         f"[{lo:.3g}, {hi:.3g}]")


def evaluate(generator, dataset="fashion_mnist", num_samples=DEFAULT_NUM_SAMPLES,
             real_images=None, seed=0, train_images=None,
             memorisation_samples=DEFAULT_MEMORISATION_SAMPLES, prefer_inception=False,
             batch_size=500):
    """Score ``generator`` against ``dataset``; returns a dict of Python floats (and a name).

    ``generator`` is a gan_tf trainer (anything with ``.sample(n, seed=...)``) or a callable
    ``(n, seed=...) -> images``; images are ``(n, h, w, c)`` in [-1, 1]. ``num_samples``
    (default 5,000) are drawn with ``seed``. ``real_images`` defaults to the whole test split
    (``gan_tf.data.load_arrays(dataset, "test")``, 10,000 images for Fashion-MNIST).

    Keys: ``fid`` (Heusel et al., arXiv:1706.08500), ``kid`` and ``kid_std`` (Binkowski et
    al., arXiv:1801.01401; 10 subsets of up to 1,000), ``inception_score`` (Salimans et al.,
    arXiv:1606.03498, with the domain classifier's softmax, 10 splits), ``precision`` and
    ``recall`` (Kynkaanniemi et al., arXiv:1904.06991, k=3, against ``num_samples`` real
    images drawn with ``seed`` so both sets have one size), ``classes_covered`` and
    ``class_kl`` (``class_coverage`` of the classifier's predictions) and
    ``nn_distance_mean`` (mean pixel L2 distance from the first ``memorisation_samples``
    samples to their nearest training image; ``train_images`` defaults to the train split).
    FID, KID and precision/recall use the domain classifier's 128-d features, or InceptionV3
    pool features when ``prefer_inception=True`` and ImageNet weights load; the classifier
    always gives the class predictions; ``features`` names the embedding used
    (``"<dataset>_classifier"`` or ``"inception_v3"``), since FIDs on different features are
    not comparable (asked for but not loadable, InceptionV3 is replaced with a
    ``UserWarning``). InceptionV3 is opt-in: on a CPU it costs minutes for 15,000 299x299 images,
    so the chapter notebooks ask for it in the ``full`` profile only. See chapter 5.5.
    """
    from gan_tf.data import load_arrays

    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) \
            or num_samples < 20:
        raise ValueError(f"num_samples must be an int >= 20 (10 splits of >= 2), got "
                         f"{num_samples!r}")
    _features._check_dataset(dataset)
    shape = _features.INPUT_SHAPES[dataset]
    if real_images is None:
        real_images, _ = load_arrays(dataset, "test")
    real_images = np.asarray(real_images, dtype=np.float32)
    _check_images(real_images, "real_images", shape)
    if len(real_images) < 4:
        raise ValueError(f"real_images: expected at least 4 images, received {len(real_images)}")
    fake = _draw(generator, int(num_samples), seed)
    _check_images(fake, "generated images", shape, n=int(num_samples))

    clf_model = _features.feature_extractor(dataset, with_logits=True)
    fake_feats, fake_logits = _features.embed(clf_model, fake, batch_size)
    feature_name = f"{dataset}_classifier"
    if _features.use_inception(prefer_inception, dataset):
        feature_name = "inception_v3"
        extractor = _features.inception_extractor(shape)
        fake_feats = _features.embed(extractor, fake, batch_size)
        real_feats = _features.embed(extractor, real_images, batch_size)
    else:
        real_feats, _ = _features.embed(clf_model, real_images, batch_size)

    logits = fake_logits - fake_logits.max(1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(1, keepdims=True)
    is_mean, _ = scores.inception_score(probs, splits=10)
    coverage = scores.class_coverage(np.argmax(probs, 1), probs.shape[1])

    fid = scores.frechet_distance(real_feats, fake_feats)
    kid, kid_std = scores.kernel_inception_distance(real_feats, fake_feats, seed=seed)
    rng = np.random.default_rng(seed)
    pr_real = real_feats[rng.choice(len(real_feats), min(len(real_feats), int(num_samples)),
                                    replace=False)]
    precision, recall = scores.precision_recall(pr_real, fake_feats, k=3)

    if train_images is None:
        train_images, _ = load_arrays(dataset, "train")
    mem = scores.memorisation(fake[:memorisation_samples], train_images)
    return {
        "fid": float(fid), "kid": float(kid), "kid_std": float(kid_std),
        "inception_score": float(is_mean), "precision": float(precision),
        "recall": float(recall), "classes_covered": float(coverage["classes_covered"]),
        "class_kl": float(coverage["kl_to_uniform"]), "nn_distance_mean": float(mem["mean"]),
        "features": feature_name,
    }
