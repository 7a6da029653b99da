"""SRResNet and SRGAN: x4 single-image super-resolution (Ledig et al., arXiv:1609.04802).

Batches are ``(hr, lr)``: the real high-resolution images first, their low-resolution versions
(the condition) second, both in [-1, 1], ``hr`` ``r`` times larger than ``lr`` on each side
(``gan_tf.data.photos.sr_dataset``; ``fit(hr, lr)`` on arrays).

- ``SRResNet(generator)``: the generator trained on the pixel MSE alone (eq. 4), the paper's
  SRResNet-MSE (section 3.2: Adam, lr 1e-4, beta_1 0.9, 10^6 updates).
- ``SRGAN(generator, discriminator, feature_network)``: the shared GAN loop (``GAN``) with
  G's input the LR images themselves (no noise, as in the paper) and the perceptual loss of
  eq. 3 as the generator's loss,

      l^SR = l^SR_X + 10^-3 l^SR_Gen,

  ``l^SR_X`` the content loss: the MSE of feature maps (eq. 5, ``content="features"``; the
  paper's SRGAN-VGG54 uses VGG19's phi_{5,4} scaled by 1/12.75) or of pixels (eq. 4,
  ``content="mse"``, SRGAN-MSE); ``l^SR_Gen = -log D(G(I^LR))`` (eq. 6, the non-saturating
  loss). D is trained on the standard GAN loss of eq. 2 (real HR vs. G(LR)), one D update per
  G update (k = 1). The paper initialises G with the trained SRResNet (``SRGAN.from_srresnet``)
  and trains 10^5 updates at lr 1e-4 then 10^5 at 1e-5 (``paper_adam(total_steps)``).
- ``train_patch_features``: the offline stand-in for VGG19 (see
  ``gan_tf.models.build_patch_feature_network``), trained here on the training photos' patches
  to tell which photo a crop (channels shuffled, rotated) comes from.

See chapter 6.1.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks
from gan_tf.models.srgan import VGG_FEATURE_SCALE, build_patch_feature_network, upsampling_factor
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN

PAPER_LEARNING_RATE = 1e-4        # section 3.2, SRResNet and the first 10^5 SRGAN updates
PAPER_LATE_LEARNING_RATE = 1e-5   # section 3.2, the last 10^5 SRGAN updates
CONTENTS = ("features", "mse")


def paper_adam(total_steps=None):
    """Adam with the paper's settings (arXiv:1609.04802, section 3.2): beta_1 = 0.9 and
    learning rate 1e-4; with ``total_steps`` the rate drops to 1e-5 for the second half of
    the steps, as SRGAN's 10^5 + 10^5 updates (updates 0 to ``total_steps // 2 - 1`` at 1e-4,
    the rest at 1e-5; the optimizer counts from 0). See chapter 6.1."""
    rate = PAPER_LEARNING_RATE
    if total_steps is not None:
        total_steps = checks.positive_int(total_steps, "total_steps")
        # PiecewiseConstantDecay: step <= boundary -> first value
        rate = keras.optimizers.schedules.PiecewiseConstantDecay(
            [max(total_steps // 2 - 1, 0)], [PAPER_LEARNING_RATE, PAPER_LATE_LEARNING_RATE])
    return keras.optimizers.Adam(rate, beta_1=0.9)


# -- losses (per example, shape (m,)) --------------------------------------------------------

def _mean_per_example(values):
    return tf.reduce_mean(values, axis=list(range(1, values.shape.rank)))


def pixel_mse(hr, sr):
    """Per-example pixel MSE ``(m,)`` (arXiv:1609.04802, eq. 4: the mean of ``(I^HR -
    G(I^LR))^2`` over the ``rW x rH`` pixels, and over the channels), in float32. See
    chapter 6.1."""
    hr, sr = tf.cast(hr, tf.float32), tf.cast(sr, tf.float32)
    return _mean_per_example(tf.square(hr - sr))


def feature_mse(feature_network, hr, sr, scale=VGG_FEATURE_SCALE):
    """Per-example content loss on feature maps ``(m,)`` (arXiv:1609.04802, eq. 5): the mean
    over positions and channels of ``(s * phi(I^HR) - s * phi(G(I^LR)))^2`` with ``phi =
    feature_network`` (inference mode) and ``s = scale`` (the paper rescales VGG maps by
    1/12.75, section 3.2, so the loss is ``1/12.75^2`` times the raw feature MSE). See
    chapter 6.1."""
    real = tf.cast(feature_network(hr, training=False), tf.float32)
    fake = tf.cast(feature_network(sr, training=False), tf.float32)
    return _mean_per_example(tf.square(scale * (real - fake)))


def match_feature_scale(feature_network, hr, sr):
    """The ``feature_scale`` s that puts the content loss of ``feature_network`` on the scale
    of the pixel MSE for the pair ``(hr, sr)`` (e.g. HR images and their bicubic upsampling):
    ``s^2 * mean(feature MSE) = mean(pixel MSE)``. The paper's 1/12.75 served this purpose for
    VGG19 (section 3.2: "VGG losses of a scale that is comparable to the MSE loss"); a
    different network needs its own. Returns a float. See chapter 6.1."""
    pixels = float(tf.reduce_mean(pixel_mse(hr, sr)))
    features = float(tf.reduce_mean(feature_mse(feature_network, hr, sr, scale=1.0)))
    if not features > 0:
        raise ValueError(f"the feature maps of hr and sr are identical (feature MSE "
                         f"{features}); pass a pair that differs")
    return float(np.sqrt(pixels / features))


# -- (hr, lr) batches ------------------------------------------------------------------------

def split_pairs(data, what):
    """``(hr, lr)`` of a batch ``(hr, lr)`` (or ``((hr, lr),)``, as Keras hands ``fit((hr,
    lr))`` on arrays); ``ValueError`` otherwise. See chapter 6.1."""
    return _common.split_pair(data, what, "lr",
                              "gan_tf.data.photos.sr_dataset (high-resolution images, then "
                              "their low-resolution versions) or pass fit(hr, lr)",
                              images_name="hr")


def check_scale(hr_shape, lr_shape, scale, what):
    """``ValueError`` unless the HR images' height and width are ``scale`` times the LR
    images' (where both are known). See chapter 6.1."""
    for axis, (h, l) in enumerate(zip(tuple(hr_shape)[1:3], tuple(lr_shape)[1:3])):
        if h is not None and l is not None and h != scale * l:
            raise ValueError(f"{what} upscales by {scale}: expects HR images {scale} times the "
                             f"LR images' size, received HR {tuple(hr_shape)} and LR "
                             f"{tuple(lr_shape)}")


