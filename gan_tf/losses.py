"""GAN losses on discriminator logits, and the Gaussian KL term of the VAE.

Every loss is a pure function of tensors. Discriminator and generator losses share one
signature, ``<family>_<role>_loss(real_logits, fake_logits, reduction="mean")``; generator losses
ignore ``real_logits`` (pass ``None``). Logits may have any rank: a patch discriminator's
``(batch, h, w, 1)`` map is averaged over its non-batch axes per example.

``reduction="mean"`` returns a scalar (mean over the batch); ``reduction="none"`` returns the
per-example losses, shape ``(batch,)``, so that a trainer under ``tf.distribute`` can divide the
replica's sum by the *global* batch size.

Families (D is sigmoid(logit) where a probability is meant):

- ``minimax``: Goodfellow et al. 2014 (arXiv:1406.2661, eq. 1): D minimises
  -log D(x) - log(1 - D(G(z))); G minimises log(1 - D(G(z))).
- ``nonsaturating``: same D loss; G minimises -log D(G(z)) (arXiv:1406.2661, section 3).
- ``wasserstein``: Arjovsky et al. 2017 (arXiv:1701.07875, Algorithm 1): the critic minimises
  f(G(z)) - f(x); G minimises -f(G(z)).
- ``least_squares``: Mao et al. 2017 (arXiv:1611.04076, eq. 2, a=0, b=1, c=1):
  D: 1/2 (D(x) - b)^2 + 1/2 (D(G(z)) - a)^2; G: 1/2 (D(G(z)) - c)^2, on raw outputs.
- ``hinge``: Lim & Ye 2017 / Miyato et al. 2018 (arXiv:1802.05957, eq. 16):
  D: relu(1 - D(x)) + relu(1 + D(G(z))); G: -D(G(z)).

See chapters 3.2, 5.3 and 10.4.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

REDUCTIONS = ("mean", "none")


def _per_example(values):
    """Mean over all non-batch axes: any rank -> (batch,)."""
    values = tf.convert_to_tensor(values)
    if values.shape.rank is None:
        raise ValueError("logits must have a known rank")
    if values.shape.rank == 0:
        raise ValueError("logits must have a batch axis, got a scalar")
    if values.shape.rank == 1:
        return values
    return tf.reduce_mean(values, axis=list(range(1, values.shape.rank)))


def _reduce(per_example, reduction):
    if reduction == "mean":
        return tf.reduce_mean(per_example)
    if reduction == "none":
        return per_example
    raise ValueError(f"unknown reduction {reduction!r}; expected one of {REDUCTIONS}")


def _logits(x, name):
    if x is None:
        raise ValueError(f"{name} is required (got None)")
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise ValueError(f"{name} must be a floating tensor, got dtype {x.dtype.name}")
    return tf.cast(x, tf.float32)  # losses in float32, also under mixed precision


def _d_loss(real_logits, fake_logits, real_term, fake_term, reduction):
    r = _per_example(real_term(_logits(real_logits, "real_logits")))
    f = _per_example(fake_term(_logits(fake_logits, "fake_logits")))
    return _reduce(r + f, reduction)


def _g_loss(fake_logits, term, reduction):
    return _reduce(_per_example(term(_logits(fake_logits, "fake_logits"))), reduction)


# -- minimax / non-saturating --------------------------------------------------------------

def minimax_discriminator_loss(real_logits, fake_logits, reduction="mean"):
    """-log sigmoid(real) - log(1 - sigmoid(fake)) = softplus(-real) + softplus(fake)."""
    return _d_loss(real_logits, fake_logits, lambda r: tf.nn.softplus(-r),
                   tf.nn.softplus, reduction)


def minimax_generator_loss(real_logits, fake_logits, reduction="mean"):
    """log(1 - sigmoid(fake)) = -softplus(fake): saturates when D rejects the fakes."""
    del real_logits
    return _g_loss(fake_logits, lambda f: -tf.nn.softplus(f), reduction)


nonsaturating_discriminator_loss = minimax_discriminator_loss


def nonsaturating_generator_loss(real_logits, fake_logits, reduction="mean"):
    """-log sigmoid(fake) = softplus(-fake)."""
    del real_logits
    return _g_loss(fake_logits, lambda f: tf.nn.softplus(-f), reduction)


# -- Wasserstein ---------------------------------------------------------------------------

def wasserstein_discriminator_loss(real_logits, fake_logits, reduction="mean"):
    """Critic loss f(fake) - f(real); its negative estimates W(P_r, P_g) up to K."""
    return _d_loss(real_logits, fake_logits, lambda r: -r, lambda f: f, reduction)


def wasserstein_generator_loss(real_logits, fake_logits, reduction="mean"):
    """-f(fake)."""
    del real_logits
    return _g_loss(fake_logits, lambda f: -f, reduction)


# -- least squares -------------------------------------------------------------------------

def least_squares_discriminator_loss(real_logits, fake_logits, reduction="mean",
                                     a=0.0, b=1.0):
    """1/2 (D(x) - b)^2 + 1/2 (D(G(z)) - a)^2 on raw outputs (LSGAN, eq. 2)."""
    return _d_loss(real_logits, fake_logits, lambda r: 0.5 * tf.square(r - b),
                   lambda f: 0.5 * tf.square(f - a), reduction)


def least_squares_generator_loss(real_logits, fake_logits, reduction="mean", c=1.0):
    """1/2 (D(G(z)) - c)^2."""
    del real_logits
    return _g_loss(fake_logits, lambda f: 0.5 * tf.square(f - c), reduction)


# -- hinge ---------------------------------------------------------------------------------

def hinge_discriminator_loss(real_logits, fake_logits, reduction="mean"):
    """relu(1 - D(x)) + relu(1 + D(G(z)))."""
    return _d_loss(real_logits, fake_logits, lambda r: tf.nn.relu(1.0 - r),
                   lambda f: tf.nn.relu(1.0 + f), reduction)


def hinge_generator_loss(real_logits, fake_logits, reduction="mean"):
    """-D(G(z))."""
    del real_logits
    return _g_loss(fake_logits, lambda f: -f, reduction)


LOSSES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "nonsaturating": (nonsaturating_discriminator_loss, nonsaturating_generator_loss),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
}


def get(name):
    """``(discriminator_loss, generator_loss)`` for a family name (see ``LOSSES``)."""
    if name not in LOSSES:
        raise ValueError(f"unknown GAN loss {name!r}; expected one of {', '.join(LOSSES)}")
    return LOSSES[name]


# -- VAE -----------------------------------------------------------------------------------

def gaussian_kl(mean, log_var, reduction="mean"):
    """KL( N(mean, exp(log_var)) || N(0, I) ), summed over latent axes.

    = -1/2 * sum(1 + log_var - mean^2 - exp(log_var)) (Kingma & Welling, arXiv:1312.6114,
    appendix B). Shapes ``(batch, latent...)``. See chapter 3.1.
    """
    mean = tf.cast(tf.convert_to_tensor(mean), tf.float32)
    log_var = tf.cast(tf.convert_to_tensor(log_var), tf.float32)
    if mean.shape.rank != log_var.shape.rank or (
        mean.shape.is_fully_defined() and log_var.shape.is_fully_defined()
        and mean.shape != log_var.shape
    ):
        raise ValueError(f"mean and log_var must have one shape, got {mean.shape} and {log_var.shape}")
    if mean.shape.rank is None or mean.shape.rank < 2:
        raise ValueError(f"mean must have shape (batch, latent...), got {mean.shape}")
    terms = 1.0 + log_var - tf.square(mean) - tf.exp(log_var)
    kl = -0.5 * tf.reduce_sum(terms, axis=list(range(1, mean.shape.rank)))
    return _reduce(kl, reduction)


# -- InfoGAN's variational lower bound L_I ------------------------------------------------

_HALF_LOG_2PI = 0.9189385332046727   # log(2 pi) / 2

def _codes_and_params(codes, params, what):
    codes = tf.cast(tf.convert_to_tensor(codes), tf.float32)
    params = _logits(params, what)
    if params.shape.rank != 2:
        raise ValueError(f"{what} must have shape (batch, dims), got {params.shape}")
    return codes, params


def categorical_info_bound(code_logits, codes, reduction="mean"):
    """InfoGAN's L_I for one categorical code c ~ Cat(K) with the uniform prior:
    log Q(c | x) + H(c) = log_softmax(code_logits)[c] + log K per example.

    Chen et al. 2016 (arXiv:1606.03657), eq. 5 (Lemma 5.1) with Q a softmax (section 6).
    ``code_logits``: Q's categorical head ``(batch, K)`` (unnormalised); ``codes``: the codes
    the generator was given, integer indices ``(batch,)`` or one-hot rows ``(batch, K)``.
    At most H(c) = log K; log K means Q recovers every code with certainty, 0 that it does no
    better than the prior. See chapter 6.3.
    """
    codes, logits = _codes_and_params(codes, code_logits, "code_logits")
    k = logits.shape[-1]
    if codes.shape.rank == 1:
        codes = tf.one_hot(tf.cast(codes, tf.int32), k)
    if codes.shape.rank != 2 or codes.shape[-1] != k:
        raise ValueError(f"codes must be indices (batch,) or one-hot rows (batch, {k}) for "
                         f"code_logits of shape {logits.shape}, got shape {codes.shape}")
    log_q = tf.reduce_sum(codes * tf.nn.log_softmax(logits, axis=-1), axis=-1)
    return _reduce(log_q + tf.math.log(float(k)), reduction)


def gaussian_info_bound(codes, mean, log_std=None, low=-1.0, high=1.0, reduction="mean"):
    """InfoGAN's L_I for continuous codes c_j ~ Unif(low, high) with a factored Gaussian Q:
    sum_j [log N(c_j; mean_j, std_j^2) + log(high - low)] per example.

    Chen et al. 2016 (arXiv:1606.03657), eq. 5 with "a factored Gaussian" Q (section 6) and
    H(c) the differential entropy of the uniform prior, log(high - low) per code.
    ``log_std=None`` fixes std = 1 (the official code's ``Uniform(1, fix_std=True)`` codes, its
    MNIST setting): then L_I = -(c - mean)^2 / 2 - log(2 pi) / 2 + log(high - low) per code, a
    scaled squared error. Shapes ``(batch, n_codes)``. Unlike the categorical bound this can be
    negative (densities, not probabilities). See chapter 6.3.
    """
    codes, mean = _codes_and_params(codes, mean, "mean")
    if codes.shape.rank != 2 or codes.shape[-1] != mean.shape[-1]:
        raise ValueError(f"codes must have the shape of mean (batch, {mean.shape[-1]}), got "
                         f"{codes.shape}")
    if not high > low:
        raise ValueError(f"the prior Unif(low, high) needs high > low, got low={low}, "
                         f"high={high}")
    if log_std is None:
        log_std = tf.zeros_like(mean)
    else:
        log_std = _logits(log_std, "log_std")
        if log_std.shape.rank != 2 or log_std.shape[-1] != mean.shape[-1]:
            raise ValueError(f"log_std must have the shape of mean (batch, {mean.shape[-1]}), "
                             f"got {log_std.shape}")
    eps = (codes - mean) * tf.exp(-log_std)
    log_n = -0.5 * tf.square(eps) - log_std - _HALF_LOG_2PI
    return _reduce(tf.reduce_sum(log_n + tf.math.log(float(high - low)), axis=-1), reduction)
# -- classes: AC-GAN and the semi-supervised GAN (chapter 6.2) --------------------------------

def class_cross_entropy(logits, labels, reduction="mean"):
    """-log softmax(logits)[label] per example: the class term of AC-GAN's L_C (Odena, Olah &
    Shlens, arXiv:1610.09585, eq. 3: log P(C = c | X) on real and on generated images).
    ``logits`` ``(batch, K)``; ``labels`` integer class indices ``(batch,)`` or one-hot rows
    ``(batch, K)``. See chapter 6.2."""
    logits = _logits(logits, "logits")
    labels = tf.convert_to_tensor(labels)
    if labels.shape.rank == logits.shape.rank:
        per_example = tf.nn.softmax_cross_entropy_with_logits(tf.cast(labels, tf.float32), logits)
    else:
        per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(
            tf.cast(labels, tf.int32), logits)
    return _reduce(per_example, reduction)


def _k_logits(logits, n_classes):
    """``(class_logits (batch, K), fake_logit (batch,))``: K outputs get Salimans et al.'s fixed
    0 logit for "fake"; K + 1 outputs are Odena's explicit K + 1-way softmax."""
    logits = _logits(logits, "logits")
    width = logits.shape[-1]
    if logits.shape.rank != 2 or width not in (n_classes, n_classes + 1):
        raise ValueError(f"logits must have shape (batch, {n_classes}) or (batch, "
                         f"{n_classes + 1}) for n_classes={n_classes}, got {logits.shape}")
    if width == n_classes:
        return logits, tf.zeros_like(logits[:, 0])
    return logits[:, :n_classes], logits[:, n_classes]


