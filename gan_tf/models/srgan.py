"""SRResNet / SRGAN networks for x4 single-image super-resolution, and their feature networks.

Ledig et al. 2017, "Photo-Realistic Single Image Super-Resolution Using a Generative
Adversarial Network" (arXiv:1609.04802):

- ``build_srresnet_generator``: fig. 4 (top). conv 9x9 64 + PReLU; B = 16 residual blocks
  (conv 3x3 64, BN, PReLU, conv 3x3 64, BN, + skip); conv 3x3 64 + BN + the long skip;
  log2(r) x [conv 3x3 256, pixel shuffle x2 (``layers.PixelShuffle``, arXiv:1609.05158),
  PReLU]; conv 9x9 to 3 channels. Fully convolutional: it takes LR images of any size.
- ``build_srgan_discriminator``: fig. 4 (bottom). conv 3x3 64 + LeakyReLU(0.2); seven
  conv-BN-LeakyReLU blocks (64 s2, 128 s1, 128 s2, 256 s1, 256 s2, 512 s1, 512 s2); Dense 1024,
  LeakyReLU, Dense 1. We return the logit (the losses apply the sigmoid).
- ``build_vgg19_features``: phi_{5,4} of VGG19 (section 2.2.1, eq. 5), the content loss's
  feature map, with the caffe-style input preprocessing of ``keras.applications.vgg19``.
- ``build_patch_feature_network``: the offline stand-in for VGG19 (no ImageNet weights without a
  network): a small VGG-like CNN, trained here by ``gan_tf.trainers.train_patch_features``.

Ranges: the paper scales LR inputs to [0, 1] and HR images to [-1, 1] (section 3.2) and its
generator outputs [-1, 1] images; here LR and HR are both in [-1, 1] (``gan_tf.data.photos``)
and the last layer is tanh. See chapter 6.1.
"""

from __future__ import annotations

import math
import os

import keras

from gan_tf.layers import BatchNormalization, PixelShuffle
from gan_tf.models import _checks

VGG19_NOTOP = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_NOTOP_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
                   + VGG19_NOTOP)
# keras.applications.imagenet_utils, mode "caffe": ImageNet mean of the B, G, R channels
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)
# Section 3.2: "VGG feature maps were also rescaled by a factor of 1/12.75"
VGG_FEATURE_SCALE = 1.0 / 12.75


def _prelu(name):
    # One slope per channel (shared over height and width), initialised at 0.25 as in He et
    # al. (arXiv:1502.01852, section 2.1); the SRGAN paper does not give its initial value.
    return keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25),
                              shared_axes=[1, 2], name=name)


def build_srresnet_generator(scale=4, residual_blocks=16, filters=64, channels=3,
                             name="srresnet_generator"):
    """SRResNet, SRGAN's generator (arXiv:1609.04802, fig. 4): LR images ``(batch, h, w,
    channels)`` in [-1, 1], any ``h, w`` -> ``(batch, scale * h, scale * w, channels)`` in
    [-1, 1] (tanh).

    The defaults are the paper's: ``scale=4`` (two x2 sub-pixel blocks), ``residual_blocks=16``
    (B = 16), ``filters=64`` (the upsampling convolutions have ``4 * filters`` = 256 maps,
    shuffled back to ``filters``). ``scale`` must be a power of two. Smaller ``residual_blocks``
    and ``filters`` train in minutes on a CPU. See chapter 6.1.
    """
    scale = _checks.power_of_two(scale, "scale", 2, " (x2 pixel-shuffle blocks)")
    residual_blocks = _checks.positive_int(residual_blocks, "residual_blocks")
    filters = _checks.positive_int(filters, "filters")
    channels = _checks.positive_int(channels, "channels")

    def conv(h, n, k, name):
        return keras.layers.Conv2D(n, k, padding="same", name=name)(h)

    lr = keras.Input((None, None, channels), name="lr")
    h = _prelu("head_prelu")(conv(lr, filters, 9, "head_conv"))
    skip = h
    for b in range(residual_blocks):
        r = conv(h, filters, 3, f"res{b}_conv1")
        r = _prelu(f"res{b}_prelu")(BatchNormalization(name=f"res{b}_bn1")(r))
        r = BatchNormalization(name=f"res{b}_bn2")(conv(r, filters, 3, f"res{b}_conv2"))
        h = keras.layers.Add(name=f"res{b}_add")([h, r])
    h = BatchNormalization(name="body_bn")(conv(h, filters, 3, "body_conv"))
    h = keras.layers.Add(name="long_skip")([skip, h])
    for u in range(int(math.log2(scale))):
        h = conv(h, 4 * filters, 3, f"up{u}_conv")
        h = _prelu(f"up{u}_prelu")(PixelShuffle(2, name=f"up{u}_shuffle")(h))
    h = conv(h, channels, 9, "tail_conv")
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model(lr, out, name=name)


