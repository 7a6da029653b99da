"""PatchGAN discriminators with the receptive field as a parameter, and the receptive field of
a stack of convolutions.

Isola et al. 2017 (arXiv:1611.07004), section 3.2.2 and appendix 6.1.2: the discriminator
"tries to classify if each N x N patch in an image is real or fake", run convolutionally across
the image; its outputs are averaged (here: by the losses, which average over every axis but the
batch). N is the receptive field of one output. At 256x256 the paper compares (table 3):

- 1x1 "PixelGAN": C64-C128 with 1x1 convolutions, then a 1x1 convolution to one channel;
- 16x16: C64-C128 (the authors' code: ``n_layers=1``);
- 70x70: C64-C128-C256-C512 (``n_layers=3``, the default of pix2pix and CycleGAN);
- 286x286 "ImageGAN": C64-C128-C256-C512-C512-C512 (``n_layers=5``).

In the authors' code (``NLayerDiscriminator``) ``n_layers`` 4x4 stride-2 convolutions (padding
1; widths ``64 * min(2**i, 8)``) are followed by a 4x4 stride-1 convolution and a 4x4 stride-1
convolution to one channel; batch norm on all but the first, LeakyReLU 0.2; no sigmoid here
(the losses take logits). So at 256x256 the 70x70 discriminator returns a 30x30 map. The
receptive field of that family is ``9 * 2**n_layers - 2`` (16, 34, 70, 142, 286).

**Scaled to smaller images** (``patchgan_layers(receptive_field, image_size)``). The
receptive fields keep their ratio to the image's side: a power-of-two image ``image_size =
256 / 2**k`` gets the same family with ``k`` fewer halvings, ``n_layers - k``. At 32x32
(``k = 3``):

=============  =========================  =======================  =========================
paper, 256px   at 32px                    receptive field          ratio (paper's)
=============  =========================  =======================  =========================
1 (PixelGAN)   1x1 convolutions           1                        1/32 (1/256)
16             one 2x2 convolution, 1x1s  2                        0.06 (0.06)
70             n_layers = 0: 4x4 s1, 4x4  7                        0.22 (0.27)
286            n_layers = 2               34: covers the image     1.06 (1.12)
"image"        halvings to 4x4, 4x4 conv  46: one logit per image  whole image
=============  =========================  =======================  =========================

Where ``n_layers - k < 0`` (the 16 at 32 or 64 px) the family has no member small enough:
one stride-1 convolution with the scaled kernel ``round(N * image_size / 256)`` (2 at 32px, 4
at 64px) followed by the PixelGAN's 1x1 layers takes its place. Our ``n_layers = 0`` is the
family's stride-1 pair alone (C64 4x4 without batch norm, then the 4x4 convolution to one
channel: receptive field 7); the authors' Lua code uses ``n_layers = 0`` as a name for the
PixelGAN instead. ``"image"`` is an ImageGAN proper: stride-2 4x4 convolutions down to 4x4 and a 4x4
valid convolution to one logit per image (the paper's 286 is an ImageGAN at 256 px only
because 286 > 256). The paper's sizes at 256px are built exactly.

The discriminator of a conditional GAN sees the input and the output concatenated on the
channels (``conditional=True``: two inputs ``[input, image]``); ``conditional=False`` sees the
output alone, for the unconditional "GAN" rows of the paper's table 1. See chapter 8.2.
"""

from __future__ import annotations

import math

import keras

from gan_tf.layers import InstanceNormalization
from gan_tf.models import _checks
from gan_tf.models.dcgan import _bn, _init

PAPER_IMAGE_SIZE = 256
# the paper's receptive fields at 256x256 -> n_layers of the authors' NLayerDiscriminator
PAPER_N_LAYERS = {16: 1, 70: 3, 286: 5}
RECEPTIVE_FIELDS = (1, 16, 70, 286, "image")
NORMS = ("batch", "instance", None)


