"""Reusable layers. See chapters 3.1 (reparameterisation) and 10 (later additions)."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="gan_tf")
class Reparameterize(keras.layers.Layer):
    """z = mean + exp(log_var / 2) * eps, eps ~ N(0, I) (Kingma & Welling, arXiv:1312.6114,
    section 2.4).

    Called on ``[mean, log_var]`` (same shape ``(batch, latent)``). The noise comes from the
    layer's own ``keras.random.SeedGenerator`` whose state is a variable, so it is saved with
    checkpoints. See chapter 3.1.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mean, log_var = inputs
        eps = keras.random.normal(ops.shape(mean), dtype=mean.dtype, seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def save_own_variables(self, store):
        # Keras does not save SeedGenerator state; keep it so a resumed run draws on.
        super().save_own_variables(store)
        store["seed_generator_state"] = self.seed_generator.state

    def load_own_variables(self, store):
        super_store = {k: store[k] for k in store.keys() if k != "seed_generator_state"}
        super().load_own_variables(super_store)
        if "seed_generator_state" in store.keys():
            self.seed_generator.state.assign(store["seed_generator_state"])

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="gan_tf")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al., arXiv:1302.4389, eq. 1): ``units`` outputs, each the
    maximum of ``pieces`` affine functions of the input. The discriminator of the 2-D
    mode-collapse benchmarks (ALI / VEEGAN / PacGAN: 3 maxout layers of 200 units, 5 pieces).
    """

    def __init__(self, units, pieces=5, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if int(units) < 1 or int(pieces) < 1:
            raise ValueError(f"units and pieces must be >= 1, got {units}, {pieces}")
        self.units, self.pieces = int(units), int(pieces)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.dense = keras.layers.Dense(self.units * self.pieces,
                                        kernel_initializer=self.kernel_initializer,
                                        dtype=self.dtype_policy, name="affine")

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, x):
        h = self.dense(x)
        h = ops.reshape(h, (-1, self.units, self.pieces))
        return ops.max(h, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}
