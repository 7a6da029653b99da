"""Generators and a critic for unpaired and multi-domain translation: CycleGAN's ResNet
generator and StarGAN's generator and discriminator.

- ``build_resnet_generator``: CycleGAN's generator (Zhu et al., arXiv:1703.10593, appendix
  7.2, after Johnson et al., arXiv:1603.08155): ``c7s1-64, d128, d256, R256 x n, u128, u64,
  c7s1-3``. ``c7s1-k`` is a 7x7 stride-1 convolution with k filters, instance norm and ReLU;
  ``dk`` a 3x3 stride-2 convolution, instance norm, ReLU; ``Rk`` a residual block of two 3x3
  convolutions with k filters (instance norm, ReLU between them, instance norm after; the sum
  is not activated); ``uk`` a 3x3 fractional-strided (stride 1/2) convolution, instance norm,
  ReLU; the last ``c7s1-3`` ends in tanh, without norm. Reflection padding before the 7x7 and
  the residual 3x3 convolutions (section 4: "to reduce artifacts"). The paper uses n = 6
  blocks for 128x128 images and 9 for 256x256 and larger; below 128x128 we keep 6 (the
  default), the paper's choice for its smallest images. As the authors' PyTorch code: instance
  norm without affine parameters (``affine=False``; their Lua code's had them), zero padding 1
  for the stride-2 convolutions, transposed convolutions with padding 1 and output padding 1
  (built here as a valid transposed convolution cropped by one pixel at the top and left, so
  the pixels line up with PyTorch's), biases on every convolution.
- ``build_stargan_generator``: StarGAN's G (Choi et al., arXiv:1711.09020, appendix 7.2,
  table 4): the target label vector (``label_dim`` = n_c, mask vector included) replicated
  over the image and concatenated to it on the channels; conv 7x7 64, two 4x4 stride-2 convs
  (128, 256), 6 residual blocks (3x3, 256), two 4x4 stride-2 transposed convs (128, 64), conv
  7x7 to the image channels, tanh; instance norm (with affine parameters, as its code) and ReLU
  after every convolution but the last; zero padding; no biases (the code's ``bias=False``).
  The code's ``InstanceNorm2d(track_running_stats=True)`` switches to running averages in
  ``eval()`` mode; ours normalises every image by its own statistics, in training and at test
  time alike (instance norm as Ulyanov et al. define it).
- ``build_stargan_discriminator``: StarGAN's D (table 5), a PatchGAN without normalisation:
  ``n_layers`` 4x4 stride-2 convolutions with 64, 128, ..., filters and LeakyReLU(0.01), then
  two heads: D_src a 3x3 convolution to one channel (a map of critic values, WGAN-GP: no
  sigmoid) and D_cls a convolution covering the whole remaining map to ``n_labels`` logits.

Widths (``base_filters``), numbers of blocks and of halvings are parameters, so tests and
notebooks build tiny versions; image sizes are checked (a clear ``ValueError`` when the side is
not divisible by the halvings, or too small to reflect-pad). Weights N(0, 0.02) as the
CycleGAN code (StarGAN's code keeps PyTorch's default initialisation; we use N(0, 0.02) for
both). See chapters 8.3 and 8.4.
"""

from __future__ import annotations

import keras

from gan_tf.layers import InstanceNormalization, ReflectionPadding2D, TileLabels
from gan_tf.models import _checks
from gan_tf.models.dcgan import _init


def _check_size(image_size, halvings, what, minimum=1):
    """``image_size`` as an int, divisible by ``2**halvings`` with at least ``minimum`` pixels
    left at the bottleneck; ``ValueError`` otherwise."""
    image_size = _checks.positive_int(image_size, "image_size")
    factor = 2 ** halvings
    if image_size % factor or image_size // factor < minimum:
        raise ValueError(f"{what} halves its input {halvings} times: image_size must be a "
                         f"multiple of {factor} of at least {factor * minimum}, got "
                         f"{image_size}")
    return image_size


def _relu(h, name):
    return keras.layers.ReLU(name=name)(h)


