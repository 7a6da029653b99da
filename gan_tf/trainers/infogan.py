"""InfoGAN on the shared loop: Chen et al. 2016 (arXiv:1606.03657).

The generator's input is noise z and a latent code c; InfoGAN maximises the mutual information
I(c; G(z, c)) through its variational lower bound (eqs. 5-6)

    L_I(G, Q) = E_{c ~ P(c), x ~ G(z, c)}[log Q(c | x)] + H(c) <= I(c; G(z, c)),

    min_{G, Q} max_D V_InfoGAN(D, G, Q) = V(D, G) - lambda L_I(G, Q)            (eq. 6)

with Q an extra head on the discriminator's trunk (section 6). The codes, as in the paper's
MNIST experiment (section 7.2, appendix C.1): one categorical code c1 ~ Cat(K = 10) and
continuous codes c2, c3 ~ Unif(-1, 1); the generator takes ``concat(z, onehot(c1), c2, c3)``
(62 + 10 + 2 = 74 inputs). Q is a softmax for c1 and a factored Gaussian for the continuous
codes (``gan_tf.losses.categorical_info_bound`` and ``gaussian_info_bound``).

Which update trains what (as the official code, github.com/openai/InfoGAN,
``infogan/algos/infogan_trainer.py``): both losses carry ``- lambda L_I`` on the fakes, the
discriminator's ``-log D(x) - log(1 - D(G(z, c))) - lambda L_I`` and the generator's
``-log D(G(z, c)) - lambda L_I``. The discriminator model holds D's head, the shared trunk and
Q's head, so the discriminator step trains all of them (Q and the trunk get L_I's gradient
there); the generator step trains the generator alone (Q's variables are in the official
code's discriminator variable list, "d_net", not in the generator's). So "min over G and Q"
of eq. 6 is carried out by the generator step for G and by the discriminator step for Q.
One discriminator forward pass on the fakes gives both the GAN logit and Q's outputs.

Defaults and their sources: lambda = 1 for the categorical code (section 6: "simply setting to
1 is sufficient for discrete latent codes"; appendix C: lambda = 1) and lambda = 1 for the
continuous codes too (the official MNIST launcher's ``info_reg_coeff=1.0`` for every code,
with Q's Gaussian std fixed to 1; section 6 advises a smaller lambda for continuous codes when
their L_I, a differential entropy, dwarfs the GAN loss: ``lambda_cont`` is the knob).
Adam(2e-4, beta_1=0.5) for D and Q and Adam(1e-3, beta_1=0.5) for G (appendix C; the official
launcher). The official launcher trains on batches of 128.

Trackers (discriminator step, on its fakes): ``mutual_info`` (L_I of all codes, unweighted),
``mi_categorical`` (its categorical part, at most H(c1) = log K = 2.30 for K = 10),
``mi_continuous`` (with continuous codes; log N + log 2 per code, negative with std 1) and
``cat_accuracy`` (how often Q's argmax recovers c1). See chapter 6.3.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, rng
from gan_tf import losses as losses_lib
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN


class InfoGAN(GAN):
    """InfoGAN (arXiv:1606.03657, eq. 6): a GAN whose generator input carries a categorical code
    and continuous codes that a recognition head Q, sharing the discriminator's trunk, must
    recover from the fakes.

    Args:
        generator: ``keras.Model`` taking one input ``concat(z, onehot(c1), c_cont)`` of size
            ``noise_dim + n_categories + n_continuous`` (``noise_dim`` >= 1 is what is left).
        discriminator: ``keras.Model`` on samples returning ``[logit (batch, 1), code_logits
            (batch, n_categories)]`` followed, with continuous codes, by ``code_mean (batch,
            n_continuous)`` and optionally ``code_log_std (batch, n_continuous)`` (a learned
            Gaussian std; without it std = 1). ``models.build_infogan_discriminator`` builds the
            paper's.
        n_categories: K of the categorical code c1 ~ Cat(K) (uniform).
        n_continuous: number of continuous codes c_j ~ Unif(-1, 1) (0 for none).
        lambda_cat, lambda_cont: lambda of eq. 6 for the categorical and the continuous part.
        Others as ``GAN`` (``loss`` of ``compile``: non-saturating by default, as the official
        code).

    ``sample(n, seed, category=..., continuous=...)`` fixes the codes, ``traverse`` sweeps one
    continuous code (fig. 2 of the paper), ``predict_codes``/``classify`` read Q on images.
    See chapter 6.3.
    """

    def __init__(self, generator, discriminator, n_categories=10, n_continuous=2,
                 lambda_cat=1.0, lambda_cont=1.0, name="infogan", **kwargs):
        self.n_categories = checks.positive_int(n_categories, "n_categories")
        if self.n_categories < 2:
            raise ValueError(f"n_categories must be at least 2, got {n_categories}")
        if (isinstance(n_continuous, bool) or not isinstance(n_continuous, (int, np.integer))
                or n_continuous < 0):
            raise ValueError(f"n_continuous must be an int >= 0, got {n_continuous!r}")
        self.n_continuous = int(n_continuous)
        self.lambda_cat = checks.non_negative(lambda_cat, "lambda_cat")
        self.lambda_cont = checks.non_negative(lambda_cont, "lambda_cont")
        super().__init__(generator, discriminator, name=name, **kwargs)
        self.mi_tracker = self.add_tracker("mutual_info")
        self.mi_cat_tracker = self.add_tracker("mi_categorical")
        self.mi_cont_tracker = self.add_tracker("mi_continuous") if self.n_continuous else None
        self.accuracy_tracker = self.add_tracker("cat_accuracy")

    # -- set-up ---------------------------------------------------------------------------

    def network_shapes(self, generator, discriminator, latent_dim):
        g_in = generator.input_shape
        if isinstance(g_in, list):
            raise ValueError(f"{self.name}'s generator must take one input concat(z, "
                             f"onehot(c1), c_cont), got inputs {g_in}")
        codes = self.n_categories + self.n_continuous
        if latent_dim is not None and latent_dim != g_in[-1]:
            raise ValueError(f"latent_dim={latent_dim} but the generator expects inputs of size "
                             f"{g_in[-1]}")
        if g_in[-1] is None or g_in[-1] <= codes:
            raise ValueError(f"{self.name}'s generator takes inputs of size {g_in[-1]}, expected "
                             f"noise_dim + {self.n_categories} + {self.n_continuous} with "
                             f"noise_dim >= 1 (more than {codes})")
        self.noise_dim = int(g_in[-1]) - codes
        outs = discriminator.output_shape
        outs = outs if isinstance(outs, list) else [outs]
        counts = (2,) if self.n_continuous == 0 else (3, 4)
        expected = [(1,), (self.n_categories,)] + [(self.n_continuous,)] * (len(outs) - 2)
        if len(outs) not in counts or [tuple(s[1:]) for s in outs] != expected:
            want = "[logit (batch, 1), code_logits (batch, {})]".format(self.n_categories)
            if self.n_continuous:
                want = want[:-1] + f", code_mean (batch, {self.n_continuous}) and optionally " \
                                   f"code_log_std (batch, {self.n_continuous})]"
            raise ValueError(f"{self.name}'s discriminator must return {want}, got outputs of "
                             f"shapes {[tuple(s) for s in outs]}")
        self.learn_std = len(outs) == 4
        g_out = tuple(generator.output_shape[1:])
        d_in = tuple(discriminator.input_shape[1:])
        if g_out != d_in:
            raise ValueError(f"generator output shape {g_out} does not match discriminator "
                             f"input shape {d_in}")
        return int(g_in[-1]), g_out

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, **kwargs):
        """``GAN.compile`` with the paper's optimizers as defaults (appendix C): Adam(2e-4,
        beta_1=0.5) for D and Q, Adam(1e-3, beta_1=0.5) for G."""
        if g_optimizer is None:
            g_optimizer = keras.optimizers.Adam(1e-3, beta_1=0.5)
        super().compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, loss=loss, **kwargs)

    # -- hooks ----------------------------------------------------------------------------

    def sample_latent(self, n, condition=None):
        """``concat(z, onehot(c1), c_cont)``: z ~ N(0, I), c1 = floor(K u) with u ~ U[0, 1),
        c_cont ~ Unif(-1, 1), drawn in that order from the seed generator."""
        z = _common.replica_slice(lambda shape: rng.normal(shape, self.seed_generator), n,
                                  self.noise_dim)
        c1 = _common.draw_categories(self.seed_generator, n, self.n_categories)
        parts = [z, tf.one_hot(c1, self.n_categories, dtype=z.dtype)]
        if self.n_continuous:
            parts.append(_common.replica_slice(
                lambda shape: rng.uniform(shape, self.seed_generator, minval=-1.0, maxval=1.0),
                n, self.n_continuous))
        return tf.concat(parts, axis=-1)

    def fake_condition(self, latent):
        """The codes of the fakes: ``(onehot(c1) (n, K), c_cont (n, C))``, read off the
        generator's input."""
        start = self.noise_dim + self.n_categories
        return latent[:, self.noise_dim:start], latent[:, start:]

    def info_bound(self, q_outputs, codes):
        """``(weighted, l_cat, l_cont)`` per example: L_I's categorical and continuous parts
        (eq. 5; ``l_cont`` is 0 without continuous codes) and ``lambda_cat * l_cat +
        lambda_cont * l_cont``. ``q_outputs`` is the discriminator's output."""
        if codes is None:
            raise ValueError(f"{self.name} needs the codes of the fakes (fake_condition) to "
                             f"compute L_I, got None")
        onehot, cont = codes
        l_cat = losses_lib.categorical_info_bound(q_outputs[1], onehot, reduction="none")
        weighted = self.lambda_cat * l_cat
        l_cont = tf.zeros_like(l_cat)
        if self.n_continuous:
            log_std = q_outputs[3] if self.learn_std else None
            l_cont = losses_lib.gaussian_info_bound(cont, q_outputs[2], log_std,
                                                    reduction="none")
            weighted = weighted + self.lambda_cont * l_cont
        return weighted, l_cat, l_cont

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        """``-log D(x) - log(1 - D(G(z, c))) - lambda L_I`` per example (the official code's
        discriminator loss); updates the L_I trackers."""
        gan = self.d_loss_fn(real_logits[0], fake_logits[0], reduction="none")
        weighted, l_cat, l_cont = self.info_bound(fake_logits, fake_condition)
        self.mi_tracker.update_state(tf.reduce_mean(l_cat + l_cont))
        self.mi_cat_tracker.update_state(tf.reduce_mean(l_cat))
        if self.mi_cont_tracker is not None:
            self.mi_cont_tracker.update_state(tf.reduce_mean(l_cont))
        hits = tf.equal(tf.argmax(fake_logits[1], axis=-1), tf.argmax(fake_condition[0], axis=-1))
        self.accuracy_tracker.update_state(tf.reduce_mean(tf.cast(hits, tf.float32)))
        return gan - weighted

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """``-log D(G(z, c)) - lambda L_I`` per example (non-saturating by default)."""
        gan = self.g_loss_fn(None, fake_logits[0], reduction="none")
        return gan - self.info_bound(fake_logits, fake_condition)[0]

    # -- using the networks ---------------------------------------------------------------

    def _continuous(self, continuous, n):
        if continuous is None:
            return np.zeros((n, self.n_continuous), np.float32)
        values = np.asarray(continuous, dtype=np.float32)
        if values.ndim == 0:
            values = np.full((n, self.n_continuous), values, np.float32)
        elif values.shape == (self.n_continuous,):
            values = np.tile(values, (n, 1))
        if values.shape != (n, self.n_continuous):
            raise ValueError(f"{self.name}.sample expects continuous codes of shape "
                             f"({self.n_continuous},) or ({n}, {self.n_continuous}), received "
                             f"{values.shape}")
        checks.check_finite(values, f"{self.name}.sample continuous codes")
        return values

    def _latent(self, z, categories, continuous):
        onehot = np.eye(self.n_categories, dtype=np.float32)[categories]
        return tf.concat([tf.cast(z, tf.float32), onehot, continuous], axis=-1)

    def sampling_latent(self, n, seed, category=None, continuous=None):
        """The generator's input for ``sample(n, seed, category=..., continuous=...)``: z ~
        N(0, I) drawn with ``seed``; ``category`` one int or ``n`` of them (default the
        categories in turn); ``continuous`` a value, a ``(n_continuous,)`` row or ``(n,
        n_continuous)`` rows (default 0, the centre of the prior)."""
        n = int(n)
        categories = _common.requested_labels(category, n, self.n_categories,
                                              f"{self.name}.sample")
        z = keras.random.normal((n, self.noise_dim), seed=seed)
        return self._latent(z, categories, self._continuous(continuous, n))

    def traversal_latent(self, code, values=None, categories=None, seed=None):
        """The generator inputs of ``traverse``, ``(len(categories) * len(values), latent)``,
        row-major: one z (drawn with ``seed``) for all; row r has c1 = ``categories[r]``,
        column j has continuous code ``code`` = ``values[j]`` and every other continuous code 0.
        Defaults: all K categories, values ``np.linspace(-2, 2, 10)``."""
        return self._traversal(code, values, categories, seed)[0]

    def _traversal(self, code, values, categories, seed):
        if (isinstance(code, bool) or not isinstance(code, (int, np.integer))
                or not 0 <= code < self.n_continuous):
            raise ValueError(f"code must be the index of a continuous code in [0, "
                             f"{self.n_continuous}), got {code!r}")
        values = np.linspace(-2.0, 2.0, 10) if values is None else np.asarray(values, float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"values must be a non-empty 1-D sequence, got shape {values.shape}")
        checks.check_finite(values, f"{self.name}.traverse values")
        categories = np.arange(self.n_categories) if categories is None else categories
        categories = _common.requested_labels(categories, np.size(categories),
                                              self.n_categories, f"{self.name}.traverse")
        rows, cols = len(categories), len(values)
        seed = self._sample_seed if seed is None else int(seed)
        z = np.tile(keras.random.normal((1, self.noise_dim), seed=seed).numpy(), (rows * cols, 1))
        continuous = np.zeros((rows * cols, self.n_continuous), np.float32)
        continuous[:, code] = np.tile(values, rows)
        return self._latent(z, np.repeat(categories, cols), continuous).numpy(), rows, cols

    def traverse(self, code, values=None, categories=None, seed=None, batch_size=256):
        """Images ``(rows, columns, *sample_shape)`` sweeping continuous code ``code`` over
        ``values`` (columns; default -2 to 2, beyond the training range [-1, 1], as the paper's
        fig. 2) with c1 = ``categories[r]`` in row r and one fixed z (see
        ``traversal_latent``). See chapter 6.3."""
        latent, rows, cols = self._traversal(code, values, categories, seed)
        images = np.concatenate([np.asarray(self.generator(latent[i:i + batch_size],
                                                           training=False))
                                 for i in range(0, len(latent), batch_size)])
        return images.reshape((rows, cols) + tuple(self.sample_shape)).astype(np.float32)

    def predict_codes(self, x, batch_size=256):
        """Q on images ``x`` (``(n, *sample_shape)`` in [-1, 1]): ``(categories (n,) int,
        continuous (n, n_continuous))``, the argmax of the categorical head and the means of
        the Gaussian head (inference-mode batch norm). See chapter 6.3."""
        x = np.asarray(x)
        what = f"{self.name}.predict_codes"
        _common.check_batch_spec(tf.convert_to_tensor(x[:1]), self.sample_shape, what)
        if len(x) == 0:
            raise ValueError(f"{what} expects at least one image, received 0")
        if len(self.sample_shape) == 3:
            checks.check_image_range(x, what)
        else:
            checks.check_finite(x, what)
        cats, conts = [], []
        for i in range(0, len(x), batch_size):
            out = self.discriminator(tf.constant(x[i:i + batch_size], tf.float32),
                                     training=False)
            cats.append(np.argmax(np.asarray(out[1]), axis=-1))
            conts.append(np.asarray(out[2]) if self.n_continuous
                         else np.zeros((len(out[1]), 0), np.float32))
        return np.concatenate(cats).astype(np.int32), np.concatenate(conts).astype(np.float32)

    def classify(self, x, batch_size=256):
        """The categorical code Q reads in each image (``predict_codes(x)[0]``): unsupervised
        cluster labels, to match with the true classes by ``metrics.match_clusters``.
        See chapter 6.3."""
        return self.predict_codes(x, batch_size)[0]
