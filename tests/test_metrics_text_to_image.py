"""The text-to-image scores: caption diversity, box and keypoint control, caption accuracy + FID."""

import numpy as np
import pytest

from gan_tf import data, metrics


def first_two(x, training=False):
    """A stand-in feature extractor: the first two pixel values of each image."""
    return np.asarray(x).reshape(len(x), -1)[:, :2]


def channel_means(x, training=False):
    return np.asarray(x).mean(axis=(1, 2))


def test_caption_diversity_is_zero_for_identical_samples_and_the_mean_pairwise_distance():
    same = np.full((2, 3, 4, 4, 3), 0.25, np.float32)
    out = metrics.caption_diversity(same, first_two)
    assert out["feature"] == 0.0 and out["pixel"] == 0.0
    # caption 0: features (0,0), (3,4), (6,8): pairwise distances 5, 10, 5 -> mean 20/3;
    # caption 1: two samples with features (1,1), (1,2): distance 1. Mean over captions: 23/6.
    a = np.zeros((3, 2, 2, 1), np.float32)
    a[1, 0, :2, 0] = [3, 4]
    a[2, 0, :2, 0] = [6, 8]
    b = np.zeros((2, 2, 2, 1), np.float32)
    b[0, 0, :2, 0] = [1, 1]
    b[1, 0, :2, 0] = [1, 2]
    out = metrics.caption_diversity([a, b], first_two)
    np.testing.assert_allclose(out["feature"], (20 / 3 + 1) / 2, rtol=1e-12)
    np.testing.assert_allclose(out["per_caption"][:, 0], [20 / 3, 1.0], rtol=1e-12)
    # pixels: the same distances (the other pixels are equal) over sqrt(2*2*1) = 2
    np.testing.assert_allclose(out["per_caption"][:, 1], [10 / 3, 0.5], rtol=1e-12)
    np.testing.assert_allclose(out["pixel"], (10 / 3 + 0.5) / 2, rtol=1e-12)
    # RMS pixel difference: two flat images 0.5 apart are 0.5 apart at any size
    for s in (4, 8):
        pair = np.stack([np.zeros((s, s, 3)), np.full((s, s, 3), 0.5)])[None]
        assert metrics.caption_diversity(pair)["pixel"] == pytest.approx(0.5, rel=1e-12)
    assert np.isnan(metrics.caption_diversity(pair)["feature"])  # no extractor


def test_caption_diversity_errors():
    with pytest.raises(ValueError, match=r"at least 2 images .* received shape \(1, 4, 4, 3\)"):
        metrics.caption_diversity([np.zeros((1, 4, 4, 3))])
    with pytest.raises(ValueError, match=r"\(captions, samples, height, width, channels\)"):
        metrics.caption_diversity(np.zeros((3, 4, 4, 3)))
    with pytest.raises(ValueError, match="at least one caption, received 0"):
        metrics.caption_diversity([])


def test_box_sweep_moves_shrinks_and_stretches_inside_the_canvas():
    boxes = metrics.box_sweep(positions=3, sizes=(0.4, 0.6), aspect=(0.25, 1.0, 4.0))
    assert boxes.shape == (3 * 3 * 2 * 3, 4) and boxes.dtype == np.float32
    h, w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    # side a, aspect r: height a sqrt(r), width a / sqrt(r) (aspect fastest, then size)
    np.testing.assert_allclose(h[:6], [0.2, 0.4, 0.8, 0.3, 0.6, 1.0], atol=1e-6)
    np.testing.assert_allclose(w[:6], [0.8, 0.4, 0.2, 1.0, 0.6, 0.3], atol=1e-6)
    assert boxes.min() >= 0.0 and boxes.max() <= 1.0 + 1e-7
    # the first centre is (0.25, 0.25): the square 0.4 box sits on it, a wide 0.8 box is shifted
    np.testing.assert_allclose(boxes[1], [0.05, 0.05, 0.45, 0.45], atol=1e-6)
    np.testing.assert_allclose(boxes[0], [0.15, 0.0, 0.35, 0.8], atol=1e-6)
    # the centre square of positions=1 and explicit centres
    np.testing.assert_allclose(metrics.box_sweep(1, 0.5, 1.0), [[0.25, 0.25, 0.75, 0.75]])
    np.testing.assert_allclose(metrics.box_sweep([[0.5, 0.3]], [0.2], [1.0]),
                               [[0.4, 0.2, 0.6, 0.4]], atol=1e-6)
    with pytest.raises(ValueError, match=r"sizes must be .* in \(0.0, 1.0\], received"):
        metrics.box_sweep(2, sizes=(0.5, 1.5))
    with pytest.raises(ValueError, match=r"positions must be a positive int or centres"):
        metrics.box_sweep([[0.5, 1.5]])


def _painted(boxes, s=32):
    """Grey scenes with a red rectangle filling each pixel box (y0, x0, y1, x1)."""
    x = np.zeros((len(boxes), s, s, 3), np.float32)
    for i, (y0, x0, y1, x1) in enumerate(boxes):
        x[i, y0:y1, x0:x1] = [1.0, -1.0, -1.0]
    return x


def test_box_control_iou_against_hand_computed_overlaps():
    # painted boxes (pixel edges) vs requested boxes in canvas fractions of 32
    x = _painted([(8, 8, 24, 24), (0, 0, 16, 16), (4, 4, 12, 20)])
    x = np.concatenate([x, np.zeros((1, 32, 32, 3), np.float32)])   # no item at all
    requested = np.array([[8, 8, 24, 24], [8, 8, 24, 24], [4, 4, 12, 12], [0, 0, 16, 16]]) / 32
    iou = metrics.box_control_iou(x, requested)
    # exact; 8x8 overlap of two 16x16 squares: 64 / (256 + 256 - 64); 8x8 inside 8x16: 1/2;
    # an empty sample scores 0 (not NaN)
    np.testing.assert_allclose(iou, [1.0, 64 / 448, 0.5, 0.0], atol=1e-12)
    with pytest.raises(ValueError, match=r"the same n, received \(4, 32, 32, 3\) and \(3, 4\)"):
        metrics.box_control_iou(x, requested[:3])


