"""Text-conditional GANs on the shared loop: GAN, GAN-CLS, GAN-INT and GAN-INT-CLS.

Reed, Akata, Yan, Logeswaran, Schiele & Lee 2016, "Generative Adversarial Text to Image
Synthesis" (arXiv:1605.05396). Both networks see the caption's embedding h = phi(t) (a frozen
text encoder's output, ``(batch, text_dim)``): G takes ``[z, h]``, D takes ``[x, h]`` and returns
one logit (section 3.1). ``GANCLS`` trains the paper's four variants, picked by two switches:

================  ==================  ===============
variant           ``matching_aware``  ``interpolate``
================  ==================  ===============
GAN               False               False
GAN-CLS           True                False
GAN-INT           False               True
GAN-INT-CLS       True                True
================  ==================  ===============

- Matching-aware discriminator (GAN-CLS, section 4.2 and Algorithm 1): D scores three pairs per
  step, s_r = D(x, h) (real image, right text), s_w = D(x, h_hat) (real image, wrong text) and
  s_f = D(G(z, h), h), and minimises ``gan_tf.losses.gan_cls_discriminator_loss``:
  BCE(s_r, 1) + 1/2 [BCE(s_w, 0) + BCE(s_f, 0)]. The mismatching text h_hat comes with the data
  (``condition["wrong_text"]``, the caption of another image, as
  ``gan_tf.data.captioned_dataset`` makes it), so a step under ``tf.distribute`` equals a
  single-device step.
- Manifold interpolation (GAN-INT, section 4.3, eq. 5 of the paper):
  G also minimises E_{t1, t2}[log(1 - D(G(z, beta t1 + (1 - beta) t2)))] with beta = 0.5, here in
  the trainer's loss family (non-saturating by default: -log D(...)). t1 is the minibatch's
  caption embedding, t2 its ``wrong_text`` (another image's caption), z fresh noise.

**What D sees of the interpolated fakes.** Only their scores in the generator update:
D(G(z', h_int), h_int) with h_int = beta h + (1 - beta) h_hat enters G's loss (per example,
added to G's usual term) and its gradient flows through D into G; D's weights are never trained
on them. The discriminator step is that of GAN or GAN-CLS (real, wrong, fake with the matching
text only). This is the paper's section 4.3 ("the discriminator D does not have 'real'
corresponding image and text pairs to train on" for synthetic embeddings; G learns "by
satisfying D on interpolated text embeddings") and its code (reedscot/icml2016,
``main_cls_int.lua``: ``fDx`` forwards only the real texts; the interpolated half-batch
appears only in ``fGx``, with label real, through ``netD:updateGradInput`` and weight
``interp_weight = 1``). Differences from that code: each of the m minibatch rows gets one
interpolation partner (its ``wrong_text``) instead of B/2 pairs of the batch's halves, and the
interpolated fakes go through G and D in their own forward pass (their own batch-norm batch;
the code scores a 3B/2 batch in one pass).

Subclasses (GAWWN, StackGAN) change what the networks take, not the losses. The hooks:

- ``condition_keys`` (class attribute, default ``("text",)``): the condition entries the
  networks take after z / x, in input order (GAWWN: ``("text", "box")``); ``generator_inputs``,
  ``discriminator_inputs``, ``fake_condition`` and ``sample(..., **condition)`` follow it.
- ``generator_inputs(z, condition)`` -> G's input (``[z, *condition[k] for k]``);
  ``discriminator_inputs(x, condition)`` -> D's input (``[x, *condition[k] for k]``);
  ``draw_z(n)`` -> the noise (N(0, I) from the seed generator, sliced per replica).
- ``wrong_condition(condition)`` -> the condition D sees for s_w (``text`` replaced by
  ``wrong_text``); ``interpolated_condition(condition)`` -> the condition of the GAN-INT fakes
  (``text`` replaced by beta text + (1 - beta) wrong_text, other entries kept).
- ``interpolation_loss(real_condition)`` -> the per-example GAN-INT term.
- ``check_condition(condition, n, what)``: the checks of a batch's condition.

See chapter 7.1.
"""

