"""gan_tf.losses: every family against numpy formulas on hand-picked logits, reductions,
patch logits, the registry, input checks, saturation and the Gaussian KL."""

import math

import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses

REAL = np.array([2.0, -1.0], dtype=np.float32)
FAKE = np.array([0.5, -3.0], dtype=np.float32)
RTOL = 1e-5
ATOL = 1e-6


def softplus(x):
    return np.log1p(np.exp(np.asarray(x, dtype=np.float64)))


def relu(x):
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


# Per-example expected values, written from the papers' formulas with plain numpy.
def _sig(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


EXPECTED_D = {
    # -log D(x) - log(1 - D(G(z)))
    "minimax": lambda r, f: -np.log(_sig(r)) - np.log(1.0 - _sig(f)),
    "nonsaturating": lambda r, f: -np.log(_sig(r)) - np.log(1.0 - _sig(f)),
    "wasserstein": lambda r, f: f - r,
    "least_squares": lambda r, f: 0.5 * (r - 1.0) ** 2 + 0.5 * (f - 0.0) ** 2,
    "hinge": lambda r, f: relu(1.0 - r) + relu(1.0 + f),
}
EXPECTED_G = {
    "minimax": lambda f: np.log(1.0 - _sig(f)),
    "nonsaturating": lambda f: -np.log(_sig(f)),
    "wasserstein": lambda f: -f,
    "least_squares": lambda f: 0.5 * (f - 1.0) ** 2,
    "hinge": lambda f: -f,
}
FAMILIES = sorted(EXPECTED_D)


def _np(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t, dtype=np.float64)


def test_hand_values_of_expected_formulas():
    # Anchor the numpy formulas themselves to a few numbers computed by hand.
    assert softplus(0.0) == pytest.approx(math.log(2.0))
    # minimax D loss on real=2, fake=0.5: softplus(-2) + softplus(0.5)
    assert EXPECTED_D["minimax"](2.0, 0.5) == pytest.approx(
        math.log(1 + math.exp(-2)) + math.log(1 + math.exp(0.5)))
    # hinge: relu(1 - 2) + relu(1 + 0.5) = 1.5 ; relu(1 + 1) + relu(1 - 3) = 2
    np.testing.assert_allclose(EXPECTED_D["hinge"](REAL, FAKE), [1.5, 2.0])
    # least squares: 0.5*1 + 0.5*0.25 = 0.625 ; 0.5*4 + 0.5*9 = 6.5
    np.testing.assert_allclose(EXPECTED_D["least_squares"](REAL, FAKE), [0.625, 6.5])


@pytest.mark.parametrize("family", FAMILIES)
def test_discriminator_loss_mean(family):
    d_loss, _ = losses.get(family)
    got = d_loss(REAL, FAKE)
    assert got.shape == ()
    expected = EXPECTED_D[family](REAL, FAKE).mean()
    np.testing.assert_allclose(_np(got), expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("family", FAMILIES)
def test_generator_loss_mean(family):
    _, g_loss = losses.get(family)
    got = g_loss(None, FAKE)
    assert got.shape == ()
    np.testing.assert_allclose(_np(got), EXPECTED_G[family](FAKE).mean(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("family", FAMILIES)
def test_generator_loss_ignores_real_logits(family):
    _, g_loss = losses.get(family)
    a = g_loss(None, FAKE)
    b = g_loss(np.array([100.0, -100.0], np.float32), FAKE)
    np.testing.assert_allclose(_np(a), _np(b), rtol=0, atol=0)


@pytest.mark.parametrize("family", FAMILIES)
def test_reduction_none_is_per_example(family):
    d_loss, g_loss = losses.get(family)
    d = d_loss(REAL, FAKE, reduction="none")
    g = g_loss(None, FAKE, reduction="none")
    assert d.shape == (2,) and g.shape == (2,)
    np.testing.assert_allclose(_np(d), EXPECTED_D[family](REAL, FAKE), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_np(g), EXPECTED_G[family](FAKE), rtol=RTOL, atol=ATOL)


def test_explicit_formula_values():
    # A few concrete numbers (not via the EXPECTED tables) to pin the sign conventions.
    np.testing.assert_allclose(
        _np(losses.wasserstein_discriminator_loss(REAL, FAKE)),
        ((0.5 - 2.0) + (-3.0 + 1.0)) / 2, rtol=RTOL)  # = -1.75
    np.testing.assert_allclose(_np(losses.hinge_discriminator_loss(REAL, FAKE)), 1.75, rtol=RTOL)
    np.testing.assert_allclose(_np(losses.least_squares_generator_loss(None, FAKE)),
                               (0.5 * 0.25 + 0.5 * 16.0) / 2, rtol=RTOL)  # 4.0625
    np.testing.assert_allclose(
        _np(losses.nonsaturating_generator_loss(None, FAKE, reduction="none")),
        [math.log(1 + math.exp(-0.5)), math.log(1 + math.exp(3.0))], rtol=RTOL)
    np.testing.assert_allclose(
        _np(losses.minimax_generator_loss(None, FAKE, reduction="none")),
        [-math.log(1 + math.exp(0.5)), -math.log(1 + math.exp(-3.0))], rtol=RTOL)


def test_least_squares_custom_targets():
    # a=-1, b=1 (the other LSGAN setting), c=0
    got = losses.least_squares_discriminator_loss(REAL, FAKE, reduction="none", a=-1.0, b=1.0)
    exp = 0.5 * (REAL.astype(np.float64) - 1) ** 2 + 0.5 * (FAKE.astype(np.float64) + 1) ** 2
    np.testing.assert_allclose(_np(got), exp, rtol=RTOL)
    got_g = losses.least_squares_generator_loss(None, FAKE, reduction="none", c=0.0)
    np.testing.assert_allclose(_np(got_g), 0.5 * FAKE.astype(np.float64) ** 2, rtol=RTOL)


def test_column_logits_equal_flat_logits():
    # (batch, 1) logits (what a Dense(1) discriminator returns) give the same numbers.
    for family in FAMILIES:
        d_loss, g_loss = losses.get(family)
        np.testing.assert_allclose(_np(d_loss(REAL[:, None], FAKE[:, None], reduction="none")),
                                   _np(d_loss(REAL, FAKE, reduction="none")), rtol=RTOL)
        np.testing.assert_allclose(_np(g_loss(None, FAKE[:, None], reduction="none")),
                                   _np(g_loss(None, FAKE, reduction="none")), rtol=RTOL)


@pytest.mark.parametrize("family", FAMILIES)
def test_patch_logits_averaged_per_example(family):
    real = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 0.0], [2.0, -0.5]],
                    np.float32).reshape(2, 2, 2, 1)
    fake = np.array([[0.0, 1.5], [-3.0, 0.25], [4.0, -1.0], [0.75, -2.5]],
                    np.float32).reshape(2, 2, 2, 1)
    d_loss, g_loss = losses.get(family)
    d = d_loss(real, fake, reduction="none")
    g = g_loss(None, fake, reduction="none")
    assert d.shape == (2,) and g.shape == (2,)
    r64, f64 = real.astype(np.float64), fake.astype(np.float64)
    exp_d = EXPECTED_D[family](r64, f64).reshape(2, -1).mean(axis=1)
    exp_g = EXPECTED_G[family](f64).reshape(2, -1).mean(axis=1)
    np.testing.assert_allclose(_np(d), exp_d, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_np(g), exp_g, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_np(d_loss(real, fake)), exp_d.mean(), rtol=RTOL, atol=ATOL)


def test_hinge_patch_value_by_hand():
    # example 0: real map [1, -2, .5, 3] -> relu(1-r) = [0, 3, .5, 0] mean .875
    #            fake map [0, 1.5, -3, .25] -> relu(1+f) = [1, 2.5, 0, 1.25] mean 1.1875
    real = np.array([1.0, -2.0, 0.5, 3.0], np.float32).reshape(1, 2, 2, 1)
    fake = np.array([0.0, 1.5, -3.0, 0.25], np.float32).reshape(1, 2, 2, 1)
    got = losses.hinge_discriminator_loss(real, fake, reduction="none")
    np.testing.assert_allclose(_np(got), [0.875 + 1.1875], rtol=RTOL)


def test_get_returns_the_right_pair():
    assert losses.get("minimax") == (losses.minimax_discriminator_loss,
                                     losses.minimax_generator_loss)
    assert losses.get("nonsaturating") == (losses.minimax_discriminator_loss,
                                           losses.nonsaturating_generator_loss)
    assert losses.get("wasserstein") == (losses.wasserstein_discriminator_loss,
                                         losses.wasserstein_generator_loss)
    assert losses.get("least_squares") == (losses.least_squares_discriminator_loss,
                                           losses.least_squares_generator_loss)
    assert losses.get("hinge") == (losses.hinge_discriminator_loss,
                                   losses.hinge_generator_loss)


def test_get_unknown_name_lists_known():
    with pytest.raises(ValueError, match=r"unknown GAN loss 'vanilla'; expected one of") as err:
        losses.get("vanilla")
    msg = str(err.value)
    assert "vanilla" in msg
    for name in FAMILIES:
        assert name in msg


@pytest.mark.parametrize("family", FAMILIES)
def test_none_fake_logits_raises(family):
    d_loss, g_loss = losses.get(family)
    with pytest.raises(ValueError, match="fake_logits"):
        d_loss(REAL, None)
    with pytest.raises(ValueError, match="fake_logits"):
        g_loss(REAL, None)


def test_none_real_logits_in_discriminator_raises():
    with pytest.raises(ValueError, match="real_logits"):
        losses.minimax_discriminator_loss(None, FAKE)


@pytest.mark.parametrize("family", FAMILIES)
def test_integer_logits_raise(family):
    d_loss, g_loss = losses.get(family)
    ints = np.array([1, -2], dtype=np.int32)
    with pytest.raises(ValueError, match="floating"):
        d_loss(ints, FAKE)
    with pytest.raises(ValueError, match="floating"):
        d_loss(REAL, ints)
    with pytest.raises(ValueError, match="floating"):
        g_loss(None, ints)


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        losses.hinge_discriminator_loss(REAL, FAKE, reduction="sum")
    with pytest.raises(ValueError, match="reduction"):
        losses.nonsaturating_generator_loss(None, FAKE, reduction="batch")
    with pytest.raises(ValueError, match="reduction"):
        losses.gaussian_kl(np.zeros((2, 3)), np.zeros((2, 3)), reduction="sum")


def test_scalar_logits_raise():
    with pytest.raises(ValueError, match="batch"):
        losses.wasserstein_generator_loss(None, np.float32(1.0))


def test_float64_and_float16_logits_are_computed_in_float32():
    for dtype in (np.float64, np.float16):
        got = losses.nonsaturating_generator_loss(None, FAKE.astype(dtype))
        assert got.dtype == tf.float32
        np.testing.assert_allclose(_np(got), EXPECTED_G["nonsaturating"](FAKE).mean(), rtol=1e-3)


def _grad_wrt_fake(g_loss, value):
    fake = tf.Variable([value], dtype=tf.float32)
    with tf.GradientTape() as tape:
        loss = g_loss(None, fake)
    return float(tape.gradient(loss, fake).numpy()[0])


def test_minimax_generator_saturates_nonsaturating_does_not():
    # d/df [-softplus(f)] = -sigmoid(f) ~ 0 at f = -20;  d/df softplus(-f) = -sigmoid(-f) ~ -1
    g_mm = _grad_wrt_fake(losses.minimax_generator_loss, -20.0)
    g_ns = _grad_wrt_fake(losses.nonsaturating_generator_loss, -20.0)
    assert abs(g_mm) < 1e-8
    assert g_mm == pytest.approx(-_sig(-20.0), rel=1e-3)
    assert g_ns == pytest.approx(-1.0, abs=1e-6)
    # at f = 0 both have the same gradient -1/2
    assert _grad_wrt_fake(losses.minimax_generator_loss, 0.0) == pytest.approx(-0.5, rel=1e-6)
    assert _grad_wrt_fake(losses.nonsaturating_generator_loss, 0.0) == pytest.approx(-0.5,
                                                                                      rel=1e-6)


def test_loss_is_finite_for_extreme_logits():
    big = np.array([1e4, -1e4], np.float32)
    for family in FAMILIES:
        d_loss, g_loss = losses.get(family)
        assert np.isfinite(_np(d_loss(big, big)))
        assert np.isfinite(_np(g_loss(None, big)))
    # softplus-based: -log sigmoid(1e4) ~ 0 and -log(1 - sigmoid(-1e4)) ~ 0
    np.testing.assert_allclose(
        _np(losses.minimax_discriminator_loss(big[:1], big[1:])), 0.0, atol=1e-6)


# -- Gaussian KL ---------------------------------------------------------------------------

def _kl_closed_form(mean, log_var):
    mean = np.asarray(mean, np.float64)
    var = np.exp(np.asarray(log_var, np.float64))
    # KL(N(m, s^2) || N(0, 1)) = 1/2 (s^2 + m^2 - 1 - log s^2), summed over latent axes
    per = 0.5 * (var + mean**2 - 1.0 - np.log(var))
    return per.reshape(per.shape[0], -1).sum(axis=1)


def test_gaussian_kl_closed_form():
    mean = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.7]], np.float32)
    log_var = np.array([[0.0, math.log(4.0), -1.0], [0.5, -0.2, 1.5]], np.float32)
    per = losses.gaussian_kl(mean, log_var, reduction="none")
    assert per.shape == (2,)
    expected = _kl_closed_form(mean, log_var)
    np.testing.assert_allclose(_np(per), expected, rtol=RTOL)
    np.testing.assert_allclose(_np(losses.gaussian_kl(mean, log_var)), expected.mean(),
                               rtol=RTOL)
    # a value by hand: mean 2, var 4 in one dimension -> 1/2 (4 + 4 - 1 - log 4)
    one = losses.gaussian_kl([[2.0]], [[math.log(4.0)]])
    assert float(one) == pytest.approx(0.5 * (7.0 - math.log(4.0)), rel=RTOL)


