"""StackGAN's networks: conditioning augmentation, Stage-I and Stage-II (v1), the v2 tree.

- ``build_conditioning_augmentation``: CA of Zhang et al., StackGAN (arXiv:1612.03242,
  section 3.2). mu and log sigma come from a fully-connected layer on the text embedding phi_t
  (not from statistics of phi_t), and c_hat = mu + sigma * eps. The noise eps is an *input*
  ``[phi, eps]``: the trainer draws it from its own seed generator (so a step on several replicas
  equals a single-device step and the stream is checkpointed), and eps = 0 gives c_hat = mu.
  The generators below hold this sub-model under the name ``CA_NAME``; trainers find it there to
  compute the KL regulariser from the same mu and sigma.
- ``build_stackgan_stage1_generator`` G0 (section 3.3, "implementation details" of section 3.5):
  ``[z, phi, eps]`` -> CA -> concat(c_hat, z) -> FC to 4x4 -> up-sampling blocks (nearest x2,
  3x3 conv stride 1, batch norm, ReLU) -> 3x3 conv -> tanh image.
- ``build_stackgan_discriminator`` D0 / D / v2's D_i: down-sampling blocks (4x4 conv stride 2,
  batch norm except on the first block, LeakyReLU(0.2)) to 4x4 (M_d = 4); phi -> FC N_d ->
  LeakyReLU -> replicated 4x4 -> depth concatenation -> 1x1 conv + BN + LeakyReLU -> FC -> logit.
  A larger image only adds down-sampling blocks (the paper's Stage-II D has more of them).
  ``unconditional_logit=True`` adds StackGAN-v2's second head, D_i(x) from the image code alone.
- ``build_stackgan_stage2_generator`` G (section 3.4): the Stage-I image -> 3x3 conv -> down-
  sampling to M_g x M_g = 16x16 -> concat c_hat (from its *own* CA layer) replicated 16x16 ->
  3x3 conv -> residual blocks -> up-sampling blocks -> tanh image; no z.
- ``build_stackgan_v2_generator``: StackGAN-v2's tree (StackGAN++, arXiv:1710.10916,
  section 4.1): h_0 = F_0(z, c_hat), h_i = F_i(h_{i-1}, c_hat), s_i = G_i(h_i), one image per
  scale. The paper's 64/128/256 are 16/32/64 here (the chapter's 64x64 scenes as the top), and
  one CA layer feeds all branches (the authors' code; unconditional: z takes c_hat's place).

Widths (defaults, chosen to train on a laptop CPU; the paper's N_g = 128, N_z = 100, N_d = 128
are kept): G0 4x4x256 -> 8x8x128 -> 16x16x64 -> 32x32x32 -> 3 (``filters=32``, the width at
the output, doubled per block towards 4x4; the paper's 64x64 G0 starts at 4x4x1024); D0 32, 64,
128 channels down to 4x4; Stage-II G (``filters=16``) 32 channels at 32x32, 64 at 16x16 with 2
residual blocks (the paper has 4 at 512 channels), 32 at 32x32, 16 at 64x64; Stage-II D 32, 64,
128, 256; v2 G 256 at 4x4, 64/32/16 channels at its 16/32/64 outputs, 2 residual blocks per
branch; v2 D's from 16 channels. Measured steps (batch 64, float32, 2 shared CPU cores at load
~3): Stage-I 0.43 s, Stage-II 1.2 s, v2 1.5 s. See chapter 7.3.
"""

from __future__ import annotations

import math

import keras

from gan_tf.models import _checks
from gan_tf.models.dcgan import _bn, _init

CA_NAME = "conditioning_augmentation"


