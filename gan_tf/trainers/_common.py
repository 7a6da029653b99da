"""Helpers shared by the trainers: input checks, loss averaging, optimizer set-up."""

from __future__ import annotations

import inspect

import keras
import numpy as np
import tensorflow as tf

from gan_tf import rng
from gan_tf.checks import check_finite, check_labels, positive_int
from gan_tf.checks import check_image_range as check_range
from gan_tf.data.images import drop_small_batches, epoch_variable


def unpack_inputs(data):
    """The images of a batch that may be ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, w)``."""
    if isinstance(data, (tuple, list)):
        return data[0]
    return data


def split_pair(data, what, condition_name, builder, images_name="images"):
    """``(images, condition)`` of a batch ``(images, condition)``, or of ``((images,
    condition),)`` as ``fit`` passes arrays; anything else is a ``ValueError`` naming
    ``builder``, the ``gan_tf.data`` call that makes such batches (or the ``fit`` call).
    ``images_name`` names the first part (Pix2Pix's ``inputs``, SRGAN's ``hr``, CycleGAN's
    ``x_images``). See chapter 6.1."""
    if (isinstance(data, (tuple, list)) and len(data) == 1
            and isinstance(data[0], (tuple, list))):
        data = data[0]                     # fit((images, condition)) on arrays
    if not isinstance(data, (tuple, list)) or len(data) < 2:
        raise ValueError(f"{what} trains on ({images_name}, {condition_name}) batches, "
                         f"received {type(data).__name__} {getattr(data, 'shape', '')}; build "
                         f"them with {builder}")
    return data[0], data[1]


def pair_fit_data(x, y, what, carried):
    """What ``fit(x, y)`` of a trainer of ``(images, condition)`` batches trains on: ``(x,
    y)`` for two arrays, ``x`` alone when ``y`` is ``None``; a Dataset with a ``y`` is a
    ``ValueError`` (the dataset carries its ``carried``: labels, targets, LR images, ...).
    See chapter 6.1."""
    if y is None:
        return x
    if isinstance(x, tf.data.Dataset):
        raise ValueError(f"{what}.fit: a dataset carries its {carried}; pass y=None")
    return (x, y)

def _first(*batch):
    return batch[0]


def _second(*batch):
    return batch[1]


def fit_pair(data, split):
    """``(first, second)`` of what ``fit`` trains on for a trainer of pair batches (Pix2Pix's
    ``(inputs, targets)``, SRGAN's ``(hr, lr)``, CycleGAN's ``(x, y)``): a Dataset of such
    batches gives two Datasets (``check_fit_input`` reads their first batch), arrays ``(a,
    b)`` (or ``((a, b),)``) the two arrays. ``split(data)``, the trainer's ``split_pair``,
    raises on anything else. See chapter 8."""
    if isinstance(data, tf.data.Dataset):
        spec = data.element_spec
        if not (isinstance(spec, (tuple, list)) and len(spec) >= 2):
            split(spec)                    # raises
        return data.map(_first), data.map(_second)
    return split(data)


class EncoderTrainer:
    """``fit`` and ``call`` (mixed in before ``keras.Model``) of a trainer of one network
    ``self.encoder`` on its own inputs: ``fit`` checks that ``compile`` ran, reads its data
    through ``prepare_fit`` and the trainer's ``check_input``; ``call`` is the encoder.
    ``StyleEncoder`` (chapter 7.1) and ``ProjectionEncoder`` (chapter 8.1)."""

    def fit(self, x=None, *args, **kwargs):
        """``keras.Model.fit`` on the trainer's inputs (see the class docstring)."""
        require_compiled(self.optimizer)
        x, kwargs = prepare_fit(x, args, kwargs, self.check_input, self.name)
        return super().fit(x, **kwargs)

    def call(self, images, training=False):
        """The encoder's output for ``images``."""
        return self.encoder(images, training=training)