def receptive_field(layers):
    """The receptive field (in input pixels, per axis) of one output of a stack of
    convolutions: with ``r_L = 1`` at the output, ``r_{l-1} = s_l * r_l + (k_l - s_l)`` down
    to the input, for layers ``l = 1..L`` of kernel ``k_l`` and stride ``s_l``.

    ``layers``: a sequence of ``(kernel, stride)`` pairs, or of dicts with ``"kernel"`` and
    ``"stride"`` (``patchgan_layers``), or a chain-structured ``keras.Model`` (its ``Conv2D``
    and pooling layers in order; padding does not change the field). The paper's 70x70
    discriminator: ``receptive_field([(4, 2), (4, 2), (4, 2), (4, 1), (4, 1)]) == 70``.
    See chapter 8.2.
    """
    pairs = []
    if isinstance(layers, keras.Model):
        for layer in layers.layers:
            if isinstance(layer, keras.layers.Conv2D) and not isinstance(
                    layer, keras.layers.Conv2DTranspose):
                k, s = layer.kernel_size, layer.strides
            elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
                k, s = layer.pool_size, layer.strides
            else:
                continue
            if k[0] != k[1] or s[0] != s[1] or getattr(layer, "dilation_rate", (1, 1)) != (1, 1):
                raise ValueError(f"receptive_field handles square, undilated kernels and "
                                 f"strides; layer {layer.name!r} has kernel {k}, strides {s}")
            pairs.append((k[0], s[0]))
    else:
        for layer in layers:
            k, s = ((layer["kernel"], layer["stride"]) if isinstance(layer, dict) else layer)
            pairs.append((_checks.positive_int(k, "kernel"), _checks.positive_int(s, "stride")))
    r = 1
    for k, s in reversed(pairs):
        r = s * r + (k - s)
    return r


_field_of = receptive_field   # the builder's argument of the same name hides the function


def _layer(filters, kernel, stride, padding, norm):
    return {"filters": filters, "kernel": kernel, "stride": stride, "padding": padding,
            "norm": norm}


