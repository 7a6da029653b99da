"""GAWWN, the Generative Adversarial What-Where Network (Reed, Akata, Mohan, Tenka, Schiele &
Lee, "Learning What and Where to Draw", arXiv:1610.02454), scaled down to 32x32 images.

The text embedding says *what* to draw, a bounding box or a set of part keypoints *where*.

- Box-conditional networks (section 4.1, fig. 3; chapter fig. 7-8), as the authors' Torch code
  builds them (github.com/reedscot/nips2016, ``main_cub_bbox.lua``). Generator ``[z, text,
  box]``: a *global pathway* (the text warped into the box and convolved down to a vector,
  joined with z -> 4x4 -> stride-2 transposed convolutions up to the M x M grid) and a *local
  pathway* ([z, text] -> 4x4 -> residual blocks and transposed convolutions to an M x M object
  map, pasted into the box by a spatial transformer, zero outside it), depth-concatenated, one
  3x3 convolution, then up-sampled to the image. Discriminator ``[image, text, box]``: stride-2
  convolutions take the image to an M x M feature map; the *local pathway* concatenates the
  replicated text, convolves, crops the box region with a spatial transformer, 1x1
  convolutions and a mean; the *global pathway* goes down to 4x4 and is joined with the text
  warped into the box (so it sees where the box is); the two vectors are joined and mapped to
  one logit (no sigmoid). The builders' docstrings list the layers.
- Keypoint-conditional networks (section 4.2, fig. 4; chapter fig. 7-9): keypoints ``(K, 3)`` =
  (y, x, visible) become K binary M x M heat-maps (``gan_tf.layers.keypoint_heatmaps``). As in
  the authors' Torch code (github.com/reedscot/nips2016, ``main_cub_keypoints.lua``), the
  global pathway encodes all K maps (strided convolutions to a vector, joined with ``[z,
  text]`` before the 4x4 projection), and the maps max-pooled over the parts (1 where any
  visible keypoint lies) gate the local pathway: the replicated text is zero away from the
  keypoints. The generator's fused map also gets the K maps; the discriminator's local pathway
  gates its text-and-image features the same way, appends the K maps and averages over the
  keypoint cells.
- The keypoint generator (section 4.3): G_k(z, t, k, s) = s . k + (1 - s) . f(z, t, k), an MLP
  f with sigmoid outputs, so the keypoints switched on (s = 1) are returned exactly and the rest
  are generated; its discriminator scores ``[keypoints, text]``.

Departures from the paper at this scale: M = 16 at 32x32 (the paper's M = 16 at 128x128) and
far fewer channels. The spatial transformers are ``gan_tf.layers.box_warp`` (paste a map into
the box) and ``box_crop`` (read the box region), bilinear like the authors' affine grid and
sampler; a spatially constant map warped into a box is that constant masked by the box, so the
text maps use ``box_mask``.

All networks return logits or tanh images in [-1, 1]; ``batch_norm=False`` drops batch norm (for
a MirroredStrategy step that equals a single-device one). See chapter 7.2.
"""

from __future__ import annotations

import math

import keras

from gan_tf.layers import BoxCrop, BoxMask, BoxWarp, KeypointHeatmaps, KeypointSwitch, MaskedMean
from gan_tf.models import _checks
from gan_tf.models.conditional import label_planes
from gan_tf.models.dcgan import _init