def check_pairs(x, hr_shape, scale, what, min_batch=1, needs=""):
    """What ``fit`` trains on: ``(hr, lr)`` arrays or a Dataset of ``(hr, lr)`` batches (its
    first batch). Both in [-1, 1], finite, of the generator's channels, ``hr`` of shape
    ``hr_shape`` (``None``: any size) and ``scale`` times ``lr``. ``ValueError`` naming
    expected and received. See chapter 6.1."""
    if x is None:
        return
    channels = tuple(hr_shape)[-1]
    hr, lr = _common.fit_pair(x, lambda data: split_pairs(data, what))
    if isinstance(x, tf.data.Dataset):
        hr_static, lr_static = x.element_spec[0].shape, x.element_spec[1].shape
    else:
        hr_static, lr_static = np.shape(hr), np.shape(lr)
    _common.check_fit_input(hr, hr_shape, f"{what} (HR images)", min_batch=min_batch,
                            needs=needs)
    _common.check_fit_input(lr, (None, None, channels), f"{what} (LR images)",
                            min_batch=min_batch, needs=needs)
    check_scale(hr_static, lr_static, scale, what)


def upscale(generator, lr, batch_size, what):
    """``generator(lr)`` in inference mode, in batches, as a float32 NumPy array; ``lr`` is
    checked (NHWC, the generator's channels, values in [-1, 1]). See chapter 6.1."""
    lr = np.asarray(lr, dtype=np.float32)
    channels = generator.input_shape[-1]
    if lr.ndim != 4 or lr.shape[-1] != channels or lr.shape[0] == 0:
        raise ValueError(f"{what} expects LR images of shape (n, height, width, {channels}) "
                         f"with n >= 1, received shape {lr.shape}")
    checks.check_image_range(lr, what)
    batch_size = checks.positive_int(batch_size, "batch_size")
    return np.concatenate([np.asarray(generator(lr[i:i + batch_size], training=False),
                                      dtype=np.float32)
                           for i in range(0, len(lr), batch_size)])


def _check_generator(generator, what):
    if not isinstance(generator, keras.Model):
        raise ValueError(f"{what}'s generator must be a keras.Model, got "
                         f"{type(generator).__name__}")
    return upsampling_factor(generator)


