"""gan_tf.data.photos: the offline photos and the SRGAN patches cut from them."""

import numpy as np
import pytest
import tensorflow as tf

from gan_tf.data import images, photos


def test_photos_load_offline_with_the_documented_sizes_and_split():
    names = photos.photo_names()
    assert len(names) == 9
    assert set(photos.photo_names("train")) | set(photos.photo_names("test")) == set(names)
    assert not set(photos.photo_names("train")) & set(photos.photo_names("test"))
    for name in names:
        raw = photos._photo_uint8(name)
        assert raw.dtype == np.uint8 and raw.shape == photos.PHOTO_SIZES[name] + (3,)
    x = photos.load_photo("chelsea")
    np.testing.assert_array_equal(x, photos._photo_uint8("chelsea") / np.float32(127.5) - 1)
    assert x.dtype == np.float32 and x.min() >= -1.0 and x.max() <= 1.0


def test_sr_patches_are_crops_and_their_bicubic_downsampling():
    lr, hr = photos.sr_patches("train", hr_size=32, scale=4, n=9, seed=3)
    assert hr.shape == (9, 32, 32, 3) and lr.shape == (9, 8, 8, 3)
    assert hr.dtype == lr.dtype == np.float32
    sources = photos.patch_sources("train", hr_size=32, n=9, seed=3)
    for crop, (name, top, left) in zip(hr, sources):
        np.testing.assert_array_equal(crop, photos.load_photo(name)[top:top + 32, left:left + 32])
    want = tf.clip_by_value(tf.image.resize(hr, (8, 8), method="bicubic", antialias=True),
                            -1.0, 1.0).numpy()
    np.testing.assert_array_equal(lr, want)
    assert lr.min() >= -1.0 and lr.max() <= 1.0
    # a low-pass downsampling keeps each 4x4 block's mean (up to the kernel's reach)
    blocks = hr.reshape(9, 8, 4, 8, 4, 3).mean(axis=(2, 4))
    assert abs(float(lr.mean() - blocks.mean())) < 0.01


def test_train_and_test_crops_come_from_different_photos():
    train = photos.patch_sources("train", hr_size=96, n=70, seed=0)
    test = photos.patch_sources("test", hr_size=96, n=5, seed=0)
    assert {name for name, _, _ in train} == set(photos.TRAIN_PHOTOS)
    assert {name for name, _, _ in test} <= set(photos.TEST_PHOTOS)
    counts = np.unique([name for name, _, _ in train], return_counts=True)[1]
    np.testing.assert_array_equal(counts, [10] * 7)   # 70 crops spread evenly over 7 photos
    for name, top, left in train + test:
        h, w = photos.PHOTO_SIZES[name]
        assert 0 <= top <= h - 96 and 0 <= left <= w - 96
    assert len(photos.patch_sources("test", hr_size=96)) == 2 * photos.CROPS_PER_PHOTO


def test_sr_patches_are_deterministic_by_seed():
    lr_a, hr_a = photos.sr_patches("test", hr_size=16, scale=2, n=4, seed=1)
    lr_b, hr_b = photos.sr_patches("test", hr_size=16, scale=2, n=4, seed=1)
    np.testing.assert_array_equal(hr_a, hr_b)
    np.testing.assert_array_equal(lr_a, lr_b)
    _, hr_c = photos.sr_patches("test", hr_size=16, scale=2, n=4, seed=2)
    assert not np.array_equal(hr_a, hr_c)


def test_sr_dataset_yields_real_high_res_then_low_res_condition():
    lr, hr = photos.sr_patches("test", hr_size=16, scale=4, n=6, seed=0)
    ds = photos.sr_dataset("test", batch_size=4, hr_size=16, scale=4, n=6, seed=0, shuffle=False)
    batches = list(ds)
    assert [tuple(b[0].shape) for b in batches] == [(4, 16, 16, 3), (2, 16, 16, 3)]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), hr)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), lr)


def test_sr_dataset_resumable_order():
    kwargs = dict(batch_size=3, hr_size=8, scale=4, n=7, seed=4, resumable=True)
    reference = [(a.numpy(), b.numpy()) for a, b in
                 photos.sr_dataset("test", **kwargs).repeat(4)][-3:]
    fresh = photos.sr_dataset("test", **kwargs)
    derived = fresh.map(lambda hr, lr: (hr, lr))
    variable = images.epoch_variable(derived)
    assert variable is not None
    variable.assign(3)
    got = [(a.numpy(), b.numpy()) for a, b in derived]
    assert len(got) == 3
    for (a, b), (c, d) in zip(got, reference):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    assert not np.array_equal(got[0][0], [a for a, _ in photos.sr_dataset("test", **kwargs)][0])


@pytest.mark.parametrize("kwargs,message", [
    ({"hr_size": 90, "scale": 4}, r"hr_size must be divisible by scale .*hr_size=90, scale=4"),
    ({"split": "test", "hr_size": 304}, r"hr_size must be at most 300, the smallest side of the "
                                        r"test photos \('chelsea' is 300x451\), got 304"),
    ({"split": "valid"}, r"unknown split 'valid'; expected one of \('train', 'test'\)"),
    ({"n": 0}, r"n must be a positive int, got 0"),
    ({"n": True}, r"n must be a positive int, got True"),
    ({"scale": 0}, r"scale must be a positive int, got 0"),
    ({"hr_size": 96.0}, r"hr_size must be a positive int, got 96.0"),
])
def test_sr_patches_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        photos.sr_patches(**kwargs)


def test_unknown_photo():
    with pytest.raises(ValueError, match=r"unknown photo 'lena'; known: astronaut, chelsea"):
        photos.load_photo("lena")
