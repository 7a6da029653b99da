"""Regularisers that act on the critic: the gradient penalty and weight clipping.

See chapter 5.4 (WGAN-GP) and 5.3 (WGAN).
"""

from __future__ import annotations

import tensorflow as tf

from gan_tf import rng
from gan_tf.losses import _reduce


def _first_output(outputs):
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def gradient_penalty(critic, real, fake, seed=None, alpha=None, target=1.0,
                     one_sided=False, epsilon=1e-12, reduction="mean", training=True):
    """WGAN-GP's penalty E[(||grad_x f(x_hat)||_2 - target)^2] (arXiv:1704.00028, eq. 3).

    ``x_hat = alpha * real + (1 - alpha) * fake`` with ``alpha ~ U[0, 1]`` drawn once *per
    example* (Algorithm 1, line 4) from ``seed`` (a ``keras.random.SeedGenerator`` owned by the
    trainer, or an int), or given as ``alpha`` of shape ``(batch,)``. Inputs may have any rank
    ``(batch, ...)``; the norm is over all non-batch axes, computed as
    ``sqrt(sum(g^2) + epsilon)`` so its gradient is finite at 0. ``one_sided=True`` penalises
    only norms above ``target``: ``max(0, ||g|| - target)^2`` (section 4, footnote).

    Returns a scalar (``reduction="mean"``) or the per-example penalty ``(batch,)``. Multiply
    by lambda (10 in the paper) yourself. See chapter 5.4.
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(tf.convert_to_tensor(fake), real.dtype)
    if real.shape.rank is None or real.shape.rank < 2:
        raise ValueError(f"real must have shape (batch, ...), got {real.shape}")
    if real.shape[1:] != fake.shape[1:] or (
        real.shape[0] is not None and fake.shape[0] is not None
        and real.shape[0] != fake.shape[0]
    ):
        raise ValueError(f"real and fake must have one shape, got {real.shape} and {fake.shape}")
    batch = tf.shape(real)[0]
    if alpha is not None:
        alpha = tf.convert_to_tensor(alpha)
        if alpha.shape.rank != 1 or (alpha.shape[0] is not None and real.shape[0] is not None
                                     and alpha.shape[0] != real.shape[0]):
            raise ValueError(f"alpha must have shape ({real.shape[0]},), got {alpha.shape}")
    if alpha is None:
        alpha = rng.uniform((batch,), seed, dtype=real.dtype)
    alpha = tf.cast(tf.reshape(alpha, [-1] + [1] * (real.shape.rank - 1)), real.dtype)
    interpolated = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as tape:
        tape.watch(interpolated)
        scores = tf.cast(_first_output(critic(interpolated, training=training)), tf.float32)
    grads = tf.cast(tape.gradient(scores, interpolated), tf.float32)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, real.shape.rank)))
                    + epsilon)
    gap = norms - target
    if one_sided:
        gap = tf.nn.relu(gap)
    return _reduce(tf.square(gap), reduction)


def clip_weights(model, clip_value=0.01):
    """Clip every trainable weight of ``model`` to [-clip_value, clip_value] in place.

    WGAN's Lipschitz constraint (arXiv:1701.07875, Algorithm 1, line 7). See chapter 5.3.
    """
    if clip_value <= 0:
        raise ValueError(f"clip_value must be positive, got {clip_value}")
    for w in model.trainable_weights:
        w.assign(tf.clip_by_value(w, -clip_value, clip_value))