def build_resnet_generator(image_size=256, input_channels=3, output_channels=3,
                           base_filters=64, n_blocks=6, n_downsampling=2, affine=False,
                           name="resnet_generator"):
    """CycleGAN's generator (arXiv:1703.10593, appendix 7.2): images ``(batch, image_size,
    image_size, input_channels)`` in [-1, 1] -> ``(batch, image_size, image_size,
    output_channels)`` in [-1, 1] (tanh).

    ``c7s1-F, d2F, d4F, R4F x n_blocks, u2F, uF, c7s1-output_channels`` with ``F =
    base_filters`` (64) and ``n_downsampling`` (2) stride-2 layers each way; ``n_blocks`` 6 (the
    paper's for 128x128; 9 for 256x256 and larger). ``affine``: instance norm with ``gamma,
    beta`` (the authors' PyTorch code has none). ``image_size`` must be a multiple of
    ``2**n_downsampling`` leaving a map of at least 2x2 (the residual blocks reflect-pad by
    1) and at least 4 (the 7x7 convolutions reflect-pad by 3). See the module docstring and
    chapter 8.3.
    """
    n_downsampling = _checks.positive_int(n_downsampling, "n_downsampling")
    image_size = _check_size(image_size, n_downsampling, "the ResNet generator", minimum=2)
    if image_size < 4:
        raise ValueError(f"the ResNet generator reflect-pads its input by 3: image_size must be "
                         f"at least 4, got {image_size}")
    input_channels = _checks.positive_int(input_channels, "input_channels")
    output_channels = _checks.positive_int(output_channels, "output_channels")
    base_filters = _checks.positive_int(base_filters, "base_filters")
    n_blocks = _checks.positive_int(n_blocks, "n_blocks")

    def norm(h, name):
        return InstanceNormalization(center=affine, scale=affine, name=name)(h)

    def conv(h, filters, kernel, name, strides=1):
        return keras.layers.Conv2D(filters, kernel, strides=strides, kernel_initializer=_init(),
                                   name=name)(h)

    x = keras.Input((image_size, image_size, input_channels), name="input")
    h = ReflectionPadding2D(3, name="c7s1_pad")(x)
    h = _relu(norm(conv(h, base_filters, 7, "c7s1"), "c7s1_in"), "c7s1_relu")
    filters = base_filters
    for i in range(n_downsampling):
        filters *= 2
        h = keras.layers.ZeroPadding2D(1, name=f"d{i}_pad")(h)
        h = _relu(norm(conv(h, filters, 3, f"d{i}", strides=2), f"d{i}_in"), f"d{i}_relu")
    for b in range(n_blocks):
        r = ReflectionPadding2D(1, name=f"r{b}_pad1")(h)
        r = _relu(norm(conv(r, filters, 3, f"r{b}_conv1"), f"r{b}_in1"), f"r{b}_relu")
        r = ReflectionPadding2D(1, name=f"r{b}_pad2")(r)
        r = norm(conv(r, filters, 3, f"r{b}_conv2"), f"r{b}_in2")
        h = keras.layers.Add(name=f"r{b}_add")([h, r])
    for i in range(n_downsampling):
        filters //= 2
        # PyTorch's ConvTranspose2d(3, stride 2, padding 1, output_padding 1): the valid
        # transposed convolution (2n + 1 pixels) without its first row and column
        h = keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="valid",
                                         kernel_initializer=_init(), name=f"u{i}")(h)
        h = keras.layers.Cropping2D(((1, 0), (1, 0)), name=f"u{i}_crop")(h)
        h = _relu(norm(h, f"u{i}_in"), f"u{i}_relu")
    h = ReflectionPadding2D(3, name="out_pad")(h)
    h = conv(h, output_channels, 7, "out_conv")
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model(x, out, name=name)


