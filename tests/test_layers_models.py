"""gan_tf.layers.Reparameterize and the model builders in gan_tf.models."""

import math

import keras
import numpy as np
import pytest

from gan_tf import models
from gan_tf.layers import Reparameterize


def _np(t):
    return np.asarray(keras.ops.convert_to_numpy(t), dtype=np.float64)


# -- Reparameterize ------------------------------------------------------------------------

def test_reparameterize_zero_variance_returns_mean():
    mean = np.array([[0.5, -2.0, 3.0], [1.0, 0.0, -0.25]], np.float32)
    log_var = np.full_like(mean, -60.0)  # std = exp(-30) ~ 1e-13
    z = Reparameterize(seed=0)([mean, log_var])
    assert tuple(z.shape) == (2, 3)
    np.testing.assert_allclose(_np(z), mean, rtol=0, atol=1e-10)


def test_reparameterize_statistics():
    n = 20000
    mean = np.ones((n, 1), np.float32)
    log_var = np.full((n, 1), math.log(4.0), np.float32)
    z = _np(Reparameterize(seed=1)([mean, log_var]))
    assert abs(z.mean() - 1.0) < 0.05
    assert abs(z.std() - 2.0) < 0.05


def test_reparameterize_is_mean_plus_std_times_keras_normal():
    mean = np.array([[1.0, -1.0], [0.5, 2.0]], np.float32)
    log_var = np.array([[0.0, math.log(4.0)], [math.log(0.25), 1.0]], np.float32)
    z = _np(Reparameterize(seed=42)([mean, log_var]))
    eps = _np(keras.random.normal((2, 2), seed=keras.random.SeedGenerator(42)))
    np.testing.assert_allclose(z, mean + np.exp(0.5 * log_var.astype(np.float64)) * eps,
                               rtol=1e-5, atol=1e-6)


def test_reparameterize_seed_and_state():
    mean = np.zeros((3, 4), np.float32)
    log_var = np.zeros((3, 4), np.float32)
    a, b = Reparameterize(seed=7), Reparameterize(seed=7)
    first_a = _np(a([mean, log_var]))
    np.testing.assert_array_equal(first_a, _np(b([mean, log_var])))
    state_before = _np(a.seed_generator.state).copy()
    second_a = _np(a([mean, log_var]))
    state_after = _np(a.seed_generator.state)
    assert not np.array_equal(state_before, state_after)
    assert not np.allclose(first_a, second_a)
    assert not np.allclose(first_a, _np(Reparameterize(seed=8)([mean, log_var])))


def test_reparameterize_config_round_trip():
    layer = Reparameterize(seed=11, name="reparam")
    cfg = layer.get_config()
    assert cfg["seed"] == 11 and cfg["name"] == "reparam"
    clone = Reparameterize.from_config(cfg)
    x = [np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32)]
    np.testing.assert_array_equal(_np(clone(x)), _np(Reparameterize(seed=11)(x)))
    assert layer.compute_output_shape([(None, 3), (None, 3)]) == (None, 3)


# -- MLP -----------------------------------------------------------------------------------

def _leaky(x, slope=0.2):
    return np.where(x > 0, x, slope * x)