def k_plus_one_logits(logits, n_classes):
    """The K + 1 logits of a semi-supervised discriminator/classifier, the last for "fake":
    ``(batch, K + 1)`` as given (Odena, arXiv:1606.01583, section 2: D outputs N + 1 classes), or
    ``(batch, K)`` with a 0 logit appended (Salimans et al., arXiv:1606.03498, section 5: fixing
    l_{K+1} = 0 loses nothing, softmax being invariant to a shift of all logits). See chapter
    6.2."""
    class_logits, fake = _k_logits(logits, n_classes)
    return tf.concat([class_logits, fake[:, None]], axis=-1)


def k_plus_one_probabilities(logits, n_classes):
    """softmax of ``k_plus_one_logits``: p(y = k | x) for the K classes then p(fake | x),
    shape ``(batch, K + 1)``. With K logits p(fake | x) = 1 / (Z(x) + 1), Z = sum_k exp l_k, so
    the real/fake discriminator is D(x) = Z(x) / (Z(x) + 1) (arXiv:1606.03498, section 5).
    See chapter 6.2."""
    return tf.nn.softmax(k_plus_one_logits(logits, n_classes), axis=-1)


def real_logit(logits, n_classes):
    """log D(x) - log(1 - D(x)) with D(x) = 1 - p(fake | x): logsumexp of the K class logits
    minus the fake logit (0 for K logits, so log Z(x)). sigmoid(real_logit) = D(x), which makes
    the semi-supervised GAN's real/fake terms the ordinary GAN losses on this logit.
    See chapter 6.2."""
    class_logits, fake = _k_logits(logits, n_classes)
    return tf.reduce_logsumexp(class_logits, axis=-1) - fake


