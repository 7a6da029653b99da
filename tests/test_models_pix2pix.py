"""The chapter-8 layers (ReflectionPadding2D, InstanceNormalization, AlwaysOnDropout) and the
Pix2Pix networks (gan_tf/models/unet.py, gan_tf/models/patchgan.py): numbers against NumPy, the
paper's widths, and receptive fields measured by gradients against the formula."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import layers, models
from gan_tf.models.patchgan import patchgan_layers, receptive_field
from gan_tf.models.unet import encoder_widths


def _x(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


# -- ReflectionPadding2D ---------------------------------------------------------------------

@pytest.mark.parametrize("padding,pairs", [
    (2, ((2, 2), (2, 2))), ((1, 3), ((1, 1), (3, 3))), (((0, 2), (3, 1)), ((0, 2), (3, 1)))])
def test_reflection_padding_equals_numpy_reflect(padding, pairs):
    x = _x((2, 5, 6, 3))
    layer = layers.ReflectionPadding2D(padding)
    got = np.asarray(layer(x))
    want = np.pad(x, ((0, 0), *pairs, (0, 0)), mode="reflect")
    np.testing.assert_array_equal(got, want)
    assert layer.compute_output_shape((None, 5, 6, 3)) == (None, *want.shape[1:])
    # [1, 2, 3] padded by 2: no edge pixel repeated
    row = np.arange(1, 4, dtype=np.float32).reshape(1, 1, 3, 1)
    assert np.asarray(layers.ReflectionPadding2D((0, 2))(row)).ravel().tolist() == [
        3, 2, 1, 2, 3, 2, 1]


def test_reflection_padding_errors():
    with pytest.raises(ValueError, match="padding 3 on a height of 3"):
        layers.ReflectionPadding2D(3)(np.zeros((1, 3, 8, 1), np.float32))
    with pytest.raises(ValueError, match=r"padding must be ints >= 0, got -1"):
        layers.ReflectionPadding2D(-1)
    with pytest.raises(ValueError, match=r"padding must be an int, \(rows, cols\)"):
        layers.ReflectionPadding2D((1, 2, 3))


# -- InstanceNormalization -------------------------------------------------------------------

def _instance_norm_numpy(x, gamma, beta, eps):
    x = x.astype(np.float64)
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)                 # biased, as the formula
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def test_instance_norm_equals_the_formula_and_group_norm_with_one_group_per_channel():
    x = 3.0 * _x((3, 4, 5, 6)) + np.arange(6, dtype=np.float32)   # per-channel offsets
    rng = np.random.default_rng(1)
    gamma, beta = rng.normal(1, 0.5, 6).astype(np.float32), rng.normal(0, 1, 6).astype(np.float32)
    layer = layers.InstanceNormalization()
    layer.build(x.shape)
    layer.set_weights([gamma, beta])
    want = _instance_norm_numpy(x, gamma, beta, 1e-5)
    np.testing.assert_allclose(np.asarray(layer(x)), want, rtol=1e-4, atol=1e-5)
    # training and inference alike: no moving statistics
    np.testing.assert_array_equal(np.asarray(layer(x, training=True)), np.asarray(layer(x)))
    group = keras.layers.GroupNormalization(groups=-1, epsilon=1e-5)
    group.build(x.shape)
    group.set_weights([gamma, beta])
    np.testing.assert_allclose(np.asarray(layer(x)), np.asarray(group(x)), rtol=1e-6, atol=1e-6)
    # affine=False (CycleGAN's): zero mean, unit variance per example and channel
    plain = layers.InstanceNormalization(center=False, scale=False, epsilon=1e-3)
    np.testing.assert_allclose(np.asarray(plain(x)), _instance_norm_numpy(x, 1, 0, 1e-3),
                               rtol=1e-4, atol=1e-5)
    assert plain.weights == []
    with pytest.raises(ValueError, match="groups is -1, got 2"):
        layers.InstanceNormalization(groups=2)


def test_always_on_dropout_drops_at_inference_and_saves_its_seed_state():
    layer = layers.AlwaysOnDropout(0.5, seed=3)
    ones = np.ones((4, 64), np.float32)
    a, b = np.asarray(layer(ones, training=False)), np.asarray(layer(ones))
    assert set(np.unique(a)) == {0.0, 2.0} and not np.array_equal(a, b)   # inverted dropout
    x = keras.Input((64,))
    model = keras.Model(x, layers.AlwaysOnDropout(0.5, seed=3, name="drop")(x))
    model(ones)                                     # advance the state once
    store = {}
    model.get_layer("drop").save_own_variables(store)
    store = {k: np.array(v) for k, v in store.items()}      # as written to a file
    assert list(store) == ["seed_generator_state"]
    nxt = np.asarray(model(ones))
    other = keras.Model(x, layers.AlwaysOnDropout(0.5, seed=99, name="drop")(x))
    other.get_layer("drop").load_own_variables(store)
    np.testing.assert_array_equal(np.asarray(other(ones)), nxt)


# -- U-Net and encoder-decoder ---------------------------------------------------------------

def test_unet_widths_are_the_papers_at_256():
    """Appendix 6.1.1: encoder C64-C128-C256-C512-C512-C512-C512-C512; U-Net decoder inputs
    CD512-CD1024-CD1024-C1024-C1024-C512-C256-C128 (the concatenations double them). Built at
    base_filters=1: every width divided by 64."""
    assert encoder_widths(8, 64) == [64, 128, 256, 512, 512, 512, 512, 512]
    g = models.build_unet_generator(256, 3, 3, base_filters=1, dropout=0.0)
    enc = [g.get_layer(f"enc_{i}").output.shape[-1] * 64 for i in range(8)]
    assert enc == [64, 128, 256, 512, 512, 512, 512, 512]
    dec_in = [g.get_layer(f"dec_{j}").input.shape[-1] * 64 for j in range(7)]
    dec_in.append(g.get_layer("out_deconv").input.shape[-1] * 64)
    assert dec_in == [512, 1024, 1024, 1024, 1024, 512, 256, 128]
    assert g.get_layer("enc_7").output.shape[1:3] == (1, 1)


def test_unet_skip_shapes_at_32_and_the_encoder_decoder_has_none():
    g = models.build_unet_generator(32, 1, 2, base_filters=4)
    assert g.output_shape == (None, 32, 32, 2)
    widths = [4, 8, 16, 32, 32]                    # C64-C128-C256-C512-C512 / 16
    for i in range(4):
        side = 32 // 2 ** (i + 1)
        assert g.get_layer(f"skip_{i}").output.shape[1:] == (side, side, 2 * widths[i])
        assert g.get_layer(f"enc_{i}").output.shape[1:] == (side, side, widths[i])
    assert g.get_layer("enc_4").output.shape[1:] == (1, 1, 32)
    names = [layer.name for layer in g.layers]
    assert "enc_0_bn" not in names and "enc_4_bn" not in names and "enc_1_bn" in names
    assert [n for n in names if n.endswith("_dropout")] == [
        "dec_0_dropout", "dec_1_dropout", "dec_2_dropout"]
    assert g.get_layer("dec_0_dropout").rate == 0.5
    e = models.build_encoder_decoder_generator(32, 1, 2, base_filters=4)
    assert not any(isinstance(layer, keras.layers.Concatenate) for layer in e.layers)
    assert e.get_layer("out_deconv").input.shape[-1] == 4


def test_unet_keeps_dropout_at_test_time_unless_told_not_to():
    x = np.tanh(_x((2, 16, 16, 1)))
    noisy = models.build_unet_generator(16, 1, 1, base_filters=4)
    assert not np.allclose(noisy(x, training=False), noisy(x, training=False))
    for g in (models.build_unet_generator(16, 1, 1, base_filters=4, test_time_dropout=False),
              models.build_unet_generator(16, 1, 1, base_filters=4, dropout=0.0)):
        np.testing.assert_array_equal(g(x, training=False), g(x, training=False))
    out = np.asarray(noisy(x))
    assert out.min() >= -1 and out.max() <= 1


def test_unet_size_errors():
    with pytest.raises(ValueError, match="power of two >= 4.*got 48"):
        models.build_unet_generator(48)
    with pytest.raises(ValueError, match=r"divisible by 2\*\*depth = 8 .*got 20"):
        models.build_unet_generator(20, depth=3)
    with pytest.raises(ValueError, match=r"dropout must be a rate in \[0, 1\), got 1.0"):
        models.build_unet_generator(16, dropout=1.0)
    assert models.build_unet_generator(24, 1, 1, base_filters=2, depth=3).output_shape == (
        None, 24, 24, 1)


# -- PatchGAN ---------------------------------------------------------------------------------

def test_receptive_field_formula_on_the_papers_discriminators():
    """r_{l-1} = s_l r_l + (k_l - s_l): the authors' n_layers = 1, 3, 5 give 16, 70, 286."""
    assert receptive_field([(4, 2), (4, 2), (4, 2), (4, 1), (4, 1)]) == 70
    assert receptive_field([(4, 2), (4, 1), (4, 1)]) == 16
    assert receptive_field([(4, 2)] * 5 + [(4, 1)] * 2) == 286
    assert receptive_field([(1, 1)] * 3) == 1
    assert receptive_field([(3, 1), (3, 1)]) == 5 and receptive_field([(2, 2), (3, 1)]) == 6
    for field in (1, 16, 70, 286):
        assert receptive_field(patchgan_layers(field, 256)) == field
    assert [receptive_field(patchgan_layers(f, 32)) for f in (1, 16, 70, 286, "image")] == [
        1, 2, 7, 34, 46]


