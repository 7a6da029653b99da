"""GAWWN: what (text) and where (a box or part keypoints) to draw, on the GAN-CLS loop.

Reed, Akata, Mohan, Tenka, Schiele & Lee 2016, "Learning What and Where to Draw"
(arXiv:1610.02454).

- ``GAWWN``: the box- or keypoint-conditional text-to-image GAN of sections 4.1-4.2. It is
  ``GANCLS`` (arXiv:1605.05396, Algorithm 1: the matching-aware discriminator GAWWN builds
  on, arXiv:1610.02454 section 3) whose networks take one more condition: G ``[z, text, box]`` or
  ``[z, text, keypoints]`` and D ``[image, text, box]`` or ``[image, text, keypoints]``. The
  location comes with the batch (``condition["box"]`` ``(b, 4)`` = (y0, x0, y1, x1) in [0, 1],
  or ``condition["keypoints"]`` ``(b, K, 3)`` = (y, x, visible), as
  ``gan_tf.data.captioned_dataset(..., box=..., keypoints=...)`` yields them); the fakes are
  drawn at the real minibatch's locations, and the mismatching pair s_w = D(x, h_hat, loc)
  keeps the image's own location, as in the authors' Torch code (github.com/reedscot/nips2016:
  D scores {image, location, shuffled text} with cls_weight = 0.5). Only the hooks that say
  what the networks take are overridden (``condition_keys``, the shape and value checks): the
  losses are GANCLS's.
- ``KeypointGAN``: the conditional keypoint generator of section 4.3, G_k(z, t, k, s) =
  s . k + (1 - s) . f(z, t, k) (``models.build_keypoint_generator``), trained as a
  conditional GAN on real keypoint sets given their text (the discriminator scores ``[keypoints,
  text]``; the paper's keypoint GAN has no mismatching-text term). Each real set is shown to
  G with every visible keypoint switched on with probability ``given_prob`` (the authors' code
  keeps each with probability 0.1, dropping 90%); G must complete the rest.
  ``complete_keypoints(text, keypoints, switch)`` fills in the keypoints a user did not give.

See chapter 7.2.
"""

from __future__ import annotations

import collections.abc

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, rng
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN
from gan_tf.trainers.text_to_image import GANCLS

WHERE = ("box", "keypoints")


def check_boxes(box, what):
    """``box`` as a float32 NumPy array ``(..., 4)`` after checking that each row is a box
    (y0, x0, y1, x1) normalised to [0, 1] with y0 <= y1 and x0 <= x1; one-line ``ValueError``
    otherwise. See chapter 7.2."""
    values = np.asarray(box, np.float32)
    if values.ndim < 1 or values.shape[-1] != 4:
        raise ValueError(f"{what} expects boxes (y0, x0, y1, x1) of shape (n, 4), received "
                         f"shape {values.shape}")
    checks.check_finite(values, what)
    if values.size and (values.min() < 0.0 or values.max() > 1.0):
        raise ValueError(f"{what} expects boxes normalised to [0, 1], received values in "
                         f"[{values.min():.4g}, {values.max():.4g}]")
    for lo, hi, axis in ((0, 2, "y"), (1, 3, "x")):
        bad = values[..., hi] < values[..., lo]
        if np.any(bad):
            row = np.argwhere(bad)[0]
            raise ValueError(f"{what} expects {axis}1 >= {axis}0 in every box (y0, x0, y1, x1), "
                             f"received {values[tuple(row)].tolist()}")
    return values