def sgan_labelled_loss(logits, labels, n_classes, include_fake=False, reduction="mean"):
    """The supervised term on labelled real data. ``include_fake=False``: -log p(y | x, y < K + 1),
    the cross-entropy of the K class logits alone (Salimans et al., arXiv:1606.03498, section 5,
    L_supervised); ``include_fake=True``: -log p(y | x) over all K + 1 classes, the negative
    log-likelihood of Odena's D/C (arXiv:1606.01583, Algorithm 1), which equals the former plus
    -log D(x) (``softplus(-real_logit)``). See chapter 6.2."""
    source = k_plus_one_logits(logits, n_classes) if include_fake else _k_logits(
        logits, n_classes)[0]
    return class_cross_entropy(source, labels, reduction)


def sgan_fake_loss(logits, n_classes, reduction="mean"):
    """-log p(fake | G(z)) = softplus(real_logit): the discriminator's term on generated images
    (arXiv:1606.01583, Algorithm 1: the NLL of class K + 1; arXiv:1606.03498, section 5:
    -E log p(y = K + 1 | x) for x ~ G). See chapter 6.2."""
    return _reduce(tf.nn.softplus(real_logit(logits, n_classes)), reduction)


def sgan_unsupervised_loss(real_logits, fake_logits, n_classes, reduction="mean"):
    """Salimans et al. (arXiv:1606.03498, section 5), L_unsupervised per example:
    -log(1 - p(K + 1 | x)) on an unlabelled real image x plus -log p(K + 1 | G(z)) on a fake,
    i.e. softplus(-s(x)) + softplus(s(G(z))) with s = ``real_logit`` (with K logits
    s = log Z = logsumexp l_k, their code's ``-l_unl + softplus(l_unl)`` and
    ``softplus(l_gen)``). The two batches pair up row by row, so they have one size.
    See chapter 6.2."""
    real = tf.nn.softplus(-real_logit(real_logits, n_classes))
    return _reduce(real + tf.nn.softplus(real_logit(fake_logits, n_classes)), reduction)


