"""Reusable layers. See chapters 3.1 (reparameterisation) and 10 (later additions)."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from gan_tf import rng
from gan_tf.checks import positive_int


class _SavesSeedState:
    """Mixin for a layer that draws from ``self.seed_generator``: its state is saved and loaded
    with the layer's variables (Keras saves a layer's variables but not the state of its
    ``SeedGenerator``; without this a resumed run would draw a fresh run's noise again)."""

    def save_own_variables(self, store):
        super().save_own_variables(store)
        if getattr(self, "seed_generator", None) is not None:
            store["seed_generator_state"] = self.seed_generator.state

    def load_own_variables(self, store):
        super_store = {k: store[k] for k in store.keys() if k != "seed_generator_state"}
        super().load_own_variables(super_store)
        if ("seed_generator_state" in store.keys()
                and getattr(self, "seed_generator", None) is not None):
            self.seed_generator.state.assign(store["seed_generator_state"])


@keras.saving.register_keras_serializable(package="gan_tf")
class Reparameterize(_SavesSeedState, keras.layers.Layer):
    """z = mean + exp(log_var / 2) * eps, eps ~ N(0, I) (Kingma & Welling, arXiv:1312.6114,
    section 2.4).

    Called on ``[mean, log_var]`` (same shape ``(batch, latent)``). The noise comes from the
    layer's own ``keras.random.SeedGenerator`` whose state is a variable, so it is saved with
    checkpoints. See chapter 3.1.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        eps = rng.normal(ops.shape(mean), self.seed_generator, dtype=mean.dtype)
        return mean + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="gan_tf")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al., arXiv:1302.4389, eq. 1): ``units`` outputs, each the
    maximum of ``pieces`` affine functions of the input. The discriminator of the 2-D
    mode-collapse benchmarks (ALI / VEEGAN / PacGAN: 3 maxout layers of 200 units, 5 pieces).

    Acts on the last axis, as ``Dense`` does: ``(batch, ..., features)`` -> ``(batch, ...,
    units)``, with output ``j`` the maximum over pieces ``k`` of ``(x @ W + b)[..., j * pieces
    + k]``. See chapter 5.
    """

    def __init__(self, units, pieces=5, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if int(units) < 1 or int(pieces) < 1:
            raise ValueError(f"units and pieces must be >= 1, got {units}, {pieces}")
        self.units, self.pieces = int(units), int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.dense = keras.layers.Dense(self.units * self.pieces,
                                        kernel_initializer=self.kernel_initializer,
                                        dtype=self.dtype_policy, name="affine")

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, x):
        h = self.dense(x)
        # Split only the last axis into (units, pieces): every leading axis is kept, whatever
        # the rank (the leading sizes may be dynamic).
        h = ops.reshape(h, (*ops.shape(h)[:-1], self.units, self.pieces))
        return ops.max(h, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}