def _sizes(image_size, grid):
    """``(ups, downs)``: stride-2 steps from 4x4 to the grid and from the grid to the image."""
    image_size = _checks.positive_int(image_size, "image_size")
    grid = _checks.positive_int(grid, "grid")
    if grid < 4 or grid & (grid - 1) or image_size % grid or (image_size // grid) & (
            image_size // grid - 1):
        raise ValueError(f"GAWWN needs a power-of-two grid M >= 4 and image_size = M * 2**k, "
                         f"got grid={grid}, image_size={image_size}")
    return int(math.log2(grid // 4)), int(math.log2(image_size // grid))


def _bn(h, batch_norm, name):
    if not batch_norm:
        return h
    return keras.layers.BatchNormalization(
        momentum=0.9, epsilon=1e-5, gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
        name=name)(h)


def _conv(h, filters, kernel, name, strides=1, padding="same"):
    return keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding,
                               kernel_initializer=_init(), name=name)(h)


def _deconv(h, filters, name):
    return keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same",
                                        kernel_initializer=_init(), name=name)(h)


def _relu(h, name):
    return keras.layers.ReLU(name=name)(h)


def _lrelu(h, name):
    return keras.layers.LeakyReLU(0.2, name=name)(h)


def _inputs(latent_dim, text_dim):
    _checks.positive_int(latent_dim, "latent_dim")
    _checks.positive_int(text_dim, "text_dim")
    return keras.Input((latent_dim,), name="z"), keras.Input((text_dim,), name="text")


def _global_generator(vector, ups, filters, batch_norm, channels=None):
    """FC -> 4x4 x ``channels`` (default ``filters * 2**ups``) -> ``ups`` stride-2 transposed
    convolutions halving the channels: (grid, grid, channels / 2**ups)."""
    c = filters * 2 ** ups if channels is None else channels
    h = keras.layers.Dense(4 * 4 * c, kernel_initializer=_init(), name="global_project")(vector)
    h = keras.layers.Reshape((4, 4, c), name="global_4x4")(h)
    h = _relu(_bn(h, batch_norm, "global_bn"), "global_relu")
    for i in range(ups):
        c //= 2
        h = _relu(_bn(_deconv(h, c, f"global_deconv_{i}"), batch_norm, f"global_bn_{i}"),
                  f"global_relu_{i}")
    return h


def _render(h, downs, filters, channels, batch_norm):
    """Fused grid map -> image: 3x3 convolution, ``downs`` up-samplings, conv to RGB, tanh."""
    h = _relu(_bn(_conv(h, filters, 3, "fuse_conv"), batch_norm, "fuse_bn"), "fuse_relu")
    for i in range(downs):
        h = _relu(_bn(_deconv(h, filters, f"up_deconv_{i}"), batch_norm, f"up_bn_{i}"),
                  f"up_relu_{i}")
    h = _conv(h, channels, 3, "conv_out")
    return keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)


def _image_trunk(x, downs, filters, batch_norm):
    """Image -> (grid, grid, 2 * filters) map: ``downs`` 4x4 stride-2 convolutions (a 3x3
    stride-1 one if the image is the grid's size), then a 3x3 convolution."""
    h = x
    for i in range(max(downs, 1)):
        h = _lrelu(_conv(h, filters, 4 if downs else 3, f"image_conv_{i}",
                         strides=2 if downs else 1), f"image_lrelu_{i}")
    h = _conv(h, 2 * filters, 3, "image_conv_grid")
    return _lrelu(_bn(h, batch_norm, "image_bn_grid"), "image_lrelu_grid")


def _global_discriminator(features, text, ups, filters, batch_norm):
    """The global pathway of D: grid map -> 4x4 -> concat text replicated 4x4 -> vector."""
    h, c = features, 2 * filters
    for i in range(ups):
        c *= 2
        h = _lrelu(_bn(_conv(h, c, 4, f"global_conv_{i}", strides=2), batch_norm,
                       f"global_bn_{i}"), f"global_lrelu_{i}")
    h = keras.layers.Concatenate(name="global_text")([h, label_planes(text, 4, 4, "text_4x4")])
    h = _lrelu(_bn(_conv(h, c, 1, "global_join"), batch_norm, "global_join_bn"),
               "global_join_lrelu")
    h = _lrelu(_conv(h, filters, 4, "global_4x4", padding="valid"), "global_vector_lrelu")
    return keras.layers.Flatten(name="global_vector")(h)