def feature_matching_loss(real_features, fake_features):
    """|| E_x f(x) - E_z f(G(z)) ||_2^2 (Salimans et al., arXiv:1606.03498, section 3.1): the
    squared distance between the batch means of an intermediate discriminator layer's
    activations ``(batch, ...)`` on real and on generated data (summed over all feature axes;
    the two batches may differ in size). A scalar: the statistic is one of the whole batch.
    See chapter 6.2."""
    real = _logits(real_features, "real_features")
    fake = _logits(fake_features, "fake_features")
    if real.shape[1:] != fake.shape[1:]:
        raise ValueError(f"real_features and fake_features must have one feature shape, got "
                         f"{real.shape} and {fake.shape}")
    return tf.reduce_sum(tf.square(tf.reduce_mean(real, axis=0) - tf.reduce_mean(fake, axis=0)))


# -- text-to-image: GAN-CLS's matching-aware discriminator and the style encoder (chapter 7) --

def gan_cls_discriminator_loss(real_logits, wrong_logits, fake_logits, matching_aware=True,
                               reduction="mean"):
    """The discriminator loss of GAN-CLS (Reed et al., arXiv:1605.05396, Algorithm 1, its L_D),
    as binary cross-entropies on logits (``reduction="none"``: per example, as the trainers use it).

    ``real_logits`` s_r = D(x, h) (real image, matching text), ``wrong_logits`` s_w = D(x, h_hat)
    (real image, mismatching text), ``fake_logits`` s_f = D(G(z, h), h). With
    ``matching_aware=True``:
    ``-log sigmoid(s_r) - 1/2 [log(1 - sigmoid(s_w)) + log(1 - sigmoid(s_f))]`` =
    ``softplus(-s_r) + (softplus(s_w) + softplus(s_f)) / 2``: targets 1, 0, 0, the two "fake"
    terms weighted 1/2 (the paper's Algorithm 1; its code uses cls_weight = 0.5 for the wrong
    pair and 1 - cls_weight for the fake). With ``matching_aware=False`` it is the plain GAN
    discriminator loss ``softplus(-s_r) + softplus(s_f)`` and ``wrong_logits`` is ignored (may
    be ``None``). Logits of any rank are averaged per example. See chapter 7.1.
    """
    real = _per_example(tf.nn.softplus(-_logits(real_logits, "real_logits")))
    fake = _per_example(tf.nn.softplus(_logits(fake_logits, "fake_logits")))
    if not matching_aware:
        return _reduce(real + fake, reduction)
    wrong = _per_example(tf.nn.softplus(_logits(wrong_logits, "wrong_logits")))
    return _reduce(real + 0.5 * (wrong + fake), reduction)