def patchgan_layers(receptive_field=70, image_size=PAPER_IMAGE_SIZE, base_filters=64):
    """The convolutions of a PatchGAN with the paper's ``receptive_field`` (1, 16, 70, 286 at
    256x256, or ``"image"``) scaled to ``image_size`` (a power of two >= 4), as the module
    docstring's table: a list of dicts ``filters, kernel, stride, padding, norm`` (``padding``
    zero pixels on each side before the convolution; ``norm`` whether a normalisation layer
    follows); the last is the convolution to one channel. ``ValueError`` for other fields or
    sizes. See chapter 8.2."""
    image_size = _checks.positive_int(image_size, "image_size")
    base_filters = _checks.positive_int(base_filters, "base_filters")
    _checks.power_of_two(image_size, "image_size",
                         why=" (patchgan_layers scales the paper's receptive fields to such "
                             "sizes, e.g. 32, 256); build other sizes with "
                             "build_patchgan_discriminator(layers=...)")
    if receptive_field not in RECEPTIVE_FIELDS or isinstance(receptive_field, bool):
        raise ValueError(f"receptive_field must be one of {RECEPTIVE_FIELDS} (the paper's, at "
                         f"256x256), got {receptive_field!r}")

    def width(i):
        return base_filters * min(2 ** i, 8)

    if receptive_field == "image":                       # halvings to 4x4, then 4x4 valid
        halvings = int(math.log2(image_size // 4))
        return ([_layer(width(i), 4, 2, 1, i > 0) for i in range(halvings)]
                + [_layer(1, 4, 1, 0, False)])
    pixel = [_layer(base_filters, 1, 1, 0, False), _layer(2 * base_filters, 1, 1, 0, True),
             _layer(1, 1, 1, 0, False)]
    if receptive_field == 1:
        return pixel
    n = PAPER_N_LAYERS[receptive_field] - round(math.log2(PAPER_IMAGE_SIZE / image_size))
    if n < 0:                                            # below the family: a scaled kernel
        kernel = max(1, round(receptive_field * image_size / PAPER_IMAGE_SIZE))
        return [_layer(base_filters, kernel, 1, 0, False)] + pixel[1:]
    return ([_layer(width(i), 4, 2, 1, i > 0) for i in range(n)]
            + [_layer(width(n), 4, 1, 1, n > 0), _layer(1, 4, 1, 1, False)])


def _norm(norm, name):
    if norm == "batch":
        return _bn(name)
    # CycleGAN's discriminator: instance norm without affine parameters (the authors' PyTorch)
    return InstanceNormalization(center=False, scale=False, name=name)


def build_patchgan_discriminator(image_size=PAPER_IMAGE_SIZE, input_channels=3,
                                 output_channels=3, receptive_field=70, base_filters=64,
                                 conditional=True, norm="batch", layers=None, name=None):
    """A PatchGAN (arXiv:1611.07004, section 3.2.2): ``[input, image]`` (``conditional=True``:
    the input ``(batch, S, S, input_channels)`` and an output ``(batch, S, S,
    output_channels)``, concatenated on the channels) or ``image`` alone -> a map of logits
    ``(batch, h, w, 1)``, one per patch (no sigmoid; the losses average it).

    ``receptive_field``: the paper's 1, 16, 70, 286 (at 256x256) or ``"image"``, scaled to
    ``image_size`` as the module docstring says (``patchgan_layers``); or give ``layers``
    yourself (dicts as ``patchgan_layers`` returns). ``norm``: ``"batch"`` (pix2pix),
    ``"instance"`` (CycleGAN; no affine parameters, as its PyTorch code) or ``None``; the first
    convolution is never normalised. LeakyReLU 0.2 after every convolution but the last;
    weights N(0, 0.02); a bias only where no normalisation follows. ``ValueError`` if the
    image is too small for the layers (no output left). See chapter 8.2.
    """
    image_size = _checks.positive_int(image_size, "image_size")
    input_channels = _checks.positive_int(input_channels, "input_channels")
    output_channels = _checks.positive_int(output_channels, "output_channels")
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; expected one of {NORMS}")
    if layers is None:
        layers = patchgan_layers(receptive_field, image_size, base_filters)
        label = receptive_field
    else:
        label = "custom"
    size = image_size
    for spec in layers:
        size = (size + 2 * spec["padding"] - spec["kernel"]) // spec["stride"] + 1
        if size < 1:
            raise ValueError(f"a {image_size}x{image_size} image is too small for this "
                             f"PatchGAN's layers (receptive field {_field_of(layers)}): "
                             f"no output left after a {spec['kernel']}x{spec['kernel']} "
                             f"convolution")
    name = name or (f"patchgan_{label}" + ("" if conditional else "_unconditional"))
    image = keras.Input((image_size, image_size, output_channels), name="image")
    if conditional:
        source = keras.Input((image_size, image_size, input_channels), name="input")
        inputs = [source, image]
        h = keras.layers.Concatenate(name="pair")([source, image])
    else:
        inputs = image
        h = image
    last = len(layers) - 1
    for i, spec in enumerate(layers):
        normed = bool(spec["norm"]) and norm is not None and i != last
        if spec["padding"]:
            h = keras.layers.ZeroPadding2D(spec["padding"], name=f"pad_{i}")(h)
        h = keras.layers.Conv2D(spec["filters"], spec["kernel"], strides=spec["stride"],
                                use_bias=not normed, kernel_initializer=_init(),
                                dtype="float32" if i == last else None,
                                name="logits" if i == last else f"conv_{i}")(h)
        if i == last:
            break
        if normed:
            h = _norm(norm, f"{norm}_norm_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(h)
    return keras.Model(inputs, h, name=name)