def _blocks(size, to, name):
    """log2(size / to) (the number of x2 blocks between the two sizes)."""
    if size < to:
        raise ValueError(f"{name}={size} is smaller than {to}")
    return int(math.log2(size // to))


def build_conditioning_augmentation(text_dim=128, condition_dim=128, name=CA_NAME):
    """``[phi (batch, text_dim), eps (batch, condition_dim)]`` -> ``[c_hat, mu, log_sigma]``,
    each ``(batch, condition_dim)``: one fully-connected layer on phi gives mu and log sigma
    (its 2 * condition_dim outputs, as two Dense heads ``mu`` and ``log_sigma``), and
    c_hat = mu + exp(log_sigma) * eps (arXiv:1612.03242, section 3.2; N_g = ``condition_dim`` =
    128 in the paper). A linear layer, as the paper describes (its authors' code follows it
    with a LeakyReLU). See chapter 7.3."""
    _checks.positive_int(text_dim, "text_dim")
    _checks.positive_int(condition_dim, "condition_dim")
    phi = keras.Input((text_dim,), name="phi")
    eps = keras.Input((condition_dim,), name="eps")
    mu = keras.layers.Dense(condition_dim, kernel_initializer=_init(), name="mu")(phi)
    log_sigma = keras.layers.Dense(condition_dim, kernel_initializer=_init(),
                                   name="log_sigma")(phi)
    sigma = keras.layers.Activation("exponential", name="sigma")(log_sigma)
    noise = keras.layers.Multiply(name="sigma_eps")([sigma, eps])
    c_hat = keras.layers.Add(name="c_hat")([mu, noise])
    return keras.Model([phi, eps], [c_hat, mu, log_sigma], name=name)


def _up_block(h, filters, name):
    """Nearest-neighbour x2, 3x3 conv stride 1, batch norm, ReLU (section 3.5)."""
    h = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_up")(h)
    h = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False,
                            kernel_initializer=_init(), name=f"{name}_conv")(h)
    return keras.layers.ReLU(name=f"{name}_relu")(_bn(f"{name}_bn")(h))


def _down_block(h, filters, name, norm=True, activation="leaky"):
    """4x4 conv stride 2, batch norm (not on the first block), LeakyReLU(0.2) (section 3.5)."""
    h = keras.layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not norm,
                            kernel_initializer=_init(), name=f"{name}_conv")(h)
    if norm:
        h = _bn(f"{name}_bn")(h)
    if activation == "leaky":
        return keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(h)
    return keras.layers.ReLU(name=f"{name}_relu")(h)


def _conv_bn_relu(h, filters, name):
    h = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False,
                            kernel_initializer=_init(), name=f"{name}_conv")(h)
    return keras.layers.ReLU(name=f"{name}_relu")(_bn(f"{name}_bn")(h))


def _residual_block(h, name):
    """x + (3x3 conv, BN, ReLU, 3x3 conv, BN)(x), then ReLU (the authors' Stage-II block)."""
    filters = h.shape[-1]
    r = _conv_bn_relu(h, filters, f"{name}_a")
    r = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False,
                            kernel_initializer=_init(), name=f"{name}_b_conv")(r)
    r = _bn(f"{name}_b_bn")(r)
    return keras.layers.ReLU(name=f"{name}_relu")(keras.layers.Add(name=f"{name}_add")([h, r]))


def _replicate(vector, size, name):
    """``(batch, k)`` -> ``(batch, size, size, k)``: the vector at every position."""
    h = keras.layers.Reshape((1, 1, vector.shape[-1]), name=f"{name}_reshape")(vector)
    return keras.layers.UpSampling2D(size, name=f"{name}_tile")(h)


def _to_image(h, channels, name):
    h = keras.layers.Conv2D(channels, 3, padding="same", kernel_initializer=_init(),
                            name=f"{name}_conv")(h)
    return keras.layers.Activation("tanh", dtype="float32", name=name)(h)


def _condition_inputs(text_dim, latent_dim, condition_dim):
    z = keras.Input((latent_dim,), name="z")
    phi = keras.Input((text_dim,), name="phi")
    eps = keras.Input((condition_dim,), name="eps")
    c_hat = build_conditioning_augmentation(text_dim, condition_dim)([phi, eps])[0]
    return z, phi, eps, c_hat