def style_encoder_loss(z, predicted_z, reduction="mean"):
    """``||z - S(G(z, phi(t)))||_2^2`` per example: the squared error of the style encoder S that
    inverts a text-conditional generator (Reed et al., arXiv:1605.05396, section 4.4, L_style),
    summed over the latent axes. ``z`` and ``predicted_z`` ``(batch, latent_dim)``.
    See chapter 7.2.
    """
    z = _logits(z, "z")
    predicted_z = _logits(predicted_z, "predicted_z")
    if z.shape.rank != 2 or z.shape != predicted_z.shape:
        raise ValueError(f"z and predicted_z must have one shape (batch, latent_dim), got "
                         f"{z.shape} and {predicted_z.shape}")
    return _reduce(tf.reduce_sum(tf.square(z - predicted_z), axis=-1), reduction)


# -- StackGAN: conditioning augmentation and colour consistency -----------------------------

def ca_kl_loss(mu, log_sigma, reduction="mean"):
    """KL( N(mu, diag(sigma^2)) || N(0, I) ) of conditioning augmentation, summed over the
    conditioning dimensions: sum_k (mu_k^2 + sigma_k^2) / 2 - log sigma_k - 1/2, closed form.

    StackGAN (Zhang et al., arXiv:1612.03242, section 3.2): mu and sigma come from a
    fully-connected layer on the text embedding, and this regulariser is *minimised*: added to
    each generator's loss with lambda = 1 (sections 3.3-3.4). ``log_sigma`` is log sigma, not
    the log variance (the authors' StackGAN-v1 code predicts log sigma too; it averages the
    terms over the dimensions where this is the KL itself, their sum). Shapes
    ``(batch, n_g)``; ``reduction="none"`` gives ``(batch,)``, the default ``"mean"`` a scalar
    as the module's other losses. The Gaussian KL of ``gaussian_kl`` with
    log_var = 2 log sigma. See chapter 7.3.
    """
    log_sigma = tf.cast(tf.convert_to_tensor(log_sigma), tf.float32)
    return gaussian_kl(mu, 2.0 * log_sigma, reduction=reduction)


def _pixel_statistics(images, name):
    """Per-image mean ``(batch, C)`` and covariance ``(batch, C, C)`` over the pixels (divided
    by the number of pixels N, as arXiv:1710.10916 section 4.3 defines them)."""
    x = _logits(images, name)
    if x.shape.rank != 4:
        raise ValueError(f"{name} must be images of shape (batch, height, width, channels), got "
                         f"shape {tuple(x.shape)}")
    pixels = tf.reshape(x, [tf.shape(x)[0], -1, x.shape[-1]])            # (b, N, C)
    mean = tf.reduce_mean(pixels, axis=1)                                   # (b, C)
    centred = pixels - mean[:, None, :]
    n = tf.cast(tf.shape(pixels)[1], tf.float32)
    cov = tf.einsum("bnc,bnd->bcd", centred, centred) / n                   # (b, C, C)
    return mean, cov


