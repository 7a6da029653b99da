"""mode_coverage: the VEEGAN/PacGAN protocol on mixtures with known answers."""

import math

import numpy as np
import pytest

from gan_tf.data import toy
from gan_tf.metrics import mode_coverage


def test_true_mixture_captures_every_mode_with_almost_all_samples_high_quality():
    for mix in (toy.benchmark_ring(), toy.benchmark_grid()):
        x = mix.sample(2500, seed=0)
        r = mode_coverage(x, mix.centres, mix.std)
        assert r["modes"] == mix.n_modes
        # P(|N(0, I_2)| < 3) = 1 - exp(-9/2) = 0.98889
        assert r["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.006)
        assert r["reverse_kl"] < 0.02


def test_collapsed_generator_on_one_mode():
    ring = toy.benchmark_ring()
    x = ring.centres[3] + np.random.default_rng(0).normal(0, 0.005, size=(2500, 2))
    r = mode_coverage(x, ring.centres, ring.std)
    assert r["modes"] == 1 and r["high_quality"] == 1.0
    assert r["counts"][3] == 2500 and r["counts"].sum() == 2500
    # KL(delta_j || uniform over 8) = log 8
    assert r["reverse_kl"] == pytest.approx(math.log(8), abs=1e-12)


def test_exact_counts_on_hand_placed_points():
    centres = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    std = 0.1  # high quality within 0.3
    x = np.array([[0.05, 0.0],   # mode 0, good
                  [0.0, 0.29],   # mode 0, good (0.29 < 0.3)
                  [1.2, 0.0],    # mode 1, good
                  [0.5, 0.5],    # equidistant, far: not good
                  [0.0, 0.65],   # nearest mode 2 at 0.35: not good
                  [1.0, 1.0]])   # mode 3, good
    r = mode_coverage(x, centres, std)
    np.testing.assert_array_equal(r["counts"], [2, 1, 0, 1])
    assert r["modes"] == 3 and r["n_modes"] == 4
    assert r["high_quality"] == pytest.approx(4 / 6)
    q = np.array([2, 1, 1]) / 4
    assert r["reverse_kl"] == pytest.approx(float(np.sum(q * np.log(q * 4))), abs=1e-12)
    # a mode needs min_count high-quality samples to count as captured
    assert mode_coverage(x, centres, std, min_count=2)["modes"] == 1
    # a wider threshold admits the point 0.35 from mode 2
    assert mode_coverage(x, centres, std, threshold=4.0)["modes"] == 4


def test_no_high_quality_sample_gives_zero_modes_and_infinite_kl():
    grid = toy.benchmark_grid()
    x = np.full((10, 2), 1.0)  # midway between four centres, 1.41 away
    r = mode_coverage(x, grid.centres, grid.std)
    assert r["modes"] == 0 and r["high_quality"] == 0.0 and math.isinf(r["reverse_kl"])


def test_uniform_spread_without_quality_on_the_grid():
    # samples uniform over the square: few land within 0.15 of a centre
    grid = toy.benchmark_grid()
    x = np.random.default_rng(1).uniform(-5, 5, size=(2500, 2))
    r = mode_coverage(x, grid.centres, grid.std)
    area = 25 * math.pi * 0.15**2 / 100.0  # fraction of the square inside the 25 discs
    assert r["high_quality"] == pytest.approx(area, abs=0.015)


def test_benchmark_mixtures_follow_the_published_protocol():
    ring, grid = toy.benchmark_ring(), toy.benchmark_grid()
    assert ring.std == 0.01 and grid.std == 0.05
    np.testing.assert_allclose(np.linalg.norm(ring.centres, axis=1), 1.0)
    assert {tuple(p) for p in grid.centres.tolist()} == {
        (float(a), float(b)) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}


def test_validation():
    c = np.zeros((3, 2))
    with pytest.raises(ValueError, match="samples"):
        mode_coverage(np.zeros(5), c, 0.1)
    with pytest.raises(ValueError, match="centres"):
        mode_coverage(np.zeros((5, 2)), np.zeros((3, 3)), 0.1)
    with pytest.raises(ValueError, match="std"):
        mode_coverage(np.zeros((5, 2)), c, 0.0)
    with pytest.raises(ValueError, match="NaN"):
        mode_coverage(np.full((5, 2), np.nan), c, 0.1)
    with pytest.raises(ValueError, match="weights"):
        mode_coverage(np.zeros((5, 2)), c, 0.1, weights=[1, 1])
