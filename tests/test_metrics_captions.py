"""The caption checker of the captioned scenes (gan_tf.metrics.captions)."""

import re

import numpy as np
import pytest

from gan_tf.data import make_scenes, parse_caption, scenes
from gan_tf.metrics import (box_iou, caption_accuracy, check_captions, keypoint_error,
                            load_classifier, measure_scenes)

N = 300


@pytest.fixture(scope="module")
def classifier():
    return load_classifier("fashion_mnist")


@pytest.fixture(scope="module")
def sc32():
    return make_scenes(N, 32, seed=11)


@pytest.fixture(scope="module")
def measured32(sc32, classifier):
    return measure_scenes(sc32.images, classifier=classifier)


def test_hand_built_scene_is_measured_exactly(classifier):
    # a 14x14 red square on black, its box at rows 1..14 and columns 17..30 of 32 (margin 1)
    x = -np.ones((1, 32, 32, 3), np.float32)
    x[0, 1:15, 17:31, 0] = 1.0
    x[0, 1:15, 17:31, 1:] = -1.0
    x[0, 14, 17, 0] = -1 + 2 * 0.2      # opacity 0.2 < 0.25: not part of the mask
    m = measure_scenes(x, classifier=classifier)
    np.testing.assert_allclose(m["box"][0], [1 / 32, 17 / 32, 15 / 32, 31 / 32])
    assert m["colour"][0] == 0 and m["background"][0] == 0          # red on black
    assert m["size"][0] == 0 and m["position"][0] == 2              # small, top right
    np.testing.assert_allclose(m["border"][0], [0, 0, 0])
    np.testing.assert_allclose(m["keypoints"][0, 4, :2], [8 / 32, 24 / 32], atol=0.002)
    assert m["mask"][0].sum() == 14 * 14 - 1


def test_yellow_on_grey_has_the_yellow_hue(classifier):
    x = np.zeros((1, 32, 32, 3), np.float32)                       # grey 0.5 everywhere
    a = 0.3 + 0.7 * np.random.default_rng(0).uniform(size=(20, 20))
    rgb = 0.5 * (1 - a[..., None]) + np.array([1.0, 1.0, 0.0]) * a[..., None]
    x[0, 6:26, 6:26] = 2 * rgb - 1
    m = measure_scenes(x, classifier=classifier)
    assert m["colour"][0] == 1 and m["background"][0] == 1
    assert m["size"][0] == 1 and m["position"][0] == 4              # large, centre


def test_real_scenes_are_measured_exactly(sc32, measured32):
    # measured on 3,000 scenes per split and size (32 and 64, train and test): every attribute
    # of every scene recovered (accuracy 1.000), box and keypoints identical
    for a in ("colour", "size", "position", "background"):
        np.testing.assert_array_equal(measured32[a], getattr(sc32, a))
    assert np.mean(measured32["label"] == sc32.label) >= 0.99         # measured 1.000
    np.testing.assert_array_equal(measured32["box"], sc32.box)
    np.testing.assert_array_equal(measured32["keypoints"], sc32.keypoints)
    np.testing.assert_allclose(box_iou(measured32["box"], sc32.box), 1.0)
    np.testing.assert_allclose(keypoint_error(measured32["keypoints"], sc32.keypoints), 0.0)


def test_real_scenes_at_64(classifier):
    sc = make_scenes(60, 64, seed=12, split="test")
    acc = caption_accuracy(sc.images, [c[0] for c in sc.captions], classifier=classifier)
    assert acc["all"] >= 0.99 and min(acc.values()) >= 0.98           # measured 1.000


def test_own_captions_hold(sc32, measured32):
    caps = [c[k % 5] for k, c in enumerate(sc32.captions)]
    holds = check_captions(sc32.images, caps, measured=measured32)
    for i, text in enumerate(caps):
        said = parse_caption(text)
        for a in scenes.ATTRIBUTES:
            assert np.isnan(holds[a][i]) == (a not in said)
    acc = caption_accuracy(sc32.images, caps, measured=measured32)
    assert acc["all"] >= 0.995 and acc["label"] >= 0.99               # measured 1.000