from __future__ import annotations

import collections.abc

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks
from gan_tf import losses as losses_lib
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN

VARIANTS = {(False, False): "GAN", (True, False): "GAN-CLS", (False, True): "GAN-INT",
            (True, True): "GAN-INT-CLS"}


def _input_shapes(net, role, names, what):
    """The per-input shapes (without the batch axis) of ``net``, after checking it takes the
    inputs ``names``."""
    shapes = net.input_shape
    if not (isinstance(shapes, list) and len(shapes) == len(names)):
        raise ValueError(f"{what}'s {role} must take [{', '.join(names)}] ({len(names)} inputs),"
                         f" got inputs {shapes}")
    return [tuple(s[1:]) for s in shapes]


class GANCLS(GAN):
    """Reed et al.'s text-conditional DCGAN (arXiv:1605.05396) with GAN-CLS and GAN-INT.

    Batches are ``(images, condition)`` with ``condition`` a dict: ``"text"`` ``(b, text_dim)``,
    the embedding of one of each image's captions, and ``"wrong_text"`` ``(b, text_dim)``, the
    embedding of another image's caption (needed by ``matching_aware`` and ``interpolate``;
    ``gan_tf.data.captioned_dataset`` yields such batches).

    Args:
        generator: ``keras.Model`` taking ``[z (batch, latent_dim), text (batch, text_dim)]``.
        discriminator: ``keras.Model`` taking ``[image, text]`` -> one logit (no sigmoid).
        matching_aware: GAN-CLS's discriminator (Algorithm 1): real images with wrong text are
            a third, "fake" pair; False: the plain conditional GAN loss.
        interpolate: add GAN-INT's generator term on interpolated embeddings (eq. 5).
        beta: the interpolation weight in [0, 1] (the paper's 0.5): h_int = beta h +
            (1 - beta) h_hat.
        latent_dim, d_steps, seed, reuse_fake: as ``GAN``.

    ``compile(loss=...)`` takes ``"nonsaturating"`` (default: G minimises -log D(G(z, h), h), as
    the paper's code does) or ``"minimax"`` (G minimises log(1 - D(...)), eq. 5 as written); D's
    loss is always ``losses.gan_cls_discriminator_loss``. ``sample(n, seed, text=...)``
    generates images of given embeddings. Extra metric ``int_loss`` (GAN-INT's term) when
    ``interpolate``. See the module docstring for the hooks and what D sees of the
    interpolated fakes. See chapter 7.1.
    """

    condition_keys = ("text",)
    loss_families = ("nonsaturating", "minimax")

    def __init__(self, generator, discriminator, matching_aware=True, interpolate=False,
                 beta=0.5, latent_dim=None, name="gan_cls", **kwargs):
        for flag, value in (("matching_aware", matching_aware), ("interpolate", interpolate)):
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{flag} must be True or False, got {value!r}")
        if isinstance(beta, bool) or not isinstance(beta, (int, float, np.floating)) or not (
                0.0 <= float(beta) <= 1.0):
            raise ValueError(f"beta must be a number in [0, 1] (the paper's 0.5), got {beta!r}")
        self.matching_aware = bool(matching_aware)
        self.interpolate = bool(interpolate)
        self.beta = float(beta)
        super().__init__(generator, discriminator, latent_dim=latent_dim, name=name, **kwargs)
        self.int_loss_tracker = self.add_tracker("int_loss") if self.interpolate else None

    @property
    def variant(self):
        """The paper's name of this configuration: GAN, GAN-CLS, GAN-INT or GAN-INT-CLS."""
        return VARIANTS[(self.matching_aware, self.interpolate)]

    @property
    def needs_wrong_text(self):
        """Whether batches must carry ``"wrong_text"`` (GAN-CLS's D, GAN-INT's partners)."""
        return self.matching_aware or self.interpolate

    # -- set-up ---------------------------------------------------------------------------

    def network_shapes(self, generator, discriminator, latent_dim):
        """``(latent_dim, image_shape)`` after checking that G takes ``[z, *condition_keys]``
        and D ``[image, *condition_keys]``, with one text size for both (``self.text_dim``)."""
        g_in = _input_shapes(generator, "generator", ("z",) + self.condition_keys, self.name)
        d_in = _input_shapes(discriminator, "discriminator", ("image",) + self.condition_keys,
                             self.name)
        if latent_dim is None:
            latent_dim = g_in[0][-1]
        if latent_dim != g_in[0][-1]:
            raise ValueError(f"latent_dim={latent_dim} but the generator expects z of size "
                             f"{g_in[0][-1]}")
        text = self.condition_keys.index("text") + 1
        if len(g_in[text]) != 1 or g_in[text] != d_in[text]:
            raise ValueError(f"{self.name}: the generator takes text of shape {g_in[text]} and "
                             f"the discriminator {d_in[text]}; both must take (text_dim,) "
                             f"embeddings of one size")
        self.text_dim = g_in[text][0]
        g_out = tuple(generator.output_shape[1:])
        if d_in[0] != g_out:
            raise ValueError(f"generator output shape {g_out} does not match discriminator "
                             f"input shape {d_in[0]}")
        return latent_dim, g_out

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, **kwargs):
        """``GAN.compile`` with ``loss`` ``"nonsaturating"`` (default) or ``"minimax"`` (G's
        term; D's loss is GAN-CLS's binary cross-entropy either way)."""
        if loss is not None and not (isinstance(loss, str) and loss in self.loss_families):
            families = " or ".join(map(repr, self.loss_families))
            raise ValueError(f"{self.name} trains with loss {families} (D's loss is GAN-CLS's "
                             f"cross-entropy), got {loss!r}")
        super().compile(d_optimizer, g_optimizer, loss=loss, **kwargs)

    # -- the condition --------------------------------------------------------------------

    def check_condition(self, condition, n=None, what=None):
        """``ValueError`` unless ``condition`` is a dict holding every ``condition_keys`` entry
        and, when ``needs_wrong_text``, ``"wrong_text"``; text entries ``(n, text_dim)`` floats
        (static shapes: this runs at trace time too). ``n``: the batch's image count."""
        what = what or self.name
        if not isinstance(condition, collections.abc.Mapping):
            raise ValueError(
                f"{what} trains on (images, condition) batches whose condition is a dict with "
                f"'text' (and 'wrong_text'), received {type(condition).__name__}; build them "
                f"with gan_tf.data.captioned_dataset(images, embeddings, batch_size)")
        missing = [k for k in self.condition_keys if k not in condition]
        if missing:
            raise ValueError(f"{what}'s condition needs {', '.join(map(repr, missing))}, "
                             f"received keys {sorted(condition)}")
        text_keys = ["text"]
        if self.needs_wrong_text:
            if "wrong_text" not in condition:
                raise ValueError(
                    f"{what} ({self.variant}) needs the mismatching captions: the condition has "
                    f"no 'wrong_text' (received keys {sorted(condition)}); pass "
                    f"condition['wrong_text'] (another image's caption embedding, as "
                    f"gan_tf.data.captioned_dataset makes it) or use matching_aware=False, "
                    f"interpolate=False")
            text_keys.append("wrong_text")
        for key in text_keys:
            shape = tuple(condition[key].shape)
            dtype = tf.as_dtype(condition[key].dtype)
            if len(shape) != 2 or shape[1] not in (None, self.text_dim):
                raise ValueError(f"{what} expects condition[{key!r}] of shape (batch, "
                                 f"{self.text_dim}) (text_dim={self.text_dim}), received "
                                 f"shape {shape}")
            if not dtype.is_floating:
                raise ValueError(f"{what} expects float condition[{key!r}] embeddings, "
                                 f"received dtype {dtype.name}")
            if n is not None and shape[0] is not None and shape[0] != n:
                raise ValueError(f"{what} expects one condition[{key!r}] row per image ({n}),"
                                 f" received {shape[0]}")

    def split_batch(self, data):
        """``(images, condition)`` of a batch ``(images, condition)`` (or ``((images,
        condition),)`` from arrays); the condition is checked (``check_condition``)."""
        if (isinstance(data, (tuple, list)) and len(data) == 1
                and isinstance(data[0], (tuple, list))):
            data = data[0]                 # fit((images, condition)) on arrays
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(f"{self.name} trains on (images, condition) batches, received "
                             f"{type(data).__name__} {getattr(data, 'shape', '')}; build them "
                             f"with gan_tf.data.captioned_dataset(images, embeddings, "
                             f"batch_size)")
        images, condition = data[0], data[1]
        self.check_condition(condition, images.shape[0])
        return images, condition

    def check_input(self, x):
        """``GAN.check_input`` on the images, then ``check_condition`` on the condition of
        the first batch (a Dataset) or of the arrays ``(images, condition)``."""
        if x is None:
            return
        if isinstance(x, tf.data.Dataset):
            super().check_input(x)
            for batch in x.take(1):
                images, condition = self.split_batch(batch)
                self._check_values(condition)
            return
        if not (isinstance(x, (tuple, list)) and len(x) >= 2):
            raise ValueError(f"{self.name} trains on (images, condition), received images alone;"
                             f" pass fit(images, condition) with condition = {{'text': ..., "
                             f"'wrong_text': ...}} or a gan_tf.data.captioned_dataset")
        super().check_input(x)
        condition = {k: tf.convert_to_tensor(v) for k, v in x[1].items()} if isinstance(
            x[1], collections.abc.Mapping) else x[1]
        self.check_condition(condition, len(x[0]))
        self._check_values(condition)

    def _check_values(self, condition):
        for key in ("text", "wrong_text"):
            if key in condition:
                checks.check_finite(condition[key], f"{self.name} condition[{key!r}]")

    def fit(self, x=None, y=None, *args, **kwargs):
        """``GAN.fit`` on ``(images, condition)``: a dataset of such batches
        (``gan_tf.data.captioned_dataset``), ``fit(images, condition)`` or ``fit((images,
        condition))`` with ``condition`` a dict of arrays (``"text"``, ``"wrong_text"``)."""
        if y is not None:
            if isinstance(x, tf.data.Dataset):
                raise ValueError(f"{self.name}.fit: a dataset carries its condition; pass "
                                 f"y=None")
            x = (x, y)
        return super().fit(x, None, *args, **kwargs)

    # -- hooks: what the networks take ----------------------------------------------------

    def generator_inputs(self, z, condition):
        """G's input for noise ``z`` and ``condition``: ``[z, condition[k] for k in
        condition_keys]``."""
        return [z] + [tf.cast(condition[k], z.dtype) for k in self.condition_keys]

    def discriminator_inputs(self, x, condition):
        """D's input for images ``x`` told ``condition``: ``[x, condition[k] for k in
        condition_keys]``."""
        return [x] + [tf.cast(condition[k], x.dtype) for k in self.condition_keys]

    def draw_z(self, n):
        """``n`` noise vectors z ~ N(0, I) from the seed generator (one global draw sliced per
        replica)."""
        return GAN.sample_latent(self, n)

    def sample_latent(self, n, condition=None):
        """``generator_inputs(z, condition)``: fresh z and the real minibatch's own text
        (Algorithm 1: x_hat = G(z, h) with the matching text h)."""
        if condition is None:
            raise ValueError(f"{self.name}'s generator needs the text of every fake")
        return self.generator_inputs(self.draw_z(n), condition)

    def fake_condition(self, latent):
        """What D is told about fakes made from ``latent``: ``{key: input}`` for the
        ``condition_keys`` (the matching text h)."""
        return dict(zip(self.condition_keys, latent[1:]))

    def wrong_condition(self, condition):
        """The condition of s_w = D(x, h_hat): ``text`` replaced by ``wrong_text``."""
        return {**condition, "text": condition["wrong_text"]}

    def interpolated_condition(self, condition):
        """The condition of GAN-INT's fakes: ``text`` = beta text + (1 - beta) wrong_text
        (eq. 5 of arXiv:1605.05396), the other entries kept."""
        text = tf.convert_to_tensor(condition["text"])
        wrong = tf.cast(condition["wrong_text"], text.dtype)
        return {**condition, "text": self.beta * text + (1.0 - self.beta) * wrong}

    def discriminate(self, x, condition=None, training=True):
        """D(x, h), one logit per image; for a real batch whose condition has
        ``"wrong_text"`` and ``matching_aware``, the pair ``(s_r, s_w)`` = ``(D(x, h),
        D(x, h_hat))`` (two forward passes, as the paper's code makes them)."""
        if condition is None:
            raise ValueError(f"{self.name}'s discriminator needs the text of every image")
        score = self.discriminator(self.discriminator_inputs(x, condition), training=training)
        if self.matching_aware and "wrong_text" in condition:
            wrong = self.discriminator(
                self.discriminator_inputs(x, self.wrong_condition(condition)),
                training=training)
            return score, wrong
        return score

    # -- hooks: the losses ----------------------------------------------------------------

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        """GAN-CLS's BCE(s_r, 1) + 1/2 [BCE(s_w, 0) + BCE(s_f, 0)] per example
        (``matching_aware``), else BCE(s_r, 1) + BCE(s_f, 0)."""
        if self.matching_aware:
            real_logits, wrong_logits = real_logits
        else:
            wrong_logits = None
        return losses_lib.gan_cls_discriminator_loss(real_logits, wrong_logits, fake_logits,
                                                     matching_aware=self.matching_aware)

    def interpolation_loss(self, real_condition):
        """GAN-INT's term per example (eq. 5 of arXiv:1605.05396, in the loss family of
        ``compile``): fresh z' from the seed generator, fakes G(z', h_int) of the interpolated
        condition, scored by D told h_int."""
        condition = self.interpolated_condition(real_condition)
        n = tf.shape(condition["text"])[0]
        latent = self.generator_inputs(self.draw_z(n), condition)
        fake = self.generator(latent, training=True)
        logits = self.discriminate(fake, self.fake_condition(latent))
        return self.g_loss_fn(None, logits, reduction="none")

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """G's loss per example: the family's term on D(G(z, h), h), plus GAN-INT's term on
        interpolated embeddings when ``interpolate``."""
        loss = self.g_loss_fn(None, fake_logits, reduction="none")
        if self.interpolate:
            term = self.interpolation_loss(real_condition)
            self.int_loss_tracker.update_state(term)
            loss = loss + term
        return loss

    # -- using the generator --------------------------------------------------------------

    def sampling_latent(self, n, seed, **condition):
        """``generator_inputs(z, condition)`` for ``sample(n, seed, text=...)``: z ~ N(0, I)
        from the integer ``seed``; each ``condition_keys`` entry (``text``: embeddings
        ``(n, text_dim)``, or one ``(text_dim,)`` row for all ``n``) is required."""
        unknown = sorted(set(condition) - set(self.condition_keys))
        missing = [k for k in self.condition_keys if condition.get(k) is None]
        if unknown or missing:
            raise ValueError(f"{self.name}.sample takes {', '.join(self.condition_keys)}=..., "
                             f"received {', '.join(sorted(condition)) or 'none'}")
        rows = {}
        for key in self.condition_keys:
            value = np.asarray(condition[key], np.float32)
            one = value.ndim == len(self.sample_condition_shape(key))
            rows[key] = np.broadcast_to(value, (n,) + value.shape) if one else value
            if rows[key].shape[0] != n or rows[key].shape[1:] != self.sample_condition_shape(key):
                raise ValueError(f"{self.name}.sample expects {key} of shape ({n}, "
                                 f"{', '.join(map(str, self.sample_condition_shape(key)))}) or "
                                 f"one row, received {value.shape}")
            checks.check_finite(rows[key], f"{self.name}.sample {key}")
        z = keras.random.normal((int(n), self.latent_dim), seed=seed)
        return self.generator_inputs(z, {k: tf.constant(v) for k, v in rows.items()})

    def sample_condition_shape(self, key):
        """The shape (without the batch axis) of ``sample``'s ``key`` entry (G's input)."""
        return tuple(self.generator.input_shape[self.condition_keys.index(key) + 1][1:])