def check_keypoints(keypoints, n_keypoints, what):
    """``keypoints`` as a float32 NumPy array ``(..., n_keypoints, 3)`` after checking the shape
    (K = ``n_keypoints`` rows of (y, x, visible)), finiteness, visible in [0, 1] and (y, x) in
    [0, 1] for the visible ones (invisible keypoints may sit anywhere); one-line ``ValueError``
    otherwise. See chapter 7.2."""
    values = np.asarray(keypoints, np.float32)
    if values.ndim < 2 or values.shape[-2:] != (n_keypoints, 3):
        raise ValueError(f"{what} expects keypoints of shape (n, {n_keypoints}, 3) (K = "
                         f"{n_keypoints} rows of (y, x, visible)), received shape {values.shape}")
    checks.check_finite(values, what)
    visible = values[..., 2]
    if visible.size and (visible.min() < 0.0 or visible.max() > 1.0):
        raise ValueError(f"{what} expects the visible flag in [0, 1], received values in "
                         f"[{visible.min():.4g}, {visible.max():.4g}]")
    shown = values[visible >= 0.5][:, :2]
    if shown.size and (shown.min() < 0.0 or shown.max() > 1.0):
        raise ValueError(f"{what} expects visible keypoints' (y, x) in [0, 1], received values "
                         f"in [{shown.min():.4g}, {shown.max():.4g}]")
    return values


class GAWWN(GANCLS):
    """The Generative Adversarial What-Where Network (arXiv:1610.02454, sections 3-4.2).

    Args:
        generator: ``keras.Model`` taking ``[z, text, box (4,)]`` (``condition="box"``) or
            ``[z, text, keypoints (K, 3)]`` (``condition="keypoints"``), e.g.
            ``models.build_gawwn_box_generator`` / ``build_gawwn_keypoint_generator``.
        discriminator: ``keras.Model`` taking ``[image, text, box]`` or ``[image, text,
            keypoints]`` -> one logit (``models.build_gawwn_box_discriminator`` /
            ``build_gawwn_keypoint_discriminator``).
        condition: ``"box"`` or ``"keypoints"``: which location the batches carry.
        matching_aware, interpolate, beta, latent_dim, d_steps, seed, reuse_fake: as
            ``GANCLS`` (GAN-CLS by default; the paper trains GAWWN with the matching-aware D).

    Batches are ``(images, condition)`` with ``condition`` a dict of ``"text"``,
    ``"wrong_text"`` and the location (``"box"`` ``(b, 4)`` or ``"keypoints"`` ``(b, K, 3)``);
    ``fit`` checks the first batch's boxes (in [0, 1], y0 <= y1, x0 <= x1) or keypoints (K
    rows, coordinates in [0, 1]). ``sample(n, seed, text=..., box=...)`` or ``(...,
    keypoints=...)`` generates images (one row of text or location is used for all n).
    See chapter 7.2.
    """

    def __init__(self, generator, discriminator, condition="box", matching_aware=True,
                 interpolate=False, beta=0.5, latent_dim=None, name="gawwn", **kwargs):
        if condition not in WHERE:
            raise ValueError(f"condition must be 'box' or 'keypoints', got {condition!r}")
        self.where = condition
        self.condition_keys = ("text", condition)
        super().__init__(generator, discriminator, matching_aware=matching_aware,
                         interpolate=interpolate, beta=beta, latent_dim=latent_dim, name=name,
                         **kwargs)

    def network_shapes(self, generator, discriminator, latent_dim):
        """``GANCLS.network_shapes``, then the location input: ``(4,)`` boxes, or ``(K, 3)``
        keypoints with one K for both networks (``self.n_keypoints``)."""
        latent_dim, g_out = super().network_shapes(generator, discriminator, latent_dim)
        g_loc = tuple(generator.input_shape[2][1:])
        d_loc = tuple(discriminator.input_shape[2][1:])
        if self.where == "box":
            want = (4,)
            ok = g_loc == want and d_loc == want
        else:
            ok = len(g_loc) == 2 and g_loc[1] == 3 and g_loc == d_loc
            want = "(K, 3)"
        if not ok:
            raise ValueError(f"{self.name} ({self.where}) needs generator and discriminator "
                             f"location inputs of shape {want}, got {g_loc} and {d_loc}")
        self.n_keypoints = g_loc[0] if self.where == "keypoints" else None
        return latent_dim, g_out

    def location_shape(self):
        """The location's shape without the batch axis: ``(4,)`` or ``(K, 3)``."""
        return (4,) if self.where == "box" else (self.n_keypoints, 3)

    def check_condition(self, condition, n=None, what=None):
        """``GANCLS.check_condition``, then the location's static shape (trace time too):
        ``(n, 4)`` boxes or ``(n, K, 3)`` keypoints."""
        super().check_condition(condition, n, what)
        what = what or self.name
        shape = tuple(condition[self.where].shape)
        want = self.location_shape()
        if shape[1:] != want or (n is not None and shape[0] not in (None, n)):
            names = "(y0, x0, y1, x1) boxes" if self.where == "box" else (
                f"K = {self.n_keypoints} keypoints (y, x, visible)")
            raise ValueError(f"{what} expects condition[{self.where!r}] of shape "
                             f"({n if n is not None else 'batch'}, "
                             f"{', '.join(map(str, want))}) ({names}), received shape {shape}")

    def check_location(self, values, what):
        """The value check of a location array (``check_boxes`` or ``check_keypoints``)."""
        if self.where == "box":
            return check_boxes(values, what)
        return check_keypoints(values, self.n_keypoints, what)

    def check_condition_values(self, condition):
        super().check_condition_values(condition)
        self.check_location(condition[self.where], f"{self.name} condition[{self.where!r}]")

    def sampling_latent(self, n, seed, **condition):
        """``GANCLS.sampling_latent`` after checking the requested location's values."""
        if condition.get(self.where) is not None:
            self.check_location(condition[self.where], f"{self.name}.sample {self.where}")
        return super().sampling_latent(n, seed, **condition)


