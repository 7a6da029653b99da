"""CycleGAN's ResNet generator and StarGAN's generator and discriminator
(gan_tf/models/translation.py): the paper's layer widths, PyTorch-aligned up-sampling, label
tiling by numbers, and clear size errors."""

import keras
import numpy as np
import pytest

from gan_tf import layers, models


def test_resnet_generator_layers_and_one_residual_block_of_parameters():
    """c7s1-F, d2F, d4F, R4F x n, u2F, uF, c7s1-3: with F = 2 the blocks have 8 filters, and a
    block is two 3x3x8x8 convolutions with biases (instance norm without affine parameters,
    as the authors' PyTorch code): 2 * (9 * 64 + 8) = 1168 parameters per block."""
    g2 = models.build_resnet_generator(32, 3, 3, base_filters=2, n_blocks=2)
    g3 = models.build_resnet_generator(32, 3, 3, base_filters=2, n_blocks=3)
    assert g2.output_shape == (None, 32, 32, 3)
    assert g3.count_params() - g2.count_params() == 2 * (9 * 8 * 8 + 8)
    filters = [g3.get_layer(n).output.shape[-1]
               for n in ("c7s1", "d0", "d1", "r0_conv1", "u0", "u1", "out_conv")]
    assert filters == [2, 4, 8, 8, 4, 2, 3]
    assert [g3.get_layer(n).output.shape[1] for n in ("d0", "d1", "u0_crop", "u1_crop")] == [
        16, 8, 16, 32]
    pads = [layer for layer in g3.layers if isinstance(layer, layers.ReflectionPadding2D)]
    assert len(pads) == 2 + 2 * 3                    # the two 7x7 convolutions, two per block
    norms = [layer for layer in g3.layers if isinstance(layer, layers.InstanceNormalization)]
    assert len(norms) == 1 + 2 + 2 * 3 + 2 and not any(n.weights for n in norms)
    affine = models.build_resnet_generator(32, 3, 3, base_filters=2, n_blocks=2, affine=True)
    assert affine.count_params() - g2.count_params() == 2 * (2 + 4 + 8 + 2 * 2 * 8 + 4 + 2)


def test_resnet_upsampling_lines_up_with_pytorchs_transposed_convolution():
    """PyTorch's ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1) puts x[i, j] *
    w[a, b] at output (2i + a - 1, 2j + b - 1). An impulse at input (1, 2) through the
    builder's u0 (+ crop) lands the kernel's taps exactly there."""
    g = models.build_resnet_generator(16, 1, 1, base_filters=1, n_blocks=1)
    up, crop = g.get_layer("u0"), g.get_layer("u0_crop")
    channels = up.input.shape[-1]
    x = np.zeros((1, 4, 4, channels), np.float32)
    x[0, 1, 2, 0] = 1.0
    out = np.asarray(crop(up(x)))[0, :, :, 0]
    kernel, bias = (np.asarray(w) for w in up.weights)     # (3, 3, out, in), (out,)
    want = np.full((8, 8), bias[0], np.float32)
    for a in range(3):
        for b in range(3):
            r, c = 2 * 1 + a - 1, 2 * 2 + b - 1
            want[r, c] += kernel[a, b, 0, 0]
    np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-7)


def test_stargan_generator_tiles_the_label_over_the_image():
    g = models.build_stargan_generator(16, 3, label_dim=4, base_filters=2, n_blocks=1)
    assert g.output_shape == (None, 16, 16, 3)
    image = np.tanh(np.random.default_rng(0).normal(size=(2, 16, 16, 3))).astype(np.float32)
    label = np.array([[1, 0, 1, 0], [0, 0, 0, 1]], np.float32)
    joined = keras.Model(g.inputs, g.get_layer("image_and_label").output)([image, label])
    joined = np.asarray(joined)
    assert joined.shape == (2, 16, 16, 7)
    np.testing.assert_array_equal(joined[..., :3], image)
    np.testing.assert_array_equal(joined[..., 3:], np.broadcast_to(label[:, None, None, :],
                                                                   (2, 16, 16, 4)))
    widths = [g.get_layer(n).output.shape[-1] for n in ("down_0", "down_1", "down_2",
                                                        "res0_conv1", "up_0", "up_1")]
    assert widths == [2, 4, 8, 8, 4, 2]             # 64-128-256-256-128-64 at F = 64
    norms = [layer for layer in g.layers if isinstance(layer, layers.InstanceNormalization)]
    assert all(n.center and n.scale for n in norms)   # affine, as StarGAN's code
    out = np.asarray(g([image, label]))
    assert out.min() >= -1 and out.max() <= 1


def test_stargan_discriminator_heads_and_defaults():
    """Table 5: 6 halvings at 128x128 leave 2x2; D_src (2, 2, 1), D_cls n_labels logits. The
    default keeps the 2x2 map at 32x32 (4 halvings)."""
    d128 = models.build_stargan_discriminator(128, 3, n_labels=5, base_filters=1)
    assert [tuple(s) for s in d128.output_shape] == [(None, 2, 2, 1), (None, 5)]
    assert [d128.get_layer(f"conv_{i}").filters for i in range(6)] == [1, 2, 4, 8, 16, 32]
    d32 = models.build_stargan_discriminator(32, 1, n_labels=3, base_filters=2)
    assert [tuple(s) for s in d32.output_shape] == [(None, 2, 2, 1), (None, 3)]
    assert d32.get_layer("cls_conv").kernel_size == (2, 2)
    assert d32.get_layer("lrelu_0").negative_slope == pytest.approx(0.01)
    assert not any("norm" in type(layer).__name__.lower() for layer in d32.layers)


def test_translation_size_errors():
    with pytest.raises(ValueError, match="multiple of 4 of at least 8, got 30"):
        models.build_resnet_generator(30)
    with pytest.raises(ValueError, match="multiple of 8 of at least 8, got 20"):
        models.build_stargan_generator(20, n_downsampling=3)
    with pytest.raises(ValueError, match="multiple of 16 of at least 16, got 40"):
        models.build_stargan_discriminator(40, n_layers=4)
    with pytest.raises(ValueError, match=r"image_size must be a power of two >= 4, got 48 "
                                         r"\(the default n_layers.*; pass n_layers"):
        models.build_stargan_discriminator(48)
    with pytest.raises(ValueError, match="n_blocks must be a positive int, got 0"):
        models.build_resnet_generator(32, n_blocks=0)