def test_mlp_generator_default_matches_numpy_forward():
    keras.utils.set_random_seed(0)
    g = models.build_mlp_generator(latent_dim=100)
    z = np.random.default_rng(0).normal(size=(4, 100)).astype(np.float32)
    out = _np(g(z))
    assert out.shape == (4, 28, 28, 1)
    assert out.min() >= -1.0 and out.max() <= 1.0
    w0, b0, w1, b1 = [w.astype(np.float64) for w in g.get_weights()]
    expected = np.tanh(np.maximum(z @ w0 + b0, 0.0) @ w1 + b1).reshape(4, 28, 28, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    # tanh bounds the output even for huge weights
    g.set_weights([w * 100 for w in g.get_weights()])
    big = _np(g(z))
    assert big.min() >= -1.0 and big.max() <= 1.0 and np.abs(big).max() > 0.99


def test_mlp_generator_parameter_count():
    g = models.build_mlp_generator(latent_dim=100)
    assert g.count_params() == 100 * 128 + 128 + 128 * 784 + 784
    g2 = models.build_mlp_generator(latent_dim=3, output_shape=(2,), hidden_units=(8, 4))
    assert g2.count_params() == (3 * 8 + 8) + (8 * 4 + 4) + (4 * 2 + 2)


def test_mlp_generator_linear_output_is_unbounded():
    g = models.build_mlp_generator(latent_dim=2, output_shape=(1,), hidden_units=(4,),
                                   output_activation=None)
    w0 = np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 1.0, 0.0, 3.0]], np.float32)
    b0 = np.zeros(4, np.float32)
    w1 = np.full((4, 1), 5.0, np.float32)
    b1 = np.array([-1.0], np.float32)
    g.set_weights([w0, b0, w1, b1])
    z = np.array([[1.0, 2.0], [-1.0, -1.0]], np.float32)
    out = _np(g(z))
    assert out.shape == (2, 1)
    # relu([1, 2, 2, 6]) . 5 - 1 = 54 ; relu(neg) = 0 -> -1
    np.testing.assert_allclose(out, [[54.0], [-1.0]], rtol=1e-6)


def test_mlp_generator_batch_norm_and_shape():
    g = models.build_mlp_generator(latent_dim=5, output_shape=(4, 4, 3), hidden_units=(6,),
                                   batch_norm=True)
    assert any(isinstance(l, keras.layers.BatchNormalization) for l in g.layers)
    out = _np(g(np.zeros((2, 5), np.float32)))
    assert out.shape == (2, 4, 4, 3) and np.abs(out).max() <= 1.0
    # BN: 4 params per unit (2 trainable)
    assert g.count_params() == (5 * 6 + 6) + 4 * 6 + (6 * 48 + 48)


def test_mlp_discriminator_outputs_raw_logits():
    keras.utils.set_random_seed(1)
    d = models.build_mlp_discriminator()
    assert d.get_layer("logit").activation is keras.activations.linear
    assert d.count_params() == 784 * 128 + 128 + 128 + 1
    x = np.random.default_rng(1).uniform(-1, 1, size=(3, 28, 28, 1)).astype(np.float32)
    out = _np(d(x))
    assert out.shape == (3, 1)
    w0, b0, w1, b1 = [w.astype(np.float64) for w in d.get_weights()]
    expected = _leaky(x.reshape(3, -1) @ w0 + b0) @ w1 + b1
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    # large weights push the logit far outside [0, 1]: no sigmoid
    d.set_weights([w0.astype(np.float32), b0.astype(np.float32),
                   (w1 * 100).astype(np.float32), (b1 + 10).astype(np.float32)])
    big = _np(d(x))
    assert np.any(big > 1.0) or np.any(big < 0.0)
    assert np.abs(big).max() > 5.0


def test_mlp_discriminator_flat_input_and_dropout():
    d = models.build_mlp_discriminator(input_shape=(2,), hidden_units=(3,), activation="tanh",
                                       dropout=0.5)
    assert any(isinstance(l, keras.layers.Dropout) for l in d.layers)
    w0 = np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -1.0]], np.float32)
    d.set_weights([w0, np.zeros(3, np.float32), np.ones((3, 1), np.float32),
                   np.zeros(1, np.float32)])
    x = np.array([[0.5, 0.25]], np.float32)
    # inference: dropout off -> tanh([1, -0.5, 0]) summed
    expected = np.tanh([1.0, -0.5, 0.0]).sum()
    np.testing.assert_allclose(_np(d(x, training=False)), [[expected]], rtol=1e-6)
    with pytest.raises(ValueError, match="dropout"):
        models.build_mlp_discriminator(dropout=1.0)


# -- autoencoders --------------------------------------------------------------------------

