"""Random draws that stay fast under XLA on CPU.

``keras.random`` calls TensorFlow's stateless ops with the default ``alg="auto_select"``. Inside
a ``jit_compile=True`` function on CPU that lowers (TF 2.21) to a generic bit generator about
100x slower than the Philox one it produces the *same numbers* as: measured on an AMD EPYC,
803k uniforms took 133 ms with ``auto_select`` and 1.2 ms with ``alg="philox"`` under XLA,
and the book's DCGAN discriminator's forward and backward pass (its four dropout layers) went
from 740 ms to 44 ms. Outside XLA the two also give identical numbers, but there the default
was the faster (1.8 ms against 3.2 ms), so these functions call ``keras.random`` there and the
explicit Philox op only inside an XLA context: the same values either way, per seed, as
``keras.random``.

The seed must be a ``keras.random.SeedGenerator`` to take the fast path (the trainers' and
layers' own generators are); anything else goes to ``keras.random`` unchanged.
"""

from __future__ import annotations

import keras
import tensorflow as tf


def in_xla_context():
    """True while tracing a function compiled with XLA (``jit_compile=True``)."""
    try:
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover - private module moved
        return False
    return bool(control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph()))


def _fast(seed):
    return isinstance(seed, keras.random.SeedGenerator) and in_xla_context()


def _seed(seed_generator):
    # Keras's own conversion (keras/src/backend/tensorflow/random.py: draw, then fold to int32).
    seed = seed_generator.next()
    if seed.dtype != tf.int32:
        seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), tf.int32)
    return seed


def normal(shape, seed, mean=0.0, stddev=1.0, dtype=None):
    """``keras.random.normal(shape, mean, stddev, dtype, seed)``."""
    if not _fast(seed):
        return keras.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)
    dtype = dtype or keras.config.floatx()
    return tf.random.stateless_normal(shape, _seed(seed), mean=mean, stddev=stddev, dtype=dtype,
                                      alg="philox")


def uniform(shape, seed, minval=0.0, maxval=1.0, dtype=None):
    """``keras.random.uniform(shape, minval, maxval, dtype, seed)``."""
    if not _fast(seed):
        return keras.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)
    dtype = dtype or keras.config.floatx()
    return tf.random.stateless_uniform(shape, _seed(seed), minval=tf.cast(minval, dtype),
                                       maxval=tf.cast(maxval, dtype), dtype=dtype, alg="philox")


def dropout(inputs, rate, seed, noise_shape=None):
    """``keras.random.dropout(inputs, rate, noise_shape, seed)``."""
    if not _fast(seed) or rate in (0.0, 1.0):
        return keras.random.dropout(inputs, rate, noise_shape=noise_shape, seed=seed)
    if noise_shape is not None:
        shape = tf.shape(inputs)
        noise_shape = tf.stack([shape[i] if d is None else d for i, d in enumerate(noise_shape)])
    return tf.nn.experimental.stateless_dropout(inputs, rate, _seed(seed), rng_alg="philox",
                                                noise_shape=noise_shape)