def _phase_taps(size, kernel_size):
    """For nearest upsampling by ``size`` then a ``kernel_size`` 'same' convolution: which
    input offset each kernel tap reads, per output phase.

    Output row ``u = size * i + a`` (phase ``a``) with tap ``d`` in ``[-r, r]`` reads the
    upsampled row ``u + d``, i.e. input row ``i + (a + d) // size``. Returns ``(taps, starts)``:
    ``taps[a, t, d + r] = 1`` if tap ``d`` of phase ``a`` reads input row ``i + starts[a] + t``.
    """
    r = (kernel_size - 1) // 2
    offsets = [[(a + d) // size for d in range(-r, r + 1)] for a in range(size)]
    starts = [min(o) for o in offsets]
    length = max(max(o) - min(o) + 1 for o in offsets)
    taps = np.zeros((size, length, kernel_size), np.float32)
    for a, row in enumerate(offsets):
        for j, o in enumerate(row):
            taps[a, o - starts[a], j] = 1.0
    return taps, starts


@keras.saving.register_keras_serializable(package="gan_tf")
class UpSampleConv2D(keras.layers.Layer):
    """``UpSampling2D(size)`` (nearest) followed by ``Conv2D(filters, kernel_size,
    padding="same")``, computed without building the upsampled map.

    Same function, same weights (``kernel`` of shape ``(k, k, in, filters)`` and ``bias``, as
    the ``Conv2D``; the two-layer form's weights load unchanged), fewer FLOPs: on a nearest-
    upsampled map a k x k kernel sees only ``L = ceil((k - 1) / size) + 1`` distinct input
    pixels per axis, so each of the ``size**2`` output phases is an ``L x L`` convolution of the *input*
    whose kernel is a sum of the k x k kernel's taps (the sub-pixel view of Shi et al.,
    arXiv:1609.05158); the phases' outputs are interleaved by a reshape. For the book's DCGAN
    (size 2, 3 x 3 kernels) that is 2 x 2 taps instead of 3 x 3 per output pixel: 2.25x fewer
    multiply-adds. Outputs agree with the two-layer form to float rounding (the kernel's taps
    are added before, not after, multiplying). See chapter 4.2.
    """

    def __init__(self, filters, kernel_size=3, size=2, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if int(filters) < 1:
            raise ValueError(f"filters must be >= 1, got {filters}")
        if int(kernel_size) < 1 or int(kernel_size) % 2 == 0:
            raise ValueError(f"kernel_size must be a positive odd int, got {kernel_size}")
        if int(size) < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.filters, self.kernel_size, self.size = int(filters), int(kernel_size), int(size)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        taps, starts = _phase_taps(self.size, self.kernel_size)
        self._taps = taps
        self._starts = starts
        self.taps_per_axis = taps.shape[1]
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("UpSampleConv2D needs a known channel count")
        k = self.kernel_size
        self.kernel = self.add_weight(name="kernel", shape=(k, k, channels, self.filters),
                                      initializer=self.kernel_initializer)
        self.bias = (self.add_weight(name="bias", shape=(self.filters,),
                                     initializer=self.bias_initializer)
                     if self.use_bias else None)

    def phase_kernels(self):
        """``(size, size, L, L, in, filters)``: the ``L x L`` kernel of each output phase."""
        taps = ops.cast(self._taps, self.kernel.dtype)
        return ops.einsum("aiy,bjx,yxcf->abijcf", taps, taps, self.kernel)

    def call(self, x):
        s, n, f = self.size, self.taps_per_axis, self.filters
        kernels = ops.cast(self.phase_kernels(), x.dtype)
        pads = [[-start, start + n - 1] for start in self._starts]
        # One convolution per phase, padded so that each phase is computed on exactly the
        # output grid. Measured on the book's DCGAN layers (AMD EPYC, TF 2.21): faster than one
        # convolution with size**2 * filters outputs sliced apart (whose slice gradients cost
        # more than the FLOPs saved). The convolution's own explicit padding is the fastest
        # form under XLA but slower without it (float32 1.6x, bfloat16 30x), where a padded
        # copy of the input is used instead.
        xla = rng.in_xla_context()

        def phase(a, b):
            padding = [[0, 0], pads[a], pads[b], [0, 0]]
            if xla:
                return tf.nn.conv2d(x, kernels[a, b], 1, padding)
            return tf.nn.conv2d(tf.pad(x, padding), kernels[a, b], 1, "VALID")

        rows = [ops.stack([phase(a, b) for b in range(s)], axis=3)  # (B, H, W, s_b, F)
                for a in range(s)]
        y = ops.stack(rows, axis=2)                       # (B, H, s_a, W, s_b, F)
        shape = ops.shape(x)
        y = ops.reshape(y, (shape[0], shape[1] * s, shape[2] * s, f))
        if self.bias is not None:
            y = y + ops.cast(self.bias, y.dtype)
        return y

    def compute_output_shape(self, input_shape):
        b, h, w, _ = input_shape
        s = self.size
        return (b, None if h is None else h * s, None if w is None else w * s, self.filters)

    def flops_per_example(self, input_shape):
        """Multiply-adds x 2 of the phase convolution's useful outputs for one example of
        ``input_shape`` ``(H, W, C)`` (the two-layer form: ``(k / L)**2`` times more)."""
        h, w, c = input_shape
        n = self.taps_per_axis
        return 2 * self.size ** 2 * h * w * n * n * c * self.filters

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "size": self.size, "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer)}


@keras.saving.register_keras_serializable(package="gan_tf")
class BatchNormalization(keras.layers.BatchNormalization):
    """``keras.layers.BatchNormalization`` whose training pass on ``(batch, H, W, C)`` maps is
    one fused kernel (``FusedBatchNormV3``: oneDNN on CPU, cuDNN on GPU, XLA's batch-norm op
    under ``jit_compile``), as ``tf.keras`` did with ``fused=True`` before Keras 3.

    Same outputs, gradients and moving-statistic updates as the Keras 3 layer (the fused
    kernel's Bessel-corrected batch variance is scaled back to the biased one Keras averages),
    same config and weights; it only replaces Keras 3's half-dozen passes over the activations
    (moments, normalise, and their gradients, with float32 casts under mixed precision) by one
    each way. Anything else (inference, masks, renorm, synchronized, other ranks or axes,
    float64) runs the Keras 3 code. See chapter 4.2.

    Any epsilon fuses, unchanged: the CPU kernel (Eigen or oneDNN) and XLA's batch-norm op take
    any epsilon >= 0, and cuDNN has too since 7.5 (``CUDNN_BN_MIN_EPSILON`` went from 1e-5 to 0;
    TensorFlow 2.21 builds against cuDNN 9). ``tf.keras`` 2's fused path clamped epsilon to
    1.001e-5 for older cuDNN; copying that clamp here kept the paper DCGAN's epsilon = 1e-5 off
    the fused path.
    """

    def _fusable(self, inputs, training, mask):
        return (bool(training) and self.trainable and mask is None and not self.renorm
                and not self.synchronized and len(inputs.shape) == 4
                and self.axis in (-1, 3)
                and inputs.dtype in ("float32", "float16", "bfloat16")
                and keras.backend.backend() == "tensorflow")

    def call(self, inputs, training=None, mask=None):
        if not self._fusable(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        channels = inputs.shape[-1]
        scale = (ops.cast(self.gamma, "float32") if self.scale
                 else ops.ones((channels,), "float32"))
        offset = (ops.cast(self.beta, "float32") if self.center
                  else ops.zeros((channels,), "float32"))
        empty = tf.constant([], tf.float32)
        y, mean, variance = tf.raw_ops.FusedBatchNormV3(
            x=inputs, scale=scale, offset=offset, mean=empty, variance=empty,
            epsilon=self.epsilon, data_format="NHWC", is_training=True)[:3]
        n = ops.cast(ops.size(inputs) // channels, "float32")
        variance = variance * ops.maximum(n - 1.0, 1.0) / n  # unbiased -> biased, as Keras
        momentum = self.momentum
        self.moving_mean.assign(ops.cast(self.moving_mean, "float32") * momentum
                                + tf.stop_gradient(mean) * (1.0 - momentum))
        self.moving_variance.assign(ops.cast(self.moving_variance, "float32") * momentum
                                    + tf.stop_gradient(variance) * (1.0 - momentum))
        return ops.cast(y, self.compute_dtype)


@keras.saving.register_keras_serializable(package="gan_tf")
class Dropout(keras.layers.Dropout):
    """``keras.layers.Dropout`` whose mask is drawn by ``gan_tf.rng.dropout``: the same mask, but
    about 100x faster inside an XLA-compiled step on CPU (see ``gan_tf.rng``)."""

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return rng.dropout(inputs, self.rate, self.seed_generator,
                               noise_shape=self.noise_shape)
        return inputs


@keras.saving.register_keras_serializable(package="gan_tf")
class AlwaysOnDropout(_SavesSeedState, Dropout):
    """``Dropout`` that drops whatever ``training`` says: at training *and* test time.

    Pix2Pix has no z: "we provide noise only in the form of dropout, applied on several layers
    of our generator at both training and test time" (Isola et al., arXiv:1611.07004, section
    3.1). A plain ``Dropout`` stops at inference (``model(x, training=False)``, ``predict``),
    and inside a functional model ``Dropout()(h, training=True)`` does not help, because the
    outer call's ``training`` overrides it; this layer ignores ``training``. Its masks come from
    its own ``SeedGenerator`` (``gan_tf.rng.dropout``), whose state is saved with the layer's
    weights, so a resumed run draws on. See chapter 8.2.
    """

    def call(self, inputs, training=False):
        return super().call(inputs, training=True)


@keras.saving.register_keras_serializable(package="gan_tf")
class PixelShuffle(keras.layers.Layer):
    """The periodic shuffle of the sub-pixel convolution (Shi et al., arXiv:1609.05158, eq. 4):
    ``(batch, H, W, C * r**2)`` -> ``(batch, r * H, r * W, C)`` for NHWC maps, ``r = scale``.

    With ``y`` the row and ``x`` the column of the output, ``PS(T)[y, x, c] = T[y // r, x // r,
    C * r * (y % r) + C * (x % r) + c]``: the channel index runs fastest, then the column
    offset, then the row offset. In TensorFlow this IS ``tf.nn.depth_to_space(T, r)`` (same
    ordering; the layer calls it). PyTorch's ``nn.PixelShuffle`` orders the channels the other
    way round (``c * r**2 + r * (y % r) + (x % r)``, channel slowest): a convolution ported
    from a PyTorch SRGAN needs its output channels permuted before this layer. SRGAN's
    generator upsamples with it (Ledig et al., arXiv:1609.04802, fig. 4). See chapter 6.1.
    """

    def __init__(self, scale=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
            raise ValueError(f"scale must be a positive int, got {scale!r}")
        self.scale = int(scale)

    def build(self, input_shape):
        channels = input_shape[-1]
        if len(input_shape) != 4 or (channels is not None and channels % self.scale ** 2):
            raise ValueError(f"PixelShuffle({self.scale}) expects (batch, H, W, C * "
                             f"{self.scale ** 2}) maps, received shape {tuple(input_shape)}")

    def call(self, x):
        return tf.nn.depth_to_space(x, self.scale)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.scale
        return (b, None if h is None else h * r, None if w is None else w * r,
                None if c is None else c // r ** 2)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="gan_tf")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads ``(batch, H, W, C)`` maps by reflecting them at the border, without repeating the
    edge pixel (``np.pad(mode="reflect")``, PyTorch's ``nn.ReflectionPad2d``, TensorFlow's
    ``tf.pad(mode="REFLECT")``): padding ``[1, 2, 3]`` by 2 gives ``[3, 2, 1, 2, 3, 2, 1]``.

    ``padding``: an int (all four sides), a pair ``(rows, cols)`` (symmetric), or
    ``((top, bottom), (left, right))``, like ``keras.layers.ZeroPadding2D``. Each pad must be
    smaller than the side it reflects (a reflection repeats no pixel): a ``ValueError`` names
    the pad and the map's size when it is not. CycleGAN's generator pads this way before its
    7x7 and 3x3 convolutions to reduce border artefacts (Zhu et al., arXiv:1703.10593, section
    4 and appendix 7.2, after Johnson et al., arXiv:1603.08155). See chapter 8.3.
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _padding_pairs(padding)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape):
        for (before, after), size, axis in zip(self.padding, input_shape[1:3],
                                               ("height", "width")):
            if size is not None and max(before, after) >= size:
                raise ValueError(f"ReflectionPadding2D({self.padding}) needs maps larger than "
                                 f"each pad: padding {max(before, after)} on a {axis} of "
                                 f"{size} (input shape {tuple(input_shape)})")

    def call(self, x):
        (top, bottom), (left, right) = self.padding
        return ops.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        (top, bottom), (left, right) = self.padding
        return (b, None if h is None else h + top + bottom,
                None if w is None else w + left + right, c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


def _padding_pairs(padding):
    """``((top, bottom), (left, right))`` of an int, a pair or a pair of pairs (ints >= 0)."""
    def pad(v):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"padding must be ints >= 0, got {padding!r}")
        return int(v)

    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        p = pad(padding)
        return ((p, p), (p, p))
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        if all(isinstance(v, (tuple, list)) and len(v) == 2 for v in padding):
            return tuple((pad(a), pad(b)) for a, b in padding)
        rows, cols = pad(padding[0]), pad(padding[1])
        return ((rows, rows), (cols, cols))
    raise ValueError(f"padding must be an int, (rows, cols) or ((top, bottom), (left, right)), "
                     f"got {padding!r}")


@keras.saving.register_keras_serializable(package="gan_tf")
class InstanceNormalization(keras.layers.GroupNormalization):
    """Instance normalisation (Ulyanov et al., arXiv:1607.08022, eq. 5): each example's each
    channel is normalised over its own height and width,

        y[b, h, w, c] = gamma[c] * (x[b, h, w, c] - mu[b, c]) / sqrt(var[b, c] + epsilon)
                        + beta[c],

    with ``mu``, ``var`` the mean and the (biased) variance of ``x[b, :, :, c]``. The same in
    training and at inference: there are no moving statistics. ``center``/``scale`` switch
    ``beta``/``gamma`` on or off: CycleGAN's PyTorch code uses ``affine=False``
    (``center=False, scale=False``), StarGAN's ``affine=True`` (the defaults here, as in
    Ulyanov et al.). ``epsilon`` defaults to PyTorch's 1e-5.

    It IS ``keras.layers.GroupNormalization(groups=-1)`` (one group per channel; tested equal),
    with ``groups`` fixed and a PyTorch-like epsilon; statistics in float32 under mixed
    precision, as that layer does. Channels last; any rank >= 3 (``(batch, ..., C)``). See
    chapter 8.3.
    """

    def __init__(self, epsilon=1e-5, center=True, scale=True, **kwargs):
        for fixed in ("groups", "axis"):
            value = kwargs.pop(fixed, None)
            if value is not None and value != -1:
                raise ValueError(f"InstanceNormalization normalises each channel of the last "
                                 f"axis: {fixed} is -1, got {value!r}")
        super().__init__(groups=-1, axis=-1, epsilon=epsilon, center=center, scale=scale,
                         **kwargs)

    def get_config(self):
        # GroupNormalization.build sets groups to the channel count: not an argument here
        config = super().get_config()
        for fixed in ("groups", "axis"):
            config.pop(fixed, None)
        return config


# -- where to draw: boxes and keypoints on a grid (chapter 7.2) --------------------------------

# A box edge closer than this fraction of a cell to a cell edge counts as on it (float rounding
# of 0.3 * 10 must not add a row of cells).
_GRID_TOL = 1e-3


def box_mask(box, size):
    """Binary masks ``(b, size, size, 1)`` of normalised boxes ``(b, 4)`` = ``(y0, x0, y1, x1)``
    in [0, 1] of the canvas (GAWWN, Reed et al., arXiv:1610.02454, section 4.1: the text map is
    "masked to zero outside the box").

    The grid's cell ``i`` covers ``[i / size, (i + 1) / size)`` on each axis; a cell is inside
    (1) when the box overlaps it with positive extent on both axes, i.e. ``floor(y0 * size) <= i
    < ceil(y1 * size)`` (and likewise for x), with edges within 1e-3 of a cell edge snapped to
    it. So a box (0.25, 0.25, 0.75, 0.75) on an 8x8 grid covers rows and columns 2..5, and a
    box thinner than a cell still covers the cell that holds it (one of zero extent lying on a
    cell edge covers nothing). Values are not checked here (graph code); the trainers check
    them. The mask has the box's float dtype. See chapter 7.2.
    """
    box = tf.convert_to_tensor(box)
    if not box.dtype.is_floating:
        box = tf.cast(box, tf.float32)
    cells = tf.range(size, dtype=box.dtype)
    y0, x0, y1, x1 = (box[:, i:i + 1] * size for i in range(4))      # (b, 1) in cell units

    def inside(lo, hi):                                              # (b, size)
        return tf.logical_and(cells < hi - _GRID_TOL, cells + 1 > lo + _GRID_TOL)

    rows = tf.cast(inside(y0, y1), box.dtype)
    cols = tf.cast(inside(x0, x1), box.dtype)
    return (rows[:, :, None] * cols[:, None, :])[..., None]


def _bilinear_weights(positions, n, dtype):
    """``(b, m, n)`` bilinear weights of map coordinates ``positions`` ``(b, m)`` (pixel
    centres at 0 .. n - 1), clamped to the map's border: each row sums to 1."""
    pos = tf.clip_by_value(positions, 0.0, n - 1.0)
    return tf.nn.relu(1.0 - tf.abs(pos[:, :, None] - tf.range(n, dtype=dtype)[None, None, :]))


def _resample(maps, ys, xs):
    """``maps (b, h, w, c)`` sampled bilinearly at map coordinates ``ys (b, m)`` x ``xs (b, n)``
    (separable: two matrix products, differentiable in the maps): ``(b, m, n, c)``."""
    wy = _bilinear_weights(ys, maps.shape[1], maps.dtype)
    wx = _bilinear_weights(xs, maps.shape[2], maps.dtype)
    return tf.einsum("biy,byxc,bjx->bijc", wy, maps, wx)


def box_warp(maps, box, size):
    """Paste feature maps ``(b, h, w, c)`` into normalised boxes ``(b, 4)`` = ``(y0, x0, y1,
    x1)`` of a ``size`` x ``size`` grid: ``(b, size, size, c)``, zero outside the box.

    The spatial transformer of GAWWN's box generator (Reed et al., arXiv:1610.02454, section
    4.1; the authors' ``main_cub_bbox.lua`` warps its local map into the box with an affine grid
    and a bilinear sampler): the centre ``u = (i + 0.5) / size`` of grid cell ``i`` maps to
    ``s = (u - y0) / (y1 - y0)`` of the map, i.e. map coordinate ``s * h - 0.5`` (pixel
    centres), clamped to the map's border and sampled bilinearly. The result is multiplied by
    ``box_mask``, so the pasted map covers exactly the cells the box mask does. See chapter 7.2.
    """
    maps = tf.convert_to_tensor(maps)
    box = tf.cast(box, maps.dtype)
    h, w = maps.shape[1], maps.shape[2]
    u = (tf.range(size, dtype=maps.dtype)[None, :] + 0.5) / size                # (1, size)
    ys = (u - box[:, 0:1]) / tf.maximum(box[:, 2:3] - box[:, 0:1], 1e-6) * h - 0.5
    xs = (u - box[:, 1:2]) / tf.maximum(box[:, 3:4] - box[:, 1:2], 1e-6) * w - 0.5
    return _resample(maps, ys, xs) * box_mask(box, size)


def box_crop(maps, box, size):
    """Crop normalised boxes ``(b, 4)`` = ``(y0, x0, y1, x1)`` out of feature maps ``(b, h, w,
    c)`` and resample them to ``(b, size, size, c)``: the inverse of ``box_warp``, the spatial
    transformer of GAWWN's box discriminator (arXiv:1610.02454, section 4.1; ``main_cub_bbox.lua``
    crops the box region of its 16x16 feature map with an affine grid and a bilinear sampler).
    Output cell ``i`` samples the map at ``(y0 + (i + 0.5) / size * (y1 - y0)) * h - 0.5``
    (clamped to the border), so it reads the box region and, bilinearly, at most one cell
    beyond its edges. See chapter 7.2."""
    maps = tf.convert_to_tensor(maps)
    box = tf.cast(box, maps.dtype)
    h, w = maps.shape[1], maps.shape[2]
    t = (tf.range(size, dtype=maps.dtype)[None, :] + 0.5) / size                 # (1, size)
    ys = (box[:, 0:1] + t * (box[:, 2:3] - box[:, 0:1])) * h - 0.5
    xs = (box[:, 1:2] + t * (box[:, 3:4] - box[:, 1:2])) * w - 0.5
    return _resample(maps, ys, xs)


def keypoint_cells(keypoints, size):
    """The grid cell ``(row, col)`` (int32, ``(b, K)`` each) holding each keypoint ``(y, x, v)``:
    ``min(floor(y * size), size - 1)`` (the cell ``[i / size, (i + 1) / size)`` that contains
    it; y = 1 falls in the last cell; values are clipped to the grid). See chapter 7.2."""
    keypoints = tf.convert_to_tensor(keypoints)
    pos = tf.clip_by_value(tf.floor(keypoints[..., :2] * size), 0.0, size - 1.0)
    pos = tf.cast(pos, tf.int32)
    return pos[..., 0], pos[..., 1]


def keypoint_heatmaps(keypoints, size):
    """Binary heat-maps ``(b, size, size, K)`` of keypoints ``(b, K, 3)`` = ``(y, x, visible)``
    with (y, x) in [0, 1]: map k is 1 at the cell holding keypoint k (``keypoint_cells``) and 0
    elsewhere; an invisible keypoint (visible < 0.5) gives an all-zero map.

    Binary, as in GAWWN (Reed et al., arXiv:1610.02454, section 4.2: keypoints "encoded into a
    M x M x K spatial feature map"; the authors' code sets one cell to 1 per visible part), not
    Gaussian. The authors round ``x * M`` to a 1-based index; we take the cell that contains
    the point (``floor``), so a keypoint at (0, 0) lights cell (0, 0) and one at (1, 1) the
    last cell. See chapter 7.2.
    """
    keypoints = tf.convert_to_tensor(keypoints)
    if not keypoints.dtype.is_floating:
        keypoints = tf.cast(keypoints, tf.float32)
    rows, cols = keypoint_cells(keypoints, size)
    visible = tf.cast(keypoints[..., 2] >= 0.5, keypoints.dtype)          # (b, K)
    r = tf.one_hot(rows, size, dtype=keypoints.dtype)                     # (b, K, M)
    c = tf.one_hot(cols, size, dtype=keypoints.dtype)
    maps = r[:, :, :, None] * c[:, :, None, :] * visible[:, :, None, None]  # (b, K, M, M)
    return tf.transpose(maps, (0, 2, 3, 1))


@keras.saving.register_keras_serializable(package="gan_tf")
class BoxMask(keras.layers.Layer):
    """``box_mask`` as a layer: boxes ``(b, 4)`` -> masks ``(b, size, size, 1)``.
    See chapter 7.2."""

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = positive_int(size, "size")

    def call(self, box):
        return box_mask(tf.cast(box, self.compute_dtype), self.size)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, 1)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class _BoxResample(keras.layers.Layer):
    """``[maps (b, h, w, c), boxes (b, 4)]`` -> ``(b, size, size, c)`` by ``self.resample``."""

    def __init__(self, size, **kwargs):
        super().__init__(**kwargs)
        self.size = positive_int(size, "size")

    def call(self, inputs):
        maps, box = inputs
        return type(self).resample(maps, tf.cast(box, maps.dtype), self.size)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.size, self.size, input_shape[0][-1])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


@keras.saving.register_keras_serializable(package="gan_tf")
class BoxWarp(_BoxResample):
    """``box_warp`` as a layer: the maps pasted into the boxes (zero outside). See chapter 7.2."""

    resample = staticmethod(box_warp)


@keras.saving.register_keras_serializable(package="gan_tf")
class BoxCrop(_BoxResample):
    """``box_crop`` as a layer: the boxes' regions of the maps, resampled. See chapter 7.2."""

    resample = staticmethod(box_crop)


@keras.saving.register_keras_serializable(package="gan_tf")
class KeypointHeatmaps(keras.layers.Layer):
    """``keypoint_heatmaps`` as a layer: keypoints ``(b, K, 3)`` -> ``(b, size, size, K)``, or
    with ``parts_max=True`` their maximum over the parts, ``(b, size, size, 1)`` (1 where any
    visible keypoint lies: GAWWN's gate of the local pathway, arXiv:1610.02454 section 4.2).
    See chapter 7.2."""

    def __init__(self, size, parts_max=False, **kwargs):
        super().__init__(**kwargs)
        self.size = positive_int(size, "size")
        self.parts_max = bool(parts_max)

    def call(self, keypoints):
        maps = keypoint_heatmaps(tf.cast(keypoints, self.compute_dtype), self.size)
        return tf.reduce_max(maps, axis=-1, keepdims=True) if self.parts_max else maps

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size,
                1 if self.parts_max else input_shape[1])

    def get_config(self):
        return {**super().get_config(), "size": self.size, "parts_max": self.parts_max}


@keras.saving.register_keras_serializable(package="gan_tf")
class MaskedMean(keras.layers.Layer):
    """``[x (b, H, W, C), mask (b, H, W, 1)]`` -> ``(b, C)``: the mean of x over the cells where
    the mask is 1 (sum(x * mask) / max(sum(mask), 1); an empty mask gives 0). GAWWN's
    discriminator pools its local pathway over the box region this way, in place of cropping
    the region with a spatial transformer and averaging it (arXiv:1610.02454, section 4.1).
    See chapter 7.2."""

    def call(self, inputs):
        x, mask = inputs
        mask = tf.cast(mask, x.dtype)
        total = tf.reduce_sum(x * mask, axis=(1, 2))
        count = tf.reduce_sum(mask, axis=(1, 2))
        return total / tf.maximum(count, tf.ones_like(count))

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], input_shape[0][-1])


@keras.saving.register_keras_serializable(package="gan_tf")
class KeypointSwitch(keras.layers.Layer):
    """``[switch (b, K), given (b, K, 3), generated (b, K, 3)]`` -> ``s * k + (1 - s) * f``:
    the given keypoints where the switch is 1, the generated ones elsewhere (GAWWN's keypoint
    generator G_k(z, t, k, s) = s . k + (1 - s) . f(z, t, k), arXiv:1610.02454, section 4.3).
    See chapter 7.2."""

    def call(self, inputs):
        switch, given, generated = inputs
        s = tf.cast(switch, generated.dtype)[..., None]
        return s * tf.cast(given, generated.dtype) + (1.0 - s) * generated

    def compute_output_shape(self, input_shape):
        return input_shape[2]


# -- a domain label as extra image channels (chapter 8.4) ---------------------------------------

def tile_labels(images, labels):
    """``images`` ``(b, H, W, C)`` with ``labels`` ``(b, n)`` replicated over every pixel and
    appended as ``n`` channels: ``(b, H, W, C + n)``, channel ``C + j`` equal to ``labels[:, j]``
    everywhere. StarGAN's generator input (Choi et al., arXiv:1711.09020, appendix 7.2: "the
    domain label is spatially replicated and concatenated with the input image"); the labels
    are cast to the images' dtype. See chapter 8.4."""
    images = ops.convert_to_tensor(images)
    labels = ops.cast(labels, images.dtype)
    planes = ops.zeros_like(images[..., :1]) + labels[:, None, None, :]
    return ops.concatenate([images, planes], axis=-1)


@keras.saving.register_keras_serializable(package="gan_tf")
class TileLabels(keras.layers.Layer):
    """``tile_labels`` as a layer: ``[images (b, H, W, C), labels (b, n)]`` ->
    ``(b, H, W, C + n)``. See chapter 8.4."""

    def call(self, inputs):
        images, labels = inputs
        return tile_labels(images, labels)

    def compute_output_shape(self, input_shape):
        (b, h, w, c), (_, n) = input_shape
        return (b, h, w, None if c is None or n is None else c + n)