class ConditionAsInput:
    """``GAN`` hooks (mixed in before ``GAN``) of a trainer whose generator's input is the
    batch's condition itself, no z: Pix2Pix's input images, SRGAN's LR images. The fakes'
    condition is that input. ``generator_input`` names it in the error. See chapter 6.1."""

    generator_input = "its condition"

    def sample_latent(self, n, condition=None):
        """The generator's input: the ``n`` rows of ``condition`` themselves."""
        if condition is None:
            raise ValueError(f"{self.name} generates from {self.generator_input}: the batch "
                             f"must carry them")
        return tf.cast(condition, self.generator.compute_dtype)

    def fake_condition(self, latent):
        """The condition the fakes were made from (what a conditional D sees with them)."""
        return latent

def minibatch(condition, i, d_steps):
    """Minibatch ``i`` of ``d_steps`` of a batch's condition (any nest of tensors whose first
    axis is the batch, or ``None``): every ``d_steps``-th row from row ``i``, ``rows // d_steps``
    of them, as the loop splits the images. See chapter 6.1."""
    if condition is None:
        return None

    def take(t):
        return t[i::d_steps][:tf.shape(t)[0] // d_steps]

    return tf.nest.map_structure(take, condition)


def check_batch_spec(x, expected_shape, what):
    """Raise ``ValueError`` (at trace time) if ``x``'s static shape or dtype doesn't fit."""
    expected_shape = tuple(expected_shape)
    shape = tuple(x.shape)
    if len(shape) != len(expected_shape) + 1:
        raise ValueError(
            f"{what} expects inputs of shape (batch, {', '.join(map(str, expected_shape))}) "
            f"(rank {len(expected_shape) + 1}), received shape {shape} (rank {len(shape)})"
        )
    for got, want in zip(shape[1:], expected_shape):
        if want is not None and got is not None and got != want:
            raise ValueError(
                f"{what} expects inputs of shape (batch, {', '.join(map(str, expected_shape))}), "
                f"received {shape}"
                + (" (channel count differs)" if len(shape) == 4 and got == shape[-1] else "")
            )
    if not x.dtype.is_floating:
        raise ValueError(
            f"{what} expects floating-point inputs (float32 in [-1, 1]), received dtype "
            f"{x.dtype.name}; use gan_tf.data.load_images, which scales images to [-1, 1]"
        )


def _no_batch(what, detail):
    return ValueError(f"{what} has no batch to train on: {detail}")


def _check_values(real, expected_shape, what, images, min_batch, needs):
    check_batch_spec(real, expected_shape, what)
    if real.shape[0] < min_batch:
        raise _no_batch(what, f"the first batch holds {real.shape[0]} examples, fewer than the "
                              f"{min_batch} a step needs ({needs})")
    if images:
        check_range(real, what)      # finite values, then the range
    else:
        check_finite(real, what)


def check_fit_input(x, expected_shape, what, images=True, min_batch=1, needs=""):
    """Check what ``fit`` (or a custom loop) is about to train on: a ``tf.data.Dataset`` (its
    first batch) or an array (all of it). Shape and dtype, finite values, at least one batch of
    at least ``min_batch`` examples (``needs`` says why); the [-1, 1] range when the samples are
    ``images``. Raises ``ValueError`` naming expected and received."""
    if x is None:
        return
    if isinstance(x, tf.data.Dataset):
        if int(x.cardinality()) == 0:
            raise _no_batch(what, "the dataset holds 0 batches (batch_size larger than the data "
                                  "with drop_remainder=True?)")
        for batch in x.take(1):
            _check_values(unpack_inputs(batch), expected_shape, what, images, min_batch, needs)
            return
        raise _no_batch(what, "the dataset yields no batch (0 batches)")
    real = unpack_inputs(x)
    if hasattr(real, "shape") and hasattr(real, "dtype"):
        real = tf.convert_to_tensor(real)
        if real.shape.rank and real.shape[0] == 0:
            raise _no_batch(what, f"received an empty array of shape {tuple(real.shape)}")
        _check_values(real, expected_shape, what, images, min_batch, needs)


def replicas(model):
    """Replicas a step of ``model`` (created under a ``tf.distribute`` strategy or not) runs on."""
    strategy = getattr(model, "distribute_strategy", None) or tf.distribute.get_strategy()
    return int(strategy.num_replicas_in_sync)


def batch_needs(model, per_replica, needs):
    """``(min_batch, why)`` of a trainer's ``batch_needs()``: ``per_replica`` examples on each
    replica ``model`` runs on, and why (``needs``, e.g. ``"d_steps=5 minibatches of at least one
    example"``, with the replica count when there are several). ``fit`` drops batches that hold
    fewer (``prepare_fit``)."""
    n = replicas(model)
    return per_replica * n, needs + (f" on each of {n} replicas" if n > 1 else "")


class DataEpoch(keras.callbacks.Callback):
    """Sets a resumable dataset's epoch counter (``gan_tf.data.to_dataset(resumable=True)``)
    to the epoch ``fit`` is about to train, so its order depends on the epoch number alone.

    ``once=True`` (the dataset is read through one repeating iterator, see ``fit_dataset``):
    set it before the first epoch only; each later pass advances the counter itself, and
    setting it again could undo a pass that prefetching has already begun."""

    def __init__(self, variable, once=False):
        super().__init__()
        self.variable, self.once, self._done = variable, once, False

    def on_epoch_begin(self, epoch, logs=None):
        if not (self.once and self._done):
            self.variable.assign(int(epoch))
            self._done = True


# keras.Model.fit's parameters after x, to name positional arguments
FIT_ARGS = tuple(inspect.signature(keras.Model.fit).parameters)[2:]


def name_fit_args(args, kwargs, after_y=False):
    """``kwargs`` with ``fit``'s positional arguments ``args`` named (``keras.Model.fit``'s
    order: ``y``, ``batch_size``, ``epochs``, ...; from ``batch_size`` on when ``after_y``, for
    a ``fit(x, y, *args)`` that takes ``y`` itself); ``TypeError`` for too many or for one
    given twice, as Python's."""
    names = FIT_ARGS[1:] if after_y else FIT_ARGS
    if len(args) > len(names):
        raise TypeError(f"fit takes at most {len(FIT_ARGS) + 1} positional arguments")
    named = dict(zip(names, args))
    both = sorted(set(named) & set(kwargs))
    if both:
        raise TypeError(f"fit got multiple values for argument {both[0]!r}")
    return {**kwargs, **named}


def prepare_fit(x, args, kwargs, check, what, min_batch=1, needs=""):
    """``(x, kwargs)`` for ``keras.Model.fit(x, **kwargs)`` of a trainer.

    Positional arguments are named; ``epochs`` must be a positive int; ``check(x)`` (the
    trainer's ``check_input``) vets the data. A step needs batches of at least ``min_batch``
    examples (``needs`` says why: ``d_steps`` minibatches of at least one example on every
    replica): batches that hold fewer are dropped before training, never trained on (a
    minibatch of 0 examples gives NaN losses). A Dataset whose batches are all too small, or
    batch_size < min_batch, is a ``ValueError``, as is data with no batch at all. Arrays whose
    last batch would be too small become a Dataset with ``drop_remainder=True`` (reshuffled
    each epoch if ``shuffle``, so other examples are left out each epoch). Datasets go through
    ``fit_dataset``."""
    kwargs = name_fit_args(args, kwargs)
    positive_int(kwargs.get("epochs", 1), "epochs")
    check(x)
    if x is not None and not isinstance(x, tf.data.Dataset) and min_batch > 1:
        real = unpack_inputs(x)
        n, size = len(real), kwargs.get("batch_size") or 32
        if kwargs.get("steps_per_epoch") is None:
            if size < min_batch:
                raise _no_batch(what, f"the first batch holds {min(size, n)} examples, fewer than "
                                      f"the {min_batch} a step needs ({needs})")
            if 0 < n % size < min_batch:
                # the whole batch structure (images and any labels or conditions) is kept
                y = kwargs.pop("y", None)
                ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
                if kwargs.pop("shuffle", True):
                    ds = ds.shuffle(n, reshuffle_each_iteration=True)
                x = ds.batch(size, drop_remainder=True)
                kwargs.pop("batch_size", None)
    if isinstance(x, tf.data.Dataset):
        x, kwargs = fit_dataset(x, kwargs, what, min_batch, needs)
    return x, kwargs


def fit_dataset(x, kwargs, what="the trainer", min_batch=1, needs=""):
    """``(x, kwargs)`` for ``keras.Model.fit`` on a ``tf.data.Dataset`` (``kwargs`` by name).

    - ``shuffle=False`` by default (a Dataset shuffles itself).
    - Batches of fewer than ``min_batch`` examples are filtered out (only when the batch size
      is not static: ``drop_remainder=True`` data never needs it; otherwise a finite dataset's
      kept batches are counted once, in one pass over it before training).
    - A finite Dataset without ``steps_per_epoch`` becomes ``x.repeat()`` with
      ``steps_per_epoch`` = its number of batches: the same batches in the same order (each
      repetition is a fresh pass), but one iterator for the whole run. Keras makes a new
      iterator per epoch otherwise, and with TF 2.21 / Keras 3.15 each epoch start then stalled
      for 0-20 s (measured on 2 cores: 1.5-1.9 s at 40 batches per epoch, 8-20 s at 100-150).
    - A resumable dataset, or any dataset derived from one (``.map``, ``.repeat()``, ...), gets
      its ``DataEpoch`` callback.
    """
    kwargs = dict(kwargs)
    kwargs.setdefault("shuffle", False)
    variable = epoch_variable(x)
    batches = int(x.cardinality())
    given = kwargs.get("steps_per_epoch") is not None
    x, dropped = drop_small_batches(x, min_batch)
    if dropped:
        if batches > 0 and not given:
            batches = int(x.reduce(np.int64(0), lambda count, _: count + 1))
            if batches == 0:
                raise _no_batch(what, f"no batch holds the {min_batch} examples a step needs "
                                      f"({needs})")
    repeat = batches > 0 and not given
    if repeat:
        x = x.repeat()
        kwargs["steps_per_epoch"] = batches
    if variable is not None:
        once = repeat or batches == int(tf.data.INFINITE_CARDINALITY)
        kwargs["callbacks"] = list(kwargs.get("callbacks") or []) + [DataEpoch(variable, once)]
    return x, kwargs


def average_loss(per_example):
    """Sum over this replica's examples divided by the *global* batch size, so that the
    gradients summed across replicas equal the gradient of the global-batch mean."""
    return tf.nn.compute_average_loss(tf.cast(per_example, tf.float32))


def prepare_optimizer(optimizer, default):
    """Instantiate ``optimizer`` (or ``default()``), wrapping it in a ``LossScaleOptimizer``
    when the global dtype policy is ``mixed_float16``."""
    optimizer = keras.optimizers.get(optimizer) if optimizer is not None else default()
    if (keras.config.dtype_policy().name == "mixed_float16"
            and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer)):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def compile_two(model, kwargs, d_optimizer, g_optimizer, default_d, default_g=None,
                total_steps=None, schedule="a schedule"):
    """``(d_optimizer, g_optimizer)`` for the ``compile`` of a trainer with two optimizers
    (``GAN``, ``CycleGAN``, ``StarGAN``), after ``keras.Model.compile(model, optimizer=None,
    **kwargs)``: each ``prepare_optimizer(given, default)`` (``default_g`` defaults to
    ``default_d``). ``ValueError`` for an ``optimizer`` keyword (there are two), for one object
    given as both, and for a ``total_steps`` (the default optimizers' decay) given with
    optimizers of one's own (give them ``schedule`` instead). Build each on its variables
    after this, inside the caller's strategy scope."""
    if "optimizer" in kwargs:
        raise ValueError(f"{model.name}.compile takes d_optimizer and g_optimizer, not "
                         f"optimizer")
    if total_steps is not None and (d_optimizer is not None or g_optimizer is not None):
        raise ValueError(f"{model.name}.compile: total_steps sets the default optimizers' "
                         f"schedule; with your own optimizers give them {schedule}")
    keras.Model.compile(model, optimizer=None, **kwargs)
    d = prepare_optimizer(d_optimizer, default_d)
    g = prepare_optimizer(g_optimizer, default_d if default_g is None else default_g)
    if d is g:
        raise ValueError("d_optimizer and g_optimizer must be two optimizer objects")
    return d, g