# -- SRResNet ----------------------------------------------------------------------------------

class SRResNet(keras.Model):
    """The generator alone, trained on the pixel MSE (arXiv:1609.04802, eq. 4): SRResNet-MSE.

    ``fit`` on ``(hr, lr)`` batches (a Dataset, or ``fit(hr, lr)``); each step minimises the
    MSE between ``hr`` and ``generator(lr)`` averaged over the global batch
    (``tf.distribute``-correct). ``compile()`` defaults to the paper's Adam (lr 1e-4, beta_1
    0.9; section 3.2). ``evaluate`` reports the test MSE as ``loss``; ``upscale(lr)`` returns
    the super-resolved images.

    Args:
        generator: ``keras.Model`` LR ``(batch, h, w, c)`` -> ``(batch, r h, r w, c)``, e.g.
            ``gan_tf.models.build_srresnet_generator``.

    See chapter 6.1.
    """

    def __init__(self, generator, name="srresnet", **kwargs):
        super().__init__(name=name, **kwargs)
        self.scale = _check_generator(generator, name)
        self.generator = generator
        self.channels = int(generator.input_shape[-1])
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker]

    def compile(self, optimizer=None, **kwargs):
        """Default optimizer ``paper_adam()``: Adam(1e-4, beta_1=0.9)."""
        optimizer = _common.prepare_optimizer(optimizer, paper_adam)
        super().compile(optimizer=optimizer, **kwargs)
        self.optimizer.build(self.generator.trainable_variables)

    def loss_terms(self, data, training=False):
        """Per-example pixel MSE ``(m,)`` of a ``(hr, lr)`` batch."""
        hr, lr = split_pairs(data, self.name)
        _common.check_batch_spec(hr, (None, None, self.channels), f"{self.name} (HR images)")
        _common.check_batch_spec(lr, (None, None, self.channels), f"{self.name} (LR images)")
        check_scale(hr.shape, lr.shape, self.scale, self.name)
        return pixel_mse(hr, self.generator(lr, training=training))

    def train_step(self, data):
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            per_example = self.loss_terms(data, training=True)
            scaled = self.optimizer.scale_loss(_common.average_loss(per_example))
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        self.loss_tracker.update_state(tf.reduce_mean(per_example))
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        self.loss_tracker.update_state(tf.reduce_mean(self.loss_terms(data)))
        return {"loss": self.loss_tracker.result()}

    def fit(self, x=None, y=None, *args, **kwargs):
        """``keras.Model.fit`` on ``(hr, lr)``: a Dataset of such batches or ``fit(hr, lr)``,
        after checking the data (``check_input``)."""
        _common.require_compiled(self.optimizer)
        x = _common.pair_fit_data(x, y, self.name, "LR images")
        x, kwargs = _common.prepare_fit(x, (None, *args), kwargs, self.check_input, self.name,
                                        *self.batch_needs())
        return super().fit(x, **kwargs)

    def batch_needs(self):
        """``(min_batch, why)``: one example per replica (a smaller last batch is dropped)."""
        return _common.batch_needs(self, 1, "one example")

    def check_input(self, x):
        """``check_pairs`` for this generator: ``ValueError`` naming expected and received."""
        check_pairs(x, (None, None, self.channels), self.scale, self.name, *self.batch_needs())

    def call(self, lr, training=False):
        """G(lr)."""
        return self.generator(lr, training=training)

    def upscale(self, lr, batch_size=16):
        """The super-resolved images of ``lr`` (NumPy, [-1, 1])."""
        return upscale(self.generator, lr, batch_size, f"{self.name}.upscale")


# -- SRGAN ---------------------------------------------------------------------------------------

