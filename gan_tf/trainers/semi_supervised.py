"""The semi-supervised GAN on the shared loop: the discriminator is also a K-class classifier.

D/C has K + 1 classes, the K real ones and "fake" (the last). Two variants (``variant=``):

- ``"odena"``: Odena 2016 (arXiv:1606.01583), Algorithm 1. D/C minimises the negative
  log-likelihood of its K + 1-way softmax on a minibatch of m labelled real examples (their
  class) and m generated ones (class "fake"); G is unconditional and maximises that NLL on its
  fakes, here with the non-saturating form -log(1 - p(fake | G(z))) (``compile(loss=
  "minimax")``: log p(fake | G(z)), the NLL's negative as written). Algorithm 1 draws labelled
  pairs (x, y) only and has no term for an unlabelled real image, so this variant does not score
  the batch's unlabelled images (they only set the epoch's length); the paper's experiments vary
  how many labelled examples that set holds.
- ``"salimans"``: Salimans et al. 2016 (arXiv:1606.03498), section 5 with section 3.1's feature
  matching. D/C minimises L_supervised + ``unsupervised_weight`` * L_unsupervised:
  -log p(y | x, y < K + 1) on the labelled images, -log(1 - p(K + 1 | x)) on the *unlabelled*
  real images and -log p(K + 1 | G(z)) on the fakes. G minimises ||E f(x) - E f(G(z))||^2,
  f an intermediate layer of D (``feature_layer``), x the unlabelled minibatch. Their code
  halves L_unsupervised (``unsupervised_weight=0.5`` reproduces it); the paper's equation does
  not, hence the default 1.

The parametrisation follows D's output width, for either variant: K + 1 logits are Odena's
explicit softmax; K logits get Salimans et al.'s fixed 0 logit for "fake", so that
p(fake | x) = 1 / (Z(x) + 1) with Z = sum_k exp l_k (section 5; ``gan_tf.losses.
k_plus_one_probabilities``). Either way the real/fake terms are the GAN losses on the logit
s(x) = logsumexp of the class logits - the fake logit (``gan_tf.losses.real_logit``).

Batches come from ``gan_tf.data.semi_supervised_dataset``: ``(x_unlabelled, (x_labelled,
y_labelled))``. ``split_batch`` returns the unlabelled images as the real minibatch and the
labelled pair as its condition, so the loop splits both into the ``d_steps`` minibatches; m
fakes are made per minibatch of m unlabelled images. The labelled cross-entropy is averaged over
the labelled minibatch (which may hold a different number of images) and added to each of the
m per-example losses. See chapter 6.2.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks
from gan_tf import losses as losses_lib
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN

VARIANTS = ("odena", "salimans")
# the probabilistic families: the real/fake terms are log-likelihoods of the K + 1-way softmax
LIKELIHOOD_LOSSES = ("nonsaturating", "minimax")


class SGAN(GAN):
    """Semi-supervised GAN: ``SGAN(generator, discriminator, n_classes, variant="odena" |
    "salimans", feature_layer=None)`` (see the module docstring for the two algorithms).

    Args:
        generator: ``keras.Model`` z ``(batch, latent_dim)`` -> images (unconditional).
        discriminator: ``keras.Model`` images -> ``(batch, n_classes + 1)`` logits (the last for
            "fake") or ``(batch, n_classes)`` (a fixed 0 logit for "fake").
        n_classes: number of real classes K.
        variant: ``"odena"`` (arXiv:1606.01583, Algorithm 1) or ``"salimans"``
            (arXiv:1606.03498, sections 3.1 and 5).
        feature_layer: ``"salimans"`` only: name of the discriminator layer whose output is f
            in feature matching; default the layer named ``"features"`` if there is one (as in
            ``models.build_sgan_discriminator``), else the input of the output layer (the last
            hidden layer, as in Salimans et al.'s code).
        unsupervised_weight: ``"salimans"`` only: weight of L_unsupervised (default 1, the
            paper's equation; their code used 0.5).
        Others as ``GAN``.

    Extra metrics: ``class_loss`` (the labelled cross-entropy) and ``d_class_accuracy`` (D/C's
    accuracy on the labelled minibatch). ``classify(x)`` gives p(y | x, y < K + 1) and
    ``predict_classes(x)`` its argmax, D/C used as the classifier. See chapter 6.2.
    """

    def __init__(self, generator, discriminator, n_classes, variant="odena", feature_layer=None,
                 unsupervised_weight=1.0, latent_dim=None, name="sgan", **kwargs):
        self.n_classes = checks.positive_int(n_classes, "n_classes")
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        if variant != "salimans" and (feature_layer is not None or unsupervised_weight != 1.0):
            raise ValueError("feature_layer and unsupervised_weight belong to "
                             "variant='salimans' (feature matching, L_unsupervised), got "
                             f"variant={variant!r}")
        checks.non_negative(unsupervised_weight, "unsupervised_weight")
        super().__init__(generator, discriminator, latent_dim=latent_dim, name=name, **kwargs)
        self.variant = variant
        self.unsupervised_weight = float(unsupervised_weight)
        self.feature_layer = None
        if variant == "salimans":
            features = self._feature_tensor(discriminator, feature_layer)
            self.feature_model = keras.Model(discriminator.inputs,
                                             [discriminator.outputs[0], features],
                                             name=f"{name}_features")
        self.class_loss_tracker = self.add_tracker("class_loss")
        self.class_accuracy_tracker = self.add_tracker("d_class_accuracy")

    def _feature_tensor(self, discriminator, feature_layer):
        names = [layer.name for layer in discriminator.layers]
        if feature_layer is None:
            feature_layer = "features" if "features" in names else None
        if feature_layer is None:
            self.feature_layer = f"input of {discriminator.layers[-1].name}"
            return discriminator.layers[-1].input
        if feature_layer not in names[1:]:
            raise ValueError(f"feature_layer {feature_layer!r} is not a layer of "
                             f"{discriminator.name}; its layers are {', '.join(names[1:])}")
        self.feature_layer = feature_layer
        return discriminator.get_layer(feature_layer).output

    def network_shapes(self, generator, discriminator, latent_dim):
        latent_dim, g_out = super().network_shapes(generator, discriminator, latent_dim)
        d_out = discriminator.output_shape
        k = self.n_classes
        if isinstance(d_out, list) or len(d_out) != 2 or d_out[-1] not in (k, k + 1):
            raise ValueError(f"{self.name}'s discriminator must return (batch, {k + 1}) logits "
                             f"(K classes + fake) or (batch, {k}) (fake logit fixed at 0) for "
                             f"n_classes={k}, got outputs {d_out}")
        return latent_dim, g_out

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, **kwargs):
        """``GAN.compile``; ``loss`` is ``"nonsaturating"`` (default) or ``"minimax"``, the form
        of Odena's generator loss (the real/fake terms are log-likelihoods of D/C's softmax;
        Salimans et al.'s G uses feature matching, whatever the family)."""
        if loss is not None and not (isinstance(loss, str) and loss in LIKELIHOOD_LOSSES):
            raise ValueError(f"{self.name} takes loss in {LIKELIHOOD_LOSSES} (its real/fake terms"
                             f" are log-likelihoods of the K + 1-way softmax), got {loss!r}")
        super().compile(d_optimizer, g_optimizer, loss=loss, **kwargs)

    # -- the batch -----------------------------------------------------------------------

    def _structure_error(self, data):
        return ValueError(f"{self.name} trains on (x_unlabelled, (x_labelled, y_labelled)) "
                          f"batches, received {type(data).__name__} "
                          f"{getattr(data, 'shape', '')}; build them with "
                          f"gan_tf.data.semi_supervised_dataset")

    def split_batch(self, data):
        """``(x_unlabelled, (x_labelled, y_labelled))``: the unlabelled images are the real
        minibatch, the labelled pair its condition."""
        if (isinstance(data, (tuple, list)) and len(data) == 1
                and isinstance(data[0], (tuple, list))):
            data = data[0]
        if not (isinstance(data, (tuple, list)) and len(data) >= 2
                and isinstance(data[1], (tuple, list)) and len(data[1]) == 2):
            raise self._structure_error(data)
        return data[0], (data[1][0], data[1][1])

    def check_input(self, x):
        """``GAN.check_input`` on the unlabelled images, then the labelled ones (shape, dtype,
        range) and their labels (integers in ``[0, n_classes)``, one per image)."""
        if x is None:
            return
        batch = next(iter(x.take(1)), None) if isinstance(x, tf.data.Dataset) else x
        if batch is None:
            return super().check_input(x)          # an empty dataset: GAN's message
        x_l, y_l = self.split_batch(batch)[1]
        super().check_input(x)
        x_l = tf.convert_to_tensor(x_l)
        what = f"{self.name} (labelled images)"
        _common.check_batch_spec(x_l, self.sample_shape, what)
        if len(self.sample_shape) == 3:
            checks.check_image_range(x_l, what)
        else:
            checks.check_finite(x_l, what)
        checks.check_labels(y_l, self.n_classes, f"{self.name} (labelled batch)", n=len(x_l))
        min_batch, needs = self.batch_needs()
        if len(x_l) < min_batch:       # an empty labelled minibatch gives NaN losses
            raise ValueError(f"{self.name} needs labelled batches of at least {min_batch} "
                             f"images ({needs}), received {len(x_l)}; raise "
                             f"labelled_batch_size")
        return None

    # -- the discriminator/classifier -------------------------------------------------------

    def _score(self, x, training):
        """``{"logits": D's logits, "features": f(x)}`` (features for ``"salimans"`` only)."""
        if self.variant == "odena":
            return {"logits": self.discriminator(x, training=training)}
        logits, features = self.feature_model(x, training=training)
        return {"logits": logits, "features": features}

    def discriminate(self, x, condition=None, training=True):
        """D/C on images ``x`` (fakes): ``{"logits", "features"}``. On a real minibatch
        (``condition = (x_labelled, y_labelled)``) also ``"labelled"``, the labelled images'
        logits: ``"salimans"`` scores the unlabelled and the labelled images in one pass;
        ``"odena"`` scores the labelled images alone (its algorithm has no unlabelled term)."""
        if condition is None:
            return self._score(x, training)
        x_l = tf.cast(condition[0], x.dtype)
        if self.variant == "odena":
            return {"labelled": self.discriminator(x_l, training=training)}
        n = tf.shape(x)[0]
        out = self._score(tf.concat([x, x_l], axis=0), training)
        return {"logits": out["logits"][:n], "features": out["features"][:n],
                "labelled": out["logits"][n:]}

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        """Per fake (m,): the labelled cross-entropy (mean over the labelled minibatch) + the
        fake's -log p(fake | G(z)) (+ for ``"salimans"`` the unlabelled image's
        -log(1 - p(fake | x)), both weighted by ``unsupervised_weight``)."""
        odena = self.variant == "odena"
        labels = real_condition[1]
        labelled = losses_lib.sgan_labelled_loss(real_logits["labelled"], labels,
                                                 self.n_classes, include_fake=odena,
                                                 reduction="none")
        self.class_loss_tracker.update_state(labelled)
        hit = tf.equal(tf.argmax(real_logits["labelled"][:, :self.n_classes], axis=-1,
                                 output_type=tf.int32), tf.cast(labels, tf.int32))
        self.class_accuracy_tracker.update_state(tf.cast(hit, tf.float32))
        supervised = tf.reduce_mean(labelled)
        if odena:
            return supervised + losses_lib.sgan_fake_loss(fake_logits["logits"], self.n_classes,
                                                          reduction="none")
        unsupervised = losses_lib.sgan_unsupervised_loss(
            real_logits["logits"], fake_logits["logits"], self.n_classes, reduction="none")
        return supervised + self.unsupervised_weight * unsupervised

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """``"odena"``: the family's generator loss on s(G(z)) (non-saturating:
        -log(1 - p(fake | G(z)))). ``"salimans"``: feature matching against the unlabelled
        minibatch ``real`` (one batch statistic, given to each of the m fakes; under a
        ``tf.distribute`` strategy each replica matches its own minibatch's means)."""
        if self.variant == "odena":
            s = losses_lib.real_logit(fake_logits["logits"], self.n_classes)
            return self.g_loss_fn(None, s, reduction="none")
        real_features = tf.stop_gradient(self._score(real, True)["features"])
        matching = losses_lib.feature_matching_loss(real_features, fake_logits["features"])
        return matching * tf.ones([tf.shape(fake)[0]], matching.dtype)

    # -- D/C as a classifier --------------------------------------------------------------

    def classify(self, x, batch_size=256):
        """p(y | x, y < K + 1) for images ``x``: the softmax of D/C's K class logits (the fake
        logit left out), a NumPy array ``(n, n_classes)``."""
        logits = _common.batched(
            lambda b: self.discriminator(b, training=False)[:, :self.n_classes], x,
            self.sample_shape, f"{self.name}.classify", batch_size)
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def predict_classes(self, x, batch_size=256):
        """The predicted class of each image (argmax of the K class logits), int32."""
        return np.argmax(self.classify(x, batch_size), axis=-1).astype(np.int32)