def build_stackgan_stage1_generator(text_dim=128, latent_dim=100, condition_dim=128,
                                    image_size=32, channels=3, filters=32,
                                    name="stackgan_stage1_generator"):
    """Stage-I G0: ``[z (batch, N_z), phi (batch, text_dim), eps (batch, N_g)]`` -> images
    ``(batch, image_size, image_size, channels)`` in [-1, 1] (arXiv:1612.03242, section 3.3).

    CA (sub-model ``CA_NAME``) gives c_hat; concat(c_hat, z) -> FC -> 4x4x(filters * 2^k) ->
    k up-sampling blocks halving the width -> 3x3 conv -> tanh, with k = log2(image_size / 4).
    N_z = ``latent_dim`` = 100 and N_g = ``condition_dim`` = 128 as the paper; 32x32 is our
    Stage-I size (the paper's is 64x64). See chapter 7.3."""
    for value, what in ((latent_dim, "latent_dim"), (channels, "channels"),
                        (filters, "filters")):
        _checks.positive_int(value, what)
    _checks.power_of_two(image_size, "image_size", 8)
    z, phi, eps, c_hat = _condition_inputs(text_dim, latent_dim, condition_dim)
    k = _blocks(image_size, 4, "image_size")
    width = filters * 2 ** k
    h = keras.layers.Concatenate(name="c_z")([c_hat, z])
    h = keras.layers.Dense(4 * 4 * width, use_bias=False, kernel_initializer=_init(),
                           name="fc")(h)
    h = keras.layers.ReLU(name="fc_relu")(_bn("fc_bn")(h))
    h = keras.layers.Reshape((4, 4, width), name="fc_reshape")(h)
    for i in range(k):
        width //= 2
        h = _up_block(h, width, f"up{i}")
    return keras.Model([z, phi, eps], _to_image(h, channels, "image"), name=name)


def build_stackgan_discriminator(image_size=32, text_dim=128, channels=3, filters=32,
                                 embedding_dim=128, conditional=True, unconditional_logit=False,
                                 name=None):
    """D0 (image_size 32), Stage-II's D (64) or a StackGAN-v2 D_i (arXiv:1612.03242, sections
    3.3-3.5; arXiv:1710.10916, section 4.2).

    ``[x (batch, s, s, channels), phi (batch, text_dim)]`` -> the conditional logit D(x, phi)
    ``(batch, 1)``: log2(s / 4) down-sampling blocks (``filters`` channels, doubling) to the
    4x4 image code; phi -> FC N_d = ``embedding_dim`` -> LeakyReLU(0.2) -> replicated 4x4;
    depth concatenation, 1x1 conv + BN + LeakyReLU, FC -> logit. With
    ``unconditional_logit=True`` the outputs are ``[unconditional, conditional]`` logits, the
    first D(x) from the image code alone (StackGAN-v2's joint approximation);
    ``conditional=False`` gives the image-only D(x) -> logit of StackGAN-v2's unconditional
    setting. Logits, no sigmoid. See chapter 7.3."""
    _checks.power_of_two(image_size, "image_size", 8)
    for value, what in ((channels, "channels"), (filters, "filters"),
                        (embedding_dim, "embedding_dim")):
        _checks.positive_int(value, what)
    x = keras.Input((image_size, image_size, channels), name="x")
    h, width = x, filters
    for i in range(_blocks(image_size, 4, "image_size")):
        h = _down_block(h, width, f"down{i}", norm=i > 0)
        width *= 2
    width //= 2
    code = h
    logits = []
    if unconditional_logit or not conditional:
        logits.append(keras.layers.Dense(1, dtype="float32", kernel_initializer=_init(),
                                         name="unconditional_logit")(
            keras.layers.Flatten(name="uncond_flatten")(code)))
    inputs = [x]
    if conditional:
        _checks.positive_int(text_dim, "text_dim")
        phi = keras.Input((text_dim,), name="phi")
        inputs.append(phi)
        e = keras.layers.Dense(embedding_dim, kernel_initializer=_init(), name="text_fc")(phi)
        e = keras.layers.LeakyReLU(0.2, name="text_lrelu")(e)
        h = keras.layers.Concatenate(name="joint")([code, _replicate(e, 4, "text")])
        h = keras.layers.Conv2D(width, 1, use_bias=False, kernel_initializer=_init(),
                                name="joint_conv")(h)
        h = keras.layers.LeakyReLU(0.2, name="joint_lrelu")(_bn("joint_bn")(h))
        logits.append(keras.layers.Dense(1, dtype="float32", kernel_initializer=_init(),
                                         name="logit")(keras.layers.Flatten(name="flatten")(h)))
    name = name or f"stackgan_discriminator_{image_size}"
    out = logits if len(logits) > 1 else logits[0]
    return keras.Model(inputs if len(inputs) > 1 else x, out, name=name)


