"""Pix2Pix generators: the U-Net and the encoder-decoder without skips.

Isola et al. 2017, "Image-to-Image Translation with Conditional Adversarial Networks"
(arXiv:1611.07004), section 3.2.1 and appendix 6.1.1. ``Ck`` is a 4x4 convolution with k
filters and stride 2, batch norm and a ReLU; ``CDk`` adds dropout 0.5. At 256x256:

- encoder C64-C128-C256-C512-C512-C512-C512-C512 (LeakyReLU 0.2; no batch norm on the first
  C64), eight halvings down to a 1x1 map;
- decoder CD512-CD512-CD512-C512-C256-C128-C64 (ReLU), then a convolution to the output
  channels and tanh;
- the U-Net concatenates encoder layer i to decoder layer n - i (its decoder's inputs have
  twice the channels: CD512-CD1024-CD1024-C1024-C1024-C512-C256-C128); the encoder-decoder has
  no such skips.

Scaled to any size: ``depth`` halvings (default ``log2(image_size)``, down to 1x1, as the paper:
five at 32x32), encoder widths ``base_filters * min(2**i, 8)`` (C64-C128-C256-C512-C512 at
32x32), the decoder their mirror image; ``base_filters`` shrinks the network for a CPU.

As the authors' code (Lua and PyTorch) writes it, the activation comes *before* each
convolution: encoder layer i is ``BN(conv(LeakyReLU(e_{i-1})))``, decoder layer j is
``Dropout(BN(deconv(ReLU([d_{j-1}, e_{n-j}]))))`` (the skip joins before the ReLU); the
paper's Convolution-BatchNorm-ReLU blocks are the same chain cut in another place. As in that
code, the innermost (1x1) encoder layer has no batch norm (the Lua code's later versions comment
it out, the PyTorch port never had it: at the paper's batch size 1 it would zero the map), and the convolutions followed by batch norm have no bias. Weights N(0, 0.02),
batch-norm gamma N(1, 0.02) (appendix 6.2).

Noise: there is no z. "We provide noise only in the form of dropout, applied on several layers
of our generator at both training and test time" (section 3.1): the first ``dropout_layers``
(3) decoder layers drop at ``dropout`` (0.5) with ``gan_tf.layers.AlwaysOnDropout``, which
ignores ``training``, so ``generator(x, training=False)`` and ``predict`` still sample;
``test_time_dropout=False`` gives ordinary dropout (deterministic at inference).
See chapter 8.2.
"""

from __future__ import annotations

import math

import keras

from gan_tf import layers
from gan_tf.models import _checks
from gan_tf.models.dcgan import _bn, _init


def _depth(image_size, depth):
    image_size = _checks.positive_int(image_size, "image_size")
    if depth is None:
        _checks.power_of_two(image_size, "image_size",
                             why=" (the default depth: log2(image_size) halvings down to 1x1); "
                                 "pass depth for other sizes")
        return image_size, int(math.log2(image_size))
    depth = _checks.positive_int(depth, "depth")
    if depth < 2 or image_size % 2 ** depth:
        raise ValueError(f"image_size must be divisible by 2**depth = {2 ** depth} (depth={depth}"
                         f" >= 2 halvings of 4x4 stride-2 convolutions), got {image_size}")
    return image_size, depth


def encoder_widths(depth, base_filters=64):
    """The encoder's filters: ``base_filters * min(2**i, 8)`` for ``i < depth`` (the paper's
    C64-C128-C256-C512-C512-C512-C512-C512 at depth 8). See chapter 8.2."""
    return [base_filters * min(2 ** i, 8) for i in range(depth)]


