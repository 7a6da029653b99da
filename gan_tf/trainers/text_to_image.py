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
- Manifold interpolation (GAN-INT, section 4.3, eq. 5 of the paper, the chapter's eq. 7-1):
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
- ``check_condition(condition, n, what)``: the checks of a batch's condition;
  ``network_shapes`` checks G ``[z, *condition_keys]`` and D ``[image, *condition_keys]`` (one
  text size for both) and ``sample_condition_shape(key)`` reads a ``sample`` entry's shape from
  G's inputs.

``StyleEncoder`` trains the style encoder S of section 4.4 on a frozen generator (L_style =
||z - S(G(z, phi(t)))||^2) and ``transfer_style(generator, S, images, text)`` = G(S(x), phi(t))
draws a caption's content in an image's style. See chapters 7.1 and 7.2.
"""

from __future__ import annotations

import collections.abc

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, rng
from gan_tf import losses as losses_lib
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN

VARIANTS = {(False, False): "GAN", (True, False): "GAN-CLS", (False, True): "GAN-INT",
            (True, True): "GAN-INT-CLS"}


def condition_rows(value, n, row_shape, what, key="text"):
    """``value`` as ``n`` float32 rows of shape ``row_shape`` (one row is repeated ``n``
    times), finite; ``ValueError`` naming ``what`` and ``key`` otherwise. See chapter 7.1."""
    value = np.asarray(value, np.float32)
    row_shape = tuple(row_shape)
    if value.shape == row_shape:
        value = np.broadcast_to(value, (n,) + row_shape)
    if value.shape != (n,) + row_shape:
        raise ValueError(f"{what} expects {key} of shape "
                         f"{(n,) + row_shape} or one row {row_shape}, received {value.shape}")
    checks.check_finite(value, f"{what} {key}")
    return value


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
        images, condition = _common.split_pair(
            data, self.name, "condition",
            "gan_tf.data.captioned_dataset(images, embeddings, batch_size)")
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
                self.check_condition_values(condition)
            return
        if not (isinstance(x, (tuple, list)) and len(x) >= 2):
            raise ValueError(f"{self.name} trains on (images, condition), received images alone;"
                             f" pass fit(images, condition) with condition = {{'text': ..., "
                             f"'wrong_text': ...}} or a gan_tf.data.captioned_dataset")
        super().check_input(x)
        condition = {k: tf.convert_to_tensor(v) for k, v in x[1].items()} if isinstance(
            x[1], collections.abc.Mapping) else x[1]
        self.check_condition(condition, len(x[0]))
        self.check_condition_values(condition)

    def check_condition_values(self, condition):
        """Hook run by ``fit``'s input check on the data's condition: ``ValueError`` for
        non-finite text embeddings; subclasses add their entries' checks (GAWWN's boxes and
        keypoints). See chapter 7.1."""
        for key in ("text", "wrong_text"):
            if key in condition:
                checks.check_finite(condition[key], f"{self.name} condition[{key!r}]")

    def fit(self, x=None, y=None, *args, **kwargs):
        """``GAN.fit`` on ``(images, condition)``: a dataset of such batches
        (``gan_tf.data.captioned_dataset``), ``fit(images, condition)`` or ``fit((images,
        condition))`` with ``condition`` a dict of arrays (``"text"``, ``"wrong_text"``)."""
        x = _common.pair_fit_data(x, y, self.name, "condition")
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
                                                     matching_aware=self.matching_aware,
                                                     reduction="none")

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
            wanted = ", ".join(f"{k}=..." for k in self.condition_keys)
            raise ValueError(f"{self.name}.sample takes {wanted}, received "
                             f"{', '.join(sorted(condition)) or 'none'}")
        rows = {key: condition_rows(condition[key], n, self.sample_condition_shape(key),
                                    f"{self.name}.sample", key)
                for key in self.condition_keys}
        z = keras.random.normal((int(n), self.latent_dim), seed=seed)
        return self.generator_inputs(z, {k: tf.constant(v) for k, v in rows.items()})

    def sample_condition_shape(self, key):
        """The shape (without the batch axis) of ``sample``'s ``key`` entry (G's input)."""
        return tuple(self.generator.input_shape[self.condition_keys.index(key) + 1][1:])


# -- the style encoder (section 4.4) ------------------------------------------------------

def _generator_shapes(generator, what):
    """``(latent_dim, text_dim, image_shape)`` of a text-conditional generator ``[z, text]``."""
    if not isinstance(generator, keras.Model):
        raise ValueError(f"{what}: generator must be a keras.Model, got "
                         f"{type(generator).__name__}")
    (z_shape, t_shape) = _input_shapes(generator, "generator", ("z", "text"), what)
    return z_shape[-1], t_shape[-1], tuple(generator.output_shape[1:])


class StyleEncoder(_common.EncoderTrainer, keras.Model):
    """Trains the style encoder S of Reed et al. (arXiv:1605.05396, section 4.4) to invert a
    frozen text-conditional generator: L_style = E_{t, z ~ N(0, I)} ||z - S(G(z, phi(t)))||^2
    (``gan_tf.losses.style_encoder_loss``, summed over z's axes, averaged over the batch).

    Each step draws z ~ N(0, I) from the trainer's seed generator for the batch's caption
    embeddings t, makes x = G(z, t) (inference mode; G is never updated) and takes one
    optimizer step on S alone. ``fit`` takes caption embeddings: an array ``(n, text_dim)``, a
    Dataset of such batches, or the ``(images, condition)`` batches of
    ``gan_tf.data.captioned_dataset`` (their ``condition["text"]``; the images are not used).
    With S trained, ``transfer_style(generator, S, images, text)`` = G(S(x), t) draws the
    content of t in the style (pose, background) of x. Metric: ``style_loss``.

    Args:
        encoder: ``keras.Model`` image -> ``(batch, latent_dim)`` (``models.build_style_encoder``).
        generator: the trained ``keras.Model`` ``[z, text]`` -> image.
        seed: seed of the noise generator.

    See chapter 7.2.
    """

    def __init__(self, encoder, generator, seed=None, name="style_encoder_trainer", **kwargs):
        super().__init__(name=name, **kwargs)
        latent_dim, text_dim, image_shape = _generator_shapes(generator, name)
        if not isinstance(encoder, keras.Model):
            raise ValueError(f"{name}: encoder must be a keras.Model, got "
                             f"{type(encoder).__name__}")
        if tuple(encoder.input_shape[1:]) != image_shape:
            raise ValueError(f"{name}: the encoder takes images of shape "
                             f"{tuple(encoder.input_shape[1:])}, the generator makes "
                             f"{image_shape}")
        if tuple(encoder.output_shape[1:]) != (latent_dim,):
            raise ValueError(f"{name}: the encoder returns {tuple(encoder.output_shape[1:])}, "
                             f"the generator takes z of shape ({latent_dim},)")
        self.encoder, self.generator = encoder, generator
        self.latent_dim, self.text_dim = int(latent_dim), int(text_dim)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="style_loss")
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker]

    def compile(self, optimizer=None, **kwargs):
        """Default optimizer Adam(2e-4, beta_1=0.5) (the paper's settings); other keyword
        arguments go to ``keras.Model.compile``."""
        optimizer = _common.prepare_optimizer(
            optimizer, lambda: keras.optimizers.Adam(2e-4, beta_1=0.5))
        super().compile(optimizer=optimizer, **kwargs)
        self.optimizer.build(self.encoder.trainable_variables)

    def texts_of(self, data):
        """The caption embeddings of a batch: ``text``, ``(text,)`` or ``(images, condition)``
        (its ``condition["text"]``)."""
        while isinstance(data, (tuple, list)) and len(data) == 1:
            data = data[0]
        if isinstance(data, (tuple, list)):
            condition = data[1]
            if not (isinstance(condition, collections.abc.Mapping) and "text" in condition):
                raise ValueError(f"{self.name} trains on caption embeddings (n, "
                                 f"{self.text_dim}) or (images, condition) batches with "
                                 f"condition['text'], received a {type(condition).__name__} "
                                 f"condition")
            data = condition["text"]
        shape = tuple(data.shape)
        if len(shape) != 2 or shape[1] not in (None, self.text_dim):
            raise ValueError(f"{self.name} expects caption embeddings of shape (batch, "
                             f"{self.text_dim}), received shape {shape}")
        return data

    def style_loss(self, text, z):
        """Per-example ||z - S(G(z, t))||^2 for given ``z`` and ``text`` (inference mode)."""
        text = tf.convert_to_tensor(text, tf.float32)
        x = self.generator([tf.convert_to_tensor(z, tf.float32), text], training=False)
        return losses_lib.style_encoder_loss(z, self.encoder(x, training=False),
                                             reduction="none")

    def train_step(self, data):
        text = tf.cast(self.texts_of(data), self.generator.compute_dtype)
        n = tf.shape(text)[0]
        z = _common.replica_slice(lambda shape: rng.normal(shape, self.seed_generator), n,
                                  self.latent_dim)
        x = tf.stop_gradient(self.generator([z, text], training=False))
        variables = self.encoder.trainable_variables
        with tf.GradientTape() as tape:
            per_example = losses_lib.style_encoder_loss(z, self.encoder(x, training=True),
                                                        reduction="none")
            loss = _common.average_loss(per_example)
            scaled = self.optimizer.scale_loss(loss)
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        self.loss_tracker.update_state(per_example)
        return {"style_loss": self.loss_tracker.result()}

    def check_input(self, x):
        """``ValueError`` unless ``x`` holds caption embeddings ``(n, text_dim)`` (an array, or
        a Dataset's first batch; see ``texts_of``), finite."""
        if x is None:
            return
        if isinstance(x, tf.data.Dataset):
            for batch in x.take(1):
                checks.check_finite(self.texts_of(batch), self.name)
            return
        text = self.texts_of(x if isinstance(x, (tuple, list)) else tf.convert_to_tensor(x))
        checks.check_finite(text, self.name)


    def save_own_variables(self, store):
        _common.save_seed_state(self, store, self.seed_generator)

    def load_own_variables(self, store):
        _common.load_seed_state(self, store, self.seed_generator)


def transfer_style(generator, style_encoder, images, text, batch_size=256):
    """G(S(x), t): the content of caption embeddings ``text`` drawn in the style of ``images``
    (Reed et al., arXiv:1605.05396, section 4.4: s <- S(x), x_hat <- G(s, phi(t)); the
    chapter's fig. 7-6). ``images`` ``(n, *image_shape)``; ``text`` ``(n, text_dim)`` (or one
    row for all); ``style_encoder`` the trained S (a ``keras.Model`` or a ``StyleEncoder``). Both
    networks in inference mode; returns a float32 NumPy array. See chapter 7.2.
    """
    _, text_dim, image_shape = _generator_shapes(generator, "transfer_style")
    images = tf.convert_to_tensor(images, tf.float32)
    _common.check_batch_spec(images, image_shape, "transfer_style images")
    n = int(images.shape[0])
    text = condition_rows(text, n, (text_dim,), "transfer_style")
    batch_size = checks.positive_int(batch_size, "batch_size")
    out = []
    for i in range(0, n, batch_size):
        style = style_encoder(images[i:i + batch_size], training=False)
        out.append(np.asarray(generator([style, tf.constant(text[i:i + batch_size])],
                                        training=False), np.float32))
    return np.concatenate(out)