def colour_consistency_loss(images_i, images_prev, lambda1=1.0, lambda2=5.0, reduction="mean"):
    """StackGAN-v2's colour-consistency regulariser between two scales of the same samples.

    Zhang et al., StackGAN++ (arXiv:1710.10916), section 4.3: for each sample j, mu and Sigma
    are the mean and covariance of its pixels x_k (N pixels, C = 3 colour values each),
    mu = sum_k x_k / N and Sigma = sum_k (x_k - mu)(x_k - mu)^T / N, and
    L_Ci = 1/n sum_j lambda1 ||mu_{s_i^j} - mu_{s_(i-1)^j}||_2^2
                     + lambda2 ||Sigma_{s_i^j} - Sigma_{s_(i-1)^j}||_F^2,
    with lambda1 = 1 and lambda2 = 5. The statistics are per image, so the two scales need no
    resizing (``images_i`` is the finer, e.g. (b, 64, 64, 3), ``images_prev`` the coarser,
    e.g. (b, 32, 32, 3)); the 1/n batch mean is ``reduction`` ("none": ``(batch,)``).
    Both images get gradients. (The authors' code takes the MSE, i.e. the norms divided by C and
    C^2, and stops the coarser image's gradient; this follows the paper's definition.)
    See chapter 7.3.
    """
    mean_i, cov_i = _pixel_statistics(images_i, "images_i")
    mean_p, cov_p = _pixel_statistics(images_prev, "images_prev")
    if mean_i.shape[-1] != mean_p.shape[-1]:
        raise ValueError(f"images_i and images_prev must have one channel count, got "
                         f"{mean_i.shape[-1]} and {mean_p.shape[-1]}")
    per_example = (lambda1 * tf.reduce_sum(tf.square(mean_i - mean_p), axis=-1)
                   + lambda2 * tf.reduce_sum(tf.square(cov_i - cov_p), axis=[1, 2]))
    return _reduce(per_example, reduction)


# -- the structured joint embedding of images and text (chapter 7.1) --------------------------

JOINT_NEGATIVES = ("max", "mean")