def replica_slice(draw, n, *shape):
    """``draw((n_global, *shape))`` sliced to this replica's ``n`` rows.

    Under a ``tf.distribute`` strategy with R replicas, every replica draws the *global* batch of
    random numbers (R * n rows, from the same seed state) and keeps rows [r * n, (r + 1) * n),
    the rows a single device would use for the examples replica r holds. So a step on R replicas
    uses the same noise as one step on the whole batch. Outside a strategy it is ``draw((n, ...))``.
    """
    ctx = tf.distribute.get_replica_context()
    replicas = ctx.num_replicas_in_sync if ctx is not None else 1
    if replicas == 1:
        return draw((n,) + tuple(shape))
    values = draw((n * replicas,) + tuple(shape))
    start = tf.cast(ctx.replica_id_in_sync_group, tf.int32) * tf.cast(n, tf.int32)
    return values[start:start + n]


SEED_STATE_KEY = "seed_generator_state"


def save_seed_state(layer, store, seed_generator):
    """``Layer.save_own_variables`` plus the state of ``seed_generator``.

    Keras saves a layer's own variables but not the state of its ``SeedGenerator`` s, so
    without this a resumed run would draw the noise of a fresh run again."""
    for i, v in enumerate(layer._trainable_variables + layer._non_trainable_variables):
        store[f"{i}"] = v
    store[SEED_STATE_KEY] = seed_generator.state