def _score(local, global_, filters):
    h = keras.layers.Concatenate(name="pathways")([local, global_])
    h = _lrelu(keras.layers.Dense(filters, kernel_initializer=_init(), name="join_dense")(h),
               "join_lrelu")
    return keras.layers.Dense(1, dtype="float32", name="logit")(h)


def _box_text_map(text, box, grid, name):
    """The text vector replicated on the grid and warped into the box: a spatially constant map
    resampled into the box *is* the constant inside the box (``BoxWarp``'s mask) and 0 outside,
    the authors' ``txtGlobalG`` / ``txtGlobalD`` input."""
    return keras.layers.Multiply(name=f"{name}_in_box")(
        [label_planes(text, grid, grid, name), BoxMask(grid, name=f"{name}_box_mask")(box)])


def _down_to_4x4(h, ups, filters, last, batch_norm, prefix, activation):
    """``ups`` 4x4 stride-2 convolutions (``filters`` channels, the last ``last``) from the grid
    to 4x4, each with batch norm and the activation."""
    act = _relu if activation == "relu" else _lrelu
    for i in range(ups):
        c = last if i == ups - 1 else filters
        h = act(_bn(_conv(h, c, 4, f"{prefix}_conv_{i}", strides=2), batch_norm,
                    f"{prefix}_bn_{i}"), f"{prefix}_{activation}_{i}")
    return h


def _residual(h, width, batch_norm, name):
    """The authors' bottleneck block: 1x1 (width) -> 3x3 (width) -> 3x3 (back to the input's
    channels) with batch norm, added to the input, ReLU."""
    c = h.shape[-1]
    r = _relu(_bn(_conv(h, width, 1, f"{name}_1x1"), batch_norm, f"{name}_bn_0"),
              f"{name}_relu_0")
    r = _relu(_bn(_conv(r, width, 3, f"{name}_3x3_0"), batch_norm, f"{name}_bn_1"),
              f"{name}_relu_1")
    r = _bn(_conv(r, c, 3, f"{name}_3x3_1"), batch_norm, f"{name}_bn_2")
    return _relu(keras.layers.Add(name=f"{name}_add")([h, r]), f"{name}_relu")


