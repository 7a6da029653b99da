"""gan_tf.callbacks.SampleGrid writes one grid per epoch from fixed codes."""

import keras
import numpy as np
import pytest

from gan_tf import callbacks, models, trainers
from gan_tf.data import images


def test_sample_grid_writes_a_grid_per_epoch_under_the_run_folder(tmp_path):
    keras.utils.set_random_seed(0)
    gan = trainers.GAN(models.build_mlp_generator(8, (8, 8, 1), hidden_units=(16,)),
                       models.build_mlp_discriminator((8, 8, 1), hidden_units=(16,)), seed=0)
    gan.compile()
    ds = images.load_images("digits", batch_size=64, limit=256)
    cb = callbacks.SampleGrid(tmp_path / "run", n=16, every=2, seed=3)
    gan.fit(ds, epochs=4, verbose=0, callbacks=[cb])
    names = sorted(p.name for p in (tmp_path / "run").glob("*.png"))
    assert names == ["samples_epoch_002.png", "samples_epoch_004.png"]
    assert cb.paths == [tmp_path / "run" / n for n in names]
    # fixed codes: the callback's samples are the model's samples for that seed
    np.testing.assert_array_equal(gan.sample(16, seed=3), gan.sample(16, seed=3))


def test_sample_grid_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        callbacks.SampleGrid(tmp_path, n=0)
    with pytest.raises(ValueError):
        callbacks.SampleGrid(tmp_path, every=0)