def load_seed_state(layer, store, seed_generator):
    """Inverse of ``save_seed_state`` (files without the seed state load too)."""
    for i, v in enumerate(layer._trainable_variables + layer._non_trainable_variables):
        v.assign(store[f"{i}"])
    if SEED_STATE_KEY in store.keys():
        seed_generator.state.assign(store[SEED_STATE_KEY])


def draw_categories(seed_generator, n, n_classes):
    """``n`` draws from the uniform prior over ``n_classes`` categories (int32): floor(K u) with
    u ~ U[0, 1) from ``seed_generator``; each replica takes its rows of one global draw. Used for
    the fakes' labels (cGAN, AC-GAN) and InfoGAN's categorical code. See chapters 6.1 and 6.3."""
    u = replica_slice(lambda shape: rng.uniform(shape, seed_generator), n)
    return tf.minimum(tf.cast(tf.floor(u * n_classes), tf.int32), n_classes - 1)


def check_labelled_input(x, n_classes, what, images_and_labels):
    """``ValueError`` unless ``x`` (what ``fit`` received) carries labels: a Dataset whose first
    batch ``images_and_labels(batch)`` splits into images and labels, or ``(images, labels)``
    arrays; the labels are checked with ``checks.check_labels`` (integers in ``[0, n_classes)``,
    one per image). See chapter 6.1."""
    if x is None:
        return
    if isinstance(x, tf.data.Dataset):
        for batch in x.take(1):
            images, labels = images_and_labels(batch)
            check_labels(labels, n_classes, what, n=len(images))
    elif isinstance(x, (tuple, list)) and len(x) >= 2:
        check_labels(x[1], n_classes, what, n=len(x[0]))
    else:
        raise ValueError(f"{what} trains on (images, labels), received images alone; "
                         f"pass fit((images, labels)) or a dataset of (images, labels)")