def test_gaussian_kl_zero_at_prior():
    kl = losses.gaussian_kl(np.zeros((3, 4), np.float32), np.zeros((3, 4), np.float32),
                            reduction="none")
    np.testing.assert_array_equal(_np(kl), np.zeros(3))


def test_gaussian_kl_rank3_sums_latent_axes():
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(2, 3, 2)).astype(np.float32)
    log_var = rng.normal(scale=0.5, size=(2, 3, 2)).astype(np.float32)
    per = losses.gaussian_kl(mean, log_var, reduction="none")
    np.testing.assert_allclose(_np(per), _kl_closed_form(mean, log_var), rtol=RTOL)


def test_gaussian_kl_bad_shapes_raise():
    with pytest.raises(ValueError, match="one shape"):
        losses.gaussian_kl(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="batch"):
        losses.gaussian_kl(np.zeros(3), np.zeros(3))


def test_l1_loss_is_the_mean_absolute_difference_per_example():
    """Chapter 8's one L1: Pix2Pix's L_L1, CycleGAN's cycle and identity terms, StarGAN's L_rec
    (the mean over pixels and channels, as the authors' code)."""
    x = np.zeros((2, 2, 2, 1), np.float32)
    rec = np.array([[[[1], [-2]], [[3], [0]]], [[[0.5], [0.5]], [[-0.5], [0.5]]]], np.float32)
    got = losses.l1_loss(x, rec, reduction="none")
    np.testing.assert_allclose(np.asarray(got), [1.5, 0.5], rtol=1e-6)
    assert float(losses.l1_loss(x, rec)) == pytest.approx(1.0)
    half = losses.l1_loss(x.astype(np.float16), rec.astype(np.float16), reduction="none")
    assert half.dtype == tf.float32                     # float32 under mixed precision too
    with pytest.raises(ValueError, match=r"x and reconstruction must have one shape, got "
                                         r"\(2, 2, 2, 1\) and \(2, 2, 1, 1\)"):
        losses.l1_loss(x, rec[:, :, :1])

def test_minimax_discriminator_loss_is_minimised_by_the_optimal_discriminator():
    """Proposition 1 of arXiv:1406.2661 at small scale: training a logistic discriminator on
    p_data = N(0, 1) against p_g = N(1, 1) with the minimax loss recovers
    D*(x) = p_data / (p_data + p_g) = sigmoid(0.5 - x) within 0.05 on [-2, 2]."""
    import keras

    keras.utils.set_random_seed(0)
    d = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    opt = keras.optimizers.Adam(0.05)
    sg = keras.random.SeedGenerator(0)

    @tf.function
    def step():
        real = keras.random.normal((2048, 1), seed=sg)
        fake = 1.0 + keras.random.normal((2048, 1), seed=sg)
        with tf.GradientTape() as tape:
            loss = losses.minimax_discriminator_loss(d(real), d(fake))
        opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                d.trainable_variables))

    for _ in range(300):
        step()
    xs = np.linspace(-2, 2, 101).astype(np.float32)[:, None]
    learned = tf.sigmoid(d(xs)).numpy().ravel()
    optimal = 1.0 / (1.0 + np.exp(-(0.5 - xs.ravel())))
    assert np.abs(learned - optimal).max() < 0.05