def build_stackgan_stage2_generator(text_dim=128, condition_dim=128, input_size=32,
                                    image_size=64, channels=3, filters=16, residual_blocks=2,
                                    grid=16, name="stackgan_stage2_generator"):
    """Stage-II G: ``[s0 (batch, input_size, input_size, channels), phi, eps]`` -> images
    ``(batch, image_size, image_size, channels)`` (arXiv:1612.03242, section 3.4). No z.

    s0 -> 3x3 conv + ReLU -> down-sampling blocks (4x4 conv stride 2, BN, ReLU) to
    M_g x M_g = ``grid`` x ``grid`` (16 as the paper) -> concat with c_hat replicated (its own
    CA sub-model ``CA_NAME``, N_g = ``condition_dim``) -> 3x3 conv + BN + ReLU ->
    ``residual_blocks`` residual blocks -> up-sampling blocks to ``image_size`` -> 3x3 conv ->
    tanh. Widths: ``filters`` at the output, doubled per block towards the grid. The paper goes
    64 -> 16 -> 256; here 32 -> 16 -> 64. See chapter 7.3."""
    for value, what in ((channels, "channels"), (filters, "filters")):
        _checks.positive_int(value, what)
    if isinstance(residual_blocks, bool) or not isinstance(residual_blocks, int) \
            or residual_blocks < 0:
        raise ValueError(f"residual_blocks must be an int >= 0, got {residual_blocks!r}")
    _checks.power_of_two(grid, "grid")
    _checks.power_of_two(input_size, "input_size")
    _checks.power_of_two(image_size, "image_size", 8)
    down = _blocks(input_size, grid, "input_size")
    up = _blocks(image_size, grid, "image_size")
    if up < 1:
        raise ValueError(f"image_size={image_size} must be larger than grid={grid}")
    s0 = keras.Input((input_size, input_size, channels), name="stage1_image")
    phi = keras.Input((text_dim,), name="phi")
    eps = keras.Input((condition_dim,), name="eps")
    c_hat = build_conditioning_augmentation(text_dim, condition_dim)([phi, eps])[0]
    width = filters * 2 ** up                          # the width at the grid
    h = keras.layers.Conv2D(width // 2 ** down, 3, padding="same", kernel_initializer=_init(),
                            name="encode_conv")(s0)
    h = keras.layers.ReLU(name="encode_relu")(h)
    for i in range(down):
        h = _down_block(h, width // 2 ** (down - 1 - i), f"down{i}", activation="relu")
    h = keras.layers.Concatenate(name="joint")([h, _replicate(c_hat, grid, "c_hat")])
    h = _conv_bn_relu(h, width, "joint")
    for i in range(residual_blocks):
        h = _residual_block(h, f"res{i}")
    for i in range(up):
        width //= 2
        h = _up_block(h, width, f"up{i}")
    return keras.Model([s0, phi, eps], _to_image(h, channels, "image"), name=name)


def build_stackgan_v2_generator(text_dim=128, latent_dim=100, condition_dim=128,
                                sizes=(16, 32, 64), channels=3, filters=16, residual_blocks=2,
                                conditional=True, name="stackgan_v2_generator"):
    """StackGAN-v2's tree generator (arXiv:1710.10916, section 4.1, fig. 2): ``[z, phi, eps]``
    (conditional) or ``z`` (unconditional) -> ``[s_0, s_1, ...]``, one image per size in
    ``sizes`` (each twice the previous).

    h_0 = F_0(z, c_hat): concat -> FC -> 4x4 -> up-sampling blocks to ``sizes[0]``;
    h_i = F_i(h_{i-1}, c_hat): concat with c_hat replicated -> 3x3 conv + BN + ReLU ->
    ``residual_blocks`` residual blocks -> one up-sampling block; s_i = G_i(h_i) = 3x3 conv ->
    tanh. One CA sub-model (``CA_NAME``) feeds every branch; in the unconditional setting z
    takes c_hat's place in the F_i (the authors' code). Widths: h_i has
    ``filters * 2^(n-1-i)`` channels (64/32/16 by default). See chapter 7.3."""
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 1:
        raise ValueError(f"sizes must hold at least one image size, got {sizes!r}")
    _checks.power_of_two(sizes[0], "sizes[0]", 8)
    for a, b in zip(sizes, sizes[1:]):
        if b != 2 * a:
            raise ValueError(f"each of sizes must be twice the previous, got {sizes!r}")
    for value, what in ((latent_dim, "latent_dim"), (channels, "channels"),
                        (filters, "filters")):
        _checks.positive_int(value, what)
    if conditional:
        z, phi, eps, code = _condition_inputs(text_dim, latent_dim, condition_dim)
        inputs = [z, phi, eps]
        h = keras.layers.Concatenate(name="c_z")([code, z])
    else:
        z = keras.Input((latent_dim,), name="z")
        inputs, code, h = z, z, z
    n = len(sizes)
    width = filters * 2 ** (n - 1)
    k = _blocks(sizes[0], 4, "sizes[0]")
    h = keras.layers.Dense(4 * 4 * width * 2 ** k, use_bias=False, kernel_initializer=_init(),
                           name="f0_fc")(h)
    h = keras.layers.ReLU(name="f0_fc_relu")(_bn("f0_fc_bn")(h))
    h = keras.layers.Reshape((4, 4, width * 2 ** k), name="f0_reshape")(h)
    for j in range(k):
        h = _up_block(h, width * 2 ** (k - 1 - j), f"f0_up{j}")
    images = [_to_image(h, channels, f"image{sizes[0]}")]
    for i, size in enumerate(sizes[1:], start=1):
        h = keras.layers.Concatenate(name=f"f{i}_joint")(
            [h, _replicate(code, sizes[i - 1], f"f{i}_code")])
        h = _conv_bn_relu(h, width, f"f{i}_joint")
        for r in range(residual_blocks):
            h = _residual_block(h, f"f{i}_res{r}")
        width //= 2
        h = _up_block(h, width, f"f{i}_up")
        images.append(_to_image(h, channels, f"image{size}"))
    return keras.Model(inputs, images, name=name)


def build_stackgan_v2_discriminators(sizes=(16, 32, 64), text_dim=128, channels=3, filters=16,
                                     embedding_dim=128, conditional=True):
    """One discriminator per scale of ``build_stackgan_v2_generator`` (arXiv:1710.10916,
    section 4.2): ``[x_i, phi] -> [unconditional, conditional]`` logits (conditional) or
    ``x_i -> logit`` (unconditional); ``build_stackgan_discriminator`` at each size.
    See chapter 7.3."""
    return [build_stackgan_discriminator(int(s), text_dim, channels, filters, embedding_dim,
                                         conditional=conditional, unconditional_logit=True,
                                         name=f"stackgan_v2_discriminator_{int(s)}")
            for s in sizes]