def joint_embedding_loss(image_emb, text_emb, classes, negatives="max", reduction="mean"):
    """The symmetric structured joint embedding loss of Reed et al., "Learning Deep
    Representations of Fine-Grained Visual Descriptions" (arXiv:1605.05395, section 3), on one
    minibatch.

    The paper: compatibility F(v, t) = theta(v)^T phi(t); classifiers f_v(v) = argmax_y
    E_{t ~ T(y)} F(v, t) and f_t(t) = argmax_y E_{v ~ V(y)} F(v, t); the objective
    1/N sum_n Delta(y_n, f_v(v_n)) + Delta(y_n, f_t(t_n)) with the 0-1 loss Delta, minimised
    through its hinge surrogates
    l_v(v_n, t_n, y_n) = max_y (0, Delta(y_n, y) + E_{t ~ T(y)}[F(v_n, t) - F(v_n, t_n)]),
    l_t(v_n, t_n, y_n) = max_y (0, Delta(y_n, y) + E_{v ~ V(y)}[F(v, t_n) - F(v_n, t_n)]).

    Minibatch form used here: row n is one image ``image_emb[n]`` = theta(v_n), one of its
    captions ``text_emb[n]`` = phi(t_n) (both ``(batch, d)``) and its class ``classes[n]``.
    The classes y compared against are those present in the batch, and E_{t ~ T(y)} (E_{v ~
    V(y)}) is the mean over the batch's captions (images) of class y. Per row the loss is
    l_v + l_t, shape ``(batch,)`` with ``reduction="none"``; a row with a class of its own has
    E_{t ~ T(y_n)} F(v_n, t) = F(v_n, t_n), so its own-class term is 0 as in the paper.
    ``negatives="max"`` is the paper's max over y; ``"mean"`` replaces it by the mean of the
    hinge over the batch's classes y != y_n (the released code sums the hinges over the
    classes, then divides by their number), which gives every wrong class a gradient.

    ``classes``: integer ``(batch,)``, or ``(batch, A)`` attribute tuples, two rows being of one
    class when all A attributes are equal. For the scenes the class is the image's whole
    attribute tuple (item class, colour, size, position, background): Delta is then 1 for a
    caption and an image that differ in any attribute, so the embedding must separate every
    attribute the GANs are conditioned on. With the item class alone Delta would be 0 between a
    red and a blue sneaker and the expectation over T(y) would average colours away: nothing
    would make phi(t) say "red". Reed et al. use the bird or flower species, which on their data
    fixes the appearance the captions describe.

    Only the rows of this batch (this replica's rows under ``tf.distribute``) serve as each
    other's negatives. See chapter 7.1.
    """
    v = _logits(image_emb, "image_emb")
    t = _logits(text_emb, "text_emb")
    if v.shape.rank != 2 or t.shape.rank != 2 or v.shape != t.shape:
        raise ValueError(f"image_emb and text_emb must both have shape (batch, d), received "
                         f"{tuple(v.shape)} and {tuple(t.shape)}")
    if negatives not in JOINT_NEGATIVES:
        raise ValueError(f"unknown negatives {negatives!r}; expected one of {JOINT_NEGATIVES}")
    c = tf.convert_to_tensor(classes)
    if c.dtype.is_floating or c.dtype == tf.bool or c.shape.rank not in (1, 2) \
            or (c.shape[0] is not None and v.shape[0] is not None and c.shape[0] != v.shape[0]):
        raise ValueError(f"classes must be integers of shape (batch,) or (batch, attributes) "
                         f"with batch = {v.shape[0]}, received dtype {c.dtype.name} and shape "
                         f"{tuple(c.shape)}")
    if c.shape.rank == 1:
        c = c[:, None]
    same = tf.reduce_all(tf.equal(c[:, None, :], c[None, :, :]), axis=-1)   # (b, b)
    same_f = tf.cast(same, tf.float32)
    count = tf.reduce_sum(same_f, axis=0)                 # rows of each row's class
    scores = tf.matmul(v, t, transpose_b=True)            # S[i, j] = F(v_i, t_j)
    diag = tf.linalg.diag_part(scores)
    # V[i, j] = mean over captions k of class y_j of F(v_i, t_k); T[i, j] = mean over images k
    # of class y_i of F(v_k, t_j).
    by_text_class = tf.matmul(scores, same_f) / count[None, :]
    by_image_class = tf.matmul(same_f, scores) / count[:, None]
    delta = 1.0 - same_f
    hinge_v = tf.nn.relu(delta + by_text_class - diag[:, None])      # (image i, class of j)
    hinge_t = tf.nn.relu(delta + by_image_class - diag[None, :])     # (class of i, text j)
    if negatives == "max":
        loss_v = tf.reduce_max(hinge_v, axis=1)
        loss_t = tf.reduce_max(hinge_t, axis=0)
    else:
        # each wrong class once: weight the columns (rows) of class y by 1 / count(y)
        n_wrong = tf.reduce_sum(delta / count[None, :], axis=1)
        loss_v = tf.reduce_sum(hinge_v * delta / count[None, :], axis=1) \
            / tf.maximum(n_wrong, 1.0)
        loss_t = tf.reduce_sum(hinge_t * delta / count[:, None], axis=0) \
            / tf.maximum(n_wrong, 1.0)
    return _reduce(loss_v + loss_t, reduction)


# -- StarGAN: domain classification and reconstruction (chapter 8.4) --------------------------

def domain_label_groups(label_sizes, multi_label):
    """``[(offset, size, multi), ...]``: where each data set's labels sit in StarGAN's label
    vector (``label_sizes`` one int or one per data set, ``multi_label`` one bool or one per
    data set), after checking both (``ValueError``). See chapter 8.4."""
    sizes = ((label_sizes,) if np.ndim(label_sizes) == 0 else tuple(label_sizes))
    if not sizes or any(isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer))
                        or s < 1 for s in sizes):
        raise ValueError(f"label_sizes must be a positive int or a tuple of them (one per data "
                         f"set), got {label_sizes!r}")
    sizes = tuple(int(s) for s in sizes)
    multi = ((multi_label,) * len(sizes) if np.ndim(multi_label) == 0 else tuple(multi_label))
    if len(multi) != len(sizes) or not all(isinstance(m, (bool, np.bool_)) for m in multi):
        raise ValueError(f"multi_label must be a bool or {len(sizes)} bools (one per data set), "
                         f"got {multi_label!r}")
    offsets = [sum(sizes[:k]) for k in range(len(sizes))]
    return list(zip(offsets, sizes, (bool(m) for m in multi)))


