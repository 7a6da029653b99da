"""Picking a ``tf.distribute`` strategy.

``strategy()`` returns a TPUStrategy on a TPU, a MirroredStrategy on several GPUs and the
default (one-device) strategy otherwise; build and compile the trainer inside
``strategy().scope()`` and call ``fit`` as usual. gan_tf's trainers divide per-replica loss sums
by the global batch and slice one global noise draw per replica, so a step on N replicas equals
one step on the whole batch (``tests/test_distribute.py``). Batch norm still computes its
statistics over each replica's share of the batch: the DCGAN builders use per-replica statistics,
and synchronized ones need a network built with
``keras.layers.BatchNormalization(synchronized=True)``.

``multi_worker()`` builds a MultiWorkerMirroredStrategy from ``TF_CONFIG``. Keras 3's ``fit``
fails under it (keras-team/keras#20585), so several workers use this module's own loop:
``build_under`` creates the trainer in the strategy's scope (every network called on data, every
optimizer built) and ``train_steps`` calls ``strategy.run(trainer.train_step, ...)`` in a
``tf.function`` (CONTRIBUTING.md, "Several devices and several workers"). See chapter 4.2 and
the README.
"""

from __future__ import annotations

import json
import os

import tensorflow as tf

from gan_tf import data

KINDS = ("auto", "tpu", "mirrored", "default")


def _tpu_hint():
    """Whether this looks like a TPU host, without any network probe."""
    return bool(os.environ.get("TPU_NAME") or os.environ.get("COLAB_TPU_ADDR")
                or any(name.startswith("accel") for name in os.listdir("/dev")
                       if os.path.isdir("/dev")))


def strategy(kind="auto"):
    """A ``tf.distribute.Strategy``: ``"auto"`` picks TPU, then several GPUs, then one device.

    ``"tpu"``, ``"mirrored"`` and ``"default"`` force a choice (``"tpu"`` raises ``ValueError``
    when no TPU answers).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown strategy {kind!r}; expected one of {', '.join(KINDS)}")
    if kind == "tpu" or (kind == "auto" and _tpu_hint()):
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
            return tf.distribute.TPUStrategy(resolver)
        except (ValueError, RuntimeError, tf.errors.OpError) as err:
            if kind == "tpu":
                raise ValueError(f"no TPU could be reached ({type(err).__name__}: {err})") from err
    gpus = tf.config.list_logical_devices("GPU")
    if kind == "mirrored" or (kind == "auto" and len(gpus) > 1):
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def multi_worker():
    """A ``MultiWorkerMirroredStrategy`` for the cluster described by ``TF_CONFIG``."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise ValueError("multi_worker() needs TF_CONFIG, e.g. "
                         '{"cluster": {"worker": ["host1:port", "host2:port"]}, '
                         '"task": {"type": "worker", "index": 0}}')
    try:
        config = json.loads(raw)
        config["cluster"]["worker"], config["task"]["index"]
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"TF_CONFIG must hold cluster.worker and task.index, got {raw!r}") from err
    return tf.distribute.MultiWorkerMirroredStrategy()


def build_under(strategy, trainer_fn, example_batch):
    """Create a trainer inside ``strategy.scope()`` the way several workers need it: every network
    is called once on data (not ``build(shape)``) and every optimizer is built, before training.
    ``trainer_fn()`` builds and compiles the trainer; ``example_batch`` is one batch of real data.
    """
    with strategy.scope():
        trainer = trainer_fn()
        z = tf.zeros((2, trainer.latent_dim))
        trainer.discriminator(trainer.generator(z))
        trainer.discriminator(tf.convert_to_tensor(example_batch)[:2])
    return trainer


def train_steps(trainer, strategy, dataset, steps):
    """Run ``steps`` training iterations of ``trainer.train_step`` under ``strategy`` with a
    custom loop: a ``tf.function`` calling ``strategy.run`` over
    ``strategy.experimental_distribute_dataset(dataset)``. This is the path for several workers,
    where Keras 3's ``fit`` fails (keras-team/keras#20585). ``dataset`` yields global batches;
    as in ``fit``, those too small for a step (``trainer.batch_needs()``) are skipped.
    Returns the last step's logs as floats."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if hasattr(trainer, "check_input"):
        trainer.check_input(dataset)
    if hasattr(trainer, "batch_needs"):   # batches too small for a step are dropped, as in fit
        dataset, _ = data.drop_small_batches(dataset, trainer.batch_needs()[0])
    iterator = iter(strategy.experimental_distribute_dataset(dataset))

    @tf.function
    def step(batch):
        logs = strategy.run(trainer.train_step, args=(batch,))
        return {k: strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
                for k, v in logs.items()}

    logs = None
    for _ in range(int(steps)):
        logs = step(next(iterator))
    return {k: float(v) for k, v in logs.items()}
