"""The captioned scenes of chapter 7 (gan_tf.data.scenes): captions, geometry, tf.data."""

import re

import numpy as np
import pytest

from gan_tf.data import (MAX_WORDS, NUM_KEYPOINTS, VOCABULARY, captioned_dataset,
                         epoch_variable, make_scenes, parse_caption, scenes, tokenize)

N = 200


@pytest.fixture(scope="module")
def sc32():
    return make_scenes(N, 32, seed=3)


@pytest.fixture(scope="module")
def sc64():
    return make_scenes(N, 64, seed=3)


def test_shapes_dtypes_and_ranges(sc32):
    assert sc32.images.shape == (N, 32, 32, 3) and sc32.images.dtype == np.float32
    assert sc32.images.min() >= -1.0 and sc32.images.max() <= 1.0
    assert len(sc32.captions) == N and all(len(c) == 5 for c in sc32.captions)
    assert sc32.box.shape == (N, 4) and sc32.keypoints.shape == (N, NUM_KEYPOINTS, 3)
    assert sc32.mask.dtype == bool and sc32.mask.shape == (N, 32, 32)
    for name, k in (("label", 10), ("colour", 6), ("size", 2), ("position", 9),
                    ("background", 3)):
        values = getattr(sc32, name)
        assert values.min() >= 0 and values.max() == k - 1


def test_parse_recovers_the_generating_attributes(sc32):
    stated = np.zeros(5)
    for i, caps in enumerate(sc32.captions):
        for j, text in enumerate(caps):
            said = parse_caption(text)
            assert "label" in said
            for attribute, value in said.items():
                assert getattr(sc32, attribute)[i] == value, (text, attribute)
            if j == 0:
                assert set(said) == set(scenes.ATTRIBUTES), text
            else:
                stated += [a in said for a in scenes.ATTRIBUTES]
    frac = stated / (N * 4)
    assert frac[0] == 1.0
    # each other attribute stated with probability 0.6 (800 captions: std 0.017)
    np.testing.assert_allclose(frac[1:], scenes.STATE_PROBABILITY, atol=0.06)


def _skeleton(text):
    return " ".join("<%s>" % scenes._CONTENT[w][0] if w in scenes._CONTENT else w
                    for w in text.split())


def test_synonyms_and_word_orders_vary(sc32):
    texts = [t for caps in sc32.captions for t in caps]
    skeletons = {_skeleton(t) for t in texts}
    assert len(skeletons) >= 500          # measured: 772 distinct templates in 1000 captions
    used = {w for t in texts for w in t.split()}
    assert {"sneaker", "trainer"} <= used and {"red", "scarlet", "crimson"} <= used
    # the noun phrase comes first, after the position or after the background
    starts = {t.split()[0] for t in texts}
    assert {"a", "an", "in", "at", "on", "there"} & starts >= {"a", "in", "on"}
    assert max(len(t.split()) for t in texts) <= MAX_WORDS


def test_deterministic_size_independent_and_prefix_stable(sc32, sc64):
    again = make_scenes(N, 32, seed=3)
    np.testing.assert_array_equal(again.images, sc32.images)
    assert again.captions == sc32.captions
    for a in scenes.ATTRIBUTES + ("item_index",):
        np.testing.assert_array_equal(getattr(sc64, a), getattr(sc32, a))
    assert sc64.captions == sc32.captions
    head = make_scenes(7, 32, seed=3)
    np.testing.assert_array_equal(head.images, sc32.images[:7])
    assert head.captions == sc32.captions[:7]
    other = make_scenes(N, 32, seed=4)
    assert (other.item_index != sc32.item_index).mean() > 0.9
    test = make_scenes(20, 32, seed=3, split="test")
    assert test.item_index.max() < 10000


def test_pixels_follow_the_painting_formula(sc32):
    grey = scenes.BACKGROUND_GREY[sc32.background]
    colour = scenes.COLOUR_RGB[sc32.colour]
    rgb = (sc32.images.astype(np.float64) + 1) / 2
    # a = max_channel |pixel - g| / max(g, 1 - g); pixel = g (1 - a) + c a exactly
    reach = np.maximum(grey, 1 - grey)
    alpha = np.abs(rgb - grey[:, None, None, None]).max(-1) / reach[:, None, None]
    rebuilt = (grey[:, None, None, None] * (1 - alpha[..., None])
               + colour[:, None, None, :] * alpha[..., None])
    np.testing.assert_allclose(rebuilt, rgb, atol=1e-6)
    np.testing.assert_array_equal(sc32.mask, alpha >= scenes.MASK_THRESHOLD - 1e-7)
    border = np.concatenate([rgb[:, 0], rgb[:, -1], rgb[:, :, 0], rgb[:, :, -1]], 1)
    assert np.median(np.abs(border - grey[:, None, None]), 1).max() == 0