def _input_window(layer_specs, out_index, size):
    """The input pixels (per axis) output ``out_index`` reads, through paddings and strides,
    clipped to the image: [lo, hi]."""
    lo = hi = out_index
    for spec in reversed(layer_specs):
        lo = lo * spec["stride"] - spec["padding"]
        hi = hi * spec["stride"] - spec["padding"] + spec["kernel"] - 1
    return max(lo, 0), min(hi, size - 1)


def _measured_field(d, size, channels, cell):
    """Rows and columns of the input where the gradient of output ``cell`` is nonzero."""
    inputs = [tf.constant(np.tanh(_x((1, size, size, c), seed=i)))
              for i, c in enumerate(channels)]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        out = d(inputs if len(inputs) > 1 else inputs[0], training=False)
        target = out[0, cell, cell, 0]
    grads = tape.gradient(target, inputs)
    mask = np.any(np.stack([np.abs(np.asarray(g[0])).sum(-1) for g in grads]) > 0, axis=0)
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    return (rows.min(), rows.max()), (cols.min(), cols.max())


@pytest.mark.parametrize("field", [1, 16, 70, 286, "image"])
def test_patchgan_measured_receptive_field_at_32_matches_the_formula(field):
    keras.utils.set_random_seed(0)
    d = models.build_patchgan_discriminator(32, 1, 2, field, base_filters=2)
    specs = patchgan_layers(field, 32, base_filters=2)
    side = d.output_shape[1]
    cell = side // 2
    rows, cols = _measured_field(d, 32, (1, 2), cell)
    window = _input_window(specs, cell, 32)
    assert rows == window and cols == window
    if rows[0] > 0 and rows[1] < 31:                # not clipped: the formula's extent
        assert rows[1] - rows[0] + 1 == receptive_field(specs) == receptive_field(d)
    if field in (286, "image"):                     # patches as large as the image
        assert receptive_field(specs) >= 32


