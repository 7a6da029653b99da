"""gan_tf.divergences: grid KL/JSD against closed forms, the optimal discriminator and
Goodfellow et al.'s Theorem 1."""

import math

import numpy as np
import pytest

from gan_tf import divergences as dv

X = np.linspace(-30.0, 30.0, 60001)  # dx = 1e-3


def _kl_gauss(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


def _pdf(m, s, x=X):
    return np.exp(-0.5 * ((x - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))


def test_gaussian_pdf_matches_formula_and_integrates_to_one():
    np.testing.assert_allclose(dv.gaussian_pdf(X, 1.0, 2.0), _pdf(1.0, 2.0), rtol=1e-12)
    assert dv.gaussian_pdf(0.0, 0.0, 1.0) == pytest.approx(1 / math.sqrt(2 * math.pi))
    assert dv.integrate(dv.gaussian_pdf(X, 1.0, 2.0), X) == pytest.approx(1.0, abs=1e-8)


def test_integrate_is_trapezoidal():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    f = np.array([1.0, 3.0, 2.0, 5.0])
    # (1+3)/2 + (3+2)/2 + (2+5)/2 = 8
    assert dv.integrate(f, x) == pytest.approx(8.0)
    fine = np.linspace(0, 1, 1001)
    assert dv.integrate(fine**2, fine) == pytest.approx(1 / 3, abs=1e-6)


@pytest.mark.parametrize("m1,s1,m2,s2", [
    (0.0, 1.0, 0.0, 1.0),
    (0.0, 1.0, 1.0, 1.0),
    (0.5, 0.7, -1.0, 1.5),
    (2.0, 2.0, 0.0, 1.0),
    (-1.0, 0.5, 3.0, 0.8),
])
def test_kl_of_gaussians_matches_closed_form(m1, s1, m2, s2):
    got = dv.kl_divergence(_pdf(m1, s1), _pdf(m2, s2), X)
    assert got == pytest.approx(_kl_gauss(m1, s1, m2, s2), abs=1e-4)


def test_kl_is_asymmetric():
    p, q = _pdf(0.0, 1.0), _pdf(0.0, 2.0)
    pq, qp = dv.kl_divergence(p, q, X), dv.kl_divergence(q, p, X)
    assert pq == pytest.approx(_kl_gauss(0, 1, 0, 2), abs=1e-4)  # log2 + 1/8 - 1/2 = 0.3181
    assert qp == pytest.approx(_kl_gauss(0, 2, 0, 1), abs=1e-4)  # -log2 + 2 - 1/2 = 0.8069
    assert abs(pq - qp) > 0.4


def test_kl_infinite_where_q_vanishes():
    x = np.linspace(0, 1, 11)
    p = np.ones(11)
    q = np.ones(11)
    q[5] = 0.0
    assert dv.kl_divergence(p, q, x) == float("inf")
    # but p == 0 where q == 0 is fine: 0 log 0 = 0
    p2 = p.copy()
    p2[5] = 0.0
    assert np.isfinite(dv.kl_divergence(p2, q, x))


def test_jsd_symmetric_zero_and_bounded():
    p, q = _pdf(0.0, 1.0), _pdf(1.5, 0.6)
    a, b = dv.js_divergence(p, q, X), dv.js_divergence(q, p, X)
    assert a == pytest.approx(b, abs=1e-12)
    assert 0.0 < a < math.log(2)
    assert dv.js_divergence(p, p, X) == pytest.approx(0.0, abs=1e-12)
    # far apart: the supports (numerically) do not overlap -> log 2
    far = dv.js_divergence(_pdf(-15.0, 1.0), _pdf(15.0, 1.0), X)
    assert far == pytest.approx(math.log(2), abs=1e-4)


def test_jsd_matches_its_definition_via_kl():
    p, q = _pdf(0.0, 1.0), _pdf(1.0, 2.0)
    m = 0.5 * (p + q)
    expected = 0.5 * dv.kl_divergence(p, m, X) + 0.5 * dv.kl_divergence(q, m, X)
    # and independently with plain numpy (trapezoid)
    integrand = 0.5 * p * np.log(p / m) + 0.5 * q * np.log(q / m)
    by_hand = np.trapezoid(integrand, X) if hasattr(np, "trapezoid") else np.trapz(integrand, X)
    assert dv.js_divergence(p, q, X) == pytest.approx(expected, abs=1e-12)
    assert dv.js_divergence(p, q, X) == pytest.approx(by_hand, abs=1e-10)


def test_optimal_discriminator():
    p = np.array([0.0, 0.2, 0.5, 1.0, 0.0, 3.0])
    q = np.array([0.0, 0.2, 1.5, 0.0, 2.0, 1.0])
    d = dv.optimal_discriminator(p, q)
    np.testing.assert_allclose(d, [0.5, 0.5, 0.25, 1.0, 0.0, 0.75])
    pg, qg = _pdf(0.0, 1.0), _pdf(1.0, 1.0)
    d = dv.optimal_discriminator(pg, qg)
    mask = (pg + qg) > 0
    np.testing.assert_allclose(d[mask], pg[mask] / (pg[mask] + qg[mask]), rtol=1e-12)
    np.testing.assert_array_equal(dv.optimal_discriminator(pg, pg), np.full_like(pg, 0.5))


@pytest.mark.parametrize("m2,s2", [(0.0, 1.0), (1.0, 1.0), (0.5, 2.0), (4.0, 0.5)])
def test_value_at_optimum_is_minus_log4_plus_2jsd(m2, s2):
    x = np.linspace(-15.0, 15.0, 30001)
    p, q = _pdf(0.0, 1.0, x), _pdf(m2, s2, x)
    d_star = dv.optimal_discriminator(p, q)
    value = dv.gan_value(d_star, p, q, x)
    assert value == pytest.approx(-math.log(4) + 2 * dv.js_divergence(p, q, x), abs=1e-4)
    # any other discriminator does worse (D* maximises V for fixed G)
    assert dv.gan_value(np.full_like(x, 0.5), p, q, x) <= value + 1e-12
    rng = np.random.default_rng(0)
    perturbed = np.clip(d_star + 0.05 * rng.uniform(-1, 1, size=x.shape), 1e-6, 1 - 1e-6)
    assert dv.gan_value(perturbed, p, q, x) < value
    assert dv.gan_value(np.clip(d_star * 0.9, 0, 1), p, q, x) < value


def test_gan_value_equal_densities_is_minus_log4():
    x = np.linspace(-10.0, 10.0, 20001)
    p = _pdf(0.0, 1.0, x)
    assert dv.gan_value(dv.optimal_discriminator(p, p), p, p, x) == \
        pytest.approx(-math.log(4), abs=1e-6)
    # constant D = 0.8: log 0.8 + log 0.2 (densities integrate to 1)
    assert dv.gan_value(np.full_like(x, 0.8), p, p, x) == \
        pytest.approx(math.log(0.8) + math.log(0.2), abs=1e-6)


def test_uneven_grid_raises():
    x = np.array([0.0, 1.0, 3.0, 4.0])
    p = np.ones(4)
    for fn in (lambda: dv.kl_divergence(p, p, x), lambda: dv.js_divergence(p, p, x),
               lambda: dv.integrate(p, x), lambda: dv.gan_value(p * 0.5, p, p, x)):
        with pytest.raises(ValueError, match="evenly"):
            fn()


def test_bad_inputs_raise():
    x = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="grid"):
        dv.kl_divergence(np.ones(1), np.ones(1), np.zeros(1))
    with pytest.raises(ValueError, match="grid"):
        dv.integrate(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        dv.kl_divergence(np.ones(4), np.ones(5), x)
    with pytest.raises(ValueError, match="non-negative"):
        dv.js_divergence(np.array([1, 1, -1, 1, 1.0]), np.ones(5), x)


# -- chapter 5: total variation and Wasserstein-1 ----------------------------------------------

def test_total_variation_known_values():
    x = np.linspace(0.0, 4.0, 40001)
    box = lambda lo, hi: ((x >= lo) & (x <= hi)).astype(float) / (hi - lo)
    # disjoint supports: TV = 1; identical: 0; half-overlapping unit boxes: 1/2
    assert dv.total_variation(box(0, 1), box(2, 3), x) == pytest.approx(1.0, abs=1e-3)
    assert dv.total_variation(box(0, 1), box(0, 1), x) == pytest.approx(0.0, abs=1e-12)
    assert dv.total_variation(box(0, 1), box(0.5, 1.5), x) == pytest.approx(0.5, abs=1e-3)
    # two Gaussians N(0, 1), N(d, 1): TV = 2 Phi(d / 2) - 1 = erf(d / (2 sqrt 2))
    for d in (0.5, 1.0, 3.0):
        got = dv.total_variation(_pdf(0.0, 1.0), _pdf(d, 1.0), X)
        assert got == pytest.approx(math.erf(d / (2 * math.sqrt(2))), abs=1e-6)
    assert dv.total_variation(_pdf(0.0, 1.0), _pdf(1.0, 2.0), X) == \
        pytest.approx(dv.total_variation(_pdf(1.0, 2.0), _pdf(0.0, 1.0), X), abs=1e-12)


def test_wasserstein_1d_known_values():
    assert dv.wasserstein_1d([0.0], [1.0]) == pytest.approx(1.0)
    assert dv.wasserstein_1d([0.0, 1.0], [0.0, 1.0]) == pytest.approx(0.0)
    # moving half the mass from 0 to 2: W1 = 1/2 * 2 = 1
    assert dv.wasserstein_1d([0.0, 0.0], [0.0, 2.0]) == pytest.approx(1.0)
    # unequal sizes: {0} against {0, 1} -> half the mass moves by 1
    assert dv.wasserstein_1d([0.0], [0.0, 1.0]) == pytest.approx(0.5)
    # a shift by theta costs exactly |theta|, whatever the samples
    u = np.random.default_rng(0).uniform(size=500)
    for theta in (-0.7, 0.0, 0.3, 2.0):
        assert dv.wasserstein_1d(u, u + theta) == pytest.approx(abs(theta), abs=1e-12)
    v = np.random.default_rng(1).normal(size=300)
    assert dv.wasserstein_1d(u, v) == pytest.approx(dv.wasserstein_1d(v, u), abs=1e-12)
    # against scipy's implementation
    from scipy.stats import wasserstein_distance
    assert dv.wasserstein_1d(u, v) == pytest.approx(wasserstein_distance(u, v), abs=1e-10)
    # (n, 1) columns are accepted
    assert dv.wasserstein_1d(u[:, None], v[:, None]) == pytest.approx(dv.wasserstein_1d(u, v))


def test_wasserstein_points_parallel_lines_and_known_values():
    # Arjovsky et al. Example 1: the same y's on x = 0 and x = theta -> exactly |theta|
    y = np.random.default_rng(0).uniform(size=(200, 1))
    for theta in (0.0, 0.25, -1.0):
        a = np.hstack([np.zeros_like(y), y])
        b = np.hstack([np.full_like(y, theta), y])
        assert dv.wasserstein_points(a, b) == pytest.approx(abs(theta), abs=1e-12)
    # two points swapped cost nothing; a 3-4-5 move costs 5
    assert dv.wasserstein_points([[0, 0], [1, 1]], [[1, 1], [0, 0]]) == pytest.approx(0.0)
    assert dv.wasserstein_points([[0, 0]], [[3, 4]]) == pytest.approx(5.0)
    # the optimal assignment beats the identity matching: {0, 10} vs {11, 1} on a line
    assert dv.wasserstein_points([[0.0], [10.0]], [[11.0], [1.0]]) == pytest.approx(1.0)
    # 1-D point clouds agree with the sorting formula
    rng = np.random.default_rng(2)
    u, v = rng.normal(size=(100, 1)), rng.uniform(size=(100, 1))
    assert dv.wasserstein_points(u, v) == pytest.approx(dv.wasserstein_1d(u, v), abs=1e-12)


def test_wasserstein_bad_inputs_raise():
    with pytest.raises(ValueError, match="same shape"):
        dv.wasserstein_points(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        dv.wasserstein_points(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="1-D"):
        dv.wasserstein_1d(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        dv.wasserstein_1d([0.0, np.nan], [1.0])
    with pytest.raises(ValueError, match="non-negative"):
        dv.total_variation(np.array([1, -1.0]), np.ones(2), np.array([0.0, 1.0]))