def build_unet_generator(image_size=256, input_channels=3, output_channels=3, base_filters=64,
                         skips=True, dropout=0.5, dropout_layers=3, test_time_dropout=True,
                         depth=None, name=None):
    """Pix2Pix's U-Net generator (arXiv:1611.07004, section 3.2.1, appendix 6.1.1): input
    images ``(batch, image_size, image_size, input_channels)`` in [-1, 1] -> translated images
    ``(batch, image_size, image_size, output_channels)`` in [-1, 1] (tanh).

    ``depth`` 4x4 stride-2 convolutions down (default ``log2(image_size)``: to 1x1, as the
    paper's eight at 256), as many transposed ones up; ``skips=False`` is the paper's
    encoder-decoder (``build_encoder_decoder_generator``). The first ``dropout_layers`` decoder
    layers apply dropout ``dropout`` at training *and* test time (``test_time_dropout``): the
    generator's only noise. ``base_filters`` (64) scales every width. ``image_size`` must be
    divisible by ``2**depth`` (``ValueError`` otherwise). See the module docstring for the
    layer order and chapter 8.2.
    """
    image_size, depth = _depth(image_size, depth)
    input_channels = _checks.positive_int(input_channels, "input_channels")
    output_channels = _checks.positive_int(output_channels, "output_channels")
    base_filters = _checks.positive_int(base_filters, "base_filters")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
            or not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a rate in [0, 1), got {dropout!r}")
    if isinstance(dropout_layers, bool) or not isinstance(dropout_layers, int) \
            or dropout_layers < 0:
        raise ValueError(f"dropout_layers must be an int >= 0, got {dropout_layers!r}")
    name = name or ("unet_generator" if skips else "encoder_decoder_generator")
    drop = layers.AlwaysOnDropout if test_time_dropout else layers.Dropout
    widths = encoder_widths(depth, base_filters)

    def conv(h, filters, bias, layer_name):
        return keras.layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=bias,
                                   kernel_initializer=_init(), name=layer_name)(h)

    def deconv(h, filters, bias, layer_name):
        return keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same",
                                            use_bias=bias, kernel_initializer=_init(),
                                            name=layer_name)(h)

    x = keras.Input((image_size, image_size, input_channels), name="input")
    encoder = [conv(x, widths[0], True, "enc_0")]                    # C64, no batch norm
    for i in range(1, depth):
        h = keras.layers.LeakyReLU(0.2, name=f"enc_{i}_lrelu")(encoder[-1])
        innermost = i == depth - 1
        h = conv(h, widths[i], innermost, f"enc_{i}")
        if not innermost:
            h = _bn(f"enc_{i}_bn")(h)
        encoder.append(h)
    h = encoder[-1]
    for j in range(depth - 1):
        mirror = depth - 2 - j                                       # encoder layer it meets
        h = keras.layers.ReLU(name=f"dec_{j}_relu")(h)
        h = deconv(h, widths[mirror], False, f"dec_{j}")
        h = _bn(f"dec_{j}_bn")(h)
        if dropout > 0 and j < dropout_layers:
            h = drop(dropout, name=f"dec_{j}_dropout")(h)
        if skips:
            h = keras.layers.Concatenate(name=f"skip_{mirror}")([h, encoder[mirror]])
    h = keras.layers.ReLU(name="out_relu")(h)
    h = deconv(h, output_channels, True, "out_deconv")
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model(x, out, name=name)


def build_encoder_decoder_generator(image_size=256, input_channels=3, output_channels=3,
                                    base_filters=64, dropout=0.5, dropout_layers=3,
                                    test_time_dropout=True, depth=None,
                                    name="encoder_decoder_generator"):
    """Pix2Pix's encoder-decoder (arXiv:1611.07004, section 3.2.1, fig. 3): the U-Net of
    ``build_unet_generator`` without its skip connections; everything must pass the
    bottleneck. Arguments as there. See chapter 8.2."""
    return build_unet_generator(image_size, input_channels, output_channels, base_filters,
                                skips=False, dropout=dropout, dropout_layers=dropout_layers,
                                test_time_dropout=test_time_dropout, depth=depth, name=name)
