"""Pix2Pix: paired image-to-image translation with a conditional GAN and an L1 term.

Isola et al. 2017, "Image-to-Image Translation with Conditional Adversarial Networks"
(arXiv:1611.07004). The objective (eq. 4) is

    G* = arg min_G max_D  L_cGAN(G, D) + lambda * L_L1(G),        lambda = 100,

    L_cGAN(G, D) = E_{x,y}[log D(x, y)] + E_x[log(1 - D(x, G(x)))]     (eq. 1)
    L_L1(G)      = E_{x,y}[ || y - G(x) ||_1 ]                          (eq. 3)

with ``x`` the input image and ``y`` its target. The discriminator sees the pair ``(x, y)``
(concatenated on the channels: ``gan_tf.models.build_patchgan_discriminator``). Table 1 of the
paper ablates the objective; ``objective`` picks the row:

- ``"l1"``: lambda * L_L1 alone (no discriminator update; the discriminator is not used);
- ``"gan"``: the unconditional L_GAN = E_y[log D(y)] + E_x[log(1 - D(G(x)))] (eq. 2), whose
  D sees the output alone (``build_patchgan_discriminator(conditional=False)``);
- ``"cgan"``: L_cGAN alone;
- ``"l1+gan"``, ``"l1+cgan"`` (the paper's method, the default): the sum with lambda L_L1.

As the paper trains it (section 3.3): one D step then one G step; G minimises the
non-saturating -log D(x, G(x)) instead of log(1 - D(x, G(x))); "we divide the objective by 2
while optimizing D" (the discriminator's loss is halved here); Adam(2e-4, beta_1 = 0.5) for
both. L_L1 is the mean absolute error over pixels and channels (the authors' code,
``nn.L1Loss`` x 100), the adversarial term the mean over the PatchGAN's patches.

**No z.** "We provide noise only in the form of dropout, applied on several layers of our
generator at both training and test time" (section 3.1): the generator maps ``x`` alone
(``gan_tf.models.build_unet_generator``, whose ``AlwaysOnDropout`` keeps dropping in
``translate``). The trainer draws no random numbers; the dropout masks come from the dropout
layers' own seed generators (saved with the weights).

It is the shared GAN loop (``GAN``) through its hooks: ``split_batch((x, y))`` returns the
target as the real images and the input as their condition; ``sample_latent`` returns the
inputs (the generator's "latent" is ``x``); ``fake_condition`` says which inputs the fakes came
from; ``discriminate`` calls ``D([x, y])`` (conditional) or ``D(y)``; ``generator_loss`` adds
lambda * L1 against the real targets of the same inputs. Only ``"l1"`` changes ``train_step``:
it skips the discriminator update. Batches are ``(inputs, targets)`` in [-1, 1]: a dataset of
such pairs, or ``fit(inputs, targets)``. See chapter 8.2.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from gan_tf import checks, losses
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN

OBJECTIVES = ("l1", "gan", "cgan", "l1+gan", "l1+cgan")
PAPER_LAMBDA_L1 = 100.0          # section 4 ("lambda = 100"), the authors' code's default


def split_pairs(data, what):
    """``(inputs, targets)`` of a batch ``(inputs, targets)`` (or ``((inputs, targets),)``, as
    Keras hands ``fit((x, y))`` on arrays); ``ValueError`` otherwise. See chapter 8.2."""
    return _common.split_pair(data, what, "targets",
                              "gan_tf.data.paired_dataset(inputs, targets) (the images to "
                              "translate, then their ground-truth translations) or pass "
                              "fit(inputs, targets)", images_name="inputs")


class Pix2Pix(_common.ConditionAsInput, GAN):
    """Pix2Pix (arXiv:1611.07004): ``G: x -> y`` trained on pairs with L_cGAN + lambda L_L1
    (eq. 4), or one of the paper's table-1 ablations (module docstring).

    Args:
        generator: ``keras.Model`` inputs ``(batch, H, W, C_in)`` -> outputs ``(batch, H, W,
            C_out)`` in [-1, 1] (``gan_tf.models.build_unet_generator`` or
            ``build_encoder_decoder_generator``); its one input is the image, not noise.
        discriminator: ``keras.Model`` on ``[inputs, outputs]`` (objectives with ``"cgan"``)
            or on ``outputs`` alone (``"gan"``), returning logits of any shape (a PatchGAN's
            map: ``gan_tf.models.build_patchgan_discriminator(conditional=...)``). With
            ``"l1"`` it is kept (the table's rows take the same arguments) but never called.
        objective: one of ``OBJECTIVES`` (``"l1+cgan"``, the paper's).
        lambda_l1: the weight of L_L1 (100, the paper's); used by the ``"l1..."`` objectives.
        Others as ``GAN`` (``d_steps=1`` is the paper's alternation; ``reuse_fake=True`` shares
        one generator pass between the two updates, so both see the same dropout masks).

    ``fit`` reports ``g_loss``, ``l1_loss`` (the unweighted mean absolute error, whatever the
    objective) and, but for ``"l1"``, ``d_loss`` (halved, as the paper optimises D) and
    ``adversarial_loss``.
    ``compile()`` defaults to Adam(2e-4, beta_1 = 0.5) for both networks and the
    non-saturating loss (``loss="lsgan"`` etc. also work). ``translate(inputs)`` returns
    G's outputs. See chapter 8.2.
    """

    generator_input = "input images ((inputs, targets) batches)"

    def __init__(self, generator, discriminator, objective="l1+cgan",
                 lambda_l1=PAPER_LAMBDA_L1, name="pix2pix", **kwargs):
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES} (the paper's table 1), "
                             f"got {objective!r}")
        lambda_l1 = checks.non_negative(lambda_l1, "lambda_l1")
        if kwargs.get("latent_dim") is not None:
            raise ValueError(f"Pix2Pix has no z (its noise is the generator's dropout): "
                             f"latent_dim must be None, got {kwargs['latent_dim']!r}")
        super().__init__(generator, discriminator, name=name, **kwargs)
        self.objective = objective
        self.lambda_l1 = lambda_l1
        self.adversarial = objective != "l1"
        self.conditional = "cgan" in objective
        self.uses_l1 = objective.startswith("l1")
        if self.adversarial:
            self._check_discriminator(discriminator)
        else:
            self._trackers.remove(self.d_loss_tracker)
        self.l1_tracker = self.add_tracker("l1_loss")
        self.adversarial_tracker = (self.add_tracker("adversarial_loss") if self.adversarial
                                    else None)

    # -- set-up --------------------------------------------------------------------------------

    def network_shapes(self, generator, discriminator, latent_dim):
        """``(None, target_shape)``: G maps one image ``(H, W, C_in)`` to ``(H, W, C_out)``;
        the discriminator is checked once the objective is known."""
        g_in, g_out = generator.input_shape, generator.output_shape
        if isinstance(g_in, list) or len(g_in) != 4 or len(g_out) != 4:
            raise ValueError(f"{self.name}'s generator must map one batch of images (batch, H, "
                             f"W, C_in) to images (batch, H, W, C_out), got inputs {g_in} and "
                             f"outputs {g_out}")
        if tuple(g_in[1:3]) != tuple(g_out[1:3]):
            raise ValueError(f"{self.name}'s generator must keep the image size: it maps "
                             f"{tuple(g_in[1:])} to {tuple(g_out[1:])}")
        self.input_image_shape = tuple(g_in[1:])
        return None, tuple(g_out[1:])

    def _check_discriminator(self, discriminator):
        d_in = discriminator.input_shape
        out, source = self.sample_shape, self.input_image_shape
        if self.conditional:
            ok = (isinstance(d_in, list) and len(d_in) == 2
                  and tuple(d_in[0][1:]) == source and tuple(d_in[1][1:]) == out)
            want = f"two inputs [inputs {source}, outputs {out}]"
            hint = "build_patchgan_discriminator(conditional=True)"
        else:
            ok = not isinstance(d_in, list) and tuple(d_in[1:]) == out
            want = f"the outputs {out} alone"
            hint = "build_patchgan_discriminator(conditional=False)"
        if not ok:
            raise ValueError(f"objective {self.objective!r} needs a discriminator on {want}, "
                             f"got inputs {d_in}; use {hint}")

    # -- hooks ---------------------------------------------------------------------------------

    def split_batch(self, data):
        """``(targets, inputs)``: the real images and their condition, checked (trace time)
        against the generator's input and output shapes."""
        inputs, targets = split_pairs(data, self.name)
        _common.check_batch_spec(inputs, self.input_image_shape, f"{self.name} (inputs)")
        _common.check_batch_spec(targets, self.sample_shape, f"{self.name} (targets)")
        n_in, n_out = inputs.shape[0], targets.shape[0]
        if n_in is not None and n_out is not None and n_in != n_out:
            raise ValueError(f"{self.name} expects one target per input, received {n_in} "
                             f"inputs and {n_out} targets")
        return targets, inputs

    def discriminate(self, x, condition=None, training=True):
        """``D([inputs, x])`` (``"cgan"`` objectives), ``D(x)`` (``"gan"``), or ``None``
        (``"l1"``: no discriminator)."""
        if not self.adversarial:
            return None
        if self.conditional:
            return self.discriminator([tf.cast(condition, x.dtype), x], training=training)
        return self.discriminator(x, training=training)

    def discriminator_variables(self):
        """D's variables; none for ``"l1"`` (D is not trained)."""
        return self.discriminator.trainable_variables if self.adversarial else []

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        """Per example, half the GAN's discriminator loss (section 3.3: "we divide the
        objective by 2 while optimizing D"): ``(-log D(x, y) - log(1 - D(x, G(x)))) / 2`` with
        the default loss, averaged over the patches."""
        return 0.5 * self.d_loss_fn(real_logits, fake_logits, reduction="none")

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """Per example: ``-log D(x, G(x))`` (non-saturating; averaged over patches) for the
        adversarial objectives, plus ``lambda_l1 * mean|y - G(x)|`` for the ``"l1..."`` ones;
        ``real`` holds the targets ``y`` of the inputs the fakes came from."""
        total = 0.0
        if self.adversarial:
            adversarial = tf.cast(self.g_loss_fn(None, fake_logits, reduction="none"),
                                  tf.float32)
            self.adversarial_tracker.update_state(tf.reduce_mean(adversarial))
            total = adversarial
        if real is None:
            raise ValueError(f"{self.name}'s L1 term needs the targets of the fakes")
        l1 = losses.l1_loss(real, fake, reduction="none")
        self.l1_tracker.update_state(tf.reduce_mean(l1))
        if self.uses_l1:
            total = total + self.lambda_l1 * l1
        return total

    def train_step(self, data):
        """The shared loop (``GAN.train_step``); for ``"l1"`` the generator update alone, on
        the whole batch."""
        if self.adversarial:
            return super().train_step(data)
        real, condition = self.split_batch(data)
        real = tf.cast(real, self.generator.compute_dtype)
        g_loss = self.generator_step(tf.shape(real)[0], real, condition)
        self.g_loss_tracker.update_state(g_loss)
        return {t.name: t.result() for t in self._trackers}

    # -- data ----------------------------------------------------------------------------------

    def fit(self, x=None, y=None, *args, **kwargs):
        """``GAN.fit`` on ``(inputs, targets)``: a Dataset of such batches or ``fit(inputs,
        targets)`` on arrays."""
        x = _common.pair_fit_data(x, y, self.name, "targets")
        return super().fit(x, None, *args, **kwargs)

    def check_input(self, x):
        """What ``fit`` trains on: ``(inputs, targets)`` arrays or a Dataset of such batches
        (its first batch): both in [-1, 1] and finite, of the generator's input and output
        shapes, as many targets as inputs. ``ValueError`` naming expected and received."""
        if x is None:
            return
        min_batch, needs = self.batch_needs()
        inputs, targets = _common.fit_pair(x, lambda data: split_pairs(data, self.name))
        if not isinstance(x, tf.data.Dataset) and len(inputs) != len(targets):
            raise ValueError(f"{self.name} expects one target per input, received "
                             f"{len(inputs)} inputs and {len(targets)} targets")
        _common.check_fit_input(inputs, self.input_image_shape, f"{self.name} (inputs)",
                                min_batch=min_batch, needs=needs)
        _common.check_fit_input(targets, self.sample_shape, f"{self.name} (targets)",
                                min_batch=min_batch, needs=needs)

    # -- using the generator -------------------------------------------------------------------

    def translate(self, inputs, batch_size=64, batch_statistics=False):
        """``G(inputs)`` as a float32 NumPy array in [-1, 1]; ``inputs`` ``(n, H, W, C_in)`` in
        [-1, 1], checked, translated ``batch_size`` at a time.

        By default in inference mode (batch norm's moving averages), but a generator built with
        ``test_time_dropout=True`` still drops, so two calls give two samples of ``G(x, z)``
        (the paper's only noise). ``batch_statistics=True`` runs the generator as the paper
        does at test time (section 3.3: dropout on, batch norm with "the statistics of the test
        batch", which at its batch size 1 is instance normalisation): in training mode, each
        batch of ``batch_size`` normalised by its own statistics, the moving averages left as
        they were. See chapter 8.2."""
        what = f"{self.name}.translate"
        inputs = np.asarray(inputs, dtype=np.float32)
        checks.check_image_range(inputs, what)
        if not batch_statistics:
            return _common.batched(lambda x: self.generator(x, training=False), inputs,
                                   self.input_image_shape, what, batch_size)
        moving = [v for v in self.generator.non_trainable_variables
                  if "moving_mean" in v.path or "moving_variance" in v.path]
        kept = [np.array(v) for v in moving]
        try:
            return _common.batched(lambda x: self.generator(x, training=True), inputs,
                                   self.input_image_shape, what, batch_size)
        finally:
            for v, value in zip(moving, kept):
                v.assign(value)

    def sampling_latent(self, n, seed, inputs=None):
        """``sample(n, inputs=images)`` translates ``n`` input images (as ``translate``;
        ``seed`` is unused: the noise is the generator's dropout)."""
        if inputs is None:
            raise ValueError(f"{self.name} translates input images: call sample(n, "
                             f"inputs=images) or translate(images)")
        inputs = np.asarray(inputs, dtype=np.float32)
        if len(inputs) != n:
            raise ValueError(f"{self.name}.sample expects {n} input images, received "
                             f"{len(inputs)}")
        _common.check_batch_spec(tf.convert_to_tensor(inputs), self.input_image_shape,
                                 f"{self.name}.sample")
        checks.check_image_range(inputs, f"{self.name}.sample")
        return tf.convert_to_tensor(inputs)

    def call(self, inputs, training=False):
        """G(inputs)."""
        return self.generator(inputs, training=training)
