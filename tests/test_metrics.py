"""gan_tf.metrics: FID, KID, IS, precision/recall, coverage and memorisation against known
answers; the shipped classifier's hash and accuracy; evaluate() on real data and noise."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from gan_tf import metrics
from gan_tf.data import load_arrays
from gan_tf.metrics import features as F


@pytest.fixture(scope="module")
def fashion_test():
    return load_arrays("fashion_mnist", "test")


# -- FID --------------------------------------------------------------------------------------

def test_fid_of_a_set_with_itself_is_zero():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2000, 64)) @ rng.standard_normal((64, 64))
    assert abs(metrics.frechet_distance(x, x)) < 1e-6


def test_fid_matches_closed_form_for_gaussians():
    # N(mu_a, diag va) vs N(mu_b, diag vb): the covariances commute, so the Frechet
    # distance is |mu_a - mu_b|^2 + sum (sqrt(va) - sqrt(vb))^2 = 1.25 + 0.8790... = 2.1290.
    mu_a, mu_b = np.zeros(4), np.array([1.0, 0.5, 0.0, 0.0])
    va, vb = np.array([1.0, 2.0, 0.5, 1.0]), np.array([2.0, 1.0, 0.5, 3.0])
    exact = np.sum((mu_a - mu_b) ** 2) + np.sum((np.sqrt(va) - np.sqrt(vb)) ** 2)
    assert metrics.frechet_distance_gaussians(mu_a, np.diag(va), mu_b, np.diag(vb)) \
        == pytest.approx(exact, abs=1e-10)
    rng = np.random.default_rng(0)
    n = 100_000
    a = mu_a + rng.standard_normal((n, 4)) * np.sqrt(va)
    b = mu_b + rng.standard_normal((n, 4)) * np.sqrt(vb)
    # Over 10 seeds at n=100,000 the estimate had bias +0.003 and std 0.013: 0.06 is > 4 std.
    assert metrics.frechet_distance(a, b) == pytest.approx(exact, abs=0.06)


def test_frechet_distance_is_symmetric_and_handles_singular_covariances():
    rng = np.random.default_rng(1)
    m = rng.standard_normal((5, 5))
    cov_a, cov_b = m @ m.T + 0.1 * np.eye(5), np.diag([1.0, 2.0, 3.0, 0.5, 0.1])
    mu_a, mu_b = rng.standard_normal(5), rng.standard_normal(5)
    ab = metrics.frechet_distance_gaussians(mu_a, cov_a, mu_b, cov_b)
    ba = metrics.frechet_distance_gaussians(mu_b, cov_b, mu_a, cov_a)
    assert ab == pytest.approx(ba, rel=1e-9)
    assert ab > 0
    # rank-deficient covariances (fewer samples than dimensions) stay finite
    x, y = rng.standard_normal((5, 20)), rng.standard_normal((5, 20))
    assert np.isfinite(metrics.frechet_distance(x, y))


def test_fid_of_few_small_features_is_finite_and_matches_the_eigenvalue_form():
    # 16 samples of 128 features from an untrained scene classifier (the text-to-image
    # benchmark's smoke test): rank-15 covariances with entries near 0.01, for which
    # scipy's sqrtm(cov_a @ cov_b) came back with an imaginary part of 0.0026 and FID raised
    # "not positive semi-definite". Tr (A B)^(1/2) equals the sum of the square roots of the
    # eigenvalues of A^(1/2) B A^(1/2), symmetric and PSD: the reference below.
    d = np.load(Path(__file__).parent / "data" / "fid_rank_deficient.npz")
    a, b = d["a"].astype(np.float64), d["b"].astype(np.float64)
    fid = metrics.frechet_distance(a, b)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(ca)
    half = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    root = np.sqrt(np.clip(np.linalg.eigvalsh(half @ cb @ half), 0, None)).sum()
    mean = a.mean(0) - b.mean(0)
    expected = mean @ mean + np.trace(ca) + np.trace(cb) - 2 * root
    assert np.isfinite(fid) and fid >= 0
    assert fid == pytest.approx(expected, rel=1e-6)


def test_fid_gaussians_rejects_a_covariance_that_is_not_positive_semi_definite():
    with pytest.raises(ValueError, match="not positive semi-definite"):
        metrics.frechet_distance_gaussians(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2),
                                           np.eye(2))


def test_fid_rejects_bad_input():
    with pytest.raises(ValueError, match="same feature dimension"):
        metrics.frechet_distance(np.zeros((10, 3)), np.zeros((10, 4)))
    with pytest.raises(ValueError, match=r"2-D array \(n, d\) with n >= 2"):
        metrics.frechet_distance(np.zeros((1, 3)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match="NaN"):
        metrics.frechet_distance(np.full((10, 3), np.nan), np.zeros((10, 3)))


# -- KID --------------------------------------------------------------------------------------

def test_kid_is_zero_for_one_distribution_and_positive_for_shifted():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2000, 16)), rng.standard_normal((2000, 16))
    mean, std = metrics.kernel_inception_distance(a, b, num_subsets=10, subset_size=1000)
    assert abs(mean) < 3 * std + 1e-3  # unbiased: centred on 0 (measured 0.00025 +- 0.0028)
    shifted, shifted_std = metrics.kernel_inception_distance(a, b + 0.5)
    assert shifted > 0.5 and shifted > 20 * shifted_std  # measured 1.06 +- 0.03


def test_kid_matches_hand_computed_mmd():
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[2.0, 0.0], [0.0, 0.0], [1.0, 2.0]])
    k = lambda u, v: (u @ v / 2 + 1) ** 3  # noqa: E731
    kxx = sum(k(x[i], x[j]) for i in range(3) for j in range(3) if i != j) / 6
    kyy = sum(k(y[i], y[j]) for i in range(3) for j in range(3) if i != j) / 6
    kxy = sum(k(x[i], y[j]) for i in range(3) for j in range(3)) / 9
    mean, std = metrics.kernel_inception_distance(x, y, num_subsets=3, subset_size=3)
    assert mean == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)  # every subset is the whole set


# -- Inception Score --------------------------------------------------------------------------

def test_inception_score_extremes():
    one_hot = np.tile(np.eye(10), (50, 1))  # every class once in each block of 10 rows
    mean, std = metrics.inception_score(one_hot, splits=10)
    assert mean == pytest.approx(10.0, rel=1e-12) and std == pytest.approx(0.0, abs=1e-12)
    same = np.tile([[0.7, 0.2, 0.1]], (100, 1))
    assert metrics.inception_score(same, splits=5)[0] == pytest.approx(1.0, rel=1e-12)
    # two equally frequent classes predicted with p=0.9: exp(KL(p||(0.5,0.5)))
    p = np.tile([[0.9, 0.1], [0.1, 0.9]], (50, 1))
    kl = 0.9 * np.log(0.9 / 0.5) + 0.1 * np.log(0.1 / 0.5)
    assert metrics.inception_score(p, splits=1)[0] == pytest.approx(np.exp(kl), rel=1e-12)
    with pytest.raises(ValueError, match="summing to 1"):
        metrics.inception_score(np.ones((10, 3)), splits=1)


# -- precision and recall ---------------------------------------------------------------------

def test_precision_recall_of_a_set_with_itself_is_exactly_one():
    x = np.random.default_rng(0).standard_normal((500, 8))
    assert metrics.precision_recall(x, x, k=3, chunk_size=64) == (1.0, 1.0)


def test_precision_recall_when_fakes_cover_one_of_two_clusters():
    rng = np.random.default_rng(0)
    real = np.concatenate([rng.standard_normal((500, 2)), 20 + rng.standard_normal((500, 2))])
    fake = rng.standard_normal((1000, 2))  # only the first cluster
    precision, recall = metrics.precision_recall(real, fake, k=3, chunk_size=100)
    assert precision > 0.95  # every fake lies on the real manifold (up to its rim)
    assert 0.4 < recall < 0.55  # half the reals are missed


def test_precision_recall_chunking_does_not_change_the_answer():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((300, 5)), 0.3 + rng.standard_normal((250, 5))
    assert metrics.precision_recall(a, b, chunk_size=7) == metrics.precision_recall(
        a, b, chunk_size=1000)


# -- class coverage and memorisation ----------------------------------------------------------

def test_class_coverage_on_a_known_histogram():
    labels = np.array([0] * 50 + [1] * 30 + [2] * 20 + [3] * 0)
    cov = metrics.class_coverage(labels, num_classes=4)
    np.testing.assert_allclose(cov["histogram"], [0.5, 0.3, 0.2, 0.0])
    np.testing.assert_array_equal(cov["counts"], [50, 30, 20, 0])
    assert cov["classes_covered"] == 3
    expected = 0.5 * np.log(0.5 * 4) + 0.3 * np.log(0.3 * 4) + 0.2 * np.log(0.2 * 4)
    assert cov["kl_to_uniform"] == pytest.approx(expected, rel=1e-12)
    # one stray sample in 1000 is below the 10%-of-uniform threshold (2.5% for 4 classes)
    stray = np.array([0] * 999 + [1])
    assert metrics.class_coverage(stray, 4)["classes_covered"] == 1
    assert metrics.class_coverage(stray, 4, threshold=0)["classes_covered"] == 2
    assert metrics.class_coverage(np.zeros(7, int), 4)["kl_to_uniform"] == \
        pytest.approx(np.log(4))
    with pytest.raises(ValueError, match=r"\[0, 3\]"):
        metrics.class_coverage(np.array([0, 4]), 4)


def test_memorisation_finds_the_exact_copy(fashion_test):
    train = fashion_test[0][:1000]
    rng = np.random.default_rng(0)
    samples = np.concatenate([train[[123, 7]], rng.uniform(-1, 1, (1, 28, 28, 1))])
    mem = metrics.memorisation(samples, train, batch_size=2)
    assert mem["index"][:2].tolist() == [123, 7]
    assert mem["distance"][0] == 0.0 and mem["distance"][1] == 0.0 and mem["min"] == 0.0
    brute = np.linalg.norm(train.reshape(1000, -1).astype(np.float64)
                           - samples[2].reshape(1, -1), axis=1)
    assert mem["index"][2] == np.argmin(brute)
    assert mem["distance"][2] == pytest.approx(brute.min(), rel=1e-12)
    assert mem["mean"] == pytest.approx(brute.min() / 3, rel=1e-12)


# -- the shipped classifier -------------------------------------------------------------------

def test_load_classifier_checks_the_sha256(monkeypatch, tmp_path):
    monkeypatch.setitem(F.SHIPPED_SHA256, "fashion_mnist", "0" * 64)
    with pytest.raises(ValueError, match="expected 0{64}, received [0-9a-f]{64}"):
        metrics.load_classifier("fashion_mnist")
    # without a pinned hash the .sha256 file next to the weights is the reference
    monkeypatch.setitem(F.SHIPPED_SHA256, "fashion_mnist", None)
    weights = F.classifier_weights_path("fashion_mnist")
    shutil.copy(weights, tmp_path / weights.name)
    (tmp_path / "fashion_mnist_classifier.sha256").write_text("f" * 64 + "  x\n")
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        metrics.load_classifier("fashion_mnist", models_dir=tmp_path)


def test_missing_weights_name_the_training_command(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match="python scripts/train_classifier.py --dataset digits"):
        metrics.load_classifier("digits", models_dir=tmp_path)
    with pytest.raises(ValueError, match="expected one of"):
        metrics.load_classifier("cifar10")


def test_shipped_classifier_accuracy(fashion_test):
    images, labels = fashion_test
    clf = metrics.load_classifier("fashion_mnist")
    logits = metrics.embed(clf, images, batch_size=1000)
    accuracy = np.mean(np.argmax(logits, 1) == labels)
    assert len(labels) == 10_000 and accuracy >= 0.90


def test_extractor_gives_128_features(fashion_test):
    ex = metrics.get_extractor("fashion_mnist", prefer_inception=False)
    feats = metrics.embed(ex, fashion_test[0][:10], batch_size=4)
    assert feats.shape == (10, 128) and feats.dtype == np.float64
    np.testing.assert_allclose(feats, metrics.embed(ex, fashion_test[0][:10], batch_size=10),
                               rtol=1e-5, atol=1e-6)  # batching does not change the features
    with pytest.raises(ValueError, match=r"expects images of shape \(n, 28, 28, 1\)"):
        metrics.embed(ex, np.zeros((2, 8, 8, 1)))


# -- InceptionV3: the offline fallback and the network itself (random weights) ----------------

@pytest.fixture
def fresh_inception():
    """``_inception_base`` tries once per process: forget its answer before and after."""
    F._inception_base.cache_clear()
    yield
    F._inception_base.cache_clear()


def _offline_inception(calls):
    def inception_v3(**kwargs):
        calls.append(kwargs)
        # what keras.utils.get_file raises when the download fails without a network
        raise Exception("URL fetch failure on https://storage.googleapis.com/tensorflow/"
                        f"keras-applications/inception_v3/{F._INCEPTION_NOTOP}: None -- "
                        "[Errno -3] Temporary failure in name resolution")
    return inception_v3


FALLBACK_WARNING = (r"InceptionV3 ImageNet weights could not be loaded; using the "
                    r"fashion_mnist classifier's features")


def test_inception_falls_back_to_the_classifier_when_the_download_fails(
        monkeypatch, fresh_inception, fashion_test, train_subset):
    import socket

    import keras

    calls = []
    monkeypatch.setattr(F, "_inception_weights_cached", lambda: True)  # past the probe
    monkeypatch.setattr(keras.applications, "InceptionV3", _offline_inception(calls))
    timeout = socket.getdefaulttimeout()
    assert metrics.inception_features_available() is False
    assert calls == [dict(weights="imagenet", include_top=False, pooling="avg")]
    assert socket.getdefaulttimeout() == timeout  # the 30 s download timeout is undone
    with pytest.raises(FileNotFoundError, match="InceptionV3 ImageNet weights could not be "
                                                "loaded .*prefer_inception=False"):
        F.inception_extractor((28, 28, 1))
    with pytest.warns(UserWarning, match=FALLBACK_WARNING):
        ex = metrics.get_extractor("fashion_mnist", prefer_inception=True)
    images = fashion_test[0][:40]
    np.testing.assert_array_equal(metrics.embed(ex, images[:8]),
                                  metrics.embed(metrics.feature_extractor("fashion_mnist"),
                                                images[:8]))
    args = dict(num_samples=20, real_images=images[20:], train_images=train_subset[:100])
    with pytest.warns(UserWarning, match=FALLBACK_WARNING):
        fallback = metrics.evaluate(_Replay(images[:20]), prefer_inception=True, **args)
    assert fallback == metrics.evaluate(_Replay(images[:20]), prefer_inception=False, **args)
    assert fallback["features"] == "fashion_mnist_classifier"
    assert len(calls) == 1  # the load is tried once per process


def test_inception_offline_probe_answers_without_trying_the_download(monkeypatch,
                                                                     fresh_inception):
    import keras

    calls = []
    monkeypatch.setattr(F, "_inception_weights_cached", lambda: False)
    monkeypatch.setattr(F, "_network_reachable", lambda: False)
    monkeypatch.setattr(keras.applications, "InceptionV3", _offline_inception(calls))
    assert metrics.inception_features_available() is False and calls == []
    # with the file cached the load is attempted (and here fails as offline)
    F._inception_base.cache_clear()
    monkeypatch.setattr(F, "_inception_weights_cached", lambda: True)
    assert metrics.inception_features_available() is False and len(calls) == 1


@pytest.fixture(scope="module")
def random_inception():
    """The Inception extractor for 28x28x1 images with random weights (no download)."""
    import keras

    keras.utils.set_random_seed(0)
    return F.inception_extractor((28, 28, 1), weights=None)


def test_inception_extractor_resizes_to_299_rgb_and_gives_2048_features(random_inception,
                                                                        fashion_test):
    import keras
    import tensorflow as tf

    ex = random_inception
    images = fashion_test[0][:4]
    assert float(images.min()) == -1.0 and float(images.max()) == 1.0
    preprocess = keras.Model(ex.input, ex.get_layer("grey_to_rgb").output)
    rgb = np.asarray(preprocess(images))
    assert rgb.shape == (4, 299, 299, 3)
    np.testing.assert_array_equal(rgb[..., 0], rgb[..., 1])
    np.testing.assert_array_equal(rgb[..., 0], rgb[..., 2])
    np.testing.assert_allclose(rgb[..., :1], tf.image.resize(images, (299, 299), "bilinear"),
                               atol=1e-6)
    # still in [-1, 1]: what inception_v3.preprocess_input makes of 0..255 pixels
    assert rgb.min() >= -1.0 and rgb.max() <= 1.0 and rgb.min() < -0.99 and rgb.max() > 0.99
    np.testing.assert_allclose(keras.applications.inception_v3.preprocess_input(
        (rgb + 1.0) * 127.5), rgb, atol=1e-5)
    np.testing.assert_array_equal(preprocess(np.full((1, 28, 28, 1), 0.25, np.float32)),
                                  np.full((1, 299, 299, 3), 0.25, np.float32))

    feats = metrics.embed(ex, images, batch_size=2)
    assert feats.shape == (4, 2048) and feats.dtype == np.float64
    assert np.all(feats >= 0) and np.all(np.isfinite(feats))  # average pool of ReLUs
    base = ex.get_layer("inception_v3")
    np.testing.assert_allclose(feats, np.asarray(base(rgb, training=False)), rtol=1e-4,
                               atol=1e-7)
    assert np.abs(feats[0] - feats[1]).max() > 1e-3 * np.abs(feats).max()
    with pytest.raises(ValueError, match=r"InceptionV3 needs 1 or 3 channels, got input_shape "
                                         r"\(28, 28, 2\)"):
        F.inception_extractor((28, 28, 2), weights=None)


def test_evaluate_uses_the_inception_extractor_when_it_loads(monkeypatch, fashion_test,
                                                             train_subset):
    """evaluate(prefer_inception=True) embeds both sets with inception_extractor; a small
    stand-in (a fixed random projection to 16 features) keeps it fast."""
    import keras

    keras.utils.set_random_seed(1)
    stand_in = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                 keras.layers.Dense(16, use_bias=False)])
    monkeypatch.setattr(F, "inception_features_available", lambda: True)
    monkeypatch.setattr(F, "inception_extractor", lambda shape: stand_in)
    images = fashion_test[0][:60]
    args = dict(num_samples=20, real_images=images[20:], train_images=train_subset[:100])
    with_inception = metrics.evaluate(_Replay(images[:20]), prefer_inception=True, **args)
    plain = metrics.evaluate(_Replay(images[:20]), prefer_inception=False, **args)
    assert with_inception["features"] == "inception_v3"
    fake, real = metrics.embed(stand_in, images[:20]), metrics.embed(stand_in, images[20:])
    assert with_inception["fid"] == pytest.approx(metrics.frechet_distance(real, fake),
                                                  rel=1e-9)
    assert with_inception["kid"] == pytest.approx(
        metrics.kernel_inception_distance(real, fake, seed=0)[0], rel=1e-9)
    assert with_inception["fid"] != pytest.approx(plain["fid"], rel=1e-3)
    # class predictions (IS, coverage) always come from the domain classifier
    for key in ("inception_score", "classes_covered", "class_kl", "nn_distance_mean"):
        assert with_inception[key] == plain[key]


def test_evaluate_inception_score_of_identical_predictions_is_one(fashion_test, train_subset):
    same = np.repeat(fashion_test[0][:1], 20, axis=0)
    result = metrics.evaluate(_Replay(same), num_samples=20, real_images=fashion_test[0][:40],
                              train_images=train_subset[:100])
    assert result["inception_score"] == pytest.approx(1.0, abs=1e-6)
    assert result["classes_covered"] == 1.0
    assert result["class_kl"] == pytest.approx(np.log(10), rel=1e-9)


@pytest.mark.slow
def test_inception_fid_on_random_weight_features(random_inception, fashion_test):
    """FID on 2048-d features: scipy's sqrtm of a 2048 x 2048 matrix took 96-139 s on the
    shared 2-core test machine, so this runs only with ``-m slow``."""
    feats = metrics.embed(random_inception, fashion_test[0][:8], batch_size=4)
    ab = metrics.frechet_distance(feats[:4], feats[4:])
    assert ab > 0  # random weights give small features: measured 2.5e-7 on uniform noise
    assert abs(metrics.frechet_distance(feats, feats)) < 1e-4 * ab
    assert metrics.frechet_distance(feats[4:], feats[:4]) == pytest.approx(ab, rel=1e-6)


# -- evaluate ---------------------------------------------------------------------------------

class _Replay:
    """A fake generator with the trainers' ``sample(n, seed)`` that returns given images."""

    def __init__(self, images):
        self.images = images

    def sample(self, n, seed=None):
        return self.images[:n]