def domain_classification_loss(logits, labels, label_sizes, multi_label=True,
                               dataset_index=None, reduction="mean"):
    """StarGAN's domain classification loss -log D_cls(c | x) (Choi et al., arXiv:1711.09020,
    eqs. 2-3), with the mask vector's selection for several data sets (section 3.2).

    ``logits`` ``(batch, n)`` are D_cls's outputs for every label of every data set,
    ``n = sum(label_sizes)``, data set k's ``label_sizes[k]`` slots after those of data sets
    0..k-1; ``labels`` ``(batch, n)`` the target (or original) labels in the same layout, in
    {0, 1}. Per data set, as the authors' code: ``multi_label`` (CelebA's attributes) is the sum
    over its slots of the sigmoid binary cross-entropies; otherwise (RaFD's expressions) the
    softmax cross-entropy over its slots against its one-hot label. ``dataset_index`` ``(batch,)``
    (int in ``[0, len(label_sizes))``) says which data set each example comes from: only that data
    set's term counts, so the other slots' logits and labels have no effect (the mask vector's
    "ignore unspecified labels"); ``None`` means one data set (or every term counts).
    ``reduction="none"`` gives ``(batch,)``. See chapter 8.4.
    """
    logits = _logits(logits, "logits")
    labels = tf.cast(tf.convert_to_tensor(labels), tf.float32)
    groups = domain_label_groups(label_sizes, multi_label)
    n = sum(size for _, size, _ in groups)
    if logits.shape.rank != 2 or logits.shape[-1] != n or labels.shape[-1:] != (n,):
        raise ValueError(f"logits and labels must have shape (batch, {n}) (sum of label_sizes "
                         f"{[s for _, s, _ in groups]}), got {tuple(logits.shape)} and "
                         f"{tuple(labels.shape)}")
    total = tf.zeros_like(logits[:, 0])
    for k, (offset, size, multi) in enumerate(groups):
        lg, lb = logits[:, offset:offset + size], labels[:, offset:offset + size]
        if multi:
            term = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(lb, lg), axis=-1)
        else:
            term = tf.nn.softmax_cross_entropy_with_logits(lb, lg)
        if dataset_index is not None:
            term = tf.where(tf.equal(tf.cast(dataset_index, tf.int32), k), term,
                            tf.zeros_like(term))
        total += term
    return _reduce(total, reduction)


def l1_loss(x, reconstruction, reduction="mean"):
    """Mean absolute difference per example, over all non-batch axes, in float32: the L1 terms
    of chapter 8 as the authors' code takes them (the mean over pixels and channels, which
    their lambdas are set for): Pix2Pix's L_L1 = ||y - G(x)||_1 (Isola et al., arXiv:1611.07004,
    eq. 3; lambda = 100), CycleGAN's cycle and identity losses (arXiv:1703.10593, eq. 2) and
    StarGAN's L_rec = ||x - G(G(x, c), c')||_1 (Choi et al., arXiv:1711.09020, eq. 4;
    ``torch.mean(torch.abs(x_real - x_reconst))``, lambda_rec = 10). Shapes ``(batch, ...)``
    alike; ``reduction="none"`` gives ``(batch,)``. See chapter 8."""
    x = _logits(x, "x")
    reconstruction = _logits(reconstruction, "reconstruction")
    if x.shape != reconstruction.shape:
        raise ValueError(f"x and reconstruction must have one shape, got {tuple(x.shape)} and "
                         f"{tuple(reconstruction.shape)}")
    return _reduce(_per_example(tf.abs(x - reconstruction)), reduction)


def projection_loss(images, targets, features=None, target_features=None, lam=0.002,
                    reduction="mean"):
    """iGAN's reconstruction loss (Zhu et al., arXiv:1609.03552, section 3.1):
    L(x, x') = mean over pixels of (x - x')^2 + lam * mean over features of (C(x) - C(x'))^2,
    per example. ``images``, ``targets``: ``(batch, h, w, c)``; ``features``,
    ``target_features``: C of each, any shape with the batch first, or both ``None`` (pixels
    only). ``lam`` = 0.002 is the authors' code's weight for AlexNet conv4 features, tied to
    that network's scale. Used to project images onto a generator's manifold
    (``gan_tf.manipulation``) and to train the projection encoder (``trainers.ProjectionEncoder``).
    See chapter 8.1."""
    x = _logits(images, "images")
    y = _logits(targets, "targets")
    loss = _per_example(tf.square(x - y))
    if (features is None) != (target_features is None):
        raise ValueError("give both features and target_features, or neither")
    if features is not None:
        f = _logits(features, "features")
        g = _logits(target_features, "target_features")
        loss = loss + lam * _per_example(tf.square(f - g))
    return _reduce(loss, reduction)
