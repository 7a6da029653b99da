"""gan_tf.data (image loaders and toy distributions) and gan_tf.config."""

import gzip
import math
import os
import pathlib
import struct

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import config
from gan_tf.data import images, toy

FASHION_DIR = pathlib.Path(__file__).resolve().parent.parent / "data" / "fashion-mnist"


def _read_idx_by_hand(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _write_idx_gz(path, array):
    array = np.asarray(array, np.uint8)
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim,
                                                                      *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


@pytest.fixture(scope="module")
def fashion_train_100():
    return images.load_arrays("fashion_mnist", "train", limit=100)


# -- Fashion-MNIST -------------------------------------------------------------------------

def test_fashion_train_arrays(fashion_train_100):
    x, y = fashion_train_100
    assert x.shape == (100, 28, 28, 1)
    assert x.dtype == np.float32
    assert x.min() == -1.0 and x.max() == 1.0
    assert y.shape == (100,) and y.dtype == np.int64
    assert y.min() >= 0 and y.max() <= 9


def test_fashion_values_are_raw_bytes_scaled(fashion_train_100):
    x, y = fashion_train_100
    raw = _read_idx_by_hand(FASHION_DIR / "train-images-idx3-ubyte.gz")[:100]
    labels = _read_idx_by_hand(FASHION_DIR / "train-labels-idx1-ubyte.gz")
    np.testing.assert_allclose(x[..., 0], raw.astype(np.float64) / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(y, labels[:100])
    # Fashion-MNIST's first training example is an ankle boot (class 9)
    assert labels[0] == 9 and y[0] == 9
    assert images.CLASS_NAMES["fashion_mnist"][int(y[0])] == "Ankle boot"
    # byte 0 -> -1 and byte 255 -> +1 exactly
    assert raw.min() == 0 and raw.max() == 255


def test_fashion_test_split_size():
    x, y = images.load_arrays("fashion_mnist", "test")
    assert x.shape == (10000, 28, 28, 1) and y.shape == (10000,)
    np.testing.assert_array_equal(np.bincount(y, minlength=10), np.full(10, 1000))


def test_fashion_missing_files_message(monkeypatch, tmp_path):
    monkeypatch.setattr(images, "_fashion_dirs", lambda data_dir: [tmp_path])
    with pytest.raises(FileNotFoundError, match=r"Fashion-MNIST files .* not found") as err:
        images.load_arrays("fashion_mnist", "train")
    msg = str(err.value)
    assert "train-images-idx3-ubyte.gz" in msg and "train-labels-idx1-ubyte.gz" in msg
    assert str(tmp_path) in msg
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte.gz"):
        images.load_arrays("fashion_mnist", "test")


def test_fashion_data_dir_takes_priority(tmp_path):
    fake = np.zeros((3, 28, 28), np.uint8)
    fake[0, 0, 0], fake[1, 5, 5], fake[2] = 255, 51, 127
    _write_idx_gz(tmp_path / "t10k-images-idx3-ubyte.gz", fake)
    _write_idx_gz(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([4, 1, 7]))
    x, y = images.load_arrays("fashion_mnist", "test", data_dir=tmp_path)
    assert x.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(y, [4, 1, 7])
    assert x[0, 0, 0, 0] == 1.0 and x[0, 1, 1, 0] == -1.0
    assert x[1, 5, 5, 0] == pytest.approx(51 / 127.5 - 1)
    np.testing.assert_allclose(x[2], 127 / 127.5 - 1, rtol=1e-6)


def test_fashion_env_root_is_searched(tmp_path, monkeypatch):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    _write_idx_gz(folder / "t10k-images-idx3-ubyte.gz", np.full((2, 28, 28), 255))
    _write_idx_gz(folder / "t10k-labels-idx1-ubyte.gz", np.array([2, 3]))
    monkeypatch.setenv("GAN_TF_DATA", str(tmp_path))
    x, y = images.load_arrays("fashion_mnist", "test")
    assert x.shape == (2, 28, 28, 1) and np.all(x == 1.0)
    np.testing.assert_array_equal(y, [2, 3])


def test_corrupt_idx_raises(tmp_path):
    bad = tmp_path / "t10k-images-idx3-ubyte.gz"
    with gzip.open(bad, "wb") as f:  # dtype code 0x0D (float) is not unsigned bytes
        f.write(struct.pack(">HBB", 0, 0x0D, 1) + struct.pack(">I", 2) + b"\0" * 8)
    _write_idx_gz(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([0, 1]))
    with pytest.raises(ValueError, match="unsigned-byte"):
        images.load_arrays("fashion_mnist", "test", data_dir=tmp_path)
    short = np.zeros((2, 2), np.uint8)
    with gzip.open(bad, "wb") as f:  # header says 3x2 but only 4 bytes follow
        f.write(struct.pack(">HBB", 0, 0x08, 2) + struct.pack(">II", 3, 2) + short.tobytes())
    with pytest.raises(ValueError, match="expected 6"):
        images.load_arrays("fashion_mnist", "test", data_dir=tmp_path)


# -- tf.data ---------------------------------------------------------------------------------

def test_load_images_batches():
    ds = images.load_images("fashion_mnist", "test", batch_size=32, limit=100, seed=0)
    assert isinstance(ds, tf.data.Dataset)
    batches = list(ds)
    assert [b.shape[0] for b in batches] == [32, 32, 32, 4]
    for b in batches:
        assert b.dtype == tf.float32 and b.shape[1:] == (28, 28, 1)
    allx = np.concatenate([b.numpy() for b in batches])
    ref, _ = images.load_arrays("fashion_mnist", "test", limit=100)
    # a permutation of exactly the first 100 images
    np.testing.assert_allclose(np.sort(allx.reshape(100, -1).sum(1)),
                               np.sort(ref.reshape(100, -1).sum(1)), rtol=1e-5)
    assert ds.reduce(0, lambda n, b: n + tf.shape(b)[0]).numpy() == 100
    dropped = images.load_images("fashion_mnist", "test", batch_size=32, limit=100,
                                 drop_remainder=True)
    assert [b.shape[0] for b in dropped] == [32, 32, 32]


def test_load_images_with_labels_are_paired():
    ref_x, ref_y = images.load_arrays("fashion_mnist", "test", limit=64)
    ds = images.load_images("fashion_mnist", "test", batch_size=16, limit=64,
                            with_labels=True, seed=1)
    seen = 0
    flat_ref = ref_x.reshape(64, -1)
    for xb, yb in ds:
        assert xb.shape == (16, 28, 28, 1) and yb.shape == (16,)
        assert yb.dtype == tf.int64
        for img, lab in zip(xb.numpy().reshape(16, -1), yb.numpy()):
            idx = np.flatnonzero(np.all(flat_ref == img, axis=1))
            assert len(idx) >= 1
            assert lab in ref_y[idx]
            seen += 1
    assert seen == 64


def test_load_images_deterministic_and_reshuffled():
    kw = dict(split="test", batch_size=50, limit=200, seed=0)
    a = images.load_images("fashion_mnist", **kw)
    b = images.load_images("fashion_mnist", **kw)
    first_a = next(iter(a)).numpy()
    np.testing.assert_array_equal(first_a, next(iter(b)).numpy())
    second_epoch = next(iter(a)).numpy()
    assert not np.array_equal(first_a, second_epoch)
    other_seed = next(iter(images.load_images("fashion_mnist", split="test", batch_size=50,
                                              limit=200, seed=1))).numpy()
    assert not np.array_equal(first_a, other_seed)
    unshuffled = next(iter(images.load_images("fashion_mnist", split="test", batch_size=50,
                                              limit=200, shuffle=False))).numpy()
    ref, _ = images.load_arrays("fashion_mnist", "test", limit=50)
    np.testing.assert_array_equal(unshuffled, ref)


def test_image_size_resizes_within_range():
    x, _ = images.load_arrays("fashion_mnist", "test", limit=8, image_size=(32, 32))
    assert x.shape == (8, 32, 32, 1) and x.dtype == np.float32
    assert x.min() >= -1.0 and x.max() <= 1.0
    ds = images.load_images("fashion_mnist", "test", batch_size=4, limit=8,
                            image_size=(32, 32))
    assert next(iter(ds)).shape == (4, 32, 32, 1)
    # a constant image stays constant under bilinear resize
    small, _ = images.load_arrays("fashion_mnist", "test", limit=8, image_size=(14, 14))
    ref, _ = images.load_arrays("fashion_mnist", "test", limit=8)
    assert small.shape == (8, 14, 14, 1)
    assert abs(small.mean() - ref.mean()) < 0.02


@pytest.mark.parametrize("kwargs,message", [
    (dict(split="valid"), r"unknown split 'valid'; expected one of \('train', 'test'\)"),
    (dict(split="Train"), r"unknown split 'Train'"),
    (dict(limit=0), r"limit must be a positive int or None, got 0"),
    (dict(limit=-3), r"limit must be a positive int or None, got -3"),
    (dict(limit=2.5), r"limit must be a positive int or None, got 2.5"),
    (dict(limit="10"), r"limit must be a positive int or None, got '10'"),
    (dict(limit=4, image_size=(32,)), r"image_size must be \(height, width\), got \(32,\)"),
    (dict(limit=4, image_size=(0, 32)), r"image_size must be \(height, width\), got \(0, 32\)"),
    (dict(limit=4, image_size=(32, 32, 1)), r"image_size must be \(height, width\), got \(32, 32, 1\)"),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        images.load_arrays("fashion_mnist", **{"split": "test", **kwargs})


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, None])
def test_bad_batch_size_raises(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        images.load_images("fashion_mnist", "test", batch_size=batch_size, limit=4)


def test_unknown_name_lists_known():
    with pytest.raises(ValueError, match="unknown data set 'cifar11'") as err:
        images.load_images("cifar11")
    msg = str(err.value)
    assert "cifar11" in msg and "fashion_mnist" in msg and "digits" in msg and "mnist" in msg
    for bad, message in (("tfds:", "unknown data set 'tfds:'"),
                         (7, "data set name must be a string, got 7"),
                         (None, "data set name must be a string, got None")):
        with pytest.raises(ValueError, match=message):
            images.load_arrays(bad)


# -- digits --------------------------------------------------------------------------------

def test_digits():
    from sklearn.datasets import load_digits

    xtr, ytr = images.load_arrays("digits", "train")
    xte, yte = images.load_arrays("digits", "test")
    assert xtr.shape[1:] == (8, 8, 1) and xte.shape[1:] == (8, 8, 1)
    assert len(xtr) + len(xte) == 1797 and len(ytr) + len(yte) == 1797
    assert len(xtr) == 1437
    for x in (xtr, xte):
        assert x.dtype == np.float32 and x.min() >= -1.0 and x.max() <= 1.0
    assert xtr.min() == -1.0 and xtr.max() == 1.0
    bunch = load_digits()
    # sklearn's 0..16 intensities -> 0..255 bytes -> [-1, 1]
    expected = np.round(bunch.images[0] * 255 / 16) / 127.5 - 1
    np.testing.assert_allclose(xtr[0, ..., 0], expected, atol=1e-6)
    np.testing.assert_array_equal(np.concatenate([ytr, yte]), bunch.target)


# -- MNIST (offline behaviour) ----------------------------------------------------------------

def _isolate_mnist(monkeypatch, tmp_path):
    data_root = tmp_path / "data_root"
    data_root.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("GAN_TF_DATA", str(data_root))
    monkeypatch.setattr(pathlib.Path, "home", classmethod(lambda cls: home))
    calls = []

    def no_network(target):
        calls.append(target)
        raise OSError("network unreachable")

    monkeypatch.setattr(images, "_download_mnist", no_network)
    return data_root, home, calls


def test_mnist_offline_raises_helpful_error(monkeypatch, tmp_path):
    data_root, home, calls = _isolate_mnist(monkeypatch, tmp_path)
    with pytest.raises(FileNotFoundError, match="MNIST is not available offline") as err:
        images.load_images("mnist")
    msg = str(err.value)
    assert "mnist.npz" in msg and "fashion_mnist" in msg
    assert "OSError" in msg and "network unreachable" in msg
    assert str(data_root / "cache") in msg
    assert len(calls) == 1 and calls[0] == data_root / "cache" / "mnist.npz"
    assert isinstance(err.value.__cause__, OSError)


def test_mnist_from_data_dir(monkeypatch, tmp_path):
    _, _, calls = _isolate_mnist(monkeypatch, tmp_path)
    folder = tmp_path / "mnist_here"
    folder.mkdir()
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    x_train[0, 0, 0], x_train[0, 0, 1] = 0, 255
    x_test = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    np.savez(folder / "mnist.npz", x_train=x_train, y_train=np.array([5, 0, 4, 1, 9], np.uint8),
             x_test=x_test, y_test=np.array([7, 2, 1], np.uint8))
    x, y = images.load_arrays("mnist", data_dir=folder)
    assert x.shape == (5, 28, 28, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[..., 0], x_train / 127.5 - 1.0, atol=1e-6)
    assert x.min() == -1.0 and x.max() == 1.0
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, [5, 0, 4, 1, 9])
    xt, yt = images.load_arrays("mnist", "test", data_dir=folder, limit=2)
    assert xt.shape == (2, 28, 28, 1)
    np.testing.assert_array_equal(yt, [7, 2])
    assert calls == []  # found locally: no download attempted


def test_mnist_found_in_cache_dir(monkeypatch, tmp_path):
    data_root, _, calls = _isolate_mnist(monkeypatch, tmp_path)
    (data_root / "cache").mkdir()
    x_train = np.full((2, 28, 28), 255, np.uint8)
    np.savez(data_root / "cache" / "mnist.npz", x_train=x_train, y_train=np.array([3, 4]),
             x_test=x_train[:1], y_test=np.array([8]))
    x, y = images.load_arrays("mnist")
    assert x.shape == (2, 28, 28, 1) and np.all(x == 1.0)
    np.testing.assert_array_equal(y, [3, 4])
    assert calls == []


def test_tfds_without_package_or_data_raises(tmp_path):
    try:
        import tensorflow_datasets  # noqa: F401
        expected = FileNotFoundError
    except ImportError:
        expected = ImportError
    with pytest.raises(expected, match="fashion_mnist"):
        images.load_arrays("tfds:definitely_not_a_dataset", data_dir=str(tmp_path))


# -- toy distributions ---------------------------------------------------------------------

def test_gaussian1d_moments_and_pdf():
    g = toy.Gaussian1D(3.0, 0.5)
    s = g.sample(100_000, seed=0)
    assert s.shape == (100_000, 1)
    assert abs(s.mean() - 3.0) < 0.01
    assert abs(s.std() - 0.5) < 0.01
    x = np.linspace(-2.0, 8.0, 10_001)
    dens = g.pdf(x)
    integral = float(((dens[1:] + dens[:-1]) / 2 * np.diff(x)).sum())
    assert integral == pytest.approx(1.0, abs=1e-6)
    assert g.pdf(3.0) == pytest.approx(1 / (0.5 * math.sqrt(2 * math.pi)))
    np.testing.assert_allclose(g.centres, [[3.0]])
    np.testing.assert_array_equal(g.sample(10, seed=4), g.sample(10, seed=4))
    with pytest.raises(ValueError, match="std"):
        toy.Gaussian1D(0.0, 0.0)


def test_ring_of_gaussians():
    ring = toy.ring_of_gaussians()
    c = ring.centres
    assert c.shape == (8, 2) and ring.n_modes == 8 and ring.std == 0.02
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), np.full(8, 2.0), rtol=1e-12)
    angles = np.sort(np.mod(np.arctan2(c[:, 1], c[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), np.full(7, 2 * np.pi / 8), atol=1e-12)
    np.testing.assert_allclose(angles[0], 0.0, atol=1e-12)
    x, modes = ring.sample(8000, seed=0, return_modes=True)
    assert x.shape == (8000, 2) and modes.shape == (8000,)
    dist = np.linalg.norm(x - c[modes], axis=1)
    assert dist.max() < 5 * ring.std
    counts = np.bincount(modes, minlength=8)
    assert np.all(counts > 0)
    assert counts.min() > 850 and counts.max() < 1150  # 1000 +- ~5 sigma
    # the nearest centre of each sample is its mode
    nearest = np.argmin(((x[:, None] - c[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(nearest, modes)


def test_grid_of_gaussians_centres():
    grid = toy.grid_of_gaussians()
    assert grid.centres.shape == (25, 2)
    got = {tuple(p) for p in grid.centres.tolist()}
    want = {(float(a), float(b)) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert got == want


def test_mixture_pdf_integrates_to_one():
    grid = toy.grid_of_gaussians(std=0.3)
    t = np.linspace(-7.0, 7.0, 281)  # step 0.05
    xx, yy = np.meshgrid(t, t, indexing="ij")
    dens = grid.pdf(np.stack([xx.ravel(), yy.ravel()], 1)).reshape(xx.shape)
    step = t[1] - t[0]
    assert dens.sum() * step * step == pytest.approx(1.0, abs=1e-3)
    # at a centre the density is (1/25) * 1/(2 pi s^2) plus negligible neighbours
    at_centre = grid.pdf(np.array([[0.0, 0.0]]))[0]
    assert at_centre == pytest.approx(1 / 25 / (2 * math.pi * 0.09), rel=1e-4)


def test_mixture_validation():
    with pytest.raises(ValueError, match=r"centres must have shape \(k, 2\), got \(3, 3\)"):
        toy.GaussianMixture2D(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="std must be positive, got 0.0"):
        toy.GaussianMixture2D(np.zeros((3, 2)), std=0.0)
    with pytest.raises(ValueError, match="n_modes must be >= 1, got 0"):
        toy.ring_of_gaussians(n_modes=0)
    with pytest.raises(ValueError, match="size must be >= 1, got 0"):
        toy.grid_of_gaussians(size=0)


def test_swiss_roll():
    roll = toy.SwissRoll()
    a = roll.sample(500, seed=3)
    assert a.shape == (500, 2)
    np.testing.assert_array_equal(a, roll.sample(500, seed=3))
    assert not np.array_equal(a, roll.sample(500, seed=4))
    assert roll.centres is None
    # without noise the radius equals scale * t with t in [1.5 pi, 4.5 pi]
    clean = toy.SwissRoll(noise=0.0).sample(1000, seed=0)
    r = np.linalg.norm(clean, axis=1) / 0.2
    assert r.min() >= 1.5 * np.pi - 1e-9 and r.max() <= 4.5 * np.pi + 1e-9


@pytest.mark.parametrize("dist,d", [(toy.Gaussian1D(), 1), (toy.ring_of_gaussians(), 2),
                                    (toy.SwissRoll(), 2)])
def test_toy_dataset(dist, d):
    ds = dist.dataset(n=1000, batch_size=100, seed=0)
    batches = list(ds)
    assert len(batches) == 10
    for b in batches:
        assert b.dtype == tf.float32 and b.shape == (100, d)
    stacked = np.concatenate([b.numpy() for b in batches])
    ref = dist.sample(1000, seed=0).astype(np.float32)
    np.testing.assert_allclose(np.sort(stacked, axis=0), np.sort(ref, axis=0))


@pytest.mark.parametrize("n", [0, -5, 2.5, "10", None])
def test_toy_invalid_n(n):
    for dist in (toy.Gaussian1D(), toy.ring_of_gaussians(), toy.SwissRoll()):
        with pytest.raises(ValueError, match="n must"):
            dist.sample(n, seed=0)


# -- config --------------------------------------------------------------------------------

def test_profile_default_and_env(monkeypatch):
    monkeypatch.delenv("GAN_TF_PROFILE", raising=False)
    assert config.profile().name == "quick"
    for name in ("smoke", "full", "quick"):
        monkeypatch.setenv("GAN_TF_PROFILE", name)
        assert config.profile().name == name
    monkeypatch.setenv("GAN_TF_PROFILE", "  smoke ")
    assert config.profile().is_smoke
    monkeypatch.setenv("GAN_TF_PROFILE", "")
    assert config.profile().name == "quick"
    # an explicit name wins over the environment
    monkeypatch.setenv("GAN_TF_PROFILE", "full")
    assert config.profile("smoke").name == "smoke"


def test_pick(monkeypatch):
    assert config.profile("smoke").pick(1, 2, 3) == 1
    assert config.profile("quick").pick(1, 2, 3) == 2
    assert config.profile("full").pick(1, 2, 3) == 3
    assert str(config.profile("full")) == "full"
    assert not config.profile("quick").is_smoke


def test_unknown_profile_raises(monkeypatch):
    monkeypatch.setenv("GAN_TF_PROFILE", "fast")
    with pytest.raises(ValueError, match=r"unknown profile 'fast' \(from \$GAN_TF_PROFILE\)") as err:
        config.profile()
    msg = str(err.value)
    assert "fast" in msg and "smoke" in msg and "quick" in msg and "full" in msg
    assert "GAN_TF_PROFILE" in msg
    monkeypatch.delenv("GAN_TF_PROFILE")
    with pytest.raises(ValueError, match="smoke, quick, full"):
        config.profile("fast")
    with pytest.raises(ValueError, match="unknown profile 'fast'; expected one of smoke, quick, full"):
        config.Profile("fast")


def test_unknown_explicit_profile_does_not_blame_env(monkeypatch):
    monkeypatch.delenv("GAN_TF_PROFILE", raising=False)
    with pytest.raises(ValueError, match="unknown profile 'fast';") as err:
        config.profile("fast")
    assert "GAN_TF_PROFILE" not in str(err.value)


def test_output_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_TF_OUTPUTS", str(tmp_path))
    path = config.output_dir("run")
    assert path == tmp_path.resolve() / "run"
    assert path.is_dir()
    assert config.output_dir("run") == path  # idempotent
    for bad in ("a/b", "", "a\\b", ".", "..", None, 3):
        with pytest.raises(ValueError, match=r"run_name must be a (non-empty|real) folder name"):
            config.output_dir(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_data_roots_and_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_TF_DATA", str(tmp_path))
    roots = config.data_roots()
    assert roots[0] == tmp_path.resolve()
    assert roots[1] == FASHION_DIR.parent
    assert config.cache_dir() == tmp_path.resolve() / "cache"
    monkeypatch.delenv("GAN_TF_DATA")
    assert config.data_roots() == [FASHION_DIR.parent]


def test_set_seed_makes_draws_repeatable():
    assert config.set_seed(3) == 3
    a_np, a_tf = np.random.rand(4), tf.random.uniform((4,)).numpy()
    config.set_seed(3)
    b_np, b_tf = np.random.rand(4), tf.random.uniform((4,)).numpy()
    np.testing.assert_array_equal(a_np, b_np)
    np.testing.assert_array_equal(a_tf, b_tf)
    config.set_seed(4)
    assert not np.array_equal(np.random.rand(4), a_np)
    for bad in (-1, 1.5, "3"):
        with pytest.raises(ValueError, match=f"seed must be a non-negative int, got {bad!r}"):
            config.set_seed(bad)
    assert os.environ.get("GAN_TF_OUTPUTS")  # conftest isolation still active


@pytest.mark.parametrize("kwargs,message", [
    ({"limit": True}, "limit must be a positive int or None, got True"),
    ({"image_size": 32}, r"image_size must be \(height, width\), got 32")])
def test_bool_limit_and_bare_int_image_size_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        images.load_arrays("digits", **kwargs)


def test_epoch_variable_is_found_through_transforms():
    x = np.arange(10, dtype=np.float32)[:, None]
    ds = images.to_dataset(x, batch_size=4, resumable=True)
    variable = images.epoch_variable(ds)
    assert variable is not None and int(variable.numpy()) == 0
    derived = ds.map(lambda b: b + 1).repeat().take(6).prefetch(1).with_options(tf.data.Options())
    assert images.epoch_variable(derived) is variable
    assert images.epoch_variable(tf.data.Dataset.zip((ds.unbatch().batch(2), ds))) is variable
    assert images.epoch_variable(images.to_dataset(x, batch_size=4).repeat()) is None
    # the derived dataset reads epoch 3's order once the counter says 3
    reference = [b.numpy() for b in images.to_dataset(x, batch_size=4, resumable=True)
                 .repeat(4)][-3:]
    variable.assign(3)
    for got, want in zip(ds.map(lambda b: b + 1), reference):
        np.testing.assert_array_equal(got.numpy(), want + 1)
