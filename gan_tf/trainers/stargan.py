"""StarGAN: one generator for translation between many domains, with its own train step.

Choi, Choi, Kim, Ha, Kim & Choo, "StarGAN: Unified Generative Adversarial Networks for
Multi-Domain Image-to-Image Translation" (arXiv:1711.09020, CVPR 2018).

**Networks.** One generator G([x, c]) for every domain: ``c`` is the target domain's label
vector ``(batch, label_dim)``, which the generator replicates over the pixels and concatenates to
the image channels (``gan_tf.layers.TileLabels``; appendix 7.2). One discriminator D(x) ->
``[src, cls]``: D_src a patch map of realness scores (a WGAN critic: no sigmoid, no batch norm)
and D_cls the logits of every domain label (``(batch, n_labels)``, or ``(batch, 1, 1,
n_labels)`` from a convolutional head), figure 3.

**Losses** (section 3.1 with the WGAN-GP objective of section 4, eq. 8):

- D minimises  E[D_src(G(x, c))] - E[D_src(x)] + lambda_gp E[(||grad D_src(x_hat)||_2 - 1)^2]
  + lambda_cls L_cls^r, with L_cls^r = E[-log D_cls(c' | x)] on real images and their own
  labels c' (eq. 2), x_hat on the line between x and G(x, c) with alpha ~ U[0, 1] per example;
- G minimises  -E[D_src(G(x, c))] + lambda_cls L_cls^f + lambda_rec L_rec, with
  L_cls^f = E[-log D_cls(c | G(x, c))] (eq. 3) and L_rec = ||x - G(G(x, c), c')||_1 (eq. 4),
  the reconstruction through the *same* generator with the original label c';
- lambda_cls = 1, lambda_rec = 10, lambda_gp = 10; ``n_critic = d_steps = 5`` critic updates
  per generator update; Adam(1e-4, beta_1 = 0.5, beta_2 = 0.999) for both (section 5).
  ``compile(total_steps=T)`` adds the paper's schedule: the learning rate constant for the first
  half, then decayed linearly to 0 (``trainers.LinearDecay``).

The classification loss (``losses.domain_classification_loss``) is, per data set, the sum of
per-attribute sigmoid cross-entropies for multi-label data (CelebA's attributes:
``multi_label=True``) or the softmax cross-entropy for single-label data (RaFD's expressions:
``multi_label=False``), as the authors' code. L_rec is the mean absolute error over the pixels,
as the authors' code takes it (lambda_rec = 10 is set for that mean, not for the sum).

**Target labels** are the batch's own labels shuffled (the authors' code: ``c_trg =
c_org[randperm]``), the permutation drawn from the trainer's ``SeedGenerator`` (argsort of
uniforms). Under ``tf.distribute`` every replica gathers the global minibatch's labels and draws
the global permutation, so N replicas pick the targets of one device.

**Mask vector** (section 3.2). With several data sets whose label sets differ
(``label_sizes=(5, 8)``: CelebA's 5 attributes and RaFD's 8 expressions), the label vector
the networks see is c~ = [c_1, ..., c_n, m]: each data set's slots in turn (the unknown ones
zero), then m, a one-hot vector over the data sets (label_dim = sum(label_sizes) + n). D_cls
predicts every data set's labels, and the classification loss counts only the slots of the
sample's own data set (of the target's for fakes). Training alternates data sets: feed batches
that come from one data set at a time, alternating (``gan_tf.data``'s StarGAN batches). The
authors' loop interleaves single critic updates (CelebA, RaFD, CelebA, ...) and trains G on each
data set every n_critic iterations; alternating batches here give ``d_steps`` critic updates on
one data set, then a generator update on it, then the same on the other: the same number of
updates per data set, in blocks. A batch mixing data sets also trains, the selection being per
example (its shuffled targets may then come from another data set than the image).

**Batches.** One data set: ``(images, labels)``; several: ``(images, labels, dataset_index)``,
with images ``(b, H, W, C)`` in [-1, 1], labels ``(b, sum(label_sizes))`` in {0, 1} (a data
set's slots hold its multi-hot attributes, or a one-hot row for a single-label data set; the
other data sets' slots are ignored) and dataset_index ``(b,)`` integers in [0, n). Each step
splits its batch into ``d_steps`` minibatches (every ``d_steps``-th example, as ``GAN``): a
critic update on each, then the generator update on the last minibatch with that critic
update's target labels (the authors' loop: G is trained after the n_critic-th critic update, on
its batch and targets). Feed batches of ``d_steps * m`` (the paper's m = 16).

Metrics: ``d_loss``, ``d_adv`` (the critic's Wasserstein term E[D(fake)] - E[D(real)]),
``d_cls``, ``gp``, ``g_loss``, ``g_adv``, ``g_cls``, ``rec``.

See chapter 8.4.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, losses, penalties, rng
from gan_tf.trainers import _common


def _default_adam(learning_rate=1e-4):
    # StarGAN's settings (arXiv:1711.09020, section 5)
    return keras.optimizers.Adam(learning_rate, beta_1=0.5, beta_2=0.999)


class StarGAN(keras.Model):
    """StarGAN (arXiv:1711.09020) trained by ``fit()`` on ``(images, labels[, dataset_index])``
    batches (see the module docstring).

    Args:
        generator: ``keras.Model`` ``[images (H, W, C), labels (label_dim,)]`` -> images
            ``(H, W, C)`` in [-1, 1] (it tiles the labels itself: ``layers.TileLabels``).
        discriminator: ``keras.Model`` images -> ``[src, cls]``: a patch map of critic scores
            and ``n_labels = sum(label_sizes)`` label logits; no batch norm (WGAN-GP).
        label_sizes: the number of labels of each data set (an int for one data set).
        multi_label: per data set, True for independent binary attributes (sigmoid
            cross-entropy per label), False for one class among its labels (softmax).
        d_steps: critic updates per generator update (n_critic = 5).
        gp_weight, cls_weight, rec_weight: lambda_gp = 10, lambda_cls = 1, lambda_rec = 10.
        seed: seed of the trainer's ``SeedGenerator`` (target permutations and alpha).

    With several data sets the label vector gets the mask vector: ``label_dim =
    n_labels + len(label_sizes)``; with one, ``label_dim = n_labels``. See chapter 8.4.
    """

    def __init__(self, generator, discriminator, label_sizes, multi_label=True, d_steps=5,
                 gp_weight=10.0, cls_weight=1.0, rec_weight=10.0, seed=None, name="stargan",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        for net, role in ((generator, "generator"), (discriminator, "discriminator")):
            if not isinstance(net, keras.Model):
                raise ValueError(f"{role} must be a keras.Model, got {type(net).__name__}")
        self.groups = losses.domain_label_groups(label_sizes, multi_label)
        self.label_sizes = tuple(size for _, size, _ in self.groups)
        self.multi_label = tuple(multi for _, _, multi in self.groups)
        self.n_sets = len(self.groups)
        self.n_labels = sum(self.label_sizes)
        self.label_dim = self.n_labels + (self.n_sets if self.n_sets > 1 else 0)
        self.d_steps = checks.positive_int(d_steps, "d_steps")
        self.gp_weight = checks.non_negative(gp_weight, "gp_weight")
        self.cls_weight = checks.non_negative(cls_weight, "cls_weight")
        self.rec_weight = checks.non_negative(rec_weight, "rec_weight")
        _common.check_no_batch_norm(discriminator, name)
        self.image_shape = self._check_networks(generator, discriminator)
        self.generator, self.discriminator = generator, discriminator
        # the data set each label slot belongs to
        self._slot_set = tf.constant(np.repeat(np.arange(self.n_sets), self.label_sizes),
                                     tf.int32)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._trackers = [keras.metrics.Mean(name=n) for n in
                          ("d_loss", "d_adv", "d_cls", "gp", "g_loss", "g_adv", "g_cls", "rec")]
        self.d_optimizer = self.g_optimizer = None
        self.built = True

    def _check_networks(self, generator, discriminator):
        """The image shape ``(H, W, C)`` after checking that G takes ``[images, labels]`` with
        labels of ``label_dim`` and returns images of D's input shape, and that D returns
        ``[src, cls]`` with ``n_labels`` logits."""
        g_in = generator.input_shape
        if not (isinstance(g_in, list) and len(g_in) == 2 and len(g_in[0]) == 4):
            raise ValueError(f"{self.name}'s generator must take [images, labels] (images of "
                             f"rank 4 and label vectors), got inputs {g_in}")
        if tuple(g_in[1][1:]) != (self.label_dim,):
            raise ValueError(
                f"{self.name}'s generator takes labels of shape {tuple(g_in[1][1:])}, expected "
                f"({self.label_dim},): label_sizes {list(self.label_sizes)}"
                + (f" + a mask vector of {self.n_sets}" if self.n_sets > 1 else ""))
        d_in = discriminator.input_shape
        if isinstance(d_in, list) or len(d_in) != 4 or None in d_in[1:]:
            raise ValueError(f"{self.name}'s discriminator must take images of one size "
                             f"(batch, H, W, C), got inputs {d_in}")
        image_shape = tuple(d_in[1:])
        for got in (tuple(g_in[0][1:]), tuple(generator.output_shape[1:])):
            if any(a is not None and a != b for a, b in zip(got, image_shape)) \
                    or len(got) != 3:
                raise ValueError(f"{self.name}: the generator's images {got} do not match the "
                                 f"discriminator's input {image_shape}")
        d_out = discriminator.output_shape
        if not (isinstance(d_out, list) and len(d_out) == 2):
            raise ValueError(f"{self.name}'s discriminator must return [src, cls] (a critic "
                             f"map and the label logits), got outputs {d_out}")
        cls = tuple(d_out[1][1:])
        if None in cls or int(np.prod(cls)) != self.n_labels or (len(cls) > 1 and
                                                                 max(cls[:-1]) > 1):
            raise ValueError(f"{self.name}'s discriminator must return {self.n_labels} label "
                             f"logits (sum of label_sizes {list(self.label_sizes)}) as its "
                             f"second output, got shape {cls}")
        return image_shape

    @property
    def metrics(self):
        return list(self._trackers)

    def compile(self, d_optimizer=None, g_optimizer=None, total_steps=None, **kwargs):
        """Set the two optimizers: by default Adam(1e-4, beta_1=0.5, beta_2=0.999), the
        paper's. ``total_steps`` (the number of train steps, i.e. generator updates, of the
        run) gives the default optimizers the paper's linear decay: constant for the first half,
        then linearly to 0 (the critic's schedule counts its ``d_steps`` updates per step).
        Other keyword arguments go to ``keras.Model.compile``."""
        rates = 1e-4, 1e-4
        if total_steps is not None:
            total = checks.positive_int(total_steps, "total_steps")
            rates = (_common.LinearDecay(1e-4, total * self.d_steps),
                     _common.LinearDecay(1e-4, total))
        self.d_optimizer, self.g_optimizer = _common.compile_two(
            self, kwargs, d_optimizer, g_optimizer, lambda: _default_adam(rates[0]),
            lambda: _default_adam(rates[1]), total_steps, "a trainers.LinearDecay")
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    # -- labels ---------------------------------------------------------------------------

    def batch_parts(self, data):
        """``(images, labels)`` or ``(images, labels, dataset_index)`` of a batch, unwrapped
        from the 1-tuple ``fit`` puts arrays in; ``ValueError`` for anything else, and for a
        batch without data set indices when there are several data sets."""
        data = _flat(data)
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            received = (f"a tuple of {len(data)}" if isinstance(data, (tuple, list))
                        else f"{type(data).__name__} {getattr(data, 'shape', '')}")
            raise ValueError(f"{self.name} trains on (images, labels) batches (one data set) or "
                             f"(images, labels, dataset_index) (several), received {received}")
        if len(data) == 2 and self.n_sets > 1:
            raise ValueError(f"{self.name} trains on {self.n_sets} data sets: batches must be "
                             f"(images, labels, dataset_index)")
        return tuple(data)

    def split_batch(self, data):
        """``(images, labels, dataset_index)`` of a batch (``batch_parts``); one data set's
        ``(images, labels)`` get index 0."""
        images, labels, *index = self.batch_parts(data)
        index = index[0] if index else tf.zeros(tf.shape(labels)[:1], tf.int32)
        return images, labels, index

    def domain_vector(self, labels, dataset_index):
        """The label vector the networks see, ``(b, label_dim)``: with one data set the labels
        themselves; with several c~ = [c_1, ..., c_n, m], the other data sets' slots zeroed and
        m = one_hot(dataset_index) (the mask vector, arXiv:1711.09020 section 3.2)."""
        labels = tf.cast(labels, tf.float32)
        if self.n_sets == 1:
            return labels
        index = tf.cast(dataset_index, tf.int32)
        own = tf.cast(tf.equal(self._slot_set[None, :], index[:, None]), tf.float32)
        return tf.concat([labels * own, tf.one_hot(index, self.n_sets)], axis=-1)

    def classification_loss(self, logits, labels, dataset_index):
        """Per-example -log D_cls(labels | x) on the sample's own data set's slots
        (``losses.domain_classification_loss``); ``logits`` may be ``(b, 1, 1, n)``."""
        logits = tf.reshape(logits, (-1, self.n_labels))
        return losses.domain_classification_loss(
            logits, labels, self.label_sizes, self.multi_label,
            None if self.n_sets == 1 else dataset_index, reduction="none")

    def draw_targets(self, labels, dataset_index):
        """Target labels (and their data sets): the minibatch's labels shuffled by a
        permutation from the seed generator (the argsort of uniforms), the authors'
        ``c_trg = c_org[randperm]``. Under a ``tf.distribute`` strategy each replica gathers the
        global minibatch and draws the global permutation, keeping its own rows: the targets of
        a single device."""
        ctx = tf.distribute.get_replica_context()
        replicas = ctx.num_replicas_in_sync if ctx is not None else 1
        n = tf.shape(labels)[0]
        order = tf.argsort(rng.uniform((n * replicas,), self.seed_generator))
        if replicas > 1:
            # all_gather loses the static shape (the label width is checked at trace time)
            width = labels.shape[1:]
            labels = tf.ensure_shape(ctx.all_gather(labels, axis=0), [None, *width])
            dataset_index = tf.ensure_shape(ctx.all_gather(dataset_index, axis=0), [None])
            start = tf.cast(ctx.replica_id_in_sync_group, tf.int32) * n
            order = order[start:start + n]
        return tf.gather(labels, order), tf.gather(dataset_index, order)

    # -- the step ---------------------------------------------------------------------------

    def _apply(self, optimizer, tape, loss, variables):
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))

    def translate_with(self, x, labels, dataset_index, training=True):
        """G([x, c~]) for the labels and their data sets."""
        return self.generator([x, self.domain_vector(labels, dataset_index)], training=training)

    def discriminator_step(self, real, labels, index, target, target_index):
        """One critic update on a real minibatch and its fakes G(x, c_target): the
        Wasserstein term, lambda_gp * GP and lambda_cls * L_cls^r. Returns the mean terms."""
        fake = tf.stop_gradient(self.translate_with(real, target, target_index))
        m = tf.shape(real)[0]
        alpha = _common.replica_slice(lambda shape: rng.uniform(shape, self.seed_generator), m)
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real_src, real_cls = self.discriminator(real, training=True)
            fake_src, _ = self.discriminator(fake, training=True)
            adv = losses.wasserstein_discriminator_loss(real_src, fake_src, reduction="none")
            cls = self.classification_loss(real_cls, labels, index)
            gp = penalties.gradient_penalty(self.discriminator, real, fake, alpha=alpha,
                                            reduction="none")
            per_example = adv + self.cls_weight * cls + self.gp_weight * gp
            scaled = self.d_optimizer.scale_loss(_common.average_loss(per_example))
        self._apply(self.d_optimizer, tape, scaled, variables)
        return per_example, adv, cls, gp

    def generator_step(self, real, labels, index, target, target_index):
        """One generator update: -D_src(G(x, c)) + lambda_cls L_cls^f + lambda_rec L_rec,
        the reconstruction G(G(x, c), c') with the original labels. Returns the mean terms."""
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fake = self.translate_with(real, target, target_index)
            fake_src, fake_cls = self.discriminator(fake, training=True)
            adv = losses.wasserstein_generator_loss(None, fake_src, reduction="none")
            cls = self.classification_loss(fake_cls, target, target_index)
            reconstruction = self.translate_with(fake, labels, index)
            rec = losses.l1_loss(real, reconstruction, reduction="none")
            per_example = adv + self.cls_weight * cls + self.rec_weight * rec
            scaled = self.g_optimizer.scale_loss(_common.average_loss(per_example))
        self._apply(self.g_optimizer, tape, scaled, variables)
        return per_example, adv, cls, rec

    def train_step(self, data):
        real, labels, index = self.split_batch(data)
        _common.check_batch_spec(real, self.image_shape, f"{self.name} (discriminator)")
        if labels.shape.rank != 2 or labels.shape[-1] != self.n_labels:
            raise ValueError(f"{self.name} expects labels of shape (batch, {self.n_labels}) "
                             f"(sum of label_sizes {list(self.label_sizes)}), received "
                             f"{tuple(labels.shape)}")
        real = tf.cast(real, self.discriminator.compute_dtype)
        labels, index = tf.cast(labels, tf.float32), tf.cast(index, tf.int32)
        k = self.d_steps
        m = tf.shape(real)[0] // k
        d_loss, d_adv, d_cls, d_gp, g_loss, g_adv, g_cls, g_rec = self._trackers
        for i in range(k):
            x, c, idx = (t[i::k][:m] for t in (real, labels, index))
            target, target_index = self.draw_targets(c, idx)
            terms = self.discriminator_step(x, c, idx, target, target_index)
            for tracker, value in zip((d_loss, d_adv, d_cls, d_gp), terms):
                tracker.update_state(tf.reduce_mean(value))
        terms = self.generator_step(x, c, idx, target, target_index)
        for tracker, value in zip((g_loss, g_adv, g_cls, g_rec), terms):
            tracker.update_state(tf.reduce_mean(value))
        return {t.name: t.result() for t in self._trackers}

    # -- fit and its checks -----------------------------------------------------------------

    def fit(self, x=None, y=None, *args, **kwargs):
        """``keras.Model.fit`` on a dataset of ``(images, labels[, dataset_index])`` batches,
        ``fit(images, labels)`` or ``fit((images, labels, dataset_index))``, after checking the
        data (``check_input``). Batches of fewer than ``d_steps`` examples per replica are
        dropped."""
        _common.require_compiled(self.d_optimizer)
        x = _common.pair_fit_data(x, y, self.name, "labels")
        x, kwargs = _common.prepare_fit(x, (None, *args), kwargs, self.check_input, self.name,
                                        *self.batch_needs())
        return super().fit(x, **kwargs)

    def batch_needs(self):
        """``(min_batch, why)``: ``d_steps`` minibatches of at least one example per replica."""
        return _common.batch_needs(self, self.d_steps, f"d_steps={self.d_steps} minibatches of "
                                                       f"at least one example")

    def check_labels(self, labels, dataset_index, n, what=None):
        """``(labels, dataset_index)`` as NumPy arrays after checking them against ``n``
        images: ``n`` rows of ``n_labels`` values in {0, 1}; with several data sets ``n``
        indices in ``[0, n_sets)``; a single-label data set's rows one-hot in its slots.
        ``ValueError`` naming expected and received."""
        what = what or self.name
        labels = checks.check_binary_labels(labels, self.n_labels, what, n=n)
        if dataset_index is None:
            if self.n_sets > 1:
                raise ValueError(f"{what} trains on {self.n_sets} data sets: give each image's "
                                 f"dataset_index, as (images, labels, dataset_index)")
            dataset_index = np.zeros(n, np.int32)
        dataset_index = checks.check_labels(dataset_index, self.n_sets, f"{what} dataset_index",
                                            n=n)
        for k, (offset, size, multi) in enumerate(self.groups):
            rows = labels[dataset_index == k, offset:offset + size]
            if not multi and rows.size and not np.all(rows.sum(axis=1) == 1):
                raise ValueError(f"{what}: data set {k} is single-label, so its {size} label "
                                 f"slots must hold one-hot rows, received rows summing to "
                                 f"{sorted(set(rows.sum(axis=1).astype(int).tolist()))}")
        return labels, dataset_index

    def check_input(self, x):
        """``ValueError`` naming expected and received for images of the wrong rank, shape,
        dtype or range, no batch of the ``batch_needs()`` size, or labels (and data set
        indices) that do not fit (``check_labels``): a Dataset's first batch, or whole arrays."""
        min_batch, needs = self.batch_needs()
        _common.check_fit_input(x, self.image_shape, self.name, min_batch=min_batch,
                                needs=needs)
        if x is None:
            return
        if isinstance(x, tf.data.Dataset):
            x = next(iter(x.take(1)))
        elif not (isinstance(x, (tuple, list)) and len(x) in (2, 3)):
            raise ValueError(f"{self.name} trains on (images, labels[, dataset_index]), "
                             f"received images alone; pass fit(images, labels) or a dataset of "
                             f"such batches")
        images, labels, *index = self.batch_parts(x)
        self.check_labels(labels, index[0] if index else None, len(images))

    # -- saving -----------------------------------------------------------------------------

    def save_own_variables(self, store):
        _common.save_seed_state(self, store, self.seed_generator)

    def load_own_variables(self, store):
        _common.load_seed_state(self, store, self.seed_generator)

    # -- using the generator ----------------------------------------------------------------

    def call(self, inputs, training=False):
        """G([x, c~]) for a label vector c~ of ``label_dim``."""
        return self.generator(inputs, training=training)

    def target_vector(self, target_labels, n, dataset_index=None):
        """The label vectors ``(n, label_dim)`` for ``translate``: ``target_labels`` of
        ``n_labels`` (one row for every image, or ``n`` rows; checked as training labels, with
        ``dataset_index`` an int or ``n`` ints when there are several data sets) becomes c~
        with its mask vector; a vector of ``label_dim`` is taken as given (any finite values:
        e.g. a mask that contradicts the labels, the paper's figure 8)."""
        target = np.asarray(target_labels, np.float32)
        if target.ndim == 1:
            target = np.broadcast_to(target, (n, target.shape[0]))
        if target.ndim == 2 and target.shape[1] == self.label_dim and self.n_sets > 1:
            checks.check_finite(target, f"{self.name}.translate")
            if len(target) != n:
                raise ValueError(f"{self.name}.translate expects {n} label rows (one per "
                                 f"image), received {len(target)}")
            return tf.constant(target)
        if dataset_index is not None and np.ndim(dataset_index) == 0:
            dataset_index = np.full(n, dataset_index)
        labels, index = self.check_labels(target, dataset_index, n, f"{self.name}.translate")
        return self.domain_vector(labels, index)

    def translate(self, x, target_labels, dataset_index=None, batch_size=64):
        """G(x, c) for images ``x`` ``(n, H, W, C)`` in [-1, 1] and target labels (see
        ``target_vector``): a float32 NumPy array of translated images."""
        x = tf.convert_to_tensor(x, tf.float32)
        _common.check_batch_spec(x, self.image_shape, f"{self.name}.translate")
        checks.check_image_range(x, f"{self.name}.translate")
        n = int(x.shape[0])
        if n == 0:
            raise ValueError(f"{self.name}.translate expects at least one image, received "
                             f"shape {tuple(x.shape)}")
        c = self.target_vector(target_labels, n, dataset_index)
        batch_size = checks.positive_int(batch_size, "batch_size")
        return np.concatenate([np.asarray(self.generator([x[i:i + batch_size],
                                                          c[i:i + batch_size]],
                                                         training=False), np.float32)
                               for i in range(0, n, batch_size)])


def _flat(batch):
    """A batch without ``fit``'s 1-tuple wrapping."""
    if isinstance(batch, (tuple, list)) and len(batch) == 1 \
            and isinstance(batch[0], (tuple, list)):
        return batch[0]
    return batch