class SRGAN(_common.ConditionAsInput, GAN):
    """SRGAN (arXiv:1609.04802): the shared GAN loop with the perceptual loss of eq. 3.

    Hooks: ``split_batch((hr, lr))`` -> real ``hr``, condition ``lr``; ``sample_latent(m,
    lr)`` -> ``lr`` (G's input is the real minibatch's LR images: no noise, as the paper);
    ``fake_condition`` -> the LR images the fakes came from; ``discriminate`` -> ``D(x)`` (the
    discriminator does not see the LR image); ``generator_loss`` -> per example
    ``content_weight * l_X + adversarial_weight * l_Gen`` with ``l_Gen = -log D(G(lr))``
    (eq. 6; ``compile(loss=...)`` picks another GAN loss family); the discriminator loss is
    the GAN's (``-log D(hr) - log(1 - D(G(lr)))``). The generator update uses the first real
    minibatch and the fakes made from *its* LR images, so each fake is compared with its own
    HR image. ``fit`` reports ``d_loss``, ``g_loss``, ``content_loss`` and
    ``adversarial_loss`` (the unweighted means of l_X and l_Gen).

    Args:
        generator: LR ``(batch, h, w, c)`` -> ``(batch, r h, r w, c)`` in [-1, 1] (e.g.
            ``gan_tf.models.build_srresnet_generator``).
        discriminator: ``(batch, H, W, c)`` HR images -> logits (e.g.
            ``gan_tf.models.build_srgan_discriminator``); its input shape is the HR crop size.
        feature_network: phi for ``content="features"``: images in [-1, 1] -> feature maps
            (``gan_tf.models.build_vgg19_features`` with a network, else
            ``build_patch_feature_network`` trained by ``train_patch_features``). Never
            trained here.
        content: ``"features"`` (eq. 5, SRGAN-VGG54) or ``"mse"`` (eq. 4, SRGAN-MSE).
        content_weight: weight of l_X (1 in eq. 3).
        adversarial_weight: weight of l_Gen (10^-3 in eq. 3).
        feature_scale: factor on the feature maps (1/12.75 for VGG19, section 3.2; see
            ``match_feature_scale`` for another network).
        Others as ``GAN`` (``d_steps=1`` is the paper's alternation).

    ``compile()`` defaults both optimizers to ``paper_adam()`` (Adam 1e-4, beta_1 0.9); pass
    ``paper_adam(total_steps)`` for the drop to 1e-5 half-way. See chapter 6.1.
    """

    generator_input = "LR images ((hr, lr) batches)"

    def __init__(self, generator, discriminator, feature_network=None, content="features",
                 content_weight=1.0, adversarial_weight=1e-3, feature_scale=VGG_FEATURE_SCALE,
                 name="srgan", **kwargs):
        if content not in CONTENTS:
            raise ValueError(f"content must be one of {CONTENTS}, got {content!r}")
        if content == "features" and not isinstance(feature_network, keras.Model):
            raise ValueError(f"content='features' needs a feature_network (a keras.Model), got "
                             f"{type(feature_network).__name__}; use content='mse' for the "
                             f"pixel loss")
        for value, what in ((content_weight, "content_weight"),
                            (adversarial_weight, "adversarial_weight"),
                            (feature_scale, "feature_scale")):
            checks.non_negative(value, what)
        if kwargs.get("latent_dim") is not None:
            raise ValueError(f"SRGAN's generator input is the LR image, not noise: latent_dim "
                             f"must be None, got {kwargs['latent_dim']!r}")
        super().__init__(generator, discriminator, name=name, **kwargs)
        self.feature_network = feature_network if content == "features" else None
        self.content = content
        self.content_weight = float(content_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.feature_scale = float(feature_scale)
        self.content_tracker = self.add_tracker("content_loss")
        self.adversarial_tracker = self.add_tracker("adversarial_loss")

    @classmethod
    def from_srresnet(cls, srresnet, discriminator, feature_network=None, copy=True, **kwargs):
        """An SRGAN whose generator starts from a trained SRResNet (``SRResNet`` or its
        generator), as the paper does "to avoid undesired local optima" (section 3.2).
        ``copy=True`` trains a clone (the SRResNet keeps its weights, for comparison);
        ``copy=False`` trains the same generator object. Other arguments as ``SRGAN``."""
        generator = srresnet.generator if isinstance(srresnet, SRResNet) else srresnet
        if not isinstance(generator, keras.Model):
            raise ValueError(f"srresnet must be an SRResNet or a keras.Model, got "
                             f"{type(srresnet).__name__}")
        if copy:
            clone = keras.models.clone_model(generator)
            clone.set_weights(generator.get_weights())
            generator = clone
        return cls(generator, discriminator, feature_network, **kwargs)

    def network_shapes(self, generator, discriminator, latent_dim):
        """``(None, hr_shape)``: G enlarges by an integer factor r (``self.scale``), D takes
        fixed HR images of G's channels whose sides are multiples of r."""
        self.scale = _check_generator(generator, self.name)
        d_in = discriminator.input_shape
        if isinstance(d_in, list) or len(d_in) != 4:
            raise ValueError(f"{self.name}'s discriminator must take one batch of HR images "
                             f"(batch, H, W, channels), got inputs {d_in}")
        hr_shape = tuple(d_in[1:])
        channels = generator.input_shape[-1]
        if hr_shape[-1] != channels or generator.output_shape[-1] != channels:
            raise ValueError(f"the generator maps {channels} to {generator.output_shape[-1]} "
                             f"channels but the discriminator takes {hr_shape[-1]}")
        if any(s is not None and s % self.scale for s in hr_shape[:2]):
            raise ValueError(f"the discriminator takes HR images of {hr_shape[:2]}, not a "
                             f"multiple of the generator's factor {self.scale}")
        return None, hr_shape

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, **kwargs):
        """``GAN.compile`` with the paper's Adam (``paper_adam()``) as both defaults."""
        super().compile(d_optimizer=d_optimizer or paper_adam(),
                        g_optimizer=g_optimizer or paper_adam(), loss=loss, **kwargs)

    # -- hooks --------------------------------------------------------------------------------

    def split_batch(self, data):
        """``(hr, lr)``: the real HR images and their condition, the LR images."""
        hr, lr = split_pairs(data, self.name)
        check_scale(hr.shape, lr.shape, self.scale, self.name)
        return hr, lr

    def discriminate(self, x, condition=None, training=True):
        """``D(x)``: SRGAN's discriminator sees the HR-sized image only."""
        return self.discriminator(x, training=training)

    def content_loss(self, hr, sr):
        """Per-example l_X ``(m,)``: ``feature_mse`` (eq. 5) or ``pixel_mse`` (eq. 4)."""
        if self.content == "mse":
            return pixel_mse(hr, sr)
        return feature_mse(self.feature_network, hr, sr, self.feature_scale)

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """Eq. 3 per example: ``content_weight * l_X(real, fake) + adversarial_weight *
        l_Gen(fake_logits)``; ``real`` is the HR minibatch the fakes were made from."""
        if real is None:
            raise ValueError(f"{self.name}'s content loss needs the HR images of the fakes")
        content = self.content_loss(real, fake)
        adversarial = tf.cast(self.g_loss_fn(None, fake_logits, reduction="none"), tf.float32)
        self.content_tracker.update_state(tf.reduce_mean(content))
        self.adversarial_tracker.update_state(tf.reduce_mean(adversarial))
        return self.content_weight * content + self.adversarial_weight * adversarial

    # -- data --------------------------------------------------------------------------------

    def fit(self, x=None, y=None, *args, **kwargs):
        """``GAN.fit`` on ``(hr, lr)``: a Dataset of such batches or ``fit(hr, lr)``."""
        x = _common.pair_fit_data(x, y, self.name, "LR images")
        return super().fit(x, None, *args, **kwargs)

    def check_input(self, x):
        """``check_pairs`` for the discriminator's HR size and the generator's factor."""
        min_batch, needs = self.batch_needs()
        check_pairs(x, self.sample_shape, self.scale, self.name, min_batch, needs)

    def sampling_latent(self, n, seed, lr=None):
        """``sample(n, lr=images)`` super-resolves ``n`` LR images (``seed`` is unused: SRGAN
        draws no noise); ``upscale(lr)`` does the same for any number."""
        if lr is None:
            raise ValueError(f"{self.name} generates from LR images: call sample(n, lr=images) "
                             f"or upscale(lr)")
        lr = np.asarray(lr, dtype=np.float32)
        if len(lr) != n:
            raise ValueError(f"{self.name}.sample expects {n} LR images, received {len(lr)}")
        checks.check_image_range(lr, f"{self.name}.sample")
        return tf.convert_to_tensor(lr)

    def upscale(self, lr, batch_size=16):
        """The super-resolved images of ``lr`` (NumPy, [-1, 1])."""
        return upscale(self.generator, lr, batch_size, f"{self.name}.upscale")