def test_mismatched_captions_score_chance(sc32, measured32):
    rng = np.random.default_rng(0)
    other = (np.arange(N) + rng.integers(1, N, N)) % N                 # another image
    caps = [sc32.captions[j][rng.integers(5)] for j in other]
    acc = caption_accuracy(sc32.images, caps, measured=measured32)
    stated = [parse_caption(c) for c in caps]
    for a in scenes.ATTRIBUTES:
        rows = [i for i in range(N) if a in stated[i]]
        shown = getattr(sc32, a)[rows]
        said = np.array([stated[i][a] for i in rows])
        k = max(shown.max(), said.max()) + 1
        chance = float(np.dot(np.bincount(shown, minlength=k), np.bincount(said, minlength=k))
                       / len(rows) ** 2)
        std = np.sqrt(chance * (1 - chance) / len(rows))
        assert abs(acc[a] - chance) < 4 * std, (a, acc[a], chance)
    assert acc["all"] < 0.4                                             # measured 0.23 at n=3000


def test_empty_canvas_fails_every_stated_attribute_but_the_background(classifier):
    x = np.full((2, 32, 32, 3), 1.0, np.float32)                      # white, no item
    m = measure_scenes(x, classifier=classifier)
    assert not m["item"].any() and np.all(m["label"] == -1) and np.all(m["background"] == 2)
    assert np.isnan(m["box"]).all()
    holds = check_captions(x, ["a red bag on white", "a bag in the centre"], measured=m)
    assert holds["label"].tolist() == [0, 0] and holds["colour"][0] == 0
    assert holds["background"][0] == 1 and np.isnan(holds["background"][1])
    assert holds["position"][1] == 0


def test_box_iou_and_keypoint_error_by_hand():
    a = np.array([[0, 0, 0.5, 0.5], [0, 0, 0.5, 0.5], [0, 0, 0.2, 0.2], [np.nan] * 4])
    b = np.array([[0.25, 0.25, 0.75, 0.75], [0, 0, 0.5, 0.5], [0.5, 0.5, 1, 1], [0, 0, 1, 1]])
    iou = box_iou(a, b)
    np.testing.assert_allclose(iou[:3], [0.0625 / 0.4375, 1.0, 0.0])
    assert np.isnan(iou[3])
    p = np.array([[[0.0, 0.0, 1], [0.5, 0.5, 1], [0.1, 0.1, 0]]])
    t = np.array([[[0.3, 0.4, 1], [0.5, 0.5, 1], [0.1, 0.1, 1]]])
    err = keypoint_error(p, t)
    np.testing.assert_allclose(err[0, :2], [0.5, 0.0])
    assert np.isnan(err[0, 2])


def test_garbage_input_gives_clear_errors(classifier):
    grey = np.zeros((2, 32, 32, 1), np.float32)
    with pytest.raises(ValueError, match=re.escape("square RGB scenes (n, s, s, 3), received "
                                                   "shape (2, 32, 32, 1)")):
        measure_scenes(grey, classifier=classifier)
    with pytest.raises(ValueError, match="expects images in"):
        measure_scenes(np.full((1, 32, 32, 3), 255.0, np.float32), classifier=classifier)
    with pytest.raises(ValueError, match=re.escape("at least 16x16 pixels, received 8x8")):
        measure_scenes(np.zeros((1, 8, 8, 3), np.float32), classifier=classifier)
    with pytest.raises(ValueError, match="received 0"):
        measure_scenes(np.zeros((0, 32, 32, 3), np.float32), classifier=classifier)
    x = np.zeros((2, 32, 32, 3), np.float32)
    with pytest.raises(ValueError, match="expects 2 captions .one per image., received 1"):
        check_captions(x, ["a bag"], classifier=classifier)
    with pytest.raises(ValueError, match="a list of 2 captions"):
        check_captions(x, "a bag", classifier=classifier)
    with pytest.raises(ValueError, match="unknown word 'unicorn'"):
        check_captions(x, ["a bag", "a unicorn"], classifier=classifier)
    with pytest.raises(ValueError, match=re.escape("boxes of shape (n, 4)")):
        box_iou(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=re.escape("one shape (n, K, 3)")):
        keypoint_error(np.zeros((1, 5, 3)), np.zeros((1, 4, 3)))