def build_stargan_generator(image_size=128, channels=3, label_dim=5, base_filters=64,
                            n_blocks=6, n_downsampling=2, name="stargan_generator"):
    """StarGAN's generator (arXiv:1711.09020, appendix 7.2, table 4): ``[image (batch,
    image_size, image_size, channels) in [-1, 1], label (batch, label_dim)]`` -> the
    translated image, same shape, in [-1, 1] (tanh).

    The label (the target domain's n_c-dimensional vector: attributes, one-hot classes and,
    for joint training, the mask vector) is replicated over every pixel and concatenated to the
    image on the channels (``layers.TileLabels``, layer ``image_and_label``). Then conv 7x7 ``F`` (64), ``n_downsampling`` (2) 4x4 stride-2 convs doubling the
    filters, ``n_blocks`` (6) residual blocks (two 3x3 convs, instance norm, ReLU between;
    identity skip), as many 4x4 stride-2 transposed convs halving them, conv 7x7 to
    ``channels``, tanh; instance norm with affine parameters and ReLU after each hidden
    convolution; no biases, zero padding. The paper trains at 128x128. ``image_size`` must be a
    multiple of ``2**n_downsampling``. See chapter 8.4.
    """
    n_downsampling = _checks.positive_int(n_downsampling, "n_downsampling")
    image_size = _check_size(image_size, n_downsampling, "StarGAN's generator")
    channels = _checks.positive_int(channels, "channels")
    label_dim = _checks.positive_int(label_dim, "label_dim")
    base_filters = _checks.positive_int(base_filters, "base_filters")
    n_blocks = _checks.positive_int(n_blocks, "n_blocks")

    def block(h, filters, kernel, strides, name, transpose=False, activate=True):
        layer = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
        h = layer(filters, kernel, strides=strides, padding="same", use_bias=False,
                  kernel_initializer=_init(), name=name)(h)
        h = InstanceNormalization(name=f"{name}_in")(h)
        return _relu(h, f"{name}_relu") if activate else h

    image = keras.Input((image_size, image_size, channels), name="image")
    label = keras.Input((label_dim,), name="label")
    h = TileLabels(name="image_and_label")([image, label])
    h = block(h, base_filters, 7, 1, "down_0")
    filters = base_filters
    for i in range(1, n_downsampling + 1):
        filters *= 2
        h = block(h, filters, 4, 2, f"down_{i}")
    for b in range(n_blocks):
        r = block(h, filters, 3, 1, f"res{b}_conv1")
        r = block(r, filters, 3, 1, f"res{b}_conv2", activate=False)
        h = keras.layers.Add(name=f"res{b}_add")([h, r])
    for i in range(n_downsampling):
        filters //= 2
        h = block(h, filters, 4, 2, f"up_{i}", transpose=True)
    h = keras.layers.Conv2D(channels, 7, padding="same", use_bias=False,
                            kernel_initializer=_init(), name="out_conv")(h)
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model([image, label], out, name=name)


def build_stargan_discriminator(image_size=128, channels=3, n_labels=5, base_filters=64,
                                n_layers=None, name="stargan_discriminator"):
    """StarGAN's discriminator (arXiv:1711.09020, appendix 7.2, table 5): images ``(batch,
    image_size, image_size, channels)`` -> ``[src (batch, s, s, 1), cls (batch, n_labels)]``
    with ``s = image_size / 2**n_layers``.

    ``n_layers`` 4x4 stride-2 convolutions (padding 1) with ``F, 2F, 4F, ...`` filters (``F =
    base_filters``, 64), LeakyReLU(0.01), no normalisation; D_src: a 3x3 stride-1 convolution
    to one channel (PatchGAN critic values; no sigmoid: WGAN-GP); D_cls: an ``s x s`` valid
    convolution to ``n_labels`` logits (the domain classifier; sigmoid or softmax in the
    loss). The paper's 6 layers at 128x128 leave a 2x2 map; ``n_layers=None`` keeps that
    2x2 at any size (``log2(image_size) - 1``: 4 at 32x32). ``image_size`` must be a multiple
    of ``2**n_layers``. See chapter 8.4.
    """
    image_size = _checks.positive_int(image_size, "image_size")
    if n_layers is None:
        _checks.power_of_two(image_size, "image_size",
                             why=" (the default n_layers: halvings to a 2x2 map); pass n_layers")
        n_layers = image_size.bit_length() - 2
    n_layers = _checks.positive_int(n_layers, "n_layers")
    image_size = _check_size(image_size, n_layers, "StarGAN's discriminator")
    channels = _checks.positive_int(channels, "channels")
    n_labels = _checks.positive_int(n_labels, "n_labels")
    base_filters = _checks.positive_int(base_filters, "base_filters")
    x = keras.Input((image_size, image_size, channels), name="image")
    h = x
    for i in range(n_layers):
        h = keras.layers.Conv2D(base_filters * 2 ** i, 4, strides=2, padding="same",
                                kernel_initializer=_init(), name=f"conv_{i}")(h)
        h = keras.layers.LeakyReLU(0.01, name=f"lrelu_{i}")(h)
    side = image_size // 2 ** n_layers
    src = keras.layers.Conv2D(1, 3, padding="same", use_bias=False, kernel_initializer=_init(),
                              dtype="float32", name="src")(h)
    cls = keras.layers.Conv2D(n_labels, side, padding="valid", use_bias=False,
                              kernel_initializer=_init(), dtype="float32", name="cls_conv")(h)
    cls = keras.layers.Reshape((n_labels,), dtype="float32", name="cls")(cls)
    return keras.Model(x, [src, cls], name=name)
