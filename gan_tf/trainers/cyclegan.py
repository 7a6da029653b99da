"""CycleGAN: unpaired image-to-image translation (Zhu, Park, Isola & Efros, arXiv:1703.10593).

Two generators G: X -> Y and F: Y -> X and two discriminators, D_Y (real y against G(x)) and
D_X (real x against F(y)), trained as the paper trains them (sections 3-4 and appendix 7.1):

- **Least-squares adversarial loss** (section 4, "Training details", replacing the negative
  log likelihood of eq. 1): G minimises (D_Y(G(x)) - 1)^2, D_Y minimises
  (D_Y(y) - 1)^2 + D_Y(G(x))^2, "divided by 2 while optimizing D"; the same for F and D_X.
  D returns a map of patch scores (PatchGAN); each term is the mean over the map.
- **Cycle consistency** (eq. 2): ||F(G(x)) - x||_1 + ||G(F(y)) - y||_1, weighted by
  ``lambda_cycle`` = 10 (eq. 3).
- **Identity loss** (section 5.2, "Photo generation from paintings", after Taigman et al.,
  arXiv:1611.02200; weight 0.5 lambda in appendix 7.1): ||G(y) - y||_1 + ||F(x) - x||_1,
  weighted by ``lambda_identity`` = 0.5 * ``lambda_cycle`` (the authors' code's default
  ``lambda_identity=0.5``, a fraction of lambda, on for every data set).
- **History of generated images** (section 4, after Shrivastava et al., arXiv:1612.07828): each
  discriminator is updated on images drawn from a buffer of the 50 last generated ones
  (``ImageHistory``), not only on the latest generator's.
- **Adam(2e-4, beta_1 = 0.5)**, the rate constant for the first half of training and linearly
  decayed to zero over the second (section 7.1: 100 + 100 epochs; ``trainers.LinearDecay``,
  ``paper_adam``).

The norms. The paper writes ||.||_1; the authors' code (``torch.nn.L1Loss``, ``nn.MSELoss``)
averages over pixels, channels and patches, and lambda = 10 was set for those averages, so the
cycle and identity terms here are the *mean* absolute difference per image (``losses.l1_loss``,
also Pix2Pix's L_L1 and StarGAN's L_rec) and the adversarial terms the mean over D's output map
(``lsgan_distance``). Summing over pixels
instead would multiply lambda by the number of pixels.

**One step** (the authors' ``optimize_parameters``): one forward pass of G and F on the batch
``(x, y)``; one update of G and F together on
L_G = (D_Y(G(x)) - 1)^2 + (D_X(F(y)) - 1)^2 + lambda_cycle L_cyc + lambda_identity L_identity;
then one update of D_X and D_Y together on the LSGAN terms (halved), their fakes the fakes of
that forward pass (made before the generator update, gradients stopped) passed through the
two history buffers. The x and the y terms are averaged separately over the global batch of
their domain (``_common.average_loss``), so the two domains' batches may differ in size.

**The history buffer under ``tf.distribute``.** One buffer per discriminator, *synchronised*:
every replica gathers the global batch of fakes (``all_gather``, replica order, i.e. the rows
of the global batch), draws the global batch's random numbers from the same seed state (as
``_common.replica_slice``) and runs the same sequential buffer update, so the buffer variables
(``aggregation="none"``: each replica writes its own copy, the copies never diverge, as Keras's
``SeedGenerator`` state) hold the same 50 images on every replica; each replica then keeps its
rows of the returned batch. A step on N replicas therefore equals one step on the whole batch
on one device, and a checkpoint holds one buffer, whatever the number of replicas it resumes
on. This is also what the authors' code does with several GPUs (``DataParallel`` gathers the
batch and the pool is queried on the whole of it). Per-replica buffers would hold N x 50
images, each fed a 1/N share of the fakes, and a run would depend on its replica count.

**Batches** are ``(x_batch, y_batch)`` of unpaired images in [-1, 1]: a ``tf.data.Dataset`` of
such pairs (zip two domains' datasets), or ``fit(x_images, y_images)`` on two arrays (any
lengths; read through ``data.unpaired_dataset``). Which x shares a batch with which y does not
matter: every loss is a sum of a term per x and a term per y.

Ablations: ``lambda_cycle=0`` trains without the cycle loss (the "GAN alone" of the paper's
analysis of the loss function, section 5.1.4; the identity weight's default, 0.5 lambda_cycle,
is then 0 too: pass ``lambda_identity`` to keep it), ``lambda_identity=0`` without the identity
loss (the paper's setting outside painting -> photo).

See chapter 8.3.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, rng
from gan_tf import losses as losses_lib
from gan_tf.data.paired import unpaired_dataset
from gan_tf.trainers import _common

LEARNING_RATE = 2e-4     # section 4 / 7.1
BETA_1 = 0.5             # section 7.1
LAMBDA_CYCLE = 10.0      # eq. 3, section 4
IDENTITY_FRACTION = 0.5  # section 5.2; the authors' lambda_identity, a fraction of lambda
POOL_SIZE = 50           # section 4, after Shrivastava et al.


# -- learning rate -----------------------------------------------------------------------------

def paper_adam(total_steps=None, decay_steps=None, learning_rate=LEARNING_RATE):
    """Adam(2e-4, beta_1 = 0.5) (arXiv:1703.10593, section 7.1); with ``total_steps`` the rate
    follows ``trainers.LinearDecay`` (constant, then linear to 0 over the last
    ``decay_steps``, by default the second half). See chapter 8.3."""
    if total_steps is not None:
        learning_rate = _common.LinearDecay(learning_rate, total_steps, decay_steps)
    elif decay_steps is not None:
        raise ValueError("decay_steps needs total_steps (the step at which the rate reaches 0)")
    return keras.optimizers.Adam(learning_rate, beta_1=BETA_1)


# -- losses (per example, shape (m,), float32) -------------------------------------------------

def lsgan_distance(logits, target):
    """Per-example mean over D's output map of ``(D - target)^2`` -> ``(m,)`` (LSGAN,
    arXiv:1611.04076, with the target 1 for "real" and 0 for "fake"). CycleGAN's generator
    minimises ``lsgan_distance(D(G(x)), 1)``, its discriminator half of
    ``lsgan_distance(D(y), 1) + lsgan_distance(D(G(x)), 0)`` (arXiv:1703.10593, section 4).
    Twice ``losses.least_squares_generator_loss(c=target)`` (1/2 (D - c)^2 averaged over the
    map); not ``least_squares_discriminator_loss``, which adds a real and a fake term per
    example, whereas D_Y's real images (the y batch) and fakes (G of the x batch) are two
    domains' batches, which may differ in size. See chapter 8.3."""
    return 2.0 * losses_lib.least_squares_generator_loss(None, logits, reduction="none",
                                                         c=target)


