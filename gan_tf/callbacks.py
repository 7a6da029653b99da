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


class TranslationGrid(keras.callbacks.Callback):
    """Save rows of images every ``every`` epochs, e.g. the same held-out inputs, their
    translations and the ground truth: ``rows(model)`` returns ``(rows, row_labels)``
    (``plotting.image_rows``). Files are ``<out_dir>/<prefix>_epoch_<epoch>.png`` (1-based
    epochs); the image-to-image models have no ``sample(n)`` for ``SampleGrid``. See
    chapter 8."""

    def __init__(self, out_dir, rows, every=1, prefix="translations"):
        super().__init__()
        if every <= 0:
            raise ValueError(f"every must be positive, got every={every}")
        self.out_dir, self.rows = Path(out_dir), rows
        self.every, self.prefix = int(every), prefix
        self.paths = []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        rows, labels = self.rows(self.model)
        path = self.out_dir / f"{self.prefix}_epoch_{epoch + 1:03d}.png"
        plotting.close(plotting.image_rows(rows, labels, path=path, title=f"epoch {epoch + 1}"))
        self.paths.append(path)


class Checkpoint(keras.callbacks.Callback):
    """Save the whole training state every epoch, atomically, and resume from it.

    Saves ``model.save_weights`` (for gan_tf trainers: every network, every optimizer's slots and
    step counter, the trainer's noise-generator state and metric trackers) to
    ``<run_dir>/checkpoints/epoch-<k>.weights.h5`` through a temporary file and ``os.replace``,
    then points ``checkpoint.json`` at it the same way; a kill at any moment leaves the previous
    pointer and its file intact. At the start of ``fit`` it restores the newest checkpoint and
    makes ``fit`` continue from the epoch after it, so running the same command again resumes.

    A NaN or Inf in the logs after a batch stops training, does not save that epoch, and raises
    ``FloatingPointError`` from ``fit`` naming the loss, epoch and batch and the last good
    checkpoint. ``keep`` checkpoint files are kept. See chapter 4.2.
    """

    def __init__(self, run_dir, keep=2, resume=True):
        super().__init__()
        if keep < 1:
            raise ValueError(f"keep must be >= 1, got {keep}")
        self.dir = Path(run_dir) / "checkpoints"
        self.keep, self.resume = int(keep), bool(resume)
        self.restored_epoch = 0
        self._bad = None

    @property
    def pointer(self):
        return self.dir / "checkpoint.json"

    def latest(self):
        """``(epoch, path)`` of the newest complete checkpoint, or ``None``."""
        import json

        if not self.pointer.exists():
            return None
        info = json.loads(self.pointer.read_text())
        path = self.dir / info["file"]
        return (int(info["epoch"]), path) if path.exists() else None

    def on_train_begin(self, logs=None):
        self._bad = None
        latest = self.latest() if self.resume else None
        if latest is not None:
            epoch, path = latest
            self.model.load_weights(path)
            self.model._initial_epoch = epoch  # fit continues after the saved epoch
            self.restored_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        import math

        for key, value in (logs or {}).items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            if not math.isfinite(value):
                self._bad = (key, value, self._epoch, batch)
                self.model.stop_training = True
                return

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self._bad is None:
            self.save(epoch + 1)

    def save(self, epoch):
        """Write the checkpoint for ``epoch`` (1-based: epochs completed) atomically."""
        import json
        import os

        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"epoch-{epoch:05d}.weights.h5"
        tmp = self.dir / f".{name}.tmp.weights.h5"
        self.model.save_weights(tmp)
        os.replace(tmp, self.dir / name)
        tmp_pointer = self.dir / ".checkpoint.json.tmp"
        tmp_pointer.write_text(json.dumps({"epoch": int(epoch), "file": name}))
        os.replace(tmp_pointer, self.pointer)
        files = sorted(self.dir.glob("epoch-*.weights.h5"))
        for old in files[:-self.keep]:
            old.unlink()

    def on_train_end(self, logs=None):
        if self._bad is not None:
            key, value, epoch, batch = self._bad
            latest = self.latest()
            kept = (f"the last good checkpoint (epoch {latest[0]}) is kept at {latest[1]}"
                    if latest else "no checkpoint had been written yet")
            raise FloatingPointError(
                f"training stopped: {key} became {value} at epoch {epoch + 1}, batch {batch + 1}; "
                f"{kept}. Lower the learning rate or check the data, then run again to resume."
            )