def test_box_and_keypoints_equal_a_direct_computation(sc32, sc64):
    for sc in (sc32, sc64):
        s = sc.mask.shape[1]
        for i in range(0, N, 7):
            ys, xs = np.nonzero(sc.mask[i])
            np.testing.assert_allclose(
                sc.box[i], [ys.min() / s, xs.min() / s, (ys.max() + 1) / s, (xs.max() + 1) / s])
            top = xs[ys == ys.min()].mean()
            bottom = xs[ys == ys.max()].mean()
            left = ys[xs == xs.min()].mean()
            right = ys[xs == xs.max()].mean()
            expected = np.array([[ys.min(), top], [ys.max(), bottom], [left, xs.min()],
                                 [right, xs.max()], [ys.mean(), xs.mean()]])
            np.testing.assert_allclose(sc.keypoints[i, :, :2], (expected + 0.5) / s, atol=1e-6)
            np.testing.assert_array_equal(sc.keypoints[i, :, 2], 1.0)


def test_size_and_position_from_the_box(sc32):
    s, m = 32, scenes.margin(32)
    pix = np.round(sc32.box * s).astype(int)
    long_side = np.maximum(pix[:, 2] - pix[:, 0], pix[:, 3] - pix[:, 1])
    assert np.all((long_side / s < scenes.SIZE_THRESHOLD) == (sc32.size == 0))
    row, col = sc32.position // 3, sc32.position % 3
    assert np.all(pix[row == 0, 0] == m) and np.all(pix[row == 2, 2] == s - m)
    assert np.all(pix[col == 0, 1] == m) and np.all(pix[col == 2, 3] == s - m)
    centred = pix[col == 1]
    np.testing.assert_array_equal(centred[:, 1], (s - (centred[:, 3] - centred[:, 1])) // 2)


def test_tokenize_ids_and_errors():
    ids = tokenize(["a red sneaker", "A small Trainer on a dark background"])
    assert ids.shape == (2, MAX_WORDS) and ids.dtype == np.int32
    assert [VOCABULARY[k] for k in ids[0, :3]] == ["a", "red", "sneaker"]
    assert np.all(ids[0, 3:] == 0) and VOCABULARY[0] == "<pad>"
    assert [VOCABULARY[k] for k in ids[1, :7]] == "a small trainer on a dark background".split()
    with pytest.raises(ValueError, match="unknown word 'zebra'"):
        tokenize(["a red zebra"])
    with pytest.raises(ValueError, match="caption 1 is empty"):
        tokenize(["a red sneaker", "   "])
    with pytest.raises(ValueError, match=re.escape("has 4 words, more than max_len=3")):
        tokenize(["a red big sneaker"], max_len=3)
    with pytest.raises(ValueError, match="unknown word '<pad>'"):
        tokenize(["<pad>"])


def test_parse_caption_positions_and_errors():
    assert parse_caption("a bag in the upper right corner") == {"label": 8, "position": 2}
    assert parse_caption("a bag on the left side") == {"label": 8, "position": 3}
    assert parse_caption("a bag in the middle") == {"label": 8, "position": 4}
    assert parse_caption("a bag near the bottom edge on gray") == {
        "label": 8, "position": 7, "background": 1}
    assert parse_caption("a pair of huge emerald pants") == {"label": 1, "colour": 2, "size": 1}
    with pytest.raises(ValueError, match="unknown word 'purple-ish'"):
        parse_caption("a purple-ish bag")
    with pytest.raises(ValueError, match="states two values of 'colour'"):
        parse_caption("a red blue bag")


def test_make_scenes_errors():
    with pytest.raises(ValueError, match=re.escape("image_size must be one of (32, 64), got 48")):
        make_scenes(4, 48)
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        make_scenes(4, split="valid")
    with pytest.raises(ValueError, match="n must be a positive int, got 0"):
        make_scenes(0)


def _embeddings(n, per_image=5):
    """embeddings[i, c] = (i, c, i * 10 + c): the image and caption are readable back."""
    i, c = np.meshgrid(np.arange(n), np.arange(per_image), indexing="ij")
    return np.stack([i, c, i * 10 + c], -1).astype(np.float32)


def _epoch(ds):
    xs, texts, wrongs = [], [], []
    for x, cond in ds:
        xs.append(x.numpy())
        texts.append(cond["text"].numpy())
        wrongs.append(cond["wrong_text"].numpy())
    return np.concatenate(xs), np.concatenate(texts), np.concatenate(wrongs)


def test_captioned_dataset_text_and_wrong_text():
    n = 12
    images = np.linspace(-1, 1, n, dtype=np.float32)[:, None, None, None] * np.ones(
        (n, 4, 4, 3), np.float32)
    box = np.random.default_rng(0).uniform(size=(n, 4)).astype(np.float32)
    kp = np.random.default_rng(1).uniform(size=(n, NUM_KEYPOINTS, 3)).astype(np.float32)
    ds = captioned_dataset(images, _embeddings(n), batch_size=5, seed=2, box=box, keypoints=kp)
    x, cond = next(iter(ds))
    assert set(cond) == {"text", "wrong_text", "box", "keypoints"}
    idx = np.round((x.numpy()[:, 0, 0, 0] + 1) / 2 * (n - 1)).astype(int)
    np.testing.assert_array_equal(cond["box"].numpy(), box[idx])
    np.testing.assert_array_equal(cond["keypoints"].numpy(), kp[idx])
    chosen = []
    for _ in range(4):
        x, text, wrong = _epoch(ds)
        idx = np.round((x[:, 0, 0, 0] + 1) / 2 * (n - 1)).astype(int)
        assert sorted(idx) == list(range(n))
        np.testing.assert_array_equal(text[:, 0], idx)            # one of its own captions
        assert np.all(wrong[:, 0] != idx)                          # another image's caption
        assert np.all((text[:, 1] >= 0) & (text[:, 1] < 5) & (wrong[:, 1] < 5))
        chosen.append(text[np.argsort(idx), 1])
    assert not all(np.array_equal(chosen[0], c) for c in chosen[1:])   # drawn per epoch


def test_captioned_dataset_resumes_in_the_same_order():
    n = 10
    images = np.random.default_rng(0).uniform(-1, 1, (n, 2, 2, 3)).astype(np.float32)
    emb = _embeddings(n)
    full = captioned_dataset(images, emb, batch_size=4, seed=5, resumable=True)
    epochs = [_epoch(full) for _ in range(3)]
    resumed = captioned_dataset(images, emb, batch_size=4, seed=5, resumable=True)
    epoch_variable(resumed).assign(2)       # what fit does when resuming at epoch 2
    for a, b in zip(_epoch(resumed), epochs[2]):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(epochs[1][0], epochs[2][0])
    ordered = captioned_dataset(images, emb, batch_size=4, shuffle=False, resumable=True)
    assert epoch_variable(ordered) is not None
    x, text, _ = _epoch(ordered)
    np.testing.assert_array_equal(x, images)
    np.testing.assert_array_equal(text[:, 0], np.arange(n))
    assert epoch_variable(captioned_dataset(images, emb, batch_size=4)) is None


def test_captioned_dataset_errors():
    images = np.zeros((4, 8, 8, 3), np.float32)
    with pytest.raises(ValueError,
                       match=re.escape("embeddings of shape (n=4, captions_per_image, d)")):
        captioned_dataset(images, np.zeros((3, 5, 16), np.float32), 2)
    with pytest.raises(ValueError, match=re.escape("RGB images (n, height, width, 3)")):
        captioned_dataset(images[..., :1], np.zeros((4, 5, 16), np.float32), 2)
    with pytest.raises(ValueError, match="expects images in"):
        captioned_dataset(images + 3, np.zeros((4, 5, 16), np.float32), 2)
    with pytest.raises(ValueError, match=re.escape("box of shape (4, 4)")):
        captioned_dataset(images, np.zeros((4, 5, 16), np.float32), 2, box=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="at least 2 images"):
        captioned_dataset(images[:1], np.zeros((1, 5, 16), np.float32), 2)
