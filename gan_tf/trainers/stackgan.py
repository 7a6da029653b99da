"""StackGAN-v1 (Stage-I, Stage-II) and StackGAN-v2 on the text-conditional loop of ``GANCLS``.

Zhang, Xu, Li, Zhang, Wang, Huang & Metaxas, "StackGAN: Text to Photo-realistic Image Synthesis
with Stacked Generative Adversarial Networks" (arXiv:1612.03242), and "StackGAN++" (the journal
version with StackGAN-v2, arXiv:1710.10916). Batches are those of ``GANCLS``: ``(images,
condition)`` with ``condition = {"text": phi_t, "wrong_text": phi_t_hat}``.

**Conditioning augmentation (CA, arXiv:1612.03242 section 3.2).** Each generator holds a CA
sub-model (``models.CA_NAME``): a fully-connected layer on phi_t gives mu and log sigma and
c_hat = mu + sigma * eps. The noise eps is a generator *input*, drawn by the trainer from its
own seed generator (after z), so a step under ``tf.distribute`` equals a single-device step and
a checkpoint keeps the stream. G's loss adds lambda * KL(N(mu, sigma^2) || N(0, I))
(``losses.ca_kl_loss``), *minimised*, lambda = ``kl_weight`` = 1 (sections 3.3-3.4); the KL is
computed from the same CA sub-model on the fakes' text, so its gradient reaches the FC layer
along with the adversarial one. ``conditioning_augmentation=False`` trains without CA (the
paper's ablation, fig. 7-15): eps = 0, so c_hat = mu(phi_t) is a deterministic FC projection
of the text, and no KL term. ``sample(..., ca=False)`` samples a CA-trained generator with
eps = 0.

**Matching-aware discriminators.** D0 and D score (real, right text), (real, wrong text) and
(fake, right text) with GAN-CLS's loss (``GANCLS``, ``losses.gan_cls_discriminator_loss``), as
the paper's D's do; ``matching_aware=False`` gives the plain conditional loss of eqs. 3 and 5.

- ``StackGANStage1``: G0([z, phi, eps]) -> 32x32 images, D0([x, phi]) (section 3.3).
- ``StackGANStage2``: holds the trained Stage-I G0 frozen (called with ``training=False``, in
  neither update's variables). Its input image is G0's sample s_0 = G0(z, c_hat_0) for the
  batch's text, fresh z and eps_0 each step, as the paper trains Stage-II on Stage-I's
  samples; G([s_0, phi, eps]) has no z and its own CA layer (section 3.4). Real images 64x64.
- ``StackGANv2``: the tree generator ([z, phi, eps] -> [s_0, s_1, s_2] at 16/32/64) and one
  D_i per scale with an unconditional and a conditional logit, all trained jointly
  (arXiv:1710.10916, section 4): L_D = sum_i [BCE(D_i(x_i), 1) + BCE(D_i(s_i), 0) + the
  conditional terms on D_i(x_i, c) and D_i(s_i, c)] (matching-aware by default: the GAN-CLS
  form with the wrong-text pair, as the authors' code; ``matching_aware=False`` is the
  paper's four terms), L_G = sum_i [1/2 g(D_i(s_i)) + 1/2 g(D_i(s_i, c))] + KL + alpha sum_i
  L_Ci (colour consistency). The real images at the lower scales are the 64x64 batch
  average-pooled inside the step (2x2 and 4x4 means: area resizing, the papers' resized
  data). Unconditional setting (G takes z alone, D_i(x) -> one logit): L_D_i and L_G_i are
  the plain GAN terms.

**StackGANv2 and the shared loop.** Its generator returns a list of images; the loop stops
the gradient of each (``GAN.discriminator_step`` maps ``tf.stop_gradient`` over a nest of
fakes), and the rest of the loop (``train_step``'s split into ``d_steps`` minibatches,
``generator_step``, ``reuse_fake``) is ``GAN``'s unchanged. Its D's are wrapped into one ``keras.Model`` (``self.discriminator``, inputs
``[x_0, ..., x_{n-1}, phi]``), so the real batch is the top scale only and ``fit``'s checks
stay those of ``GAN``. ``sample`` returns the top scale; ``sample_all`` every scale.

See chapter 7.3.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, rng
from gan_tf import losses as losses_lib
from gan_tf.models.stackgan import CA_NAME
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN
from gan_tf.trainers.text_to_image import GANCLS, _input_shapes


def conditioning_augmentation_of(generator, what):
    """The CA sub-model (``models.CA_NAME``) of ``generator``; ``ValueError`` if it has none.
    See chapter 7.3."""
    try:
        return generator.get_layer(CA_NAME)
    except ValueError:
        raise ValueError(
            f"{what}'s generator must hold the conditioning-augmentation sub-model "
            f"{CA_NAME!r} (models.build_conditioning_augmentation), found layers "
            f"{[layer.name for layer in generator.layers][:8]}...") from None


class _CAMixin:
    """Conditioning augmentation for a trainer whose generator takes ``[..., phi, eps]``: eps
    from the seed generator, the KL term, the ``ca`` switch of ``sample``. See chapter 7.3."""

    def _set_ca(self, conditioning_augmentation, kl_weight):
        if not isinstance(conditioning_augmentation, (bool, np.bool_)):
            raise ValueError(f"conditioning_augmentation must be True or False, got "
                             f"{conditioning_augmentation!r}")
        self.conditioning_augmentation = bool(conditioning_augmentation)
        self.kl_weight = checks.non_negative(kl_weight, "kl_weight")

    @property
    def ca(self):
        """The generator's conditioning-augmentation sub-model ``[phi, eps] -> [c_hat, mu,
        log_sigma]``."""
        return self.generator.get_layer(CA_NAME)

    def draw_eps(self, n, dim=None):
        """CA's noise eps ~ N(0, I), ``(n, dim)`` (default: this generator's N_g) from the seed
        generator, sliced per replica; zeros without conditioning augmentation (no draw)."""
        dim = self.condition_dim if dim is None else dim
        if not self.conditioning_augmentation:
            return tf.zeros((n, dim), keras.config.floatx())
        return _common.replica_slice(lambda shape: rng.normal(shape, self.seed_generator), n,
                                     dim)

    def kl_loss(self, text):
        """lambda * KL(N(mu(phi), sigma(phi)^2) || N(0, I)) per example, from the generator's
        CA layer on the embeddings ``text`` (0 without conditioning augmentation)."""
        if not self.conditioning_augmentation:
            return tf.zeros(tf.shape(text)[:1])
        _, mu, log_sigma = self.ca([text, tf.zeros((tf.shape(text)[0], self.condition_dim),
                                                   text.dtype)], training=True)
        return self.kl_weight * losses_lib.ca_kl_loss(mu, log_sigma, reduction="none")

    def _sampling_eps(self, n, generator, ca, dim=None):
        """CA noise ``(n, dim)`` for ``sample``: the next draw of ``generator`` (a
        ``SeedGenerator(seed)`` whose first draw was z), or zeros with ``ca=False``."""
        if not isinstance(ca, (bool, np.bool_)):
            raise ValueError(f"{self.name}.sample: ca must be True or False, got {ca!r}")
        dim = self.condition_dim if dim is None else dim
        if not ca:
            return tf.zeros((n, dim))
        return keras.random.normal((n, dim), seed=generator)

    def _sampling_generator(self, seed):
        """``SeedGenerator(seed)`` past its first draw (z of ``sample``: GANCLS draws it with
        the integer seed, the same numbers)."""
        generator = keras.random.SeedGenerator(seed)
        generator.next()
        return generator


def _check_ca_generator(trainer, generator, image_name, image_shape=None):
    """``(latent or image shape, text_dim, condition_dim)`` of a generator taking
    ``[image_name, text, eps]`` with its CA sub-model; ``ValueError`` otherwise."""
    g_in = _input_shapes(generator, "generator", (image_name, "text", "eps"), trainer.name)
    ca = conditioning_augmentation_of(generator, trainer.name)
    text_dim, condition_dim = ca.input_shape[0][-1], ca.input_shape[1][-1]
    if g_in[1] != (text_dim,) or g_in[2] != (condition_dim,):
        raise ValueError(f"{trainer.name}'s generator takes text {g_in[1]} and eps {g_in[2]}, "
                         f"but its CA layer expects ({text_dim},) and ({condition_dim},)")
    return g_in[0], text_dim, condition_dim


def _check_discriminator(trainer, discriminator, image_shape, text_dim):
    d_in = _input_shapes(discriminator, "discriminator", ("image", "text"), trainer.name)
    if d_in[0] != image_shape:
        raise ValueError(f"generator output shape {image_shape} does not match discriminator "
                         f"input shape {d_in[0]}")
    if d_in[1] != (text_dim,):
        raise ValueError(f"{trainer.name}: the generator takes text of shape ({text_dim},) and "
                         f"the discriminator {d_in[1]}; both must take (text_dim,) embeddings "
                         f"of one size")


class StackGANStage1(_CAMixin, GANCLS):
    """StackGAN-v1 Stage-I (arXiv:1612.03242, section 3.3): G0([z, phi, eps]) -> low-resolution
    images (32x32 in the chapter), a matching-aware D0([x, phi]).

    D0 minimises GAN-CLS's BCE (eq. 3 with the wrong-text pair); G0 minimises the loss family's
    term on D0(G0(z, c_hat_0), phi) (non-saturating by default; ``compile(loss="minimax")`` is
    eq. 4 as written) + ``kl_weight`` * KL (lambda = 1). z ~ N(0, I) then eps ~ N(0, I), both
    from the trainer's seed generator. Extra metric ``kl_loss``.

    Args:
        generator: ``keras.Model`` ``[z, text, eps]`` -> images, holding the CA sub-model
            ``models.CA_NAME`` (``models.build_stackgan_stage1_generator``).
        discriminator: ``keras.Model`` ``[image, text]`` -> logit
            (``models.build_stackgan_discriminator``).
        conditioning_augmentation: draw eps (True) or train with eps = 0 and no KL (False).
        kl_weight: lambda of the KL term (the paper's 1).
        matching_aware, latent_dim, d_steps, seed, reuse_fake: as ``GANCLS``.

    ``sample(n, seed, text=..., ca=True)``: ``ca=False`` samples with eps = 0 (c_hat = mu).
    See chapter 7.3.
    """

    def __init__(self, generator, discriminator, conditioning_augmentation=True, kl_weight=1.0,
                 matching_aware=True, latent_dim=None, name="stackgan_stage1", **kwargs):
        self._set_ca(conditioning_augmentation, kl_weight)
        super().__init__(generator, discriminator, matching_aware=matching_aware,
                         interpolate=False, latent_dim=latent_dim, name=name, **kwargs)
        self.kl_tracker = self.add_tracker("kl_loss")

    def network_shapes(self, generator, discriminator, latent_dim):
        """G takes ``[z, text, eps]`` (with its CA sub-model), D ``[image, text]``."""
        z_shape, self.text_dim, self.condition_dim = _check_ca_generator(self, generator, "z")
        if latent_dim is None:
            latent_dim = z_shape[-1]
        if (latent_dim,) != z_shape:
            raise ValueError(f"latent_dim={latent_dim} but the generator expects z of shape "
                             f"{z_shape}")
        g_out = tuple(generator.output_shape[1:])
        _check_discriminator(self, discriminator, g_out, self.text_dim)
        return latent_dim, g_out

    def sample_latent(self, n, condition=None):
        """``[z, phi, eps]``: z then eps from the seed generator, phi the minibatch's text."""
        if condition is None:
            raise ValueError(f"{self.name}'s generator needs the text of every fake")
        z = self.draw_z(n)
        return [z, tf.cast(condition["text"], z.dtype), self.draw_eps(n)]

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """The family's term on D0(G0(z, c_hat), phi) + lambda * KL (arXiv:1612.03242, eq. 4
        with the non-saturating term by default)."""
        loss = super().generator_loss(fake, fake_logits, fake_condition, real, real_condition)
        kl = self.kl_loss(fake_condition["text"])
        self.kl_tracker.update_state(kl)
        return loss + tf.cast(kl, loss.dtype)

    def sampling_latent(self, n, seed, ca=True, **condition):
        """``[z, text, eps]`` for ``sample(n, seed, text=..., ca=True)``: z and eps are the
        first and second draws of ``keras.random.SeedGenerator(seed)``; ``ca=False``: eps = 0."""
        z, text = super().sampling_latent(n, seed, **condition)
        return [z, text, self._sampling_eps(int(n), self._sampling_generator(seed), ca)]


class StackGANStage2(StackGANStage1):
    """StackGAN-v1 Stage-II (arXiv:1612.03242, section 3.4): G([s_0, phi, eps]) -> 64x64, with
    s_0 = G0(z, c_hat_0) from the trained, frozen Stage-I generator; a matching-aware D([x,
    phi]) on 64x64 images.

    Each step draws z, then Stage-I's eps_0, then Stage-II's eps from the seed generator; G0
    runs with ``training=False`` (batch norm on its moving statistics) and is in neither
    update's variable list, so its weights never change. L_D: GAN-CLS's BCE (eq. 5 with the
    wrong-text pair); L_G: the family's term + ``kl_weight`` * KL of Stage-II's *own* CA layer
    (eq. 6). No z reaches G.

    Args:
        generator: ``keras.Model`` ``[stage1_image, text, eps]`` -> images, holding its own CA
            sub-model (``models.build_stackgan_stage2_generator``).
        discriminator: ``keras.Model`` ``[image, text]`` -> logit.
        stage1_generator: the trained Stage-I G0 (``[z, text, eps_0]`` -> images of the size
            G takes), e.g. ``StackGANStage1.generator``. Required.
        Others as ``StackGANStage1`` (``conditioning_augmentation`` switches both CA layers).

    ``sample(n, seed, text=..., ca=True)`` -> Stage-II images; ``sample_stages`` -> (Stage-I,
    Stage-II) pairs; the Stage-I image of a seed is ``StackGANStage1.sample``'s for that seed.
    See chapter 7.3.
    """

    def __init__(self, generator, discriminator, stage1_generator=None,
                 conditioning_augmentation=True, kl_weight=1.0, matching_aware=True,
                 name="stackgan_stage2", **kwargs):
        if stage1_generator is None:
            raise ValueError(f"{name} needs the trained Stage-I generator: pass "
                             f"stage1_generator=<StackGANStage1>.generator")
        if not isinstance(stage1_generator, keras.Model):
            raise ValueError(f"stage1_generator must be a keras.Model, got "
                             f"{type(stage1_generator).__name__}")
        if "latent_dim" in kwargs:
            raise ValueError(f"{name} takes no latent_dim: z is the Stage-I generator's input")
        self._pending_stage1 = [stage1_generator]      # read by network_shapes
        super().__init__(generator, discriminator, conditioning_augmentation, kl_weight,
                         matching_aware=matching_aware, name=name, **kwargs)
        self.stage1_generator = stage1_generator

    def network_shapes(self, generator, discriminator, latent_dim):
        """G takes ``[stage1_image, text, eps]``; G0 ``[z, text, eps_0]`` and makes images of
        the size G takes, for the same text size; D ``[image, text]``."""
        g0 = self._pending_stage1.pop()
        s0_shape, self.text_dim, self.condition_dim = _check_ca_generator(
            self, generator, "stage1_image")
        z_shape, text0, self.stage1_condition_dim = _check_ca_generator(self, g0, "z")
        g0_out = tuple(g0.output_shape[1:])
        if g0_out != s0_shape:
            raise ValueError(f"{self.name}: the Stage-I generator makes images of shape "
                             f"{g0_out} but the Stage-II generator takes {s0_shape}")
        if text0 != self.text_dim:
            raise ValueError(f"{self.name}: the Stage-I generator takes text of size {text0}, "
                             f"the Stage-II generator {self.text_dim}")
        g_out = tuple(generator.output_shape[1:])
        _check_discriminator(self, discriminator, g_out, self.text_dim)
        return z_shape[-1], g_out

    def stage1_images(self, z, text, eps0, training=False):
        """s_0 = G0([z, text, eps_0]) of the frozen Stage-I generator (no gradient)."""
        return tf.stop_gradient(self.stage1_generator([z, text, eps0], training=training))

    def sample_latent(self, n, condition=None):
        """``[s_0, phi, eps]``: z, eps_0 and eps drawn in that order from the seed generator;
        s_0 = G0(z, phi, eps_0) (frozen)."""
        if condition is None:
            raise ValueError(f"{self.name}'s generator needs the text of every fake")
        z = self.draw_z(n)
        text = tf.cast(condition["text"], z.dtype)
        s0 = self.stage1_images(z, text, self.draw_eps(n, self.stage1_condition_dim))
        return [s0, text, self.draw_eps(n)]

    def sampling_latent(self, n, seed, ca=True, **condition):
        """``[s_0, text, eps]`` for ``sample``: z, eps_0, eps are the first three draws of
        ``keras.random.SeedGenerator(seed)`` (``ca=False``: both eps are 0)."""
        z, text = GANCLS.sampling_latent(self, n, seed, **condition)
        generator = self._sampling_generator(seed)
        eps0 = self._sampling_eps(int(n), generator, ca, self.stage1_condition_dim)
        eps = self._sampling_eps(int(n), generator, ca)
        return [self.stage1_images(z, text, eps0), text, eps]

    def sample_stages(self, n, seed=None, ca=True, **condition):
        """``(stage1_images, stage2_images)`` NumPy arrays for the same z, text and eps as
        ``sample(n, seed, text=..., ca=ca)`` (fig. 7-14: Stage-I vs Stage-II)."""
        n = _common.positive_int(n, "n")
        seed = self._sample_seed if seed is None else int(seed)
        latent = self.sampling_latent(n, seed, ca=ca, **condition)
        final = self.generator(latent, training=False)
        return (np.asarray(latent[0], np.float32), np.asarray(final, np.float32))


# -- StackGAN-v2 ------------------------------------------------------------------------------

def _wrap_discriminators(discriminators, conditional, text_dim):
    """One ``keras.Model`` ``[x_0, ..., x_{n-1}(, phi)]`` -> the D_i's outputs, flattened."""
    inputs = [keras.Input(tuple(d.input_shape[0][1:] if conditional else d.input_shape[1:]),
                          name=f"x{i}") for i, d in enumerate(discriminators)]
    phi = keras.Input((text_dim,), name="phi") if conditional else None
    outputs = []
    for x, d in zip(inputs, discriminators):
        out = d([x, phi]) if conditional else d(x)
        outputs.extend(out if isinstance(out, (list, tuple)) else [out])
    return keras.Model(inputs + ([phi] if conditional else []), outputs,
                       name="stackgan_v2_discriminators")


class StackGANv2(_CAMixin, GANCLS):
    """StackGAN-v2 (StackGAN++, arXiv:1710.10916, section 4): a tree generator with one image
    per scale and one discriminator per scale, trained jointly.

    Conditional (G takes ``[z, phi, eps]``, each D_i ``[x_i, phi] -> [unconditional,
    conditional]`` logits): per example
    L_D = sum_i BCE(D_i(x_i), 1) + BCE(D_i(s_i), 0) + C_i, where C_i is GAN-CLS's
    BCE(D_i(x_i, c), 1) + 1/2 [BCE(D_i(x_i, c_wrong), 0) + BCE(D_i(s_i, c), 0)]
    (``matching_aware=True``, the authors' code) or BCE(D_i(x_i, c), 1) + BCE(D_i(s_i, c), 0)
    (``matching_aware=False``, the paper's section 4.2 equation); the unconditional logit never
    sees the wrong text. L_G = sum_i [1/2 g(D_i(s_i)) + 1/2 g(D_i(s_i, c))] + ``kl_weight`` * KL
    + ``colour_weight`` * sum_{i>0} L_Ci(s_i, s_{i-1}) (``losses.colour_consistency_loss``,
    lambda1 = 1, lambda2 = 5), g the loss family's generator term (non-saturating by default).
    Unconditional (G takes z, each D_i ``x_i -> logit``): the plain GAN terms summed over the
    scales, plus colour consistency. Real images of the lower scales: the 64x64 batch
    average-pooled (2x2, 4x4 means) in the step.

    Args:
        generator: ``keras.Model`` -> ``[s_0, ..., s_{n-1}]`` (``models.build_stackgan_v2_
            generator``), each twice the size of the previous; conditional ones hold the CA
            sub-model ``models.CA_NAME``.
        discriminators: list of n ``keras.Model`` s, one per scale
            (``models.build_stackgan_v2_discriminators``).
        colour_weight: alpha of the colour-consistency term; ``None`` (default) = 50 in the
            unconditional setting and 0 with text, the authors' settings (their LSUN/ImageNet
            configurations use 50, their text-to-image ones none); our L_Ci follows the
            paper's norms (sums), the authors' code averages them (MSE).
        conditioning_augmentation, kl_weight, matching_aware: as ``StackGANStage1`` (text only).
        latent_dim, d_steps, seed, reuse_fake: as ``GAN``.

    ``sample(n, seed, text=..., ca=True)`` -> the top scale; ``sample_all`` -> every scale.
    Extra metrics ``kl_loss`` and ``colour_loss``. See chapter 7.3.
    """

    def __init__(self, generator, discriminators, colour_weight=None,
                 conditioning_augmentation=True, kl_weight=1.0, matching_aware=True,
                 latent_dim=None, name="stackgan_v2", **kwargs):
        if not isinstance(generator, keras.Model):
            raise ValueError(f"generator must be a keras.Model, got {type(generator).__name__}")
        if not (isinstance(discriminators, (list, tuple)) and discriminators
                and all(isinstance(d, keras.Model) for d in discriminators)):
            raise ValueError(f"discriminators must be a list of keras.Model s, one per scale, "
                             f"got {discriminators!r}")
        self.conditional = isinstance(generator.input_shape, list)
        self._set_ca(conditioning_augmentation if self.conditional else False, kl_weight)
        if colour_weight is None:
            colour_weight = 0.0 if self.conditional else 50.0
        self.colour_weight = checks.non_negative(colour_weight, "colour_weight")
        self.n_scales = len(discriminators)
        if self.n_scales < 2:
            raise ValueError(f"{name} needs at least two scales (one discriminator each), got "
                             f"{self.n_scales}")
        text_dim = None
        if self.conditional:
            shapes = [d.input_shape for d in discriminators]
            if not all(isinstance(s, list) and len(s) == 2 for s in shapes):
                raise ValueError(f"{name}: with a text-conditional generator every "
                                 f"discriminator takes [image, text], got inputs {shapes}")
            text_dim = shapes[0][1][-1]
        super().__init__(generator, _wrap_discriminators(list(discriminators), self.conditional,
                                                         text_dim),
                         matching_aware=matching_aware and self.conditional, interpolate=False,
                         latent_dim=latent_dim, name=name, **kwargs)
        self.discriminators = list(discriminators)
        self.kl_tracker = self.add_tracker("kl_loss") if self.conditional else None
        self.colour_tracker = self.add_tracker("colour_loss")

    def network_shapes(self, generator, discriminator, latent_dim):
        """G -> one image per scale, each twice the previous, matching D_i's input; a
        conditional G takes ``[z, text, eps]`` (CA sub-model), an unconditional one z."""
        if self.conditional:
            z_shape, self.text_dim, self.condition_dim = _check_ca_generator(self, generator,
                                                                             "z")
        else:
            z_shape, self.text_dim, self.condition_dim = tuple(generator.input_shape[1:]), None, 0
        if latent_dim is None:
            latent_dim = z_shape[-1]
        if (latent_dim,) != z_shape:
            raise ValueError(f"latent_dim={latent_dim} but the generator expects z of shape "
                             f"{z_shape}")
        outs = generator.output_shape
        outs = [tuple(s[1:]) for s in outs] if isinstance(outs, list) else [tuple(outs[1:])]
        d_in = [tuple(s[1:]) for s in discriminator.input_shape]
        d_in = d_in[:-1] if self.conditional else d_in
        if outs != d_in:
            raise ValueError(f"{self.name}: the generator's images have shapes {outs}, the "
                             f"discriminators take {d_in} (one per scale, in order)")
        for a, b in zip(outs, outs[1:]):
            if b[0] != 2 * a[0] or b[1] != 2 * a[1]:
                raise ValueError(f"{self.name}: each scale must be twice the previous, got "
                                 f"image shapes {outs}")
        self.scale_shapes = outs
        return latent_dim, outs[-1]

    # -- the condition: text, or none in the unconditional setting -------------------------

    def split_batch(self, data):
        if not self.conditional:
            return GAN.split_batch(self, data)
        return super().split_batch(data)

    def check_input(self, x):
        if not self.conditional:
            return GAN.check_input(self, x)
        return super().check_input(x)

    def fit(self, x=None, y=None, *args, **kwargs):
        if not self.conditional:
            return GAN.fit(self, x, y, *args, **kwargs)
        return super().fit(x, y, *args, **kwargs)

    def sample_latent(self, n, condition=None):
        """``[z, phi, eps]`` (z then eps from the seed generator), or z (unconditional)."""
        z = self.draw_z(n)
        if not self.conditional:
            return z
        if condition is None:
            raise ValueError(f"{self.name}'s generator needs the text of every fake")
        return [z, tf.cast(condition["text"], z.dtype), self.draw_eps(n)]

    def fake_condition(self, latent):
        return {"text": latent[1]} if self.conditional else None

    # -- the scales -----------------------------------------------------------------------

    def real_scales(self, x):
        """The real batch at every scale: the top-scale images average-pooled by 2^k."""
        k = self.n_scales - 1
        return [tf.nn.avg_pool2d(x, 2 ** (k - i), 2 ** (k - i), "VALID") if i < k else x
                for i in range(self.n_scales)]

    def discriminate(self, x, condition=None, training=True):
        """Per scale ``(unconditional, conditional[, wrong])`` logits (conditional) or the
        logit (unconditional) of the images ``x``: a list of one image per scale (fakes) or
        the top-scale batch (real, pooled to every scale). A real batch's condition with
        ``"wrong_text"`` adds D_i(x_i, c_wrong) when ``matching_aware``."""
        xs = list(x) if isinstance(x, (list, tuple)) else self.real_scales(x)
        if not self.conditional:
            return list(self.discriminator(xs, training=training))
        if condition is None:
            raise ValueError(f"{self.name}'s discriminators need the text of every image")
        text = tf.cast(condition["text"], xs[0].dtype)
        out = self.discriminator(xs + [text], training=training)
        pairs = [(out[2 * i], out[2 * i + 1]) for i in range(self.n_scales)]
        if self.matching_aware and "wrong_text" in condition:
            wrong = self.discriminator(xs + [tf.cast(condition["wrong_text"], xs[0].dtype)],
                                       training=training)
            pairs = [p + (wrong[2 * i + 1],) for i, p in enumerate(pairs)]
        return pairs

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        """sum_i of D_i's unconditional BCE and its conditional GAN-CLS term (per example)."""
        loss = 0.0
        for i in range(self.n_scales):
            if not self.conditional:
                loss += self.d_loss_fn(real_logits[i], fake_logits[i], reduction="none")
                continue
            (r_u, r_c, *w), (f_u, f_c) = real_logits[i], fake_logits[i]
            loss += self.d_loss_fn(r_u, f_u, reduction="none")
            loss += losses_lib.gan_cls_discriminator_loss(
                r_c, w[0] if w else None, f_c, matching_aware=self.matching_aware,
                reduction="none")
        return loss

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """sum_i [1/2 g(D_i(s_i)) + 1/2 g(D_i(s_i, c))] (g(D_i(s_i)) unconditional) + KL +
        colour_weight * sum_{i>0} L_Ci(s_i, s_{i-1})."""
        loss = 0.0
        for i in range(self.n_scales):
            if self.conditional:
                u, c = fake_logits[i]
                loss += 0.5 * (self.g_loss_fn(None, u, reduction="none")
                               + self.g_loss_fn(None, c, reduction="none"))
            else:
                loss += self.g_loss_fn(None, fake_logits[i], reduction="none")
        if self.conditional:
            kl = self.kl_loss(fake_condition["text"])
            self.kl_tracker.update_state(kl)
            loss += kl
        colour = tf.zeros_like(loss)
        if self.colour_weight:
            for i in range(1, self.n_scales):
                colour += losses_lib.colour_consistency_loss(fake[i], fake[i - 1],
                                                             reduction="none")
            colour = self.colour_weight * colour
        self.colour_tracker.update_state(colour)
        return loss + colour

    # -- sampling -------------------------------------------------------------------------

    def sampling_latent(self, n, seed, ca=True, **condition):
        if not self.conditional:
            if ca is not True:
                raise ValueError(f"{self.name} is unconditional: sample() takes no ca")
            return GAN.sampling_latent(self, n, seed, **condition)
        z, text = super().sampling_latent(n, seed, **condition)
        return [z, text, self._sampling_eps(int(n), self._sampling_generator(seed), ca)]

    def sample_all(self, n, seed=None, batch_size=256, ca=True, **condition):
        """Every scale's images for the same inputs: a list of NumPy arrays, coarse to fine
        (``seed``, ``text``, ``ca`` as ``StackGANStage1.sample``)."""
        n = _common.positive_int(n, "n")
        seed = self._sample_seed if seed is None else int(seed)
        latent = self.sampling_latent(n, seed, ca=ca, **condition)
        parts = [self.generator(tf.nest.map_structure(lambda t: t[i:i + batch_size], latent),
                                training=False) for i in range(0, n, batch_size)]
        return [np.concatenate([np.asarray(p[k]) for p in parts]).astype(np.float32)
                for k in range(self.n_scales)]

    def sample(self, n, seed=None, batch_size=256, **condition):
        """The top scale's images (``sample_all(...)[-1]``)."""
        return self.sample_all(n, seed, batch_size, **condition)[-1]

    def call(self, z, training=False):
        return self.generator(z, training=training)
