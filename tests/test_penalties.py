"""gan_tf.penalties: the WGAN-GP gradient penalty against critics whose input gradient is known
in closed form, and WGAN weight clipping."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import penalties


def _linear_critic(input_shape, norm, seed=0):
    """f(x) = sum(w * x) with ||w||_2 == norm exactly (up to float32)."""
    d = int(np.prod(input_shape))
    w = np.random.default_rng(seed).normal(size=(d, 1))
    w = w / np.linalg.norm(w) * norm
    model = keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                              keras.layers.Dense(1, use_bias=False)])
    model.set_weights([w.astype(np.float32)])
    return model, w


class HalfSquaredNorm(keras.layers.Layer):
    """f(x) = 0.5 * ||x||^2 per example: grad_x f = x."""

    def call(self, x, training=None):
        return 0.5 * tf.reduce_sum(tf.square(x), axis=list(range(1, len(x.shape))))[:, None]


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape).astype(np.float32),
            rng.normal(size=shape).astype(np.float32))


@pytest.mark.parametrize("shape", [(4, 6), (3, 2, 2, 3)])
@pytest.mark.parametrize("alpha_kind", ["seed", "zeros", "ones", "mixed"])
def test_unit_norm_linear_critic_has_zero_penalty(shape, alpha_kind):
    critic, _ = _linear_critic(shape[1:], 1.0)
    real, fake = _data(shape)
    batch = shape[0]
    alpha = {"seed": None, "zeros": np.zeros(batch, np.float32),
             "ones": np.ones(batch, np.float32),
             "mixed": np.linspace(0.0, 1.0, batch, dtype=np.float32)}[alpha_kind]
    gp = penalties.gradient_penalty(critic, real, fake, seed=0, alpha=alpha)
    assert gp.shape == ()
    assert float(gp) < 1e-6


@pytest.mark.parametrize("shape", [(4, 6), (3, 2, 2, 3)])
def test_norm_three_gives_four(shape):
    critic, _ = _linear_critic(shape[1:], 3.0)
    real, fake = _data(shape, seed=1)
    gp = penalties.gradient_penalty(critic, real, fake, seed=7)
    assert float(gp) == pytest.approx((3.0 - 1.0) ** 2, rel=1e-5)
    per = penalties.gradient_penalty(critic, real, fake, seed=7, reduction="none")
    assert per.shape == (shape[0],)
    np.testing.assert_allclose(per.numpy(), np.full(shape[0], 4.0), rtol=1e-5)


def test_target_argument():
    critic, _ = _linear_critic((5,), 3.0)
    real, fake = _data((4, 5))
    gp = penalties.gradient_penalty(critic, real, fake, seed=0, target=2.0)
    assert float(gp) == pytest.approx((3.0 - 2.0) ** 2, rel=1e-5)


def test_one_sided_only_penalises_large_norms():
    real, fake = _data((4, 5), seed=2)
    small, _ = _linear_critic((5,), 0.5)
    two_sided = penalties.gradient_penalty(small, real, fake, seed=0)
    one_sided = penalties.gradient_penalty(small, real, fake, seed=0, one_sided=True)
    assert float(two_sided) == pytest.approx(0.25, rel=1e-5)
    assert float(one_sided) == 0.0
    big, _ = _linear_critic((5,), 3.0)
    assert float(penalties.gradient_penalty(big, real, fake, seed=0, one_sided=True)) == \
        pytest.approx(4.0, rel=1e-5)


@pytest.mark.parametrize("shape", [(5, 3), (4, 2, 3, 2)])
def test_quadratic_critic_per_example_penalty(shape):
    critic = HalfSquaredNorm()
    real, fake = _data(shape, seed=3)
    alpha = np.linspace(0.1, 0.9, shape[0]).astype(np.float32)
    per = penalties.gradient_penalty(critic, real, fake, alpha=alpha, reduction="none")
    a = alpha.astype(np.float64).reshape([-1] + [1] * (len(shape) - 1))
    x_hat = a * real + (1 - a) * fake
    norms = np.sqrt((x_hat.reshape(shape[0], -1) ** 2).sum(axis=1))
    expected = (norms - 1.0) ** 2
    np.testing.assert_allclose(per.numpy(), expected, rtol=1e-5, atol=1e-6)
    mean = penalties.gradient_penalty(critic, real, fake, alpha=alpha)
    assert float(mean) == pytest.approx(expected.mean(), rel=1e-5)


def test_plain_callable_critic_and_list_output():
    # Any callable accepting (x, training=...) works; a list output uses its first element.
    calls = []

    def critic(x, training=False):
        calls.append(training)
        s = 0.5 * tf.reduce_sum(tf.square(x), axis=1, keepdims=True)
        return [s, tf.zeros_like(s)]

    real = np.array([[3.0, 0.0], [0.0, 0.0]], np.float32)
    fake = np.array([[0.0, 0.0], [0.0, 2.0]], np.float32)
    alpha = np.array([0.5, 0.25], np.float32)
    per = penalties.gradient_penalty(critic, real, fake, alpha=alpha, reduction="none")
    # x_hat = [1.5, 0] and [0, 1.5] -> norms 1.5 -> (0.5)^2
    np.testing.assert_allclose(per.numpy(), [0.25, 0.25], rtol=1e-5)
    assert calls == [True]
    penalties.gradient_penalty(critic, real, fake, alpha=alpha, training=False)
    assert calls[-1] is False


def _solve_alpha(per, real, fake):
    """With grad = x_hat, per-example penalty p = (||x_hat|| - 1)^2; real and fake chosen so
    that x_hat = alpha * real + (1 - alpha) * fake = (alpha*s + 2, 0,...) has norm
    alpha*s + 2 >= 2 > 1, so ||x_hat|| = 1 + sqrt(p) and alpha = (1 + sqrt(p) - 2) / s."""
    s = real[:, 0] - fake[:, 0]
    return (1.0 + np.sqrt(per) - fake[:, 0]) / s


def test_seed_generator_alpha_is_per_example_uniform():
    batch, s = 64, 10.0
    real = np.zeros((batch, 3), np.float32)
    fake = np.zeros((batch, 3), np.float32)
    real[:, 0] = 2.0 + s
    fake[:, 0] = 2.0
    gen = keras.random.SeedGenerator(1234)
    per = penalties.gradient_penalty(HalfSquaredNorm(), real, fake, seed=gen,
                                     reduction="none").numpy().astype(np.float64)
    alphas = _solve_alpha(per, real.astype(np.float64), fake.astype(np.float64))
    assert np.all(alphas >= -1e-5) and np.all(alphas <= 1 + 1e-5)
    assert len(np.unique(np.round(alphas, 4))) > batch // 2  # distinct per example
    assert alphas.std() > 0.15  # spread like U[0,1] (std 0.289), not a single draw
    # The same alphas come from keras.random.uniform with a fresh generator of the same seed.
    expected = keras.random.uniform((batch,), seed=keras.random.SeedGenerator(1234)).numpy()
    np.testing.assert_allclose(alphas, expected, atol=1e-4)
    # The generator advances: a second call draws different alphas.
    per2 = penalties.gradient_penalty(HalfSquaredNorm(), real, fake, seed=gen,
                                      reduction="none").numpy().astype(np.float64)
    alphas2 = _solve_alpha(per2, real.astype(np.float64), fake.astype(np.float64))
    assert np.abs(alphas2 - alphas).max() > 0.1


def test_int_seed_is_repeatable():
    real, fake = _data((6, 4), seed=4)
    a = penalties.gradient_penalty(HalfSquaredNorm(), real, fake, seed=5, reduction="none")
    b = penalties.gradient_penalty(HalfSquaredNorm(), real, fake, seed=5, reduction="none")
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_epsilon_keeps_weight_gradient_finite_at_zero_input_gradient():
    critic, _ = _linear_critic((4,), 1.0)
    critic.set_weights([np.zeros((4, 1), np.float32)])
    real, fake = _data((3, 4), seed=5)
    with tf.GradientTape() as tape:
        gp = penalties.gradient_penalty(critic, real, fake, seed=0)
    grads = tape.gradient(gp, critic.trainable_weights)
    # norm = sqrt(0 + 1e-12) = 1e-6, penalty (1e-6 - 1)^2
    assert float(gp) == pytest.approx((1e-6 - 1.0) ** 2, rel=1e-6)
    assert grads[0] is not None
    g = grads[0].numpy()
    assert np.all(np.isfinite(g))
    # without epsilon the same computation produces NaN (documents why epsilon exists)
    with tf.GradientTape() as tape:
        gp0 = penalties.gradient_penalty(critic, real, fake, seed=0, epsilon=0.0)
    assert not np.all(np.isfinite(tape.gradient(gp0, critic.trainable_weights)[0].numpy()))


def test_weight_gradient_of_penalty_matches_formula():
    # f(x) = w.x -> penalty (||w|| - 1)^2 (independent of x); d/dw = 2 (||w|| - 1) w / ||w||
    critic, w = _linear_critic((3,), 2.0, seed=6)
    real, fake = _data((4, 3), seed=6)
    with tf.GradientTape() as tape:
        gp = penalties.gradient_penalty(critic, real, fake, seed=0)
    g = tape.gradient(gp, critic.trainable_weights)[0].numpy()
    np.testing.assert_allclose(g, 2 * (2.0 - 1.0) * w / 2.0, rtol=1e-4, atol=1e-6)


def test_non_batch_shape_mismatch_raises():
    critic = HalfSquaredNorm()
    with pytest.raises(ValueError, match="one shape"):
        penalties.gradient_penalty(critic, np.zeros((2, 3), np.float32),
                                   np.zeros((2, 4), np.float32), seed=0)
    with pytest.raises(ValueError, match="one shape"):
        penalties.gradient_penalty(critic, np.zeros((2, 4, 4, 1), np.float32),
                                   np.zeros((2, 4, 4, 3), np.float32), seed=0)


def test_rank1_real_raises():
    with pytest.raises(ValueError, match="batch"):
        penalties.gradient_penalty(HalfSquaredNorm(), np.zeros(3, np.float32),
                                   np.zeros(3, np.float32), seed=0)


@pytest.mark.parametrize("fake_batch", [5, 1])
def test_batch_shape_mismatch_raises_value_error(fake_batch):
    critic = HalfSquaredNorm()
    with pytest.raises(ValueError, match="one shape"):
        penalties.gradient_penalty(critic, np.ones((4, 3), np.float32),
                                   np.zeros((fake_batch, 3), np.float32), seed=0)


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        penalties.gradient_penalty(HalfSquaredNorm(), *_data((2, 3)), seed=0, reduction="sum")


# -- weight clipping -----------------------------------------------------------------------

def _dense_model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                              keras.layers.Dense(1)])
    rng = np.random.default_rng(0)
    model.set_weights([rng.uniform(-5, 5, size=w.shape).astype(np.float32)
                       for w in model.get_weights()])
    return model


def test_clip_weights_bounds_and_keeps_inside_values():
    model = _dense_model()
    before = [w.copy() for w in model.get_weights()]
    c = 1.5
    penalties.clip_weights(model, c)
    after = model.get_weights()
    for b, a in zip(before, after):
        assert np.all(np.abs(a) <= c)
        inside = np.abs(b) <= c
        np.testing.assert_array_equal(a[inside], b[inside])
        np.testing.assert_array_equal(a[~inside], np.sign(b[~inside]) * np.float32(c))
    assert any((~(np.abs(b) <= c)).any() for b in before)  # clipping did something


def test_clip_weights_default_and_non_trainable_untouched():
    model = _dense_model()
    model.layers[1].trainable = False
    frozen = [w.copy() for w in model.layers[1].get_weights()]
    penalties.clip_weights(model)
    for w in model.layers[0].get_weights():
        assert np.abs(w).max() <= 0.01
    for a, b in zip(model.layers[1].get_weights(), frozen):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("c", [0, 0.0, -0.01])
def test_clip_value_must_be_positive(c):
    model = _dense_model()
    before = model.get_weights()
    with pytest.raises(ValueError, match="positive"):
        penalties.clip_weights(model, c)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_alpha_of_wrong_length_raises_value_error():
    x = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match=r"alpha must have shape \(4,\)"):
        penalties.gradient_penalty(HalfSquaredNorm(), x, x, alpha=np.full(3, 0.5, np.float32))