def build_srgan_discriminator(hr_size=96, channels=3, width=1.0, dense_units=1024,
                              name="srgan_discriminator"):
    """SRGAN's discriminator (arXiv:1609.04802, fig. 4): HR images ``(batch, hr_size, hr_size,
    channels)`` in [-1, 1] -> one logit per image (no sigmoid; the losses apply it).

    conv 3x3 64 s1 + LeakyReLU(0.2); 7 x [conv 3x3, BN, LeakyReLU(0.2)] with 64 s2, 128 s1,
    128 s2, 256 s1, 256 s2, 512 s1, 512 s2 maps; Dense ``dense_units`` (1024), LeakyReLU(0.2),
    Dense 1. ``width`` multiplies every convolution's maps (1.0, the paper's, by default;
    0.25 gives 16 ... 128 maps for a CPU), ``dense_units`` the hidden Dense layer's units.
    The paper trains on 96 x 96 crops (section 3.2). See chapter 6.1.
    """
    hr_size = _checks.positive_int(hr_size, "hr_size")
    channels = _checks.positive_int(channels, "channels")
    dense_units = _checks.positive_int(dense_units, "dense_units")
    if not (isinstance(width, (int, float)) and width > 0):
        raise ValueError(f"width must be a positive number, got {width!r}")

    def maps(n):
        return max(1, int(round(n * width)))

    def lrelu(name):
        return keras.layers.LeakyReLU(negative_slope=0.2, name=name)

    x = keras.Input((hr_size, hr_size, channels), name="hr")
    h = lrelu("lrelu0")(keras.layers.Conv2D(maps(64), 3, padding="same", name="conv0")(x))
    for i, (n, s) in enumerate(((64, 2), (128, 1), (128, 2), (256, 1), (256, 2), (512, 1),
                                (512, 2)), start=1):
        h = keras.layers.Conv2D(maps(n), 3, strides=s, padding="same", name=f"conv{i}")(h)
        h = lrelu(f"lrelu{i}")(BatchNormalization(name=f"bn{i}")(h))
    h = keras.layers.Flatten(name="flatten")(h)
    h = lrelu("dense_lrelu")(keras.layers.Dense(dense_units, name="dense")(h))
    out = keras.layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(x, out, name=name)


@keras.saving.register_keras_serializable(package="gan_tf")
class CaffePreprocess(keras.layers.Layer):
    """Images in [-1, 1] (RGB) -> the input of the caffe-trained VGG networks: ``(x + 1) *
    127.5`` (pixel values 0-255), RGB -> BGR, minus the ImageNet mean of each BGR channel
    (103.939, 116.779, 123.68), no scaling: ``keras.applications.vgg19.preprocess_input`` of
    the 0-255 image. See chapter 6.1."""

    def call(self, x):
        x = (x + 1.0) * 127.5
        return x[..., ::-1] - keras.ops.convert_to_tensor(CAFFE_BGR_MEAN, dtype=x.dtype)


def _keras_models_dir():
    # where keras.utils.get_file caches application weights (cache_subdir="models")
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.join(home, "models")


