"""Class-conditional GANs on the shared loop: the condition travels with the batch.

- ``ConditionalGAN``: Mirza & Osindero 2014 (arXiv:1411.1784), eq. 2:
  min_G max_D E_x[log D(x | y)] + E_z[log(1 - D(G(z | y) | y))]. The label y (one-hot) is an
  input of *both* networks: G takes ``[z, y]``, D takes ``[x, y]`` (section 3.2: "y is fed into
  both the discriminator and generator as additional input layer"). The labels of the fakes are
  drawn from their prior (uniform over the classes) with the trainer's seed generator, so a
  checkpoint keeps their stream like the noise's.
- ``ACGAN``: Odena, Olah & Shlens 2016 (arXiv:1610.09585), eqs. 2-3: G takes ``[z, y]``, D sees
  the image alone and returns a source logit and class logits; both networks maximise the
  log-likelihood of the correct class on real and generated images.

Batches are ``(images, labels)`` with integer labels in ``[0, n_classes)`` (as
``gan_tf.data.labelled_dataset`` or ``to_dataset(images, labels)`` make them); the trainer one-hots
them. ``sample(n, labels=...)`` generates the requested classes. See chapters 6.1 and 6.2.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks
from gan_tf import losses as losses_lib
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN


def one_hot(labels, n_classes, dtype="float32"):
    """Integer labels ``(n,)`` -> one-hot rows ``(n, n_classes)``."""
    return tf.one_hot(tf.cast(labels, tf.int32), n_classes, dtype=dtype)


class LabelledGAN(GAN):
    """Base of the trainers whose batches carry class labels (cGAN, AC-GAN): ``(images,
    labels)`` batches, labels of the fakes drawn uniformly from the ``n_classes`` classes, the
    labels of the first batch checked by ``fit``, ``sample(n, labels=...)``. Subclasses say
    how the networks see the label. See chapter 6.1."""

    def __init__(self, generator, discriminator, n_classes, latent_dim=None, **kwargs):
        self.n_classes = checks.positive_int(n_classes, "n_classes")
        super().__init__(generator, discriminator, latent_dim=latent_dim, **kwargs)

    def fit(self, x=None, y=None, *args, **kwargs):
        """``GAN.fit`` on ``(images, labels)``: a dataset of such batches, ``fit(images,
        labels)`` or ``fit((images, labels))``; labels are integers in ``[0, n_classes)``."""
        x = _common.pair_fit_data(x, y, self.name, "labels")
        return super().fit(x, None, *args, **kwargs)

    def split_batch(self, data):
        return _common.split_pair(data, self.name, "labels",
                                  "gan_tf.data.labelled_dataset(images, labels)")

    def draw_labels(self, n):
        """``n`` labels from the uniform prior over the classes (int32), from the seed
        generator; each replica takes its rows of one global draw."""
        return _common.draw_categories(self.seed_generator, n, self.n_classes)

    def check_input(self, x):
        super().check_input(x)
        _common.check_labelled_input(x, self.n_classes, self.name, self.split_batch)

    def sample_labels(self, n, seed, labels=None):
        """The labels of ``sample``: ``labels`` (one int for all, or ``n`` of them), checked;
        by default the classes in turn (0, 1, ..., n_classes - 1, 0, ...)."""
        return _common.requested_labels(labels, n, self.n_classes, f"{self.name}.sample")


    def generator_latent_dim(self, generator, latent_dim):
        """``latent_dim`` after checking that ``generator`` takes ``[z, y]``: z of that size
        (its own if ``None``) and one-hot rows y of ``n_classes``."""
        g_in = generator.input_shape
        if not (isinstance(g_in, list) and len(g_in) == 2):
            raise ValueError(f"{self.name}'s generator must take [z, y] (two inputs), got "
                             f"inputs {g_in}")
        if tuple(g_in[1][1:]) != (self.n_classes,):
            raise ValueError(f"{self.name}'s generator takes y of shape {tuple(g_in[1][1:])}, "
                             f"expected ({self.n_classes},) one-hot rows for n_classes="
                             f"{self.n_classes}")
        if latent_dim is None:
            latent_dim = g_in[0][-1]
        if latent_dim != g_in[0][-1]:
            raise ValueError(f"latent_dim={latent_dim} but the generator expects z of size "
                             f"{g_in[0][-1]}")
        return latent_dim

    def sample_latent(self, n, condition=None):
        """``[z, y]``: z ~ N(0, I) and one-hot labels drawn uniformly (the prior p(y))."""
        z = super().sample_latent(n)
        return [z, one_hot(self.draw_labels(n), self.n_classes, z.dtype)]

    def fake_condition(self, latent):
        return latent[1]

    def sampling_latent(self, n, seed, labels=None):
        labels = self.sample_labels(n, seed, labels)
        z = keras.random.normal((int(n), self.latent_dim), seed=seed)
        return [z, one_hot(labels, self.n_classes)]


class ConditionalGAN(LabelledGAN):
    """cGAN (arXiv:1411.1784, eq. 2): ``generator([z, y])`` and ``discriminator([x, y])`` with
    y one-hot ``(batch, n_classes)``; the loss family of ``GAN`` (non-saturating by default;
    ``loss="minimax"`` is the paper's eq. 2 as written). The fakes' labels are drawn uniformly.

    Args:
        generator: ``keras.Model`` with inputs ``[z (batch, latent_dim), y (batch, n_classes)]``.
        discriminator: ``keras.Model`` with inputs ``[x (batch, *image_shape), y]`` -> logit.
        n_classes: number of classes K.
        Others as ``GAN``.

    ``models.build_cgan_mlp_generator/discriminator`` are the paper's MNIST networks and
    ``models.build_conditional_dcgan_generator/discriminator`` the book's DCGAN with the label
    concatenated to z and, as K constant planes, to the image. See chapter 6.1.
    """

    def __init__(self, generator, discriminator, n_classes, latent_dim=None, name="cgan",
                 **kwargs):
        super().__init__(generator, discriminator, n_classes, latent_dim=latent_dim, name=name,
                         **kwargs)

    def network_shapes(self, generator, discriminator, latent_dim):
        latent_dim = self.generator_latent_dim(generator, latent_dim)
        d_in = discriminator.input_shape
        if not (isinstance(d_in, list) and len(d_in) == 2):
            raise ValueError(f"{self.name}'s discriminator must take [x, y] (two inputs), got "
                             f"inputs {d_in}")
        if tuple(d_in[1][1:]) != (self.n_classes,):
            raise ValueError(f"{self.name}'s discriminator takes y of shape "
                             f"{tuple(d_in[1][1:])}, expected ({self.n_classes},) one-hot rows "
                             f"for n_classes={self.n_classes}")
        g_out = tuple(generator.output_shape[1:])
        if tuple(d_in[0][1:]) != g_out:
            raise ValueError(f"generator output shape {g_out} does not match discriminator "
                             f"input shape {tuple(d_in[0][1:])}")
        return latent_dim, g_out

    def discriminate(self, x, condition=None, training=True):
        if condition is None:
            raise ValueError(f"{self.name}'s discriminator needs the label of every image")
        if condition.shape.rank == 1:      # integer labels of real images
            condition = one_hot(condition, self.n_classes, x.dtype)
        return self.discriminator([x, tf.cast(condition, x.dtype)], training=training)


class ACGAN(LabelledGAN):
    """AC-GAN, the auxiliary classifier GAN (Odena, Olah & Shlens, arXiv:1610.09585, section 3).

    G takes ``[z, y]`` (noise and the one-hot class c ~ p_c; the paper concatenates them); the
    fakes' classes are drawn uniformly by ``draw_labels``. D is *not* told the class: it returns
    two heads, ``(source_logit (batch, 1), class_logits (batch, K))``, P(S | X) and P(C | X).
    With eq. 2, L_S = E[log P(S = real | X_real)] + E[log P(S = fake | X_fake)], and eq. 3,
    L_C = E[log P(C = c | X_real)] + E[log P(C = c | X_fake)], D maximises L_S + L_C and G
    maximises L_C - L_S. Per example, as minimised here:

    - D: the source loss of the loss family (``"nonsaturating"``/``"minimax"``: the binary
      cross-entropy -log D(x) - log(1 - D(G(z, c)))) + the class cross-entropy on the real image
      (its own label) + on the fake (the class it was generated from);
    - G: the family's generator source loss + the class cross-entropy on the fake. The default
      ``"nonsaturating"`` replaces G's -L_S term, log(1 - D(G(z))), by -log D(G(z)) (the usual
      trick of arXiv:1406.2661, section 3, which keeps G's gradients alive early on);
      ``compile(loss="minimax")`` is eq. 2 as written. Any family of ``gan_tf.losses`` sets the
      source term; the class terms stay the log-likelihood of eq. 3.

    Batches are ``(images, labels)``, as for ``ConditionalGAN``; ``sample(n, labels=...)``
    generates the requested classes and ``predict_classes(x)`` is D's auxiliary classifier.
    Extra metrics: ``class_loss`` (D's class cross-entropy, real + fake) and
    ``d_class_accuracy`` (its accuracy on the real images).

    Args:
        generator: ``keras.Model`` with inputs ``[z (batch, latent_dim), y (batch, n_classes)]``.
        discriminator: ``keras.Model`` image -> ``[source_logit (batch, 1), class_logits
            (batch, n_classes)]``.
        n_classes: number of classes K.
        Others as ``GAN``.

    ``models.build_acgan_generator/discriminator`` adapt the paper's CIFAR-10 networks to 28x28
    images. See chapter 6.2.
    """

    def __init__(self, generator, discriminator, n_classes, latent_dim=None, name="acgan",
                 **kwargs):
        super().__init__(generator, discriminator, n_classes, latent_dim=latent_dim, name=name,
                         **kwargs)
        self.class_loss_tracker = self.add_tracker("class_loss")
        self.class_accuracy_tracker = self.add_tracker("d_class_accuracy")

    def network_shapes(self, generator, discriminator, latent_dim):
        latent_dim = self.generator_latent_dim(generator, latent_dim)
        d_in, d_out = discriminator.input_shape, discriminator.output_shape
        if isinstance(d_in, list):
            raise ValueError(f"{self.name}'s discriminator must take the image alone (AC-GAN's "
                             f"D is not told the class), got inputs {d_in}")
        heads = [tuple(s[1:]) for s in d_out] if isinstance(d_out, list) else None
        if heads != [(1,), (self.n_classes,)]:
            raise ValueError(f"{self.name}'s discriminator must return [source logit (batch, 1),"
                             f" class logits (batch, {self.n_classes})], got outputs {d_out}")
        g_out = tuple(generator.output_shape[1:])
        if tuple(d_in[1:]) != g_out:
            raise ValueError(f"generator output shape {g_out} does not match discriminator "
                             f"input shape {tuple(d_in[1:])}")
        return latent_dim, g_out

    def discriminate(self, x, condition=None, training=True):
        """``(source_logit, class_logits)`` of D(x); the condition is not shown to D."""
        source, classes = self.discriminator(x, training=training)
        return source, classes

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        """-(L_S + L_C) per example (eqs. 2-3): source loss + class cross-entropy on the real
        image (its label) and on the fake (its drawn class)."""
        source = self.d_loss_fn(real_logits[0], fake_logits[0], reduction="none")
        class_real = losses_lib.class_cross_entropy(real_logits[1], real_condition, "none")
        class_fake = losses_lib.class_cross_entropy(fake_logits[1], fake_condition, "none")
        self.class_loss_tracker.update_state(class_real + class_fake)
        hit = tf.equal(tf.argmax(real_logits[1], axis=-1, output_type=tf.int32),
                       tf.cast(real_condition, tf.int32))
        self.class_accuracy_tracker.update_state(tf.cast(hit, tf.float32))
        return source + class_real + class_fake

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """-(L_C - L_S) per example: the family's generator source loss (non-saturating by
        default) + the class cross-entropy of the fake's drawn class."""
        source = self.g_loss_fn(None, fake_logits[0], reduction="none")
        return source + losses_lib.class_cross_entropy(fake_logits[1], fake_condition, "none")

    def predict_classes(self, x, batch_size=256):
        """D's auxiliary classifier: argmax of the class logits of images ``x``, as int32."""
        logits = _common.batched(lambda b: self.discriminator(b, training=False)[1], x,
                                 self.sample_shape, f"{self.name}.predict_classes", batch_size)
        return np.argmax(logits, axis=-1).astype(np.int32)