def _conv_params(k, cin, cout):
    return k * k * cin * cout + cout


def test_conv_encoder_decoder_shapes_and_params():
    enc = models.build_conv_encoder((28, 28, 1), latent_dim=32)
    dec = models.build_conv_decoder(32, (28, 28, 1))
    x = np.random.default_rng(0).uniform(-1, 1, size=(2, 28, 28, 1)).astype(np.float32)
    code = _np(enc(x))
    assert code.shape == (2, 32)
    out = _np(dec(code))
    assert out.shape == (2, 28, 28, 1) and np.abs(out).max() <= 1.0
    assert enc.count_params() == (_conv_params(3, 1, 32) + _conv_params(3, 32, 64)
                                  + 7 * 7 * 64 * 32 + 32)
    assert dec.count_params() == (32 * 7 * 7 * 64 + 7 * 7 * 64 + _conv_params(3, 64, 64)
                                  + _conv_params(3, 64, 32) + _conv_params(3, 32, 1))
    dec2 = models.build_conv_decoder(4, (16, 8, 3), filters=(8, 4, 2))
    assert tuple(dec2.output_shape) == (None, 16, 8, 3)
    assert _np(dec2(np.zeros((1, 4), np.float32))).shape == (1, 16, 8, 3)


def test_dense_encoder_decoder_shapes_and_params():
    enc = models.build_dense_encoder((6, 6, 2), latent_dim=3, hidden_units=(5,))
    dec = models.build_dense_decoder(3, (6, 6, 2), hidden_units=(4,))
    x = np.random.default_rng(0).normal(size=(5, 6, 6, 2)).astype(np.float32)
    code = _np(enc(x))
    assert code.shape == (5, 3)
    out = _np(dec(code))
    assert out.shape == (5, 6, 6, 2) and np.abs(out).max() <= 1.0
    assert enc.count_params() == 72 * 5 + 5 + 5 * 3 + 3
    assert dec.count_params() == 3 * 4 + 4 + 4 * 72 + 72
    # numeric forward of the encoder
    w0, b0, w1, b1 = [w.astype(np.float64) for w in enc.get_weights()]
    np.testing.assert_allclose(code, np.maximum(x.reshape(5, -1) @ w0 + b0, 0) @ w1 + b1,
                               rtol=1e-4, atol=1e-5)


def test_conv_decoder_requires_divisible_shape():
    with pytest.raises(ValueError, match="divisible"):
        models.build_conv_decoder(8, (30, 30, 1))
    with pytest.raises(ValueError, match="divisible"):
        models.build_conv_decoder(8, (32, 32, 1), filters=(8, 8, 8, 8, 8, 8))
    with pytest.raises(ValueError, match=r"output_shape must be a tuple of 3 positive ints, got \(28, 28\)"):
        models.build_conv_decoder(8, (28, 28))  # rank must be 3


def test_autoencoder_chains_and_checks_code_size():
    enc = models.build_dense_encoder((4, 4, 1), latent_dim=3, hidden_units=(5,))
    dec = models.build_dense_decoder(3, (4, 4, 1), hidden_units=(5,))
    ae = models.build_autoencoder(enc, dec)
    x = np.random.default_rng(2).uniform(-1, 1, size=(3, 4, 4, 1)).astype(np.float32)
    np.testing.assert_allclose(_np(ae(x)), _np(dec(enc(x))), rtol=1e-6, atol=1e-6)
    assert ae.count_params() == enc.count_params() + dec.count_params()
    bad = models.build_dense_decoder(4, (4, 4, 1), hidden_units=(5,))
    with pytest.raises(ValueError, match="code size 3"):
        models.build_autoencoder(enc, bad)


# -- VAE -----------------------------------------------------------------------------------