def build_vgg19_features(layer="block5_conv4", weights="imagenet", input_shape=(None, None, 3),
                         name=None):
    """VGG19's feature map ``phi_{i,j}`` for the content loss (arXiv:1609.04802, section 2.2.1,
    eq. 5): images in [-1, 1] (RGB, any size) -> the output of Keras layer ``layer``.

    The paper's phi_{i,j} is "the feature map obtained by the j-th convolution (after
    activation) before the i-th maxpooling layer": SRGAN uses phi_{5,4} (``"block5_conv4"``;
    phi_{2,2} is ``"block2_conv2"``). Keras's ``blockI_convJ`` layers include their ReLU, so
    the map is after the activation, as the paper says (ESRGAN, arXiv:1809.00219, later used
    the map before it). The input goes through ``CaffePreprocess``, i.e.
    ``keras.applications.vgg19.preprocess_input`` on ``(x + 1) * 127.5``. The paper also
    rescales the maps by 1/12.75 (``VGG_FEATURE_SCALE``); that is the trainer's
    ``feature_scale``, not part of this network.

    ``weights="imagenet"`` loads the ImageNet weights through ``keras.applications.VGG19``
    (needs the file in the Keras cache or a network; otherwise ``FileNotFoundError`` saying
    what was tried and where to put the file); ``weights=None`` builds random weights (tests).
    Offline, use ``build_patch_feature_network`` trained by
    ``gan_tf.trainers.train_patch_features`` instead. See chapter 6.1.
    """
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or input_shape[-1] != 3:
        raise ValueError(f"VGG19 takes RGB images: input_shape must be (height, width, 3), got "
                         f"{input_shape}")
    if weights not in ("imagenet", None):
        raise ValueError(f"weights must be 'imagenet' or None, got {weights!r}")
    try:
        base = keras.applications.VGG19(include_top=False, weights=weights,
                                        input_shape=input_shape)
    except Exception as err:
        if weights is None:
            raise
        where = _keras_models_dir()
        raise FileNotFoundError(
            f"VGG19 ImageNet weights could not be loaded: keras.applications.VGG19 looked for "
            f"{VGG19_NOTOP} in {where} and tried to download it from {VGG19_NOTOP_URL} "
            f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}). Download "
            f"that file on a machine with a network and copy it into {where} (or set "
            f"KERAS_HOME), or use the offline feature network "
            f"(models.build_patch_feature_network, trainers.train_patch_features)") from None
    try:
        features = base.get_layer(layer).output
    except ValueError:
        convs = [ly.name for ly in base.layers if "conv" in ly.name]
        raise ValueError(f"unknown VGG19 layer {layer!r}; expected one of "
                         f"{', '.join(convs)}") from None
    trunk = keras.Model(base.input, features, name=f"vgg19_to_{layer}")
    trunk.trainable = False
    x = keras.Input(input_shape, name="image")
    out = trunk(CaffePreprocess(name="caffe_preprocess")(x))
    return keras.Model(x, out, name=name or f"vgg19_{layer}")


def build_patch_feature_network(filters=(32, 64), channels=3, name="patch_features"):
    """The offline stand-in for VGG19 in SRGAN's content loss: images in [-1, 1] (any size) ->
    feature maps of a small VGG-like CNN. NOT VGG and not trained on ImageNet: without a
    network there are no ImageNet weights, so ``gan_tf.trainers.train_patch_features`` trains
    this network here, on the training photos' patches, with a self-supervised task (which
    photo a crop comes from, its colours shuffled and turned by a multiple of 90 degrees).

    Layout (VGG's, smaller): for each ``n`` in ``filters`` a block of two 3x3 convolutions
    with ``n`` maps and ReLU, the blocks separated by 2x2 max pooling; the output is the last
    convolution after its ReLU and before any further pooling, as VGG's phi_{i,j}
    (arXiv:1609.04802, section 2.2.1). With the default ``(32, 64)`` that is the analogue of
    phi_{2,2} at half the resolution. See chapter 6.1.
    """
    filters = _checks.units(filters, "filters")
    if not filters:
        raise ValueError("filters must hold at least one block's number of maps, got ()")
    channels = _checks.positive_int(channels, "channels")
    x = keras.Input((None, None, channels), name="image")
    h = x
    for b, n in enumerate(filters, start=1):
        if b > 1:
            h = keras.layers.MaxPooling2D(2, name=f"block{b - 1}_pool")(h)
        for j in (1, 2):
            h = keras.layers.Conv2D(n, 3, padding="same", activation="relu",
                                    name=f"block{b}_conv{j}")(h)
    return keras.Model(x, h, name=name)


def upsampling_factor(generator):
    """The integer factor ``r`` by which ``generator`` enlarges its input's height and width
    (its output shape for an input of 8 x 8), checked to be the same on both axes. See
    chapter 6.1."""
    shape = generator.input_shape
    if isinstance(shape, list):
        raise ValueError(f"a super-resolution generator takes one input (the LR images), got "
                         f"inputs {shape}")
    out = generator.compute_output_shape((1, 8, 8, shape[-1]))
    ratios = {o / 8 for o in out[1:3]}
    if len(ratios) != 1 or not float(next(iter(ratios))).is_integer():
        raise ValueError(f"{generator.name} maps 8 x 8 inputs to {tuple(out[1:3])}: expected the "
                         f"same integer factor on height and width")
    return int(next(iter(ratios)))