def requested_labels(labels, n, n_classes, what):
    """The classes ``sample(n, ...)`` asks for: ``labels`` (one int for all, or ``n`` of them),
    checked; by default the classes in turn (0, 1, ..., n_classes - 1, 0, ...). See chapter 6.1."""
    if labels is None:
        return np.arange(n, dtype=np.int32) % n_classes
    if np.ndim(labels) == 0:
        labels = np.full(n, labels)
    return check_labels(labels, n_classes, what, n=n)


def batched(fn, x, sample_shape, what, batch_size=256):
    """``fn`` applied to ``x`` (images ``(n, *sample_shape)``, checked as ``check_batch_spec``
    does) ``batch_size`` rows at a time, the outputs concatenated as a float32 NumPy array (a
    trained discriminator used as a classifier). See chapter 6.2."""
    x = tf.convert_to_tensor(x)
    check_batch_spec(x, sample_shape, what)
    batch_size = positive_int(batch_size, "batch_size")
    n = int(x.shape[0])
    if n == 0:
        raise ValueError(f"{what} expects at least one image, received shape {tuple(x.shape)}")
    return np.concatenate([np.asarray(fn(x[i:i + batch_size]), np.float32)
                           for i in range(0, n, batch_size)])


def check_no_batch_norm(critic, what):
    """``ValueError`` if ``critic`` holds a batch-norm layer: the gradient penalty is per example
    (Gulrajani et al., arXiv:1704.00028, section 4), so a WGAN-GP critic must not use batch
    norm. See chapter 5.4."""
    batch_norms = [layer.name for layer in critic._flatten_layers()
                   if isinstance(layer, keras.layers.BatchNormalization)]
    if batch_norms:
        raise ValueError(
            f"{what}'s critic must not use batch norm (the penalty is per example; "
            f"arXiv:1704.00028 section 4); found {batch_norms}. Use layer norm instead."
        )


