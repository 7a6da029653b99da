"""The shipped scene models of chapter 7 (data/models/, trained by
scripts/train_scene_models.py): the frozen text encoder's caption -> image retrieval on held-out
test scenes and the scene classifier's per-head test accuracy are above the measured levels
(thresholds a few points under the numbers in data/models/README.md); hashes are checked;
encode_captions feeds captioned_dataset."""

import shutil

import numpy as np
import pytest

from gan_tf import config, metrics, models
from gan_tf.data import scenes as S
from gan_tf.metrics import scene_features
from gan_tf.models import text


# Measured with the shipped weights on these 100 test scenes (seed 0): all 500 captions
# attribute top-1 0.842, recall@10 0.970; first captions (all five attributes stated)
# attribute top-1 0.960, exact top-1 0.940. Thresholds sit a few points below.
ATTRIBUTE_TOP1, RECALL_AT_10 = 0.80, 0.94
FIRST_ATTRIBUTE_TOP1, FIRST_EXACT_TOP1 = 0.92, 0.90


# Measured with the shipped classifier on these 200 test scenes (seed 0): label 0.875 at 64x64,
# 0.865 at 32x32 resized; colour, size, position and background 1.000 at both sizes (on
# 2,000 test scenes per size: label 0.842 / 0.840, the others >= 0.998).
CLASSIFIER_ACCURACY = {size: {"label": 0.82, "colour": 0.98, "size": 0.98, "position": 0.98,
                              "background": 0.98} for size in (32, 64)}


@pytest.fixture(scope="module")
def test_scenes():
    return S.make_scenes(100, 32, seed=0, split="test")


@pytest.fixture(scope="module")
def encoders():
    return text.load_text_encoder(), text.load_scene_image_encoder()


def test_shipped_text_encoder_retrieves_matching_scenes(test_scenes, encoders):
    r = metrics.scene_retrieval(test_scenes, *encoders, captions="all")
    assert r["n_captions"] == 500 and r["n_images"] == 100
    assert r["attribute_top1"] >= ATTRIBUTE_TOP1
    assert r["recall@10"] >= RECALL_AT_10
    first = metrics.scene_retrieval(test_scenes, *encoders, captions="first")
    assert first["n_captions"] == 100
    assert first["attribute_top1"] >= FIRST_ATTRIBUTE_TOP1
    assert first["exact_top1"] >= FIRST_EXACT_TOP1


@pytest.mark.parametrize("size", [64, 32])
def test_shipped_scene_classifier_per_head_accuracy(size):
    sc = S.make_scenes(200, size, seed=0, split="test")
    extractor = metrics.scene_feature_extractor(size, with_logits=True)
    feats, *logits = metrics.embed(extractor, sc.images, batch_size=200)
    assert feats.shape == (200, 128)
    for attribute, head in zip(S.ATTRIBUTES, logits):
        accuracy = np.mean(np.argmax(head, 1) == sc.attributes()[attribute])
        assert accuracy >= CLASSIFIER_ACCURACY[size][attribute], attribute


def test_encode_captions_gives_the_text_encoders_codes(test_scenes, encoders):
    enc = encoders[0]
    assert not enc.trainable
    caps = test_scenes.captions[:3]
    emb = models.encode_captions(caps, encoder=enc, batch_size=8)
    assert emb.shape == (3, 5, 128) and emb.dtype == np.float32
    direct = np.asarray(enc(S.tokenize([caps[1][2]])))[0]
    np.testing.assert_allclose(emb[1, 2], direct, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match=r"same number k >= 1 of captions .* counts \[4, 5\]"):
        models.encode_captions([caps[0], caps[1][:4]], encoder=enc)
    with pytest.raises(ValueError, match="unknown word 'zebra'"):
        models.encode_captions([["a zebra"]], encoder=enc)


def test_shipped_weights_are_checked_against_their_hashes(monkeypatch, tmp_path):
    monkeypatch.setitem(text.SHIPPED_SHA256, text.TEXT_ENCODER_FILE, "0" * 64)
    with pytest.raises(ValueError, match="SHA-256 mismatch .* expected 0{64}, received "
                                         "[0-9a-f]{64}.*train_scene_models.py"):
        text.load_text_encoder()
    monkeypatch.setitem(scene_features.SHIPPED_SHA256, scene_features.SCENE_CLASSIFIER_FILE,
                        "1" * 64)
    with pytest.raises(ValueError, match="expected 1{64}, received [0-9a-f]{64}"):
        metrics.load_scene_classifier()
    # unpinned, the .sha256 file next to the weights is the reference
    monkeypatch.setitem(text.SHIPPED_SHA256, text.IMAGE_ENCODER_FILE, None)
    src = config.find_weights(text.IMAGE_ENCODER_FILE, "")
    shutil.copy(src, tmp_path / src.name)
    (tmp_path / "scene_image_encoder.sha256").write_text("f" * 64 + "  x\n")
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        text.load_scene_image_encoder(models_dir=tmp_path)
    (tmp_path / "scene_image_encoder.sha256").unlink()
    with pytest.raises(FileNotFoundError, match="scene_image_encoder.sha256 .* is missing"):
        text.load_scene_image_encoder(models_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="python scripts/train_scene_models.py"):
        metrics.load_scene_classifier(models_dir=tmp_path)
    with pytest.raises(ValueError, match=r"image_size must be one of \(32, 64\), got 28"):
        metrics.scene_feature_extractor(28)
