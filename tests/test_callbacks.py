"""gan_tf.callbacks.SampleGrid writes one grid per epoch from fixed codes."""

import keras
import numpy as np
import pytest

from gan_tf import callbacks, models, trainers
from gan_tf.data import images


def test_sample_grid_writes_a_grid_per_epoch_under_the_run_folder(tmp_path, monkeypatch):
    keras.utils.set_random_seed(0)
    gan = trainers.GAN(models.build_mlp_generator(8, (8, 8, 1), hidden_units=(16,)),
                       models.build_mlp_discriminator((8, 8, 1), hidden_units=(16,)), seed=0)
    gan.compile()
    ds = images.load_images("digits", batch_size=64, limit=256)  # 4 steps per epoch
    cb = callbacks.SampleGrid(tmp_path / "run", n=16, every=2, seed=3)
    # record what each grid shows, with the generator's weights and the trainer's noise-generator
    # state at that moment (after the callback sampled)
    shown = []
    image_grid = callbacks.plotting.image_grid

    def spy(images, path=None, **kwargs):
        shown.append(dict(images=np.array(images), path=path,
                          weights=[w.copy() for w in cb.model.generator.get_weights()],
                          state=cb.model.seed_generator.state.numpy().copy()))
        return image_grid(images, path=path, **kwargs)

    monkeypatch.setattr(callbacks.plotting, "image_grid", spy)
    gan.fit(ds, epochs=4, verbose=0, callbacks=[cb])
    names = sorted(p.name for p in (tmp_path / "run").glob("*.png"))
    assert names == ["samples_epoch_002.png", "samples_epoch_004.png"]
    assert cb.paths == [tmp_path / "run" / n for n in names]
    assert [s["path"] for s in shown] == cb.paths
    assert all(p.stat().st_size > 1000 for p in cb.paths)
    # sampling never draws from the training noise: two draws per step, 8 and 16 steps
    assert [s["state"].tolist() for s in shown] == [[0, 16], [0, 32]]
    state = gan.seed_generator.state.numpy().copy()
    last = gan.sample(16, seed=3)
    np.testing.assert_array_equal(gan.seed_generator.state.numpy(), state)
    # the last grid is the model's samples for the callback's seed ...
    np.testing.assert_array_equal(shown[-1]["images"], last)
    # ... and the grid of epoch 2 is the same codes through the generator of epoch 2
    assert np.abs(shown[0]["images"] - last).max() > 1e-3  # training moved the generator
    gan.generator.set_weights(shown[0]["weights"])
    np.testing.assert_array_equal(shown[0]["images"], gan.sample(16, seed=3))
    # the seed chooses the codes: another seed gives other samples
    assert np.abs(gan.sample(16, seed=4) - shown[0]["images"]).max() > 1e-3


def test_sample_grid_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"n and every must be positive, got n=0, every=1"):
        callbacks.SampleGrid(tmp_path, n=0)
    with pytest.raises(ValueError, match=r"n and every must be positive, got n=64, every=0"):
        callbacks.SampleGrid(tmp_path, every=0)


# -- Checkpoint: atomic saves, resume after kill -9, NaN stop ----------------------------------

import tensorflow as tf  # noqa: E402

import resume  # noqa: E402
from gan_tf.data import toy  # noqa: E402

TRAIN_SCRIPT = resume.script(r"""
    from gan_tf import callbacks, models, trainers
    from gan_tf.data import toy

    def train(order):   # one run folder per order: <root>/<order>
        run_dir = f"{root}/{order}"
        keras.utils.set_random_seed(0)
        g = models.build_mlp_generator(3, (2,), hidden_units=(8,), output_activation=None)
        d = models.build_mlp_discriminator((2,), hidden_units=(8,))
        gan = trainers.GAN(g, d, seed=1)
        gan.compile()
        # "fixed": one order every epoch; "resumable": reshuffled every epoch, keyed by the epoch
        ds = toy.ring_of_gaussians().dataset(n=64, batch_size=16, seed=0, shuffle=order != "fixed",
                                             resumable=order == "resumable")
        gan.fit(ds, epochs=epochs, verbose=0,
                callbacks=[callbacks.Checkpoint(run_dir)] + pause_callbacks())
        np.save(run_dir + "/final.npy",
                np.concatenate([w.ravel() for w in g.get_weights() + d.get_weights()]))
        print("DONE", order, int(gan.d_optimizer.iterations.numpy()), flush=True)
""")