@keras.saving.register_keras_serializable(package="gan_tf")
def require_compiled(optimizer):
    """``ValueError("call compile() before fit()")`` while ``optimizer`` (the one ``compile``
    sets, or one of them) is still ``None``."""
    if optimizer is None:
        raise ValueError("call compile() before fit()")


class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """A learning rate held at ``initial_learning_rate``, then decayed linearly to 0 over the
    last ``decay_steps`` of ``total_steps`` updates (0 from ``total_steps`` on): at step ``s``,
    ``initial * clip((total_steps - s) / decay_steps, 0, 1)``. The schedule of CycleGAN
    (arXiv:1703.10593, section 7.1: "keep the same learning rate for the first 100 epochs and
    linearly decay the rate to zero over the next 100") and StarGAN (arXiv:1711.09020,
    section 5: constant for the first half, linear decay to 0 in the second).

    Say the decay either way: ``decay_steps`` (the length of the decay, as CycleGAN's paper
    and code phrase it, an int in [1, total_steps]) or ``constant_steps`` (the length of the
    constant part, ``total_steps - decay_steps``, an int in [0, total_steps)); with neither
    the rate decays over the second half, ``decay_steps = max(total_steps // 2, 1)`` (for an
    odd ``total_steps`` the constant part is the longer). The step is the optimizer's own
    update count (``iterations``, saved with every checkpoint, so a resumed run continues on
    the schedule). See chapter 8."""

    def __init__(self, initial_learning_rate, total_steps, decay_steps=None,
                 constant_steps=None):
        rate = initial_learning_rate
        if isinstance(rate, (bool, np.bool_)) or not isinstance(
                rate, (int, float, np.integer, np.floating)) or not np.isfinite(rate) \
                or rate <= 0:
            raise ValueError(f"initial_learning_rate must be a number > 0, got {rate!r}")
        self.initial_learning_rate = float(rate)
        self.total_steps = positive_int(total_steps, "total_steps")
        if constant_steps is not None:
            if decay_steps is not None:
                raise ValueError("give decay_steps or constant_steps (= total_steps - "
                                 "decay_steps), not both")
            if (isinstance(constant_steps, bool)
                    or not isinstance(constant_steps, (int, np.integer))
                    or not 0 <= constant_steps < self.total_steps):
                raise ValueError(f"constant_steps must be an int in [0, total_steps="
                                 f"{self.total_steps}), got {constant_steps!r}")
            decay_steps = self.total_steps - int(constant_steps)
        elif decay_steps is None:
            decay_steps = max(self.total_steps // 2, 1)
        self.decay_steps = positive_int(decay_steps, "decay_steps")
        if self.decay_steps > self.total_steps:
            raise ValueError(f"decay_steps must be at most total_steps={self.total_steps}, got "
                             f"{self.decay_steps}")

    @property
    def constant_steps(self):
        """The steps at the initial rate before the decay starts."""
        return self.total_steps - self.decay_steps

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        fraction = tf.clip_by_value((self.total_steps - step) / self.decay_steps, 0.0, 1.0)
        return self.initial_learning_rate * fraction

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "total_steps": self.total_steps, "decay_steps": self.decay_steps}