# -- the offline feature network -----------------------------------------------------------------

def photo_task(images, labels, crop=32, crops_per_image=4, seed=0):
    """``(x, y)`` for the offline feature network's task: which photo a crop comes from.

    From each image ``crops_per_image`` random ``crop x crop`` crops, each with its colour
    channels in a random order and turned by a random multiple of 90 degrees (``np.rot90(crop,
    k)``), labelled with its image's label (``labels``: the photo of each patch). The channel
    shuffle and the rotation take away the easy cues (a photo's colours, which way is up), so
    the network must tell the photos apart by their textures and structures. All random
    numbers come from ``numpy.random.default_rng(seed)``, per crop in the order: top, left,
    channel permutation, k. See chapter 6.1."""
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(f"photo_task expects images of shape (n, height, width, channels) "
                         f"with n >= 1, received shape {images.shape}")
    if labels.shape != (len(images),):
        raise ValueError(f"photo_task expects one label per image ({len(images)}), received "
                         f"shape {labels.shape}")
    crop = checks.positive_int(crop, "crop")
    crops_per_image = checks.positive_int(crops_per_image, "crops_per_image")
    n, h, w, c = images.shape
    if crop > min(h, w):
        raise ValueError(f"crop must be at most the images' smaller side {min(h, w)}, got {crop}")
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for image, label in zip(images, labels):
        for _ in range(crops_per_image):
            top, left = rng.integers(0, h - crop + 1), rng.integers(0, w - crop + 1)
            patch = image[top:top + crop, left:left + crop][..., rng.permutation(c)]
            xs.append(np.rot90(patch, rng.integers(0, 4), axes=(0, 1)))
            ys.append(label)
    return np.stack(xs), np.asarray(ys, dtype=np.int32)


