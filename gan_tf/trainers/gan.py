"""The shared GAN training loop.

Algorithm 1 of Goodfellow et al. 2014 (arXiv:1406.2661): for each training iteration, for
``k = d_steps`` steps sample a minibatch of m noise vectors and m examples and ascend the
discriminator's objective; then sample m noise vectors and descend the generator's objective.
One ``train_step`` is one such iteration: the incoming batch is split into ``d_steps``
disjoint minibatches (every ``d_steps``-th example, so the split is the same on one device and
on several replicas) of ``m = batch // d_steps`` real examples: every discriminator step sees
fresh data, as in the paper (feed batches of ``d_steps * m``). With ``d_steps=1`` this is the
usual alternating update, generator noise drawn afresh.

Partial batches: a step needs ``m >= 1``, i.e. at least ``d_steps`` examples on each replica.
``fit`` (and ``gan_tf.distribute.train_steps``) drop a batch with fewer (a data set's last,
partial batch) before training: no update is made from it, and every epoch has the same number
of steps. A smaller batch of ``b >= d_steps`` examples still trains, on minibatches of
``b // d_steps``. Data with no batch big enough is a ``ValueError``.

Subclasses change the algorithm through the hooks, not ``train_step``:

- ``discriminator_loss(real, fake, real_logits, fake_logits, real_condition, fake_condition)``
  -> per-example loss ``(m,)``
- ``generator_loss(fake, fake_logits, fake_condition, real, real_condition)`` -> per-example
  loss ``(m,)``
- ``after_discriminator_step()`` (e.g. WGAN's weight clipping)
- ``sample_latent(n, condition)`` -> the generator's input (the prior; noise comes from the
  trainer's own ``SeedGenerator``, so its state is part of every checkpoint)

Conditions travel with the batch (chapters 6-8). ``split_batch(data)`` turns a batch into
``(real, condition)``: the unconditional ``GAN`` ignores labels (``condition`` is ``None``); a
conditional trainer keeps them (class labels, a labelled minibatch, a low-resolution image, a
caption embedding: any nest of tensors whose first axis is the batch). The loop splits the
condition into the ``d_steps`` minibatches with the images and hands it to the hooks:
``sample_latent(m, condition)`` builds the generator's input (noise and, say, labels drawn from
their prior, or the real minibatch's own condition), ``fake_condition(latent)`` says what the
discriminator is told about the fakes, ``discriminate(x, condition)`` calls the discriminator
(with the condition as a second input for a cGAN), and both losses see the conditions. The
generator update gets the first real minibatch and its condition as well (feature matching and
content losses compare fakes with real data). Extra networks (a Q head, a feature network) are
attributes of the trainer; list their variables in ``discriminator_variables()`` or
``generator_variables()`` when an update trains them.

``reuse_fake=True`` (with ``d_steps=1``) computes the fakes once: the generator's forward pass
of the discriminator step is kept on a tape and, after the discriminator update, scored by the
*updated* discriminator for the generator update. The updates stay sequential as in Algorithm 1;
the only change is that both use the same noise, which saves one generator forward pass per
iteration (about a fifth of the DCGAN step's FLOPs).

Losses are summed per replica and divided by the global batch (``tf.distribute``-correct).
See chapters 3.2 and 4.2.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import losses as losses_lib
from gan_tf import rng
from gan_tf.trainers import _common


def _default_adam():
    # DCGAN's settings (Radford et al., arXiv:1511.06434, section 4).
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


class GAN(keras.Model):
    """Generator/discriminator pair trained by ``fit()``.

    Args:
        generator: ``keras.Model`` mapping ``(batch, latent_dim)`` to samples.
        discriminator: ``keras.Model`` mapping samples to logits (any rank; no sigmoid).
        latent_dim: size of z; defaults to the generator's input size (a mismatch is a
            ``ValueError``).
        d_steps: discriminator steps per generator step (k in Algorithm 1).
        seed: seed of the trainer's noise generator.
        reuse_fake: share one generator forward pass between the two updates (``d_steps=1``
            only; see the module docstring).
    """

    default_loss = "nonsaturating"
    # True for an algorithm defined by its loss (WGAN, WGAN-GP, LSGAN): compile refuses others
    own_loss_only = False

    def __init__(self, generator, discriminator, latent_dim=None, d_steps=1, seed=None,
                 reuse_fake=False, name="gan", **kwargs):
        super().__init__(name=name, **kwargs)
        for net, role in ((generator, "generator"), (discriminator, "discriminator")):
            if not isinstance(net, keras.Model):
                raise ValueError(f"{role} must be a keras.Model, got {type(net).__name__}")
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive int, got {d_steps!r}")
        if reuse_fake and d_steps != 1:
            raise ValueError(f"reuse_fake needs d_steps=1 (one fake batch per generator step), "
                             f"got d_steps={d_steps}")
        latent_dim, g_out = self.network_shapes(generator, discriminator, latent_dim)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = None if latent_dim is None else int(latent_dim)
        self.d_steps = d_steps
        self.reuse_fake = bool(reuse_fake)
        self.sample_shape = g_out
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._sample_seed = 0 if seed is None else int(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self._trackers = [self.d_loss_tracker, self.g_loss_tracker]
        self.d_optimizer = None
        self.g_optimizer = None
        self.built = True

    # -- set-up ---------------------------------------------------------------------------

    def network_shapes(self, generator, discriminator, latent_dim):
        """``(latent_dim, sample_shape)`` after checking that the networks fit together: the
        generator takes one input z (of size ``latent_dim`` if given) and its output shape is the
        discriminator's input shape. Conditional trainers override this for their extra inputs.
        """
        g_in = generator.input_shape
        if isinstance(g_in, list):
            raise ValueError(f"generator must take one input z, got inputs {g_in}")
        if latent_dim is None:
            latent_dim = g_in[-1]
        if g_in[-1] is not None and latent_dim != g_in[-1]:
            raise ValueError(f"latent_dim={latent_dim} but the generator expects z of size "
                             f"{g_in[-1]}")
        g_out = tuple(generator.output_shape[1:])
        d_in = tuple(discriminator.input_shape[1:]) if not isinstance(
            discriminator.input_shape, list) else None
        if d_in is not None and g_out != d_in:
            raise ValueError(
                f"generator output shape {g_out} does not match discriminator input shape {d_in}"
            )
        return latent_dim, g_out


    def add_tracker(self, name):
        """Add a ``keras.metrics.Mean`` reported by ``fit`` under ``name``."""
        tracker = keras.metrics.Mean(name=name)
        self._trackers.append(tracker)
        return tracker

    @property
    def metrics(self):
        return list(self._trackers)

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, **kwargs):
        """Set the two optimizers (default Adam(2e-4, beta_1=0.5)) and the loss family.

        ``loss`` is a name from ``gan_tf.losses.LOSSES`` (default ``self.default_loss``) or a
        pair ``(d_loss_fn, g_loss_fn)`` of functions ``(real_logits, fake_logits,
        reduction)``; WGAN, WGAN-GP and LSGAN take their own loss only (``ValueError``
        otherwise). Other keyword arguments (``jit_compile``, ``run_eagerly``,
        ``steps_per_execution``) go to ``keras.Model.compile``.
        """
        self.d_optimizer, self.g_optimizer = _common.compile_two(
            self, kwargs, d_optimizer, g_optimizer, _default_adam)
        loss = self.default_loss if loss is None else loss
        if self.own_loss_only and not (isinstance(loss, str) and loss == self.default_loss):
            raise ValueError(
                f"{self.name} trains with loss={self.default_loss!r} only (its paper's "
                f"algorithm), got {loss!r}; for other losses use gan_tf.trainers.GAN")
        if isinstance(loss, str):
            self.loss_name = loss
            self.d_loss_fn, self.g_loss_fn = losses_lib.get(loss)
        elif isinstance(loss, (tuple, list)) and len(loss) == 2 and all(map(callable, loss)):
            self.loss_name = "custom"
            self.d_loss_fn, self.g_loss_fn = loss
        else:
            raise ValueError(
                f"loss must be one of {', '.join(losses_lib.LOSSES)} or a (d_loss, g_loss) "
                f"pair of functions, got {loss!r}"
            )
        # Build the optimizers now (inside the caller's strategy scope, if any).
        self.d_optimizer.build(self.discriminator_variables())
        self.g_optimizer.build(self.generator_variables())

    # -- hooks ----------------------------------------------------------------------------

    def sample_latent(self, n, condition=None):
        """The generator's input for ``n`` fakes: prior samples z ~ N(0, I), shape
        ``(n, latent_dim)``, from the trainer's seed. ``condition`` is the real minibatch's
        condition (``None`` here); a conditional trainer returns a tuple such as ``(z, labels)``.

        Under a ``tf.distribute`` strategy each replica takes its rows of one global draw, so a
        step on several replicas uses the noise of a single-device step on the whole batch."""
        return _common.replica_slice(
            lambda shape: rng.normal(shape, self.seed_generator), n,
            self.latent_dim)

    def fake_condition(self, latent):
        """What the discriminator and the losses know about fakes made from ``latent``
        (``None``: nothing; a cGAN returns the labels it drew)."""
        return None

    def split_batch(self, data):
        """``(real, condition)`` of a batch ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, w)``; the
        unconditional GAN trains on ``x`` alone (``condition`` is ``None``)."""
        return _common.unpack_inputs(data), None

    def discriminate(self, x, condition=None, training=True):
        """The discriminator's output on ``x`` (told ``condition``; ignored here)."""
        return self.discriminator(x, training=training)

    def discriminator_variables(self):
        """The variables a discriminator update trains."""
        return self.discriminator.trainable_variables

    def generator_variables(self):
        """The variables a generator update trains."""
        return self.generator.trainable_variables

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        """Per-example discriminator loss, shape ``(m,)``."""
        return self.d_loss_fn(real_logits, fake_logits, reduction="none")

    def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                       real_condition=None):
        """Per-example generator loss, shape ``(m,)``; ``real`` and ``real_condition`` are a
        real minibatch of the step (for losses that compare fakes with data)."""
        return self.g_loss_fn(None, fake_logits, reduction="none")

    def after_discriminator_step(self):
        """Called after each discriminator update (WGAN clips weights here)."""
        return None  # (a docstring-only body trips AutoGraph's converter)

    # -- the loop -------------------------------------------------------------------------

    def _apply(self, optimizer, tape, loss, variables):
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))

    def discriminator_step(self, real, fake=None, condition=None, latent=None):
        """One discriminator update on the real minibatch ``real`` (with its ``condition``) and
        ``fake``, drawn from the generator if not given (then ``latent`` is what made it, or
        ``None`` for fakes from elsewhere); returns its mean loss."""
        if fake is None:
            latent = self.sample_latent(tf.shape(real)[0], condition)
            fake = self.generator(latent, training=True)
        fake_cond = None if latent is None else self.fake_condition(latent)
        # one image tensor, or a nest of them (StackGAN-v2's images at several scales)
        fake = tf.nest.map_structure(tf.stop_gradient, fake)
        variables = self.discriminator_variables()
        with tf.GradientTape() as tape:
            real_logits = self.discriminate(real, condition)
            fake_logits = self.discriminate(fake, fake_cond)
            per_example = self.discriminator_loss(real, fake, real_logits, fake_logits,
                                                  condition, fake_cond)
            loss = _common.average_loss(per_example)
            scaled = self.d_optimizer.scale_loss(loss)
        self._apply(self.d_optimizer, tape, scaled, variables)
        self.after_discriminator_step()
        return tf.reduce_mean(per_example)

    def _generator_loss_on(self, fake, latent, real, condition):
        fake_cond = self.fake_condition(latent)
        fake_logits = self.discriminate(fake, fake_cond)
        per_example = self.generator_loss(fake, fake_logits, fake_cond, real, condition)
        return per_example, self.g_optimizer.scale_loss(_common.average_loss(per_example))

    def generator_step(self, m, real=None, condition=None):
        """One generator update with ``m`` fresh generator inputs (``sample_latent(m,
        condition)``); ``real``/``condition`` are a real minibatch of the step, for losses that
        use data. Returns its mean loss."""
        variables = self.generator_variables()
        with tf.GradientTape() as tape:
            latent = self.sample_latent(m, condition)
            fake = self.generator(latent, training=True)
            per_example, scaled = self._generator_loss_on(fake, latent, real, condition)
        self._apply(self.g_optimizer, tape, scaled, variables)
        return tf.reduce_mean(per_example)

    def shared_fake_steps(self, real, condition=None):
        """Discriminator then generator update from one generator forward pass."""
        variables = self.generator_variables()
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            for v in variables:
                tape.watch(getattr(v, "value", v))
            latent = self.sample_latent(tf.shape(real)[0], condition)
            fake = self.generator(latent, training=True)
            d_loss = self.discriminator_step(real, fake, condition, latent)
            per_example, scaled = self._generator_loss_on(fake, latent, real, condition)
        self._apply(self.g_optimizer, tape, scaled, variables)
        return d_loss, tf.reduce_mean(per_example)

    def train_step(self, data):
        real, condition = self.split_batch(data)
        _common.check_batch_spec(real, self.sample_shape, f"{self.name} (discriminator)")
        real = tf.cast(real, self.discriminator.compute_dtype)
        if self.reuse_fake:
            d_loss, g_loss = self.shared_fake_steps(real, condition)
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {t.name: t.result() for t in self._trackers}
        m = tf.shape(real)[0] // self.d_steps
        for i in range(self.d_steps):
            d_loss = self.discriminator_step(real[i::self.d_steps][:m],
                                             condition=_common.minibatch(condition, i,
                                                                         self.d_steps))
            self.d_loss_tracker.update_state(d_loss)
        g_loss = self.generator_step(m, real[::self.d_steps][:m],
                                     _common.minibatch(condition, 0, self.d_steps))
        self.g_loss_tracker.update_state(g_loss)
        return {t.name: t.result() for t in self._trackers}

    def fit(self, x=None, *args, **kwargs):
        """``keras.Model.fit``, after checking ``epochs`` and the data's shape, dtype, values
        and size (see ``check_input``). Batches too small for a step (fewer than ``d_steps``
        examples per replica) are dropped, never trained on; see ``batch_needs``."""
        _common.require_compiled(self.d_optimizer)
        x, kwargs = _common.prepare_fit(x, args, kwargs, self.check_input, self.name,
                                        *self.batch_needs())
        return super().fit(x, **kwargs)

    def batch_needs(self):
        """``(min_batch, why)``: a step splits its batch into ``d_steps`` minibatches of
        ``m = batch // d_steps`` examples on each replica, so it needs ``m >= 1``, i.e. at least
        ``d_steps`` examples per replica. ``fit`` drops smaller batches (a data set's last,
        partial batch) instead of training on empty minibatches; a batch of ``b >= d_steps``
        examples gives minibatches of ``b // d_steps`` (its ``b % d_steps`` extra examples are
        left out)."""
        return _common.batch_needs(self, self.d_steps, f"d_steps={self.d_steps} minibatches of "
                                                       f"at least one example")

    def check_input(self, x):
        """``ValueError`` naming expected and received if ``x`` (a Dataset or an array) has the
        wrong rank, shape, channel count or dtype for the discriminator, non-finite values, no
        batch of the ``batch_needs()`` size or, for images, values outside [-1, 1]."""
        min_batch, needs = self.batch_needs()
        _common.check_fit_input(x, self.sample_shape, self.name,
                                images=len(self.sample_shape) == 3, min_batch=min_batch,
                                needs=needs)

    # -- saving -------------------------------------------------------------------------

    def save_own_variables(self, store):
        _common.save_seed_state(self, store, self.seed_generator)

    def load_own_variables(self, store):
        _common.load_seed_state(self, store, self.seed_generator)

    # -- using the generator --------------------------------------------------------------

    def call(self, z, training=False):
        """G(z)."""
        return self.generator(z, training=training)

    def sample(self, n, seed=None, batch_size=256, **condition):
        """``n`` generated samples as a NumPy array; ``seed`` (int) fixes the generator's input,
        and sampling never touches the training noise generator. Conditional trainers take their
        condition by keyword (``labels=...``, ``codes=...``; see ``sampling_latent``)."""
        n = _common.positive_int(n, "n")
        seed = self._sample_seed if seed is None else int(seed)
        latent = self.sampling_latent(n, seed, **condition)
        outs = [np.asarray(self.generator(
                    tf.nest.map_structure(lambda t: t[i:i + batch_size], latent),
                    training=False))
                for i in range(0, int(n), batch_size)]
        return np.concatenate(outs).astype(np.float32)

    def sampling_latent(self, n, seed, **condition):
        """The generator's input for ``sample(n, seed, **condition)``: z ~ N(0, I) drawn with the
        integer ``seed``. The unconditional GAN takes no condition (``ValueError``)."""
        if condition:
            raise ValueError(f"{self.name} is unconditional: sample() takes no "
                             f"{', '.join(sorted(condition))}")
        return keras.random.normal((int(n), self.latent_dim), seed=seed)
