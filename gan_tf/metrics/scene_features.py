"""The shipped scene classifier and its features: FID (and KID, precision/recall) on scenes.

``load_scene_classifier()`` is ``gan_tf.models.build_scene_classifier`` with the weights of
``data/models/scene_classifier.weights.h5`` after checking their SHA-256, as
``load_classifier`` does for Fashion-MNIST. ``scene_feature_extractor(image_size)`` gives its
128-unit ``"features"`` layer; scenes of 32x32 (GAN-CLS, GAWWN, StackGAN Stage-I) are resized
to the classifier's 64x64 (bilinear, layer ``"resize_to_64"``), the way the classifier saw
32x32 scenes in training, so 32x32 and 64x64 samples are embedded alike. Features of the two
sizes are not interchangeable: compare samples with real scenes of the same size.
See chapter 7.1.
"""

from __future__ import annotations

from gan_tf import config

SCENE_CLASSIFIER_FILE = "scene_classifier.weights.h5"
SCENE_IMAGE_SIZES = (32, 64)
TRAIN_COMMAND = "python scripts/train_scene_models.py --out data/models/"
# SHA-256 of the shipped file (also in scene_classifier.sha256); a mismatch is refused.
SHIPPED_SHA256 = {SCENE_CLASSIFIER_FILE: "ebba258da9688c748fd30965466b0da075d9810a93eceb325a9850331af7c45c"}


def load_scene_classifier(models_dir=None):
    """The trained scene classifier: 64x64 scenes in [-1, 1] -> ``{attribute: logits}`` for
    label, colour, size, position and background. The weights' SHA-256 is checked against
    ``SHIPPED_SHA256`` (else ``scene_classifier.sha256``): a mismatch raises ``ValueError``
    naming both hashes, a missing file ``FileNotFoundError`` naming the training command.
    See chapter 7.1."""
    from gan_tf.models.scene_classifier import build_scene_classifier

    path = config.find_weights(SCENE_CLASSIFIER_FILE, TRAIN_COMMAND, models_dir)
    config.verify_sha256(path, SHIPPED_SHA256.get(SCENE_CLASSIFIER_FILE),
                         path.with_name("scene_classifier.sha256"), TRAIN_COMMAND)
    model = build_scene_classifier()
    model.load_weights(path)
    model.trainable = False
    return model


def scene_feature_extractor(image_size=32, models_dir=None, with_logits=False):
    """``keras.Model``: scenes ``(n, image_size, image_size, 3)`` in [-1, 1] -> the scene
    classifier's features ``(n, 128)`` (with ``with_logits=True``: the list ``[features,
    label, colour, size, position, background]`` of features then each head's logits, the order
    of ``gan_tf.data.scenes.ATTRIBUTES``, which ``embed`` returns as a list of arrays).
    ``image_size`` 32 resizes to 64 first (bilinear). Use with ``gan_tf.metrics.embed`` and
    ``frechet_distance``. See chapter 7.1."""
    import keras

    from gan_tf.models.scene_classifier import CLASSIFIER_SIZE, FEATURES_LAYER, default_heads

    if isinstance(image_size, bool) or image_size not in SCENE_IMAGE_SIZES:
        raise ValueError(f"image_size must be one of {SCENE_IMAGE_SIZES}, got {image_size!r}")
    clf = load_scene_classifier(models_dir)
    inner = keras.Model(clf.input, [clf.get_layer(FEATURES_LAYER).output, clf.output],
                        name="scene_classifier_features")
    x = keras.Input((image_size, image_size, 3), name="image")
    y = x
    if image_size != CLASSIFIER_SIZE:
        y = keras.layers.Resizing(CLASSIFIER_SIZE, CLASSIFIER_SIZE, interpolation="bilinear",
                                  name=f"resize_to_{CLASSIFIER_SIZE}")(x)
    feats, logits = inner(y)
    outputs = [feats] + [logits[a] for a in default_heads()] if with_logits else feats
    return keras.Model(x, outputs, name=f"scene_features_{image_size}")
