"""The scene classifier: one CNN reading all five attributes of a scene, whose 128-unit layer
embeds scenes for FID and the other set metrics of chapter 7.

Chapter 5's FID uses the 128-unit ``"features"`` layer of a classifier trained on the domain
(``gan_tf.models.classifier``; Heusel et al., arXiv:1706.08500, section 4, define FID on an
Inception-v3 layer; a domain classifier is the offline stand-in). For the captioned scenes the
classifier is trained on every attribute a caption can state, so that its features see the
item's class *and* its colour, size, position and background: a generator that gets the
colour wrong moves away from the real scenes in this embedding. See chapter 7.1.
"""

from __future__ import annotations

import keras

from gan_tf.models import _checks

FEATURES_LAYER = "features"
CLASSIFIER_SIZE = 64


def default_heads():
    """``{attribute: number of values}`` of the scenes (``gan_tf.data.scenes.ATTRIBUTES``):
    label 10, colour 6, size 2, position 9, background 3."""
    from gan_tf.data import scenes

    names = {"label": 10, "colour": len(scenes.COLOUR_NAMES), "size": len(scenes.SIZE_NAMES),
             "position": len(scenes.POSITION_NAMES),
             "background": len(scenes.BACKGROUND_NAMES)}
    return {a: names[a] for a in scenes.ATTRIBUTES}


def build_scene_classifier(image_size=CLASSIFIER_SIZE, heads=None, filters=(32, 64, 128, 64),
                           dropout=0.3, name="scene_classifier"):
    """Scenes ``(batch, image_size, image_size, 3)`` in [-1, 1] -> ``{attribute: logits}``.

    ``len(filters)`` 3x3 convolutions of stride 2 (ReLU, ``padding="same"``: 64x64 becomes
    4x4x64) -> Flatten (no global pooling: the position head needs where things are) -> Dense
    128 ReLU named ``"features"`` (the metrics' embedding) -> Dropout -> one linear head per
    attribute of ``heads`` (``{name: classes}``, default ``default_heads()``), each a
    ``Dense`` layer named after its attribute. Scenes of 32x32 are read after a bilinear resize
    to 64x64 (``gan_tf.metrics.scene_feature_extractor``). See chapter 7.1.
    """
    image_size = _checks.positive_int(image_size, "image_size")
    heads = default_heads() if heads is None else dict(heads)
    if not heads:
        raise ValueError("heads must name at least one attribute, got {}")
    for head, classes in heads.items():
        _checks.positive_int(classes, f"heads[{head!r}]")
    filters = _checks.units(filters, "filters")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    x = keras.Input((image_size, image_size, 3), name="image")
    h = x
    for i, f in enumerate(filters):
        h = keras.layers.Conv2D(f, 3, strides=2, padding="same", activation="relu",
                                name=f"conv_{i}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    h = keras.layers.Dense(128, activation="relu", name=FEATURES_LAYER)(h)
    h = keras.layers.Dropout(dropout, name="dropout")(h)
    outputs = {head: keras.layers.Dense(classes, dtype="float32", name=head)(h)
               for head, classes in heads.items()}
    return keras.Model(x, outputs, name=name)