def test_patchgan_70_at_256_sees_70x70_patches_and_returns_30x30():
    """The paper's standard discriminator at its 256x256: the gradient of one central output
    is nonzero on exactly a 70x70 window of the input (base_filters=2 keeps it small)."""
    d = models.build_patchgan_discriminator(256, 3, 3, 70, base_filters=2)
    assert d.output_shape == (None, 30, 30, 1)
    rows, cols = _measured_field(d, 256, (3, 3), 15)
    assert rows[1] - rows[0] + 1 == 70 and cols[1] - cols[0] + 1 == 70
    assert receptive_field(d) == 70


def test_patchgan_inputs_norms_and_errors():
    cond = models.build_patchgan_discriminator(32, 1, 3, 70, base_filters=2)
    assert [tuple(s) for s in cond.input_shape] == [(None, 32, 32, 1), (None, 32, 32, 3)]
    assert cond.get_layer("pair").output.shape[-1] == 4           # concatenated on channels
    plain = models.build_patchgan_discriminator(32, 1, 3, 286, base_filters=2,
                                                conditional=False, norm="instance")
    assert tuple(plain.input_shape) == (None, 32, 32, 3)
    assert any(isinstance(layer, layers.InstanceNormalization) for layer in plain.layers)
    assert plain.name == "patchgan_286_unconditional"
    with pytest.raises(ValueError, match=r"receptive_field must be one of \(1, 16, 70, 286, "
                                         r"'image'\).*got 50"):
        models.build_patchgan_discriminator(32, receptive_field=50)
    with pytest.raises(ValueError, match=r"image_size must be a power of two >= 4, got 48 "
                                         r"\(patchgan_layers"):
        models.build_patchgan_discriminator(48)
    with pytest.raises(ValueError, match="unknown norm 'layer'"):
        models.build_patchgan_discriminator(32, norm="layer")
    big = [{"filters": 2, "kernel": 9, "stride": 1, "padding": 0, "norm": False}] * 2
    with pytest.raises(ValueError, match="8x8 image is too small.*receptive field 17"):
        models.build_patchgan_discriminator(8, layers=big)