@pytest.fixture(scope="module")
def train_subset():
    return load_arrays("fashion_mnist", "train", limit=5000)[0]


# FID between two disjoint random halves of the Fashion-MNIST test set, classifier features
# (trace of their covariance ~314): 0.86, 0.85, 0.89, 1.04, 1.22 over five splits; 10,000
# train vs 10,000 test images: 0.39; uniform noise: 252. Sampling noise stays below 2.
FID_REAL_MAX = 2.0


def test_evaluate_the_real_set_itself_is_perfect(fashion_test, train_subset):
    images = fashion_test[0][:2000]
    result = metrics.evaluate(_Replay(images), "fashion_mnist", num_samples=2000,
                              real_images=images, train_images=train_subset)
    assert abs(result["fid"]) < 1e-6
    assert result["precision"] == 1.0 and result["recall"] == 1.0


def test_evaluate_real_images_score_near_perfect(fashion_test, train_subset):
    images = fashion_test[0]
    result = metrics.evaluate(_Replay(images[5000:]), "fashion_mnist", num_samples=5000,
                              real_images=images[:5000], train_images=train_subset)
    assert set(result) == {"fid", "kid", "kid_std", "inception_score", "precision", "recall",
                           "classes_covered", "class_kl", "nn_distance_mean", "features"}
    assert result.pop("features") == "fashion_mnist_classifier"
    assert all(type(v) is float for v in result.values())
    # two disjoint halves of the test set: only sampling noise remains (see README numbers)
    assert result["fid"] < FID_REAL_MAX
    assert abs(result["kid"]) < 3 * result["kid_std"] + 1e-3
    # k=3 manifolds of 5,000 points miss the rims of each other: measured 0.83 / 0.83
    assert result["precision"] > 0.75 and result["recall"] > 0.75
    assert result["classes_covered"] == 10.0 and result["class_kl"] < 0.01
    assert result["inception_score"] > 8.0