class KeypointGAN(GAN):
    """The conditional keypoint generator's GAN (arXiv:1610.02454, section 4.3).

    G_k: ``[z, text, keypoints (K, 3), switch (K,)]`` -> keypoints ``(K, 3)`` with
    G_k(z, t, k, s) = s . k + (1 - s) . f(z, t, k) (``models.build_keypoint_generator``); D:
    ``[keypoints, text]`` -> one logit (``models.build_keypoint_discriminator``). The loss family
    of ``GAN`` (non-saturating by default, as the authors' code).

    Batches are ``(x, condition)`` with ``condition["text"]`` ``(b, text_dim)``; the real
    keypoint sets are ``condition["keypoints"]`` when the condition holds them (a
    ``gan_tf.data.captioned_dataset(..., keypoints=...)`` batch, whose images are not used),
    else ``x`` ``(b, K, 3)``. Invisible real keypoints become (0, 0, 0), as in the authors'
    code, so D never sees where an invisible part was put. For each real set, the fake one is
    G_k's completion of the same set with each visible keypoint given (s = 1) with probability
    ``given_prob``, drawn from the seed generator after z.

    Args:
        generator, discriminator: as above.
        given_prob: the probability that a visible keypoint is given to G during training
            (the authors' code: 0.1).
        latent_dim, d_steps, seed, reuse_fake: as ``GAN``.

    ``complete_keypoints(text, keypoints, switch, seed)`` returns G_k's completions (the given
    keypoints exactly). See chapter 7.2.
    """

    def __init__(self, generator, discriminator, given_prob=0.1, latent_dim=None,
                 name="keypoint_gan", **kwargs):
        if isinstance(given_prob, bool) or not isinstance(
                given_prob, (int, float, np.floating)) or not 0.0 <= given_prob <= 1.0:
            raise ValueError(f"given_prob must be a number in [0, 1], got {given_prob!r}")
        self.given_prob = float(given_prob)
        super().__init__(generator, discriminator, latent_dim=latent_dim, name=name, **kwargs)

    def network_shapes(self, generator, discriminator, latent_dim):
        """G must take ``[z, text, keypoints (K, 3), switch (K,)]`` and D ``[keypoints (K, 3),
        text]``, with one K and one text size (``self.n_keypoints``, ``self.text_dim``)."""
        g_in, d_in = generator.input_shape, discriminator.input_shape
        if not (isinstance(g_in, list) and len(g_in) == 4):
            raise ValueError(f"{self.name}'s generator must take [z, text, keypoints, switch] "
                             f"(4 inputs), got inputs {g_in}")
        if not (isinstance(d_in, list) and len(d_in) == 2):
            raise ValueError(f"{self.name}'s discriminator must take [keypoints, text] "
                             f"(2 inputs), got inputs {d_in}")
        z, text, kp, switch = (tuple(s[1:]) for s in g_in)
        if latent_dim is None:
            latent_dim = z[-1]
        if latent_dim != z[-1]:
            raise ValueError(f"latent_dim={latent_dim} but the generator expects z of size "
                             f"{z[-1]}")
        if len(kp) != 2 or kp[1] != 3 or switch != kp[:1]:
            raise ValueError(f"{self.name}'s generator takes keypoints {kp} and switch "
                             f"{switch}; expected (K, 3) and (K,)")
        out = tuple(generator.output_shape[1:])
        if out != kp or tuple(d_in[0][1:]) != kp or tuple(d_in[1][1:]) != text:
            raise ValueError(f"{self.name}: the generator makes keypoints {out} from text "
                             f"{text}; the discriminator takes {tuple(d_in[0][1:])} and "
                             f"{tuple(d_in[1][1:])}; they must agree")
        self.n_keypoints, self.text_dim = kp[0], text[0]
        return latent_dim, kp

    # -- the batch ------------------------------------------------------------------------

    def split_batch(self, data):
        """``(real keypoints, {"text": ..., "keypoints": real keypoints})`` of a batch (see the
        class docstring); the real keypoints' invisible rows set to (0, 0, 0)."""
        if (isinstance(data, (tuple, list)) and len(data) == 1
                and isinstance(data[0], (tuple, list))):
            data = data[0]
        if not (isinstance(data, (tuple, list)) and len(data) >= 2
                and isinstance(data[1], collections.abc.Mapping) and "text" in data[1]):
            raise ValueError(f"{self.name} trains on (keypoints, {{'text': ...}}) batches or "
                             f"captioned_dataset batches with keypoints, received "
                             f"{type(data).__name__}")
        condition = data[1]
        real = condition["keypoints"] if "keypoints" in condition else data[0]
        real = tf.convert_to_tensor(real)
        if tuple(real.shape[1:]) != (self.n_keypoints, 3):
            raise ValueError(f"{self.name} expects keypoints of shape (batch, "
                             f"{self.n_keypoints}, 3), received shape {tuple(real.shape)}")
        text = condition["text"]
        if tuple(text.shape[1:]) != (self.text_dim,):
            raise ValueError(f"{self.name} expects condition['text'] of shape (batch, "
                             f"{self.text_dim}), received shape {tuple(text.shape)}")
        real = tf.cast(real, tf.float32)
        real = real * tf.cast(real[..., 2:] >= 0.5, real.dtype)
        return real, {"text": text, "keypoints": real}

    def check_input(self, x):
        """The first batch (a Dataset) or the arrays ``(x, condition)``: shapes (via
        ``split_batch``), finite text, keypoint values (``check_keypoints``)."""
        if x is None:
            return
        if isinstance(x, tf.data.Dataset):
            for batch in x.take(1):
                _, condition = self.split_batch(batch)
                raw_keypoints = batch[1].get("keypoints", batch[0])
                break
            else:
                raise ValueError(f"{self.name} has no batch to train on: the dataset yields "
                                 f"no batch (0 batches)")
        else:
            if isinstance(x, (tuple, list)) and len(x) >= 2 and isinstance(
                    x[1], collections.abc.Mapping):
                x = (x[0], {k: tf.convert_to_tensor(v) for k, v in x[1].items()})
            _, condition = self.split_batch(x)
            raw_keypoints = x[1].get("keypoints", x[0])
        check_keypoints(raw_keypoints, self.n_keypoints, f"{self.name} keypoints")
        checks.check_finite(condition["text"], f"{self.name} condition['text']")

    def fit(self, x=None, y=None, *args, **kwargs):
        """``GAN.fit`` on ``(keypoints, condition)`` batches (a dataset, or ``fit(keypoints,
        {"text": ...})``)."""
        if y is not None:
            x = (x, y)
        return super().fit(x, None, *args, **kwargs)

    # -- hooks ----------------------------------------------------------------------------

    def draw_switch(self, real):
        """The switch s for the real sets ``real`` ``(m, K, 3)``: each visible keypoint given
        with probability ``given_prob`` (u < given_prob, u ~ U[0, 1) from the seed generator;
        one global draw sliced per replica)."""
        u = _common.replica_slice(lambda shape: rng.uniform(shape, self.seed_generator),
                                  tf.shape(real)[0], self.n_keypoints)
        return tf.cast(u < self.given_prob, real.dtype) * real[..., 2]

    def sample_latent(self, n, condition=None):
        """``[z, text, real keypoints, switch]``: z ~ N(0, I), then the switch (``draw_switch``)
        of the real minibatch's keypoints (``condition["keypoints"]``, which ``split_batch``
        puts there, so they are split into the minibatches with the text)."""
        z = super().sample_latent(n)
        real = tf.cast(condition["keypoints"], z.dtype)
        return [z, tf.cast(condition["text"], z.dtype), real, self.draw_switch(real)]

    def fake_condition(self, latent):
        return {"text": latent[1]}

    def discriminate(self, x, condition=None, training=True):
        return self.discriminator([x, tf.cast(condition["text"], x.dtype)], training=training)

    # -- using the generator --------------------------------------------------------------

    def sampling_latent(self, n, seed, text=None, keypoints=None, switch=None):
        """``[z, text, keypoints, switch]`` for ``sample``: z ~ N(0, I) from ``seed``; ``text``
        ``(n, text_dim)`` (or one row); ``keypoints`` ``(n, K, 3)`` and ``switch`` ``(n, K)`` of
        0/1 (or one row each; default: none given, G generates every keypoint)."""
        if text is None:
            raise ValueError(f"{self.name}.sample needs text=... (the caption embeddings)")
        text = np.asarray(text, np.float32)
        text = np.broadcast_to(text, (n, self.text_dim)) if text.ndim == 1 else text
        if text.shape != (n, self.text_dim):
            raise ValueError(f"{self.name}.sample expects text of shape ({n}, {self.text_dim})"
                             f" or one row, received {text.shape}")
        checks.check_finite(text, f"{self.name}.sample text")
        k = self.n_keypoints
        if keypoints is None:
            keypoints = np.zeros((n, k, 3), np.float32)
            if switch is not None and np.any(np.asarray(switch)):
                raise ValueError(f"{self.name}.sample: a switch that gives keypoints needs "
                                 f"keypoints=...")
        keypoints = check_keypoints(keypoints, k, f"{self.name}.sample keypoints")
        keypoints = np.broadcast_to(keypoints, (n, k, 3)) if keypoints.ndim == 2 else keypoints
        switch = np.zeros((n, k), np.float32) if switch is None else np.asarray(switch,
                                                                                 np.float32)
        switch = np.broadcast_to(switch, (n, k)) if switch.ndim == 1 else switch
        if keypoints.shape != (n, k, 3) or switch.shape != (n, k):
            raise ValueError(f"{self.name}.sample expects keypoints ({n}, {k}, 3) and switch "
                             f"({n}, {k}) (or one row each), received {keypoints.shape} and "
                             f"{switch.shape}")
        if not np.all((switch == 0) | (switch == 1)):
            raise ValueError(f"{self.name}.sample expects a switch of 0s and 1s, received "
                             f"values {np.unique(switch)[:5].tolist()}")
        z = keras.random.normal((int(n), self.latent_dim), seed=seed)
        return [z, tf.constant(text), tf.constant(keypoints), tf.constant(switch)]

    def complete_keypoints(self, text, keypoints, switch, seed=None):
        """G_k's completion of keypoint sets ``(n, K, 3)`` given ``text`` ``(n, text_dim)`` and
        the 0/1 ``switch`` ``(n, K)`` of the keypoints given (returned exactly); the others
        are generated (arXiv:1610.02454, section 4.3). ``seed`` fixes z."""
        n = len(np.asarray(keypoints)) if np.ndim(keypoints) == 3 else len(np.asarray(text))
        return self.sample(n, seed=seed, text=text, keypoints=keypoints, switch=switch)