# -- the history of generated images -----------------------------------------------------------

class ImageHistory(keras.layers.Layer):
    """A buffer of the last ``size`` generated images (arXiv:1703.10593, section 4, after
    Shrivastava et al., arXiv:1612.07828, section 2.3), as the authors' ``ImagePool``.

    ``query(images, u, slots)`` goes through the batch in order; for image i:

    - while fewer than ``size`` images are stored: store it and return it;
    - once full: if ``u[i] > 0.5`` (probability 1/2) return the stored image at ``slots[i]`` and
      store image i in its place; otherwise return image i and store nothing.

    ``u`` (uniform in [0, 1)) and ``slots`` (ints in [0, size)) are the caller's random numbers
    (the trainer's seed generator), so the buffer holds no randomness of its own. The images
    (float32) and the count are non-trainable variables: saved with the trainer, updated inside
    a ``tf.function`` (or XLA) step by one assignment each. ``size=0`` returns the images
    unchanged. See chapter 8.3.
    """

    def __init__(self, image_shape, size=POOL_SIZE, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.image_shape = tuple(int(d) for d in image_shape)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
            raise ValueError(f"the history buffer's size must be an int >= 0, got {size!r}")
        self.size = int(size)
        # aggregation "none": under MirroredStrategy each replica writes its own copy; the
        # trainer makes every replica write the same values (see the module docstring)
        self.images = self.add_weight(shape=(max(self.size, 1),) + self.image_shape,
                                      initializer="zeros", trainable=False, name="images",
                                      aggregation="none", dtype="float32")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="count", aggregation="none", dtype="int32")
        self.built = True

    def query(self, images, u, slots):
        """The images the discriminator sees for the batch ``images`` ``(n, *image_shape)``;
        updates the buffer. Returns ``images``' dtype."""
        if self.size == 0:
            return images
        dtype = images.dtype
        new = tf.cast(images, tf.float32)
        u = tf.convert_to_tensor(u, tf.float32)
        slots = tf.cast(slots, tf.int32)
        n = tf.shape(new)[0]

        def body(i, pool, count, out):
            image = new[i]
            filling = count < self.size
            swap = tf.logical_and(tf.logical_not(filling), u[i] > 0.5)
            slot = tf.where(filling, count, slots[i])
            stored = pool[slot]
            pool = tf.tensor_scatter_nd_update(
                pool, [[slot]], [tf.where(tf.logical_or(filling, swap), image, stored)])
            out = tf.tensor_scatter_nd_update(out, [[i]], [tf.where(swap, stored, image)])
            return i + 1, pool, count + tf.cast(filling, tf.int32), out

        _, pool, count, out = tf.while_loop(
            lambda i, *_: i < n, body,
            (tf.constant(0), tf.convert_to_tensor(self.images), tf.convert_to_tensor(self.count),
             tf.zeros_like(new)))
        self.images.assign(pool)
        self.count.assign(count)
        return tf.cast(out, dtype)

    def call(self, images, u, slots):
        return self.query(images, u, slots)


