"""Feature extractors for the evaluation metrics.

FID, KID and precision/recall compare sets of *embeddings*. The default embedding is the
128-unit ``"features"`` layer of a small CNN trained on the data set itself
(``gan_tf.models.classifier``), whose weights ship in ``data/models/`` with their SHA-256;
this works offline. Inception-v3 pool features (2048-d, as in Heusel et al.,
arXiv:1706.08500) are used only when asked for with ``prefer_inception=True`` *and* the
ImageNet weights can be loaded. Numbers from the two extractors are not comparable with each
other, nor with published FIDs of other extractors. See chapter 5.5.
"""

from __future__ import annotations

import functools
import os
import socket
import warnings
from pathlib import Path

import numpy as np

from gan_tf import checks, config

CLASSIFIER_DATASETS = ("fashion_mnist", "mnist", "digits")
INPUT_SHAPES = {"fashion_mnist": (28, 28, 1), "mnist": (28, 28, 1), "digits": (8, 8, 1)}
NUM_CLASSES = 10
FEATURES_LAYER = "features"
INCEPTION_SIZE = 299
_INCEPTION_NOTOP = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"

# SHA-256 of the weights shipped in data/models/ (also in <dataset>_classifier.sha256).
# A file whose hash matches neither this nor its .sha256 file is refused.
SHIPPED_SHA256 = {
    "fashion_mnist": "53b13c79b4dbdd97ec6937df65b99455fafdd8c172f450c82603b1d0afeff4b6",
}


def train_command(dataset):
    """The exact command that creates the weights for ``dataset``."""
    return (f"python scripts/train_classifier.py --dataset {dataset} --epochs 10 "
            "--out data/models/")


def _check_dataset(dataset):
    if dataset not in CLASSIFIER_DATASETS:
        raise ValueError(
            f"no evaluation classifier for data set {dataset!r}; expected one of "
            f"{CLASSIFIER_DATASETS}")


# The weights helpers live in gan_tf.config (the models layer loads shipped weights too).
models_dirs = config.models_dirs
sha256_file = config.sha256_file


def classifier_weights_path(dataset="fashion_mnist", models_dir=None):
    """Path of ``<dataset>_classifier.weights.h5``; ``FileNotFoundError`` names the command
    that creates it. See chapter 5.5."""
    _check_dataset(dataset)
    return config.find_weights(f"{dataset}_classifier.weights.h5", train_command(dataset),
                               models_dir)


def load_classifier(dataset="fashion_mnist", models_dir=None):
    """The trained evaluation classifier for ``dataset`` (``keras.Model``: images in [-1, 1]
    -> 10 logits), after checking the weights' SHA-256.

    The expected hash is ``SHIPPED_SHA256[dataset]`` when set, else the one in
    ``<dataset>_classifier.sha256`` next to the weights; a mismatch raises ``ValueError``
    naming both hashes, a missing file ``FileNotFoundError`` naming the training command.
    See chapter 5.5.
    """
    from gan_tf.models.classifier import build_classifier

    path = classifier_weights_path(dataset, models_dir)
    config.verify_sha256(path, SHIPPED_SHA256.get(dataset),
                         path.with_name(f"{dataset}_classifier.sha256"), train_command(dataset))
    model = build_classifier(input_shape=INPUT_SHAPES[dataset], num_classes=NUM_CLASSES,
                             name=f"{dataset}_classifier")
    model.load_weights(path)
    return model


def feature_extractor(dataset="fashion_mnist", models_dir=None, with_logits=False):
    """``keras.Model`` images ``(n, h, w, 1)`` in [-1, 1] -> features ``(n, 128)`` (the
    classifier's ``"features"`` layer); with ``with_logits=True`` it returns
    ``[features, logits]``. See chapter 5.5."""
    import keras

    clf = load_classifier(dataset, models_dir)
    feats = clf.get_layer(FEATURES_LAYER).output
    outputs = [feats, clf.output] if with_logits else feats
    return keras.Model(clf.input, outputs, name=f"{dataset}_features")


def _inception_weights_cached():
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return (keras_home / "models" / _INCEPTION_NOTOP).exists()