def train_patch_features(images=None, labels=None, hr_size=96, filters=(32, 64), crop=32,
                         crops_per_image=4, epochs=8, batch_size=32, learning_rate=1e-3, seed=0,
                         verbose=0):
    """Train the offline stand-in for VGG19 and return ``(feature_network, history)``.

    NOT VGG: VGG19's ImageNet weights need a download, and the book's notebooks run offline,
    so this trains ``gan_tf.models.build_patch_feature_network(filters)`` here, on the training
    photos' patches, to tell which photo a crop comes from (``photo_task``: channels shuffled
    and rotated, so that texture and structure, not colour or orientation, decide). Those are
    the features whose mismatch SRGAN's content loss (eq. 5) should penalise, learnt from 7
    photos instead of 1.2 M labelled ImageNet images: a much weaker network than VGG19, and
    its feature maps need their own scale (``match_feature_scale``, not 1/12.75).
    (Predicting which of four rotations a crop shows, RotNet, arXiv:1803.07728, was tried
    first: on these patches it stayed at chance, loss ln 4, for the whole budget.)

    ``images``/``labels``: patches in [-1, 1] and an integer label per patch; by default
    ``gan_tf.data.photos.sr_patches("train", hr_size)`` labelled with their photo (the test
    photos are never seen). A classifier head (2x2 max pooling, conv 3x3 128 ReLU, global
    average pooling, Dense) is trained with Adam(``learning_rate``) on the cross-entropy and
    dropped; the returned network is frozen (``trainable = False``). ``history`` is Keras's
    ``History.history`` (``loss``, ``accuracy``; chance is 1/7 on the 7 training photos).
    Seeded by ``seed``; about 20 s on 2 CPU cores with the defaults. See chapter 6.1.
    """
    if images is None:
        from gan_tf.data import photos

        _, images = photos.sr_patches("train", hr_size=hr_size, seed=seed)
        names = photos.photo_names("train")
        labels = [names.index(name) for name, _, _ in
                  photos.patch_sources("train", hr_size, seed=seed)]
    elif labels is None:
        raise ValueError("train_patch_features needs a label per image (e.g. its photo) with "
                         "images; pass both or neither")
    x, y = photo_task(images, labels, crop=crop, crops_per_image=crops_per_image, seed=seed)
    keras.utils.set_random_seed(int(seed))
    features = build_patch_feature_network(filters, channels=x.shape[-1])
    h = keras.layers.MaxPooling2D(2, name="head_pool")(features.output)
    h = keras.layers.Conv2D(128, 3, padding="same", activation="relu", name="head_conv")(h)
    h = keras.layers.GlobalAveragePooling2D(name="head_gap")(h)
    logits = keras.layers.Dense(int(y.max()) + 1, name="logits")(h)
    classifier = keras.Model(features.input, logits, name="photo_classifier")
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       metrics=["accuracy"])
    history = classifier.fit(x, y, batch_size=checks.positive_int(batch_size, "batch_size"),
                             epochs=checks.positive_int(epochs, "epochs"), shuffle=True,
                             verbose=verbose)
    features.trainable = False
    return features, history.history