def test_keypoint_sweep_and_control_error_with_pck():
    # a painted 16x16 square at rows/cols 8..23: top (8.5/32, 16/32), bottom (23.5/32, 16/32),
    # left (16/32, 8.5/32), right (16/32, 23.5/32), centroid (16/32, 16/32)
    x = _painted([(8, 8, 24, 24), (8, 8, 24, 24)])
    true = np.array([[8.5, 16], [23.5, 16], [16, 8.5], [16, 23.5], [16, 16]]) / 32
    kp = np.concatenate([true, np.ones((5, 1))], 1)
    shifted = kp.copy()
    shifted[:, 1] += 3 / 32 * np.array([1, 1, 1, 1, 1])   # every part 3 px right
    shifted[4, 1] += 2 / 32                                  # the centroid 5 px right
    hidden = kp.copy()
    hidden[0, 2] = 0                                         # the top not requested
    out = metrics.keypoint_control_error(x, np.stack([shifted, hidden]), tolerance=4 / 32)
    per = out["per_keypoint"]
    np.testing.assert_allclose(per[0], [3 / 32] * 4 + [5 / 32], atol=1e-6)
    np.testing.assert_allclose(per[1, 1:], 0.0, atol=1e-6)
    assert np.isnan(per[1, 0])
    np.testing.assert_allclose(out["error"], (4 * 3 / 32 + 5 / 32) / 9, atol=1e-6)
    assert out["pck"] == pytest.approx(8 / 9) and out["found"] == 1.0   # only the centroid misses
    # keypoint_sweep: the real layout moved and scaled into other boxes
    box = np.array([8, 8, 24, 24]) / 32
    moved = metrics.keypoint_sweep(kp, box, np.array([[0, 0, 0.5, 0.5], [0.5, 0.25, 1, 0.5]]))
    np.testing.assert_allclose(moved[0, :, :2], (true - 0.25) * 1.0, atol=1e-6)
    np.testing.assert_allclose(moved[1, :, 0], 0.5 + (true[:, 0] - 0.25), atol=1e-6)
    np.testing.assert_allclose(moved[1, :, 1], 0.25 + (true[:, 1] - 0.25) / 2, atol=1e-6)
    assert np.all(moved[..., 2] == 1)
    # a sample without an item misses all its keypoints
    empty = metrics.keypoint_control_error(np.zeros((1, 32, 32, 3), np.float32), kp[None])
    assert empty["pck"] == 0.0 and np.isnan(empty["error"]) and empty["found"] == 0.0
    with pytest.raises(ValueError, match="tolerance must be a positive number"):
        metrics.keypoint_control_error(x, np.stack([kp, kp]), tolerance=0)


def test_text_to_image_scores_on_real_scenes_and_known_feature_shifts():
    s = data.make_scenes(12, image_size=32, seed=3, split="test")
    caption0 = [c[0] for c in s.captions]
    feats = channel_means(s.images)
    # real scenes with their own caption 0 (all five attributes) hold every attribute;
    # reference features shifted by c per channel: FID = |mean difference|^2 = 3 c^2
    out = metrics.text_to_image_scores(s.images, caption0, feats + 0.1, channel_means)
    for a in data.scenes.ATTRIBUTES + ("all",):
        assert out[a] == 1.0, a
    np.testing.assert_allclose(out["fid"], 3 * 0.01, atol=1e-6)
    # the same reference as images gives the same FID as embedding them by hand (0 here)
    same = metrics.text_to_image_scores(s.images, caption0, s.images, channel_means)
    assert same["fid"] == pytest.approx(0.0, abs=1e-6)
    # a blank grey canvas shows only the background
    grey = np.zeros((1, 32, 32, 3), np.float32)
    one = metrics.text_to_image_scores(
        np.concatenate([grey, grey]), ["a small red shirt at the top on a grey background"] * 2,
        feats, channel_means)
    assert one["background"] == 1.0 and one["label"] == one["colour"] == 0.0
    assert one["all"] == pytest.approx(1 / 5)
    with pytest.raises(ValueError, match=r"real_images must be images \(m, s, s, 3\) or features"):
        metrics.text_to_image_scores(s.images, caption0, feats[0], channel_means)


def test_box_control_iou_of_the_largest_part_ignores_stray_pixels():
    # a 16x16 item at rows/cols 8..23 and one stray item pixel in the corner (0, 0): the tight
    # box of the whole mask grows to (0, 0, 24, 24); the largest 8-connected part's does not
    x = _painted([(8, 8, 24, 24), (8, 8, 24, 24)])
    x[0, 0, 0] = [1.0, -1.0, -1.0]
    x[1, 24, 24] = [1.0, -1.0, -1.0]          # touching the item diagonally: part of it
    requested = np.array([[8, 8, 24, 24]] * 2) / 32
    np.testing.assert_allclose(metrics.box_control_iou(x, requested),
                               [256 / 576, 256 / 289], atol=1e-12)
    np.testing.assert_allclose(metrics.box_control_iou(x, requested, part="largest"),
                               [1.0, 256 / 289], atol=1e-12)
    with pytest.raises(ValueError, match="part must be 'all' or 'largest', received 'big'"):
        metrics.box_control_iou(x, requested, part="big")