def _network_reachable(host="storage.googleapis.com", port=443, timeout=3.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except Exception:
        return False


@functools.lru_cache(maxsize=1)
def _inception_base():
    """InceptionV3 (ImageNet weights, no top, average pool) or ``None``; tried once per
    process. Offline it returns ``None`` within a few seconds: without cached weights a
    3-second connection probe decides before any download is attempted."""
    if not _inception_weights_cached() and not _network_reachable():
        return None
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(30.0)  # a stalled download fails instead of hanging
    try:
        import keras

        return keras.applications.InceptionV3(weights="imagenet", include_top=False,
                                              pooling="avg")
    except Exception:  # no network, proxy, bad hash, truncated file, ...
        return None
    finally:
        socket.setdefaulttimeout(old_timeout)


def inception_features_available():
    """Whether InceptionV3 ImageNet weights load here (cached after the first call; offline
    it answers ``False`` quickly). See chapter 5.5."""
    return _inception_base() is not None


def inception_extractor(input_shape, weights="imagenet"):
    """``keras.Model``: images ``(n, *input_shape)`` in [-1, 1] -> InceptionV3 pool features
    ``(n, 2048)``. Images are resized (bilinear, layer ``"resize_to_299"``) to 299x299 and grey
    is repeated to RGB (layer ``"grey_to_rgb"``); they stay in [-1, 1], the range
    ``keras.applications.inception_v3.preprocess_input`` produces. ``weights="imagenet"``
    (the metrics' choice) loads the ImageNet weights once per process and raises
    ``FileNotFoundError`` when they cannot be loaded; ``weights=None`` builds the same network
    with random weights (tests, no download). See chapter 5.5."""
    import keras

    h, w, c = input_shape
    if c not in (1, 3):
        raise ValueError(f"InceptionV3 needs 1 or 3 channels, got input_shape {input_shape}")
    if weights == "imagenet":
        base = _inception_base()
        if base is None:
            raise FileNotFoundError(
                f"InceptionV3 ImageNet weights could not be loaded (looked for "
                f"{_INCEPTION_NOTOP} in ~/.keras/models/ and tried to download it). Copy the "
                "file there, or use the domain classifier (prefer_inception=False).")
    else:
        base = keras.applications.InceptionV3(weights=weights, include_top=False,
                                              pooling="avg")
    x = keras.Input(tuple(input_shape), name="image")
    y = keras.layers.Resizing(INCEPTION_SIZE, INCEPTION_SIZE, interpolation="bilinear",
                              name="resize_to_299")(x)
    if c == 1:
        y = keras.layers.Concatenate(axis=-1, name="grey_to_rgb")([y, y, y])
    return keras.Model(x, base(y), name="inception_v3_pool")


def use_inception(prefer_inception, dataset):
    """Whether the metrics embed with InceptionV3: asked for (``prefer_inception``) and its
    ImageNet weights load. Asked for but not loadable (offline), it warns (``UserWarning``)
    that the ``dataset`` classifier's features are used instead. See chapter 5.5."""
    if not prefer_inception:
        return False
    if inception_features_available():
        return True
    warnings.warn(f"InceptionV3 ImageNet weights could not be loaded; using the {dataset} "
                  "classifier's features (their FIDs are not comparable with Inception FIDs)",
                  UserWarning, stacklevel=3)
    return False


def get_extractor(dataset="fashion_mnist", prefer_inception=False, models_dir=None):
    """The extractor the metrics use: InceptionV3 pool features when
    ``prefer_inception=True`` and its weights load, else (with a warning if InceptionV3 was
    asked for) the domain classifier's features. See chapter 5.5."""
    _check_dataset(dataset)
    if use_inception(prefer_inception, dataset):
        return inception_extractor(INPUT_SHAPES[dataset])
    return feature_extractor(dataset, models_dir)


def embed(extractor, images, batch_size=500):
    """Run ``extractor`` over ``images`` ``(n, h, w, c)`` in batches; float64 ``(n, d)``
    (a list of such arrays when the extractor has several outputs). See chapter 5.5."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(f"images must have shape (n, height, width, channels) with n >= 1, "
                         f"got {images.shape}")
    checks.positive_int(batch_size, "batch_size")
    expected = getattr(extractor, "input_shape", None)
    if expected is not None and tuple(expected[1:]) != tuple(images.shape[1:]):
        want = ", ".join(str(v) for v in expected[1:])
        raise ValueError(f"the extractor expects images of shape (n, {want}), "
                         f"received {images.shape}")
    parts = []
    for i in range(0, len(images), int(batch_size)):
        out = extractor(images[i:i + batch_size].astype(np.float32), training=False)
        outs = out if isinstance(out, (list, tuple)) else [out]
        parts.append([np.asarray(o, dtype=np.float64) for o in outs])
    result = [np.concatenate([p[j] for p in parts]).reshape(len(images), -1)
              for j in range(len(parts[0]))]
    return result if len(result) > 1 else result[0]