def test_evaluate_noise_scores_badly(fashion_test, train_subset):
    noise = lambda n, seed: np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1))  # noqa
    result = metrics.evaluate(noise, "fashion_mnist", num_samples=1000,
                              real_images=fashion_test[0][:5000], train_images=train_subset)
    assert result["fid"] > 50 * FID_REAL_MAX  # measured 252
    # Noise features sit inside the large k-NN balls of outlying real images, so precision
    # stays ~0.56 (a known weakness of k-NN precision); recall shows the failure: 0.003.
    assert result["recall"] < 0.05
    assert result["classes_covered"] < 10.0 and result["class_kl"] > 0.5


def test_evaluate_rejects_bad_generators(fashion_test):
    real = fashion_test[0][:100]
    with pytest.raises(ValueError, match=r"must be in \[-1, 1\]"):
        metrics.evaluate(lambda n, seed: np.full((n, 28, 28, 1), 3.0), real_images=real,
                         num_samples=20)
    with pytest.raises(ValueError, match=r"expected images of shape \(28, 28, 1\), received"):
        metrics.evaluate(lambda n, seed: np.zeros((n, 8, 8, 1)), real_images=real,
                         num_samples=20)
    with pytest.raises(ValueError, match="expected 20 images, received 5"):
        metrics.evaluate(lambda n, seed: np.zeros((5, 28, 28, 1)), real_images=real,
                         num_samples=20)
    with pytest.raises(ValueError, match=r"\.sample\(n, seed=\.\.\.\)"):
        metrics.evaluate(42, real_images=real, num_samples=20)

