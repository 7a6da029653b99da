"""Helpers the trainer tests share: a network's twin with the same weights (for the
hand-written step to train) and the optimizer both sides use."""

import keras


def clone(net):
    """A copy of ``net`` (same architecture) holding the same weights."""
    twin = keras.models.clone_model(net)
    twin.set_weights(net.get_weights())
    return twin


def adam():
    """The optimizer of the step-against-a-hand-written-step tests (a large step, so a wrong
    update shows)."""
    return keras.optimizers.Adam(1e-2, beta_1=0.5)