ORDERS = ["fixed", "resumable"]


@pytest.fixture(scope="module")
def resume_runs(tmp_path_factory):
    """Per order: a straight 4-epoch run, a run killed with SIGKILL after epoch 2 and the same
    command rerun on its folder (``resume.kill_and_resume``); {order: what each step printed
    and left on disk}."""
    return resume.kill_and_resume(TRAIN_SCRIPT, tmp_path_factory.mktemp("resume"), ORDERS,
                                  epochs=4, pause_after=2)


@pytest.mark.parametrize("order", ORDERS)
def test_resume_after_kill_9_gives_the_same_weights_as_a_straight_run(resume_runs, order):
    run = resume_runs[order]
    code, out, err, straight_final = run["straight"]
    assert code == 0, err
    assert f"DONE {order} 16" in out  # 4 epochs x 4 batches

    assert "PAUSED" in run["paused"], run.get("killed_stderr")
    assert run["pointer"]["epoch"] == 2

    code, out, err, resumed_final = run["resumed"]
    assert code == 0, err
    assert f"DONE {order} 16" in out  # the optimizer's step count continued from 8
    np.testing.assert_array_equal(np.load(straight_final), np.load(resumed_final))


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    keras.utils.set_random_seed(0)
    g = models.build_mlp_generator(3, (2,), hidden_units=(8,), output_activation=None)
    d = models.build_mlp_discriminator((2,), hidden_units=(8,))
    gan = trainers.GAN(g, d, seed=1)
    gan.compile()
    ds = toy.ring_of_gaussians().dataset(n=64, batch_size=16, shuffle=False)

    class Poison(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.model._poison_now:
                d.layers[-1].kernel.assign(tf.fill(d.layers[-1].kernel.shape, np.nan))

        def on_epoch_begin(self, epoch, logs=None):
            self.model._poison_now = epoch == 2

    ckpt = callbacks.Checkpoint(tmp_path / "run")
    with pytest.raises(FloatingPointError, match=r"d_loss became nan at epoch 3, batch 2.*"
                                                 r"last good checkpoint \(epoch 2\)"):
        gan.fit(ds, epochs=5, verbose=0, callbacks=[Poison(), ckpt])
    epoch, path = ckpt.latest()
    assert epoch == 2
    gan2 = trainers.GAN(models.build_mlp_generator(3, (2,), hidden_units=(8,), output_activation=None),
                        models.build_mlp_discriminator((2,), hidden_units=(8,)), seed=7)
    gan2.compile()
    gan2.load_weights(path)
    assert all(np.all(np.isfinite(w)) for w in gan2.discriminator.get_weights())
    assert int(gan2.d_optimizer.iterations.numpy()) == 8
    # the noise generator's state came back too: seed 1, two draws per step, 8 steps
    np.testing.assert_array_equal(gan2.seed_generator.state.numpy(), [1, 16])


def test_checkpoint_files_are_replaced_atomically_and_pruned(tmp_path):
    keras.utils.set_random_seed(0)
    gan = trainers.GAN(models.build_mlp_generator(3, (2,), hidden_units=(4,), output_activation=None),
                       models.build_mlp_discriminator((2,), hidden_units=(4,)), seed=1)
    gan.compile()
    ckpt = callbacks.Checkpoint(tmp_path, keep=2)
    gan.fit(toy.ring_of_gaussians().dataset(n=32, batch_size=16), epochs=3, verbose=0,
            callbacks=[ckpt])
    files = sorted(p.name for p in (tmp_path / "checkpoints").iterdir())
    assert files == ["checkpoint.json", "epoch-00002.weights.h5", "epoch-00003.weights.h5"]
    # a half-written temporary file (a kill during save) is ignored by restore
    (tmp_path / "checkpoints" / ".epoch-00004.weights.h5.tmp.weights.h5").write_bytes(b"junk")
    assert ckpt.latest() == (3, tmp_path / "checkpoints" / "epoch-00003.weights.h5")
    again = callbacks.Checkpoint(tmp_path)
    history = gan.fit(toy.ring_of_gaussians().dataset(n=32, batch_size=16), epochs=5, verbose=0,
                      callbacks=[again])
    assert again.restored_epoch == 3 and len(history.history["d_loss"]) == 2
