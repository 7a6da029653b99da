"""Helpers the trainer tests share: a network's twin with the same weights (for the
hand-written step to train) and the optimizer both sides use."""

import keras
import tensorflow as tf


def clone(net):
    """A copy of ``net`` (same architecture) holding the same weights."""
    twin = keras.models.clone_model(net)
    twin.set_weights(net.get_weights())
    return twin


def adam():
    """The optimizer of the step-against-a-hand-written-step tests (a large step, so a wrong
    update shows)."""
    return keras.optimizers.Adam(1e-2, beta_1=0.5)


def labelled_latent(seed_generator, m, latent_dim, n_classes):
    """The ``[z, one_hot(y)]`` a labelled trainer draws for ``m`` fakes, in its order: z ~ N(0, I),
    then y = floor(K u) with u ~ U[0, 1)."""
    z = keras.random.normal((m, latent_dim), seed=seed_generator)
    u = keras.random.uniform((m,), seed=seed_generator)
    return [z, tf.one_hot(tf.cast(tf.floor(u * n_classes), tf.int32), n_classes)]
