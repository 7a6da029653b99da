"""Keras callbacks that write figures under the run's output folder. See chapter 4.2."""

from __future__ import annotations

from pathlib import Path

import keras

from gan_tf import plotting


class SampleGrid(keras.callbacks.Callback):
    """Save a grid of ``n`` samples from the same fixed latent codes every ``every`` epochs.

    Files are ``<out_dir>/samples_epoch_<epoch>.png`` (1-based epochs). The model must have a
    ``sample(n, seed=...)`` method (``gan_tf.trainers.GAN`` and ``VAE`` do); ``seed`` fixes the
    codes so the grids show the same z evolving.
    """

    def __init__(self, out_dir, n=64, every=1, seed=0, prefix="samples"):
        super().__init__()
        if n <= 0 or every <= 0:
            raise ValueError(f"n and every must be positive, got n={n}, every={every}")
        self.out_dir = Path(out_dir)
        self.n, self.every, self.seed, self.prefix = int(n), int(every), int(seed), prefix
        self.paths = []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        images = self.model.sample(self.n, seed=self.seed)
        path = self.out_dir / f"{self.prefix}_epoch_{epoch + 1:03d}.png"
        fig = plotting.image_grid(images, path=path, title=f"epoch {epoch + 1}")
        plotting.close(fig)
        self.paths.append(path)