@pytest.mark.parametrize("conv", [True, False])
def test_vae_encoder_two_outputs(conv):
    enc = models.build_vae_encoder((8, 8, 1), latent_dim=3, conv=conv,
                                   hidden=(4, 8) if conv else (16,))
    x = np.random.default_rng(0).uniform(-1, 1, size=(5, 8, 8, 1)).astype(np.float32)
    outs = enc(x)
    assert isinstance(outs, (list, tuple)) and len(outs) == 2
    mean, log_var = (_np(o) for o in outs)
    assert mean.shape == (5, 3) and log_var.shape == (5, 3)
    assert not np.allclose(mean, log_var)  # two separate heads
    # the heads are Dense layers on relu(body(x))
    body = enc.get_layer(f"{enc.name}_body")
    h = np.maximum(_np(body(x)), 0.0)
    wm, bm = enc.get_layer("z_mean").get_weights()
    np.testing.assert_allclose(mean, h @ wm + bm, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("conv", [True, False])
def test_vae_decoder_outputs_unbounded_logits(conv):
    dec = models.build_vae_decoder(2, (8, 8, 1), conv=conv, hidden=(4, 4) if conv else (6,))
    assert dec.get_layer("out_act").activation is keras.activations.linear
    z = np.random.default_rng(0).normal(size=(3, 2)).astype(np.float32)
    assert _np(dec(z)).shape == (3, 8, 8, 1)
    out_layer = dec.get_layer("out")
    kernel, bias = out_layer.get_weights()
    out_layer.set_weights([kernel, bias + 50.0])
    logits = _np(dec(z))
    assert logits.min() > 1.0  # a tanh/sigmoid output could never exceed 1
    out_layer.set_weights([kernel, bias - 50.0])
    assert _np(dec(z)).max() < -1.0


BUILDERS = {
    "mlp_generator": lambda d: models.build_mlp_generator(latent_dim=d),
    "dense_encoder": lambda d: models.build_dense_encoder(latent_dim=d),
    "dense_decoder": lambda d: models.build_dense_decoder(latent_dim=d),
    "conv_encoder": lambda d: models.build_conv_encoder(latent_dim=d),
    "conv_decoder": lambda d: models.build_conv_decoder(latent_dim=d),
    "vae_encoder": lambda d: models.build_vae_encoder(latent_dim=d),
    "vae_decoder": lambda d: models.build_vae_decoder(latent_dim=d),
    "vae_decoder_dense": lambda d: models.build_vae_decoder(latent_dim=d, conv=False),
}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@pytest.mark.parametrize("latent_dim", [0, -1, 2.5, True, "2", None])
def test_bad_latent_dim_raises(builder, latent_dim):
    with pytest.raises(ValueError, match="latent_dim"):
        BUILDERS[builder](latent_dim)


@pytest.mark.parametrize("call,message", [
    (lambda: models.build_mlp_generator(output_shape=(28, 0, 1)),
     r"output_shape must be a tuple of positive ints, got \(28, 0, 1\)"),
    (lambda: models.build_mlp_generator(hidden_units=(128, 0)),
     "each of hidden_units must be a positive int, got 0"),
    (lambda: models.build_mlp_discriminator(input_shape=()),
     r"input_shape must be a tuple of positive ints, got \(\)"),
    (lambda: models.build_mlp_discriminator(hidden_units=(1.5,)),
     "each of hidden_units must be a positive int, got 1.5"),
    (lambda: models.build_conv_encoder(input_shape=(28, 28)),
     r"input_shape must be a tuple of 3 positive ints, got \(28, 28\)"),
    (lambda: models.build_dense_encoder(input_shape="abc"),
     "input_shape must be a tuple of positive ints, got 'abc'"),
    (lambda: models.build_conv_encoder(filters=(32, -1)),
     "each of filters must be a positive int, got -1"),
])
def test_bad_shapes_and_units_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_reparameterize_seed_state_is_saved_with_the_weights(tmp_path):
    """Keras does not save SeedGenerator state; the layer does, so a reloaded model continues
    the same noise sequence."""
    from gan_tf import trainers

    enc = models.build_vae_encoder((8, 8, 1), latent_dim=2, conv=False, hidden=(8,))
    dec = models.build_vae_decoder(2, (8, 8, 1), conv=False, hidden=(8,))
    vae = trainers.VAE(enc, dec, seed=3)
    x = np.zeros((4, 8, 8, 1), np.float32)
    vae.loss_terms(keras.ops.convert_to_tensor(x))  # advances the noise state
    vae.save_weights(tmp_path / "vae.weights.h5")
    state = vae.reparameterize.seed_generator.state.numpy().copy()
    twin = trainers.VAE(models.build_vae_encoder((8, 8, 1), latent_dim=2, conv=False, hidden=(8,)),
                        models.build_vae_decoder(2, (8, 8, 1), conv=False, hidden=(8,)), seed=11)
    twin.load_weights(tmp_path / "vae.weights.h5")
    np.testing.assert_array_equal(twin.reparameterize.seed_generator.state.numpy(), state)
    assert not np.array_equal(state, [3, 0])


def test_maxout_is_the_max_of_its_affine_pieces():
    from gan_tf.layers import Maxout

    layer = Maxout(3, pieces=4)
    x = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    y = np.asarray(layer(x))
    kernel, bias = (np.asarray(w) for w in layer.dense.weights)
    affine = (x @ kernel + bias).reshape(5, 3, 4)
    np.testing.assert_allclose(y, affine.max(-1), rtol=1e-6, atol=1e-6)
    assert layer.compute_output_shape((None, 2)) == (None, 3)
    with pytest.raises(ValueError, match="units and pieces must be >= 1, got 0, 4"):
        Maxout(0, pieces=4)


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 5)])
def test_maxout_keeps_the_leading_axes_of_rank_3_and_4_inputs(shape):
    """(batch, ..., features) -> (batch, ..., units): max over pieces of x @ W + b, per
    position, as a Dense layer acts on the last axis."""
    from gan_tf.layers import Maxout

    layer = Maxout(3, pieces=4, name="maxout")
    x = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    y = np.asarray(layer(x))
    kernel, bias = (np.asarray(w, np.float64) for w in layer.dense.weights)
    affine = (x.astype(np.float64) @ kernel + bias).reshape(*shape[:-1], 3, 4)
    assert y.shape == (*shape[:-1], 3) == layer.compute_output_shape(shape)
    np.testing.assert_allclose(y, affine.max(-1), rtol=1e-5, atol=1e-6)
    # one position by hand: unit 1 is the largest of its 4 pieces (columns 4..7)
    first = x.reshape(-1, shape[-1])[0].astype(np.float64)
    assert y.reshape(-1, 3)[0, 1] == pytest.approx(max(first @ kernel[:, 4 + k] + bias[4 + k]
                                                       for k in range(4)), rel=1e-5)
    # symbolic, with unknown middle axes, inside a model
    inp = keras.Input(shape=(None,) * (len(shape) - 2) + (shape[-1],))
    model = keras.Model(inp, Maxout(3, pieces=4)(inp))
    assert model.output_shape == (None,) * (len(shape) - 1) + (3,)
    assert model(x).shape == (*shape[:-1], 3)


def test_maxout_discriminator_has_the_benchmark_shape_and_round_trips():
    d = models.build_mlp_discriminator((2,), (200, 200, 200), activation="maxout",
                                       maxout_pieces=5)
    # 3 maxout layers of 200 x 5 pieces, then one logit
    assert d.count_params() == (2 * 1000 + 1000) + 2 * (200 * 1000 + 1000) + 201
    x = np.random.default_rng(1).normal(size=(4, 2)).astype(np.float32)
    twin = keras.Model.from_config(d.get_config())
    twin.set_weights(d.get_weights())
    np.testing.assert_allclose(np.asarray(twin(x)), np.asarray(d(x)), rtol=1e-6)
    ln = models.build_mlp_discriminator((2,), (16,), layer_norm=True)
    assert any(isinstance(layer, keras.layers.LayerNormalization) for layer in ln.layers)