# -- data ---------------------------------------------------------------------------------------

def split_domains(data, what):
    """``(x, y)`` of a batch ``(x_batch, y_batch)`` (or ``((x, y),)``, as Keras hands arrays);
    ``ValueError`` otherwise. See chapter 8.3."""
    return _common.split_pair(data, what, "y_images",
                              "gan_tf.data.unpaired_dataset(x_images, y_images) (or zip the "
                              "two domains' datasets) or pass fit(x_images, y_images)",
                              images_name="x_images")


def _checked(data):
    """The check of data checked already."""
    return None


# -- the trainer -------------------------------------------------------------------------------

def _image_shape(shape, role, what):
    shape = tuple(shape[1:]) if shape is not None else ()
    if len(shape) != 3 or any(d is None for d in shape):
        raise ValueError(f"{what}: {role} must have a fixed image shape (height, width, "
                         f"channels) (the history buffer stores images), got {shape}")
    return shape


class CycleGAN(keras.Model):
    """CycleGAN (arXiv:1703.10593) trained by ``fit`` on unpaired ``(x, y)`` batches; see the
    module docstring for the objective, the step and the history buffer.

    Args:
        generator: G, a ``keras.Model`` X images ``(h, w, c_x)`` -> Y images ``(h', w', c_y)``
            (``models``' ResNet generator; any fixed-shape image-to-image model).
        inverse_generator: F, Y images -> X images.
        discriminator_x: D_X, X images -> a score map (raw outputs, no sigmoid: PatchGAN).
        discriminator_y: D_Y, Y images -> a score map.
        lambda_cycle: weight of the cycle loss (eq. 3; 10). 0: the ablation without it.
        lambda_identity: weight of the identity loss; ``None`` = 0.5 * ``lambda_cycle`` (the
            authors' default). 0: without it. Needs X and Y images of one shape.
        pool_size: images in each discriminator's history buffer (50; 0: no buffer).
        seed: seed of the trainer's random numbers (the buffers' draws).

    ``fit`` reports ``d_x_loss`` and ``d_y_loss`` (each discriminator's halved LSGAN loss),
    ``g_loss`` (the whole objective G and F minimise), ``cycle_loss`` and ``identity_loss``
    (the L1 terms unweighted; a term whose weight is 0 is still computed, in inference mode
    and without gradient, for monitoring, except identity between domains of two shapes: 0).
    Batches: ``fit(x_images, y_images)`` reads batches of 1 by default (the paper's batch size).
    ``translate(x)`` = G(x), ``translate_back(y)`` = F(y). See chapter 8.3.
    """

    def __init__(self, generator, inverse_generator, discriminator_x, discriminator_y,
                 lambda_cycle=LAMBDA_CYCLE, lambda_identity=None, pool_size=POOL_SIZE,
                 seed=None, name="cyclegan", **kwargs):
        super().__init__(name=name, **kwargs)
        nets = (generator, inverse_generator, discriminator_x, discriminator_y)
        roles = ("generator", "inverse_generator", "discriminator_x", "discriminator_y")
        for net, role in zip(nets, roles):
            if not isinstance(net, keras.Model):
                raise ValueError(f"{role} must be a keras.Model, got {type(net).__name__}")
        self.x_shape = _image_shape(generator.input_shape, "G's input (domain X)", name)
        self.y_shape = _image_shape(generator.output_shape, "G's output (domain Y)", name)
        for net, role, in_shape, out_shape in (
                (inverse_generator, "F (inverse_generator)", self.y_shape, self.x_shape),
                (discriminator_x, "D_X (discriminator_x)", self.x_shape, None),
                (discriminator_y, "D_Y (discriminator_y)", self.y_shape, None)):
            got = tuple(net.input_shape[1:]) if not isinstance(net.input_shape, list) else None
            if got != in_shape:
                raise ValueError(f"{name}: {role} must take images of shape {in_shape} (G maps "
                                 f"X {self.x_shape} to Y {self.y_shape}), got input {got}")
            if out_shape is not None and tuple(net.output_shape[1:]) != out_shape:
                raise ValueError(f"{name}: {role} must return X images of shape {out_shape}, "
                                 f"got {tuple(net.output_shape[1:])}")
        self.lambda_cycle = checks.non_negative(lambda_cycle, "lambda_cycle")
        self.lambda_identity = (IDENTITY_FRACTION * self.lambda_cycle if lambda_identity is None
                                else checks.non_negative(lambda_identity, "lambda_identity"))
        if self.x_shape != self.y_shape:
            if self.lambda_identity:
                raise ValueError(f"{name}: the identity loss feeds Y images to G and X images to "
                                 f"F, so both domains need one image shape; got X {self.x_shape} "
                                 f"and Y {self.y_shape}: pass lambda_identity=0")
        self.generator, self.inverse_generator = generator, inverse_generator
        self.discriminator_x, self.discriminator_y = discriminator_x, discriminator_y
        # history_x: F(y)'s, for D_X; history_y: G(x)'s, for D_Y
        self.history_x = ImageHistory(self.x_shape, pool_size, name="history_x")
        self.history_y = ImageHistory(self.y_shape, pool_size, name="history_y")
        self.pool_size = self.history_x.size
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._data_seed = 0 if seed is None else int(seed)
        self._trackers = [keras.metrics.Mean(name=n) for n in
                          ("d_x_loss", "d_y_loss", "g_loss", "cycle_loss", "identity_loss")]
        self.g_optimizer = None
        self.d_optimizer = None
        self.built = True

    @property
    def metrics(self):
        return list(self._trackers)

    def generator_variables(self):
        """G's and F's trainable variables (one update trains both)."""
        return self.generator.trainable_variables + self.inverse_generator.trainable_variables

    def discriminator_variables(self):
        """D_X's and D_Y's trainable variables (one update trains both)."""
        return (self.discriminator_x.trainable_variables
                + self.discriminator_y.trainable_variables)

    def compile(self, g_optimizer=None, d_optimizer=None, total_steps=None, decay_steps=None,
                **kwargs):
        """Set the optimizers of (G, F) and of (D_X, D_Y): by default ``paper_adam(total_steps,
        decay_steps)`` each, Adam(2e-4, beta_1 = 0.5), with the linear decay to 0 over the last
        ``decay_steps`` (default: half) of ``total_steps`` when it is given (the paper: 200
        epochs, decay over the last 100). Other keyword arguments (``jit_compile``,
        ``run_eagerly``, ...) go to ``keras.Model.compile``."""
        def default():
            return paper_adam(total_steps, decay_steps)

        self.d_optimizer, self.g_optimizer = _common.compile_two(
            self, kwargs, d_optimizer, g_optimizer, default, total_steps=total_steps,
            schedule="paper_adam(total_steps) or a trainers.LinearDecay")
        # built now, inside the caller's strategy scope (if any)
        self.g_optimizer.build(self.generator_variables())
        self.d_optimizer.build(self.discriminator_variables())

    # -- the step -----------------------------------------------------------------------------

    def from_history(self, buffer, fakes):
        """The fakes ``buffer.query`` returns for this replica's ``fakes``: the random numbers
        (u, then the slots, one of each per image of the *global* batch) come from the seed
        generator; under a strategy every replica updates the buffer with the gathered global
        batch, so all hold the same buffer, and keeps its own rows (module docstring). The
        replicas hold equal shares of the batch (as ``_common.replica_slice`` assumes; Keras's
        ``fit`` under MirroredStrategy fails on an uneven split for every trainer, TF 2.21)."""
        if buffer.size == 0:
            return fakes
        ctx = tf.distribute.get_replica_context()
        replicas = ctx.num_replicas_in_sync if ctx is not None else 1
        n = tf.shape(fakes)[0]
        every = ctx.all_gather(fakes, axis=0) if replicas > 1 else fakes
        total = tf.shape(every)[0]
        u = rng.uniform((total,), self.seed_generator)
        slots = tf.minimum(tf.cast(tf.floor(rng.uniform((total,), self.seed_generator)
                                            * buffer.size), tf.int32), buffer.size - 1)
        out = buffer.query(every, u, slots)
        if replicas > 1:
            start = tf.cast(ctx.replica_id_in_sync_group, tf.int32) * n
            out = out[start:start + n]
        return out

    def _l1_terms(self, x, y, fake_y, fake_x, training):
        """Per-example (cycle_x, cycle_y, identity_x, identity_y); a term whose weight is 0 is
        computed outside any gradient (monitoring only, inference mode)."""
        def l1(a, b):
            return losses_lib.l1_loss(a, b, reduction="none")

        def cycle(t):
            return (l1(x, self.inverse_generator(fake_y, training=t)),
                    l1(y, self.generator(fake_x, training=t)))

        def identity(t):
            return (l1(x, self.inverse_generator(x, training=t)),
                    l1(y, self.generator(y, training=t)))

        terms = []
        for weight, fn in ((self.lambda_cycle, cycle), (self.lambda_identity, identity)):
            if weight:
                terms.extend(fn(training))
            elif fn is cycle or self.x_shape == self.y_shape:
                terms.extend(tf.stop_gradient(t) for t in fn(False))
            else:                      # no identity term between domains of two shapes
                terms.extend([tf.zeros(tf.shape(x)[:1]), tf.zeros(tf.shape(y)[:1])])
        return terms

    def train_step(self, data):
        x, y = split_domains(data, self.name)
        _common.check_batch_spec(x, self.x_shape, f"{self.name} (domain X)")
        _common.check_batch_spec(y, self.y_shape, f"{self.name} (domain Y)")
        x = tf.cast(x, self.generator.compute_dtype)
        y = tf.cast(y, self.inverse_generator.compute_dtype)

        g_variables = self.generator_variables()
        with tf.GradientTape() as tape:
            fake_y = self.generator(x, training=True)
            fake_x = self.inverse_generator(y, training=True)
            adv_x = lsgan_distance(self.discriminator_y(fake_y, training=True), 1.0)
            adv_y = lsgan_distance(self.discriminator_x(fake_x, training=True), 1.0)
            cycle_x, cycle_y, identity_x, identity_y = self._l1_terms(x, y, fake_y, fake_x,
                                                                      training=True)
            per_x = adv_x + self.lambda_cycle * cycle_x + self.lambda_identity * identity_x
            per_y = adv_y + self.lambda_cycle * cycle_y + self.lambda_identity * identity_y
            g_loss = _common.average_loss(per_x) + _common.average_loss(per_y)
            scaled = self.g_optimizer.scale_loss(g_loss)
        grads = tape.gradient(scaled, g_variables)
        self.g_optimizer.apply_gradients(zip(grads, g_variables))

        # the discriminators, on the fakes of the forward pass above through their histories
        pooled_y = self.from_history(self.history_y, tf.stop_gradient(fake_y))
        pooled_x = self.from_history(self.history_x, tf.stop_gradient(fake_x))
        d_variables = self.discriminator_variables()
        with tf.GradientTape() as tape:
            real_y = 0.5 * lsgan_distance(self.discriminator_y(y, training=True), 1.0)
            fake_y_term = 0.5 * lsgan_distance(self.discriminator_y(pooled_y, training=True), 0.0)
            real_x = 0.5 * lsgan_distance(self.discriminator_x(x, training=True), 1.0)
            fake_x_term = 0.5 * lsgan_distance(self.discriminator_x(pooled_x, training=True), 0.0)
            d_loss = (_common.average_loss(real_y) + _common.average_loss(fake_y_term)
                      + _common.average_loss(real_x) + _common.average_loss(fake_x_term))
            scaled = self.d_optimizer.scale_loss(d_loss)
        grads = tape.gradient(scaled, d_variables)
        self.d_optimizer.apply_gradients(zip(grads, d_variables))

        values = (tf.reduce_mean(real_x) + tf.reduce_mean(fake_x_term),
                  tf.reduce_mean(real_y) + tf.reduce_mean(fake_y_term),
                  tf.reduce_mean(per_x) + tf.reduce_mean(per_y),
                  tf.reduce_mean(cycle_x) + tf.reduce_mean(cycle_y),
                  tf.reduce_mean(identity_x) + tf.reduce_mean(identity_y))
        for tracker, value in zip(self._trackers, values):
            tracker.update_state(value)
        return {t.name: t.result() for t in self._trackers}

    # -- fit ---------------------------------------------------------------------------------

    def fit(self, x=None, y=None, *args, **kwargs):
        """``keras.Model.fit`` on unpaired ``(x, y)`` batches: a Dataset of such pairs, or
        ``fit(x_images, y_images)`` on two arrays (any lengths; read through
        ``data.unpaired_dataset`` with ``batch_size`` (default 1, the paper's), ``shuffle`` and
        the trainer's seed: an epoch of ``max(n_x, n_y)`` pairs, each domain in its own order,
        the smaller one cycled, the last batch smaller when ``batch_size`` does not divide it
        (dropped only if too small for a step, ``batch_needs``); each epoch's order keyed on the
        seed and the epoch, so a resumed run reads the same batches). The data is checked first
        (``check_input``)."""
        _common.require_compiled(self.g_optimizer)
        kwargs = _common.name_fit_args(args, kwargs, after_y=True)
        check = self.check_input
        if isinstance(x, tf.data.Dataset):
            _common.pair_fit_data(x, y, self.name, "Y images")      # raises unless y is None
        elif x is not None:
            if y is None:
                x, y = split_domains(x, self.name)
            self.check_input((x, y))          # every image, not only a first batch
            check = _checked
            batch_size = kwargs.pop("batch_size", None)
            x = unpaired_dataset(np.asarray(x, np.float32), np.asarray(y, np.float32),
                                 batch_size=1 if batch_size is None else batch_size,
                                 seed=self._data_seed, shuffle=kwargs.pop("shuffle", True),
                                 resumable=True)
        x, kwargs = _common.prepare_fit(x, (), kwargs, check, self.name, *self.batch_needs())
        return super().fit(x, **kwargs)

    def batch_needs(self):
        """``(min_batch, why)``: one example of each domain per replica (a smaller last batch
        is dropped)."""
        return _common.batch_needs(self, 1, "one image of each domain")

    def check_input(self, data):
        """``ValueError`` naming expected and received unless ``data`` (a Dataset of ``(x, y)``
        batches, its first batch checked, or a pair of arrays) holds X images of G's input shape
        and Y images of F's, finite, in [-1, 1], with a batch to train on."""
        if data is None:
            return
        min_batch, needs = self.batch_needs()
        xs, ys = _common.fit_pair(data, lambda batch: split_domains(batch, self.name))
        _common.check_fit_input(xs, self.x_shape, f"{self.name} (domain X)",
                                min_batch=min_batch, needs=needs)
        _common.check_fit_input(ys, self.y_shape, f"{self.name} (domain Y)",
                                min_batch=min_batch, needs=needs)

    # -- saving ------------------------------------------------------------------------------

    def save_own_variables(self, store):
        _common.save_seed_state(self, store, self.seed_generator)

    def load_own_variables(self, store):
        _common.load_seed_state(self, store, self.seed_generator)

    # -- translating -------------------------------------------------------------------------

    def call(self, x, training=False):
        """G(x)."""
        return self.generator(x, training=training)

    def translate(self, x, batch_size=64):
        """G(x) for X images ``(n, *x_shape)`` in [-1, 1], as a float32 NumPy array."""
        checks.check_image_range(np.asarray(x), f"{self.name}.translate")
        return _common.batched(lambda t: self.generator(t, training=False), x, self.x_shape,
                               f"{self.name}.translate", batch_size)

    def translate_back(self, y, batch_size=64):
        """F(y) for Y images ``(n, *y_shape)`` in [-1, 1], as a float32 NumPy array."""
        checks.check_image_range(np.asarray(y), f"{self.name}.translate_back")
        return _common.batched(lambda t: self.inverse_generator(t, training=False), y,
                               self.y_shape, f"{self.name}.translate_back", batch_size)