def build_gawwn_box_generator(latent_dim=100, text_dim=128, image_size=32, grid=16, channels=3,
                              filters=64, batch_norm=True, name="gawwn_box_generator"):
    """``[z (b, latent_dim), text (b, text_dim), box (b, 4)]`` -> images ``(b, image_size,
    image_size, channels)`` in [-1, 1]; box = (y0, x0, y1, x1) normalised to [0, 1].

    arXiv:1610.02454 section 4.1 as the authors' ``main_cub_bbox.lua`` builds it (ngf =
    ``filters``; the grid M = 16 of their 128x128 images, here at 32x32):

    - text -> Dense(4f) (shared by both pathways);
    - global pathway: the text map warped into the box (``_box_text_map``) -> stride-2
      convolutions to 4x4 -> a 4x4 convolution to a (4f) vector, joined with z -> Dense(4f) ->
      ReLU; (8f) -> 4x4 -> stride-2 transposed convolutions up to M x M (2f);
    - local pathway: [z -> Dense(4f), text] -> ReLU -> 4x4 (8f) -> residual blocks and stride-2
      transposed convolutions up to an M x M (2f) map, which a spatial transformer pastes into
      the box (``BoxWarp``: bilinear, zero outside; layer ``local_in_box``) -> ReLU;
    - both depth-concatenated, a 3x3 convolution, up-sampled to the image.

    So the box reaches the generator twice: as *where the text is* (global) and as *where the
    generated object map goes* (local), which stretches the object to the box. See chapter 7.2."""
    ups, downs = _sizes(image_size, grid)
    f = _checks.positive_int(filters, "filters")
    _checks.positive_int(channels, "channels")
    z, text = _inputs(latent_dim, text_dim)
    box = keras.Input((4,), name="box")
    words = keras.layers.Dense(4 * f, kernel_initializer=_init(), name="text_code")(text)
    # global pathway
    h = _box_text_map(words, box, grid, "text_grid")
    h = _down_to_4x4(h, ups, 4 * f, 4 * f, batch_norm, "box_text", "relu")
    h = _relu(_bn(_conv(h, 4 * f, 4, "box_text_vector", padding="valid"), batch_norm,
                  "box_text_vector_bn"), "box_text_vector_relu")
    noise = _relu(keras.layers.Dense(4 * f, kernel_initializer=_init(), name="global_noise")(z),
                  "global_noise_relu")
    vector = keras.layers.Concatenate(name="global_vector")(
        [noise, keras.layers.Flatten(name="box_text_flat")(h)])
    glob = _global_generator(vector, ups, f, batch_norm, channels=8 * f)
    # local pathway
    local_noise = keras.layers.Dense(4 * f, kernel_initializer=_init(), name="local_noise")(z)
    h = _relu(keras.layers.Concatenate(name="local_z_text")([local_noise, words]),
              "local_z_text_relu")
    c = 8 * f
    h = keras.layers.Dense(4 * 4 * c, kernel_initializer=_init(), name="local_project")(h)
    h = _bn(keras.layers.Reshape((4, 4, c), name="local_4x4")(h), batch_norm, "local_bn")
    for i in range(ups):
        h = _residual(h, max(c // 4, 1), batch_norm, f"local_res_{i}")
        c //= 2
        h = _bn(_deconv(h, c, f"local_deconv_{i}"), batch_norm, f"local_bn_{i}")
    local = _relu(BoxWarp(grid, name="local_in_box")([h, box]), "local_relu")
    h = keras.layers.Concatenate(name="fuse")([glob, local])
    return keras.Model([z, text, box], _render(h, downs, 2 * f, channels, batch_norm),
                       name=name)


def build_gawwn_box_discriminator(image_size=32, text_dim=128, grid=16, channels=3, filters=64,
                                  batch_norm=True, join_norm=False,
                                  name="gawwn_box_discriminator"):
    """``[image, text (b, text_dim), box (b, 4)]`` -> one logit ``(b, 1)``.

    arXiv:1610.02454 section 4.1 as the authors' ``main_cub_bbox.lua`` builds it (ndf =
    ``filters``, text features nt = 2f):

    - image -> stride-2 convolutions to the M x M grid (2f);
    - text -> Dense(2f) -> LeakyReLU (shared by both pathways);
    - local pathway: [image features, text replicated] -> 3x3 convolution (2f) -> the box's
      region cropped and resampled to M x M by a spatial transformer (``BoxCrop``) -> 1x1 (2f)
      -> 1x1 (f) -> mean over the region -> LeakyReLU (layer ``local_vector``);
    - global pathway: the image features down to 4x4 (8f), joined with the text map warped into
      the box and brought down to 4x4 (f) -> 1x1 (4f) -> 4x4 convolution -> (f) vector;
    - [local, global] -> Dense(f) -> LeakyReLU -> one logit.

    The global pathway sees where the box is, so an object drawn outside it can be told from
    one inside.

    ``join_norm=True`` is the authors' code exactly: batch norm between that Dense(f) and the
    LeakyReLU. Off by default (our one departure from their networks): the trainer, like their
    code, passes the real, mismatched and fake batches through D separately, so a batch norm
    right before the logit standardises each batch on its own and erases any difference that
    is the same for the whole batch, which is how a batch of fakes first differs from real
    images. Measured (``benchmarks/text_to_image.py --systems gawwn-box``, seed 0, 2e-4, batch
    32): with it D's loss stayed near 2 ln 2 for 1,000 steps and the samples' FID near 1,000
    (two of four seeds never trained); without it FID 224 after 750 steps. See chapter 7.2."""
    ups, downs = _sizes(image_size, grid)
    f = _checks.positive_int(filters, "filters")
    _checks.positive_int(text_dim, "text_dim")
    _checks.positive_int(channels, "channels")
    x = keras.Input((image_size, image_size, channels), name="image")
    text = keras.Input((text_dim,), name="text")
    box = keras.Input((4,), name="box")
    features = _image_trunk(x, downs, f, batch_norm)
    words = _lrelu(keras.layers.Dense(2 * f, kernel_initializer=_init(), name="text_code")(text),
                   "text_code_lrelu")
    # local pathway
    h = keras.layers.Concatenate(name="local_text")(
        [features, label_planes(words, grid, grid, "text_grid")])
    h = _lrelu(_bn(_conv(h, 2 * f, 3, "local_conv"), batch_norm, "local_bn"), "local_lrelu")
    h = BoxCrop(grid, name="local_crop")([h, box])
    h = _lrelu(_bn(_conv(h, 2 * f, 1, "local_1x1_0"), batch_norm, "local_1x1_bn"),
               "local_1x1_lrelu")
    h = _conv(h, f, 1, "local_1x1_1")
    h = keras.layers.GlobalAveragePooling2D(name="local_mean")(h)
    local = _lrelu(h, "local_vector")
    # global pathway
    g = _down_to_4x4(features, ups, 4 * f, 8 * f, batch_norm, "global", "lrelu")
    t = _box_text_map(words, box, grid, "box_text_grid")
    t = _down_to_4x4(t, ups, 4 * f, f, batch_norm, "box_text", "relu")
    h = keras.layers.Concatenate(name="global_text")([g, t])
    h = _lrelu(_bn(_conv(h, 4 * f, 1, "global_join"), batch_norm, "global_join_bn"),
               "global_join_lrelu")
    h = _lrelu(_bn(_conv(h, f, 4, "global_4x4", padding="valid"), batch_norm, "global_4x4_bn"),
               "global_vector_lrelu")
    glob = keras.layers.Flatten(name="global_vector")(h)
    h = keras.layers.Concatenate(name="pathways")([local, glob])
    h = _lrelu(_bn(keras.layers.Dense(f, kernel_initializer=_init(), name="join_dense")(h),
                   batch_norm and join_norm, "join_bn"), "join_lrelu")
    return keras.Model([x, text, box], keras.layers.Dense(1, dtype="float32", name="logit")(h),
                       name=name)


def build_gawwn_keypoint_generator(latent_dim=100, text_dim=128, n_keypoints=15, image_size=32,
                                   grid=16, channels=3, filters=64, batch_norm=True,
                                   name="gawwn_keypoint_generator"):
    """``[z, text, keypoints (b, n_keypoints, 3)]`` -> images in [-1, 1]; keypoints = (y, x,
    visible) with (y, x) in [0, 1].

    arXiv:1610.02454 section 4.2 (module docstring): global pathway ``[z, text, code of the K
    heat-maps]`` -> 4x4 -> grid; local pathway: text replicated on the grid, gated by the heat-maps'
    maximum over parts, 3x3 convolution; fused with the K maps. See chapter 7.2."""
    ups, downs = _sizes(image_size, grid)
    _checks.positive_int(filters, "filters")
    _checks.positive_int(channels, "channels")
    k = _checks.positive_int(n_keypoints, "n_keypoints")
    z, text = _inputs(latent_dim, text_dim)
    keypoints = keras.Input((k, 3), name="keypoints")
    maps = KeypointHeatmaps(grid, name="heatmaps")(keypoints)
    gate = KeypointHeatmaps(grid, parts_max=True, name="parts_max")(keypoints)
    code = maps
    for i in range(ups):
        code = _relu(_conv(code, filters * 2 ** i, 4, f"keypoint_conv_{i}", strides=2),
                     f"keypoint_relu_{i}")
    code = keras.layers.Flatten(name="keypoint_flat")(code)
    code = _relu(keras.layers.Dense(4 * filters, kernel_initializer=_init(),
                                    name="keypoint_code")(code), "keypoint_code_relu")
    glob = _global_generator(keras.layers.Concatenate(name="z_text_keypoints")([z, text, code]),
                             ups, filters, batch_norm)
    h = keras.layers.Multiply(name="text_at_keypoints")(
        [label_planes(text, grid, grid, "text_grid"), gate])
    local = _relu(_bn(_conv(h, filters, 3, "local_conv"), batch_norm, "local_bn"), "local_relu")
    h = keras.layers.Concatenate(name="fuse")([glob, local, maps])
    return keras.Model([z, text, keypoints], _render(h, downs, filters, channels, batch_norm),
                       name=name)


def build_gawwn_keypoint_discriminator(image_size=32, text_dim=128, n_keypoints=15, grid=16,
                                       channels=3, filters=64, batch_norm=True,
                                       name="gawwn_keypoint_discriminator"):
    """``[image, text, keypoints (b, n_keypoints, 3)]`` -> one logit.

    arXiv:1610.02454 section 4.2: the local pathway's image-and-text features are gated by the
    heat-maps' maximum over parts, joined with the K maps (1x1 convolutions) and averaged over
    the keypoint cells; the global pathway as in the box discriminator. See chapter 7.2."""
    ups, downs = _sizes(image_size, grid)
    _checks.positive_int(filters, "filters")
    _checks.positive_int(text_dim, "text_dim")
    _checks.positive_int(channels, "channels")
    k = _checks.positive_int(n_keypoints, "n_keypoints")
    x = keras.Input((image_size, image_size, channels), name="image")
    text = keras.Input((text_dim,), name="text")
    keypoints = keras.Input((k, 3), name="keypoints")
    maps = KeypointHeatmaps(grid, name="heatmaps")(keypoints)
    gate = KeypointHeatmaps(grid, parts_max=True, name="parts_max")(keypoints)
    features = _image_trunk(x, downs, filters, batch_norm)
    h = keras.layers.Concatenate(name="local_text")(
        [features, label_planes(text, grid, grid, "text_grid")])
    h = _lrelu(_bn(_conv(h, 2 * filters, 3, "local_conv"), batch_norm, "local_bn"),
               "local_lrelu")
    h = keras.layers.Multiply(name="local_gated")([h, gate])
    h = keras.layers.Concatenate(name="local_keypoints")([h, maps])
    h = _lrelu(_conv(h, 2 * filters, 1, "local_1x1_0"), "local_1x1_lrelu_0")
    h = _lrelu(_conv(h, filters, 1, "local_1x1_1"), "local_1x1_lrelu_1")
    local = MaskedMean(name="local_vector")([h, gate])
    glob = _global_discriminator(features, text, ups, filters, batch_norm)
    return keras.Model([x, text, keypoints], _score(local, glob, filters), name=name)


def _dense(h, units, name, activation, batch_norm):
    """Dense -> (batch norm) -> ReLU or LeakyReLU(0.2), as the authors' keypoint MLPs (whose
    Linear layers keep Torch's default initialisation, not DCGAN's N(0, 0.02))."""
    h = keras.layers.Dense(units, name=name)(h)    # Keras' default init, as Torch's Linear
    h = _bn(h, batch_norm, f"{name}_bn")
    return (_relu if activation == "relu" else _lrelu)(h, f"{name}_{activation}")


def build_keypoint_generator(latent_dim=32, text_dim=128, n_keypoints=15, units=128,
                             batch_norm=True, name="keypoint_generator"):
    """G_k: ``[z, text, keypoints (b, K, 3), switch (b, K)]`` -> keypoints ``(b, K, 3)`` in
    [0, 1] (arXiv:1610.02454 section 4.3): G_k(z, t, k, s) = s . k + (1 - s) . f(z, t, s . k),
    where the keypoints switched on (s = 1) come back exactly.

    f as in the authors' Torch code (github.com/reedscot/nips2016, ``main_gen_keypoints.lua``,
    ngf = ``units``): three encoders side by side, z -> Dense(4u) + ReLU, text -> Dense(4u) +
    ReLU, the given keypoints (the others zeroed) and the switch -> Dense(4u) -> Dense(2u) (batch
    norm, ReLU); joined (10u) -> Dense(8u) -> Dense(4u) -> Dense(2u) (batch norm, ReLU) ->
    Dense(3K) -> sigmoid (y, x, visible). Encoding each input to its own width first keeps the
    few keypoint numbers from being drowned by the 128-d text. See chapter 7.2."""
    z, text = _inputs(latent_dim, text_dim)
    k = _checks.positive_int(n_keypoints, "n_keypoints")
    u = _checks.positive_int(units, "units")
    keypoints = keras.Input((k, 3), name="keypoints")
    switch = keras.Input((k,), name="switch")
    given = keras.layers.Multiply(name="given")(
        [keypoints, keras.layers.Reshape((k, 1), name="switch_column")(switch)])
    loc = keras.layers.Concatenate(name="given_switch")(
        [keras.layers.Flatten(name="given_flat")(given), switch])
    loc = _dense(loc, 4 * u, "loc_0", "relu", batch_norm)
    loc = _dense(loc, 2 * u, "loc_1", "relu", batch_norm)
    noise = _dense(z, 4 * u, "noise_enc", "relu", False)
    words = _dense(text, 4 * u, "text_enc", "relu", False)
    h = keras.layers.Concatenate(name="z_text_loc")([noise, words, loc])
    for i, width in enumerate((8 * u, 4 * u, 2 * u)):
        h = _dense(h, width, f"joint_{i}", "relu", batch_norm)
    h = keras.layers.Dense(3 * k, name="keypoint_logits")(h)
    h = keras.layers.Activation("sigmoid", dtype="float32", name="sigmoid")(h)
    generated = keras.layers.Reshape((k, 3), name="generated")(h)
    out = KeypointSwitch(name="keypoints_out")([switch, keypoints, generated])
    return keras.Model([z, text, keypoints, switch], out, name=name)


def build_keypoint_discriminator(text_dim=128, n_keypoints=15, units=64, batch_norm=True,
                                 name="keypoint_discriminator"):
    """``[keypoints (b, K, 3), text (b, text_dim)]`` -> one logit, the keypoint GAN's
    discriminator of arXiv:1610.02454 section 4.3 ("real keypoints and text" against generated
    keypoints) as in the authors' code (ndf = ``units``): keypoints -> Dense(4u) -> Dense(2u)
    and text -> Dense(4u) -> Dense(2u) side by side (batch norm, LeakyReLU 0.2), joined ->
    Dense(2u) (batch norm, LeakyReLU) -> Dense(1). See chapter 7.2."""
    _checks.positive_int(text_dim, "text_dim")
    k = _checks.positive_int(n_keypoints, "n_keypoints")
    u = _checks.positive_int(units, "units")
    keypoints = keras.Input((k, 3), name="keypoints")
    text = keras.Input((text_dim,), name="text")
    loc = keras.layers.Flatten(name="keypoints_flat")(keypoints)
    t = text
    for i, width in enumerate((4 * u, 2 * u)):
        loc = _dense(loc, width, f"loc_{i}", "lrelu", batch_norm)
        t = _dense(t, width, f"text_enc_{i}", "lrelu", batch_norm)
    h = keras.layers.Concatenate(name="loc_text")([loc, t])
    h = _dense(h, 2 * u, "joint", "lrelu", batch_norm)
    out = keras.layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model([keypoints, text], out, name=name)