# -- saving --------------------------------------------------------------------------------------

def test_new_layers_save_and_load_with_the_same_outputs(tmp_path):
    """A U-Net (AlwaysOnDropout) behind reflection padding and instance norm, saved as .keras,
    loads with the same outputs and the same dropout masks (the seed state is saved). The
    layers are registered under ``gan_tf>``, so a fresh interpreter loads them after ``import
    gan_tf`` alone: tests/test_saving.py runs that check on such a model (``translator``)."""
    keras.utils.set_random_seed(1)
    x = keras.Input((16, 16, 1))
    h = layers.ReflectionPadding2D(((1, 2), (2, 1)))(x)
    h = keras.layers.Conv2D(3, 4, name="conv")(h)                 # back to 16x16
    h = layers.InstanceNormalization(name="norm")(h)
    model = keras.Model(x, models.build_unet_generator(16, 3, 1, base_filters=2)(h))
    rng = np.random.default_rng(2)     # every weight random (BN statistics too): none lost
    for w in model.weights:
        low = 0.5 if "variance" in w.path else -0.5
        w.assign(rng.uniform(low, 1.0, size=w.shape).astype("float32"))
    model.save(tmp_path / "net.keras")              # before the next call: the masks to come
    inputs = np.tanh(_x((2, 16, 16, 1)))
    want = np.asarray(model(inputs, training=False))
    loaded = keras.saving.load_model(tmp_path / "net.keras")
    np.testing.assert_allclose(np.asarray(loaded(inputs, training=False)), want, rtol=1e-5,
                               atol=1e-6)
    assert np.ptp(want) > 0.05
    for cls in (layers.ReflectionPadding2D, layers.InstanceNormalization,
                layers.AlwaysOnDropout):
        assert keras.saving.get_registered_name(cls) == f"gan_tf>{cls.__name__}"
