"""Saved gan_tf models load after ``import gan_tf`` alone, with the same numbers; and
``import gan_tf`` itself starts neither Keras nor TensorFlow."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python(code, cwd):
    """Run ``code`` in a fresh interpreter (no gan_tf layer registered yet) with this checkout
    first on the path."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _randomise(model, seed):
    """Every weight (batch-norm moving statistics too) to random values, so a round trip that
    drops or re-initialises any of them changes the outputs."""
    rng = np.random.default_rng(seed)
    for w in model.weights:
        if "variance" in w.path:
            w.assign(rng.uniform(0.5, 1.5, size=w.shape).astype("float32"))
        else:
            w.assign(rng.normal(0.0, 0.3, size=w.shape).astype("float32"))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The book's fused DCGAN generator and discriminator (UpSampleConv2D, gan_tf's
    BatchNormalization and Dropout) and a toy VAE head (Maxout, Reparameterize) saved as
    .keras files, with their outputs on fixed inputs."""
    import keras

    from gan_tf import layers, models

    folder = tmp_path_factory.mktemp("saved")
    g = models.build_dcgan_generator(8, (28, 28, 1), variant="book", fused=True)
    d = models.build_dcgan_discriminator((28, 28, 1), variant="book", fused=True)
    x = keras.Input((6,), name="x")
    h = layers.Maxout(5, pieces=3, name="maxout")(x)
    mean = keras.layers.Dense(4, name="mean")(h)
    log_var = keras.layers.Dense(4, name="log_var")(h)
    vae_head = keras.Model(x, layers.Reparameterize(seed=7, name="z")([mean, log_var]))
    # chapter 8: reflection padding, instance norm, a U-Net with AlwaysOnDropout
    image = keras.Input((8, 8, 1), name="image")
    h = layers.InstanceNormalization(name="norm")(layers.ReflectionPadding2D(2)(image))
    h = keras.layers.Conv2D(2, 5, name="conv")(h)
    translator = keras.Model(image, models.build_unet_generator(8, 2, 1, base_filters=2)(h))
    # the generators `python -m gan_tf train cyclegan|stargan` saves (pix2pix's: the U-Net)
    resnet = models.build_resnet_generator(8, 1, 3, base_filters=2, n_blocks=1)
    stargan = models.build_stargan_generator(8, 3, label_dim=4, base_filters=2, n_blocks=1)
    rng = np.random.default_rng(1)
    inputs = {"generator": rng.normal(size=(4, 8)).astype("float32"),
              "discriminator": rng.uniform(-1, 1, size=(3, 28, 28, 1)).astype("float32"),
              "vae_head": rng.normal(size=(5, 6)).astype("float32"),
              "translator": rng.uniform(-1, 1, size=(2, 8, 8, 1)).astype("float32"),
              "resnet": rng.uniform(-1, 1, size=(2, 8, 8, 1)).astype("float32"),
              "stargan": [rng.uniform(-1, 1, size=(2, 8, 8, 3)).astype("float32"),
                          np.eye(4, dtype="float32")[[0, 3]]]}
    expected = {}
    for i, (name, model) in enumerate((("generator", g), ("discriminator", d),
                                       ("vae_head", vae_head), ("translator", translator),
                                       ("resnet", resnet), ("stargan", stargan))):
        _randomise(model, seed=i)
        model.save(folder / f"{name}.keras")  # before the call: Reparameterize's noise state
        x = inputs[name] if isinstance(inputs[name], list) else [inputs[name]]
        np.savez(folder / f"{name}_in.npz", *x)
        expected[name] = np.asarray(model(x if len(x) > 1 else x[0], training=False))
    assert layers.UpSampleConv2D in {type(layer) for layer in g.layers}
    return folder, expected


LOAD = """
import sys
import numpy as np
{imports}
for name in ("generator", "discriminator", "vae_head", "translator", "resnet", "stargan"):
    m = {load}(f"{{name}}.keras")
    z = np.load(f"{{name}}_in.npz")
    x = [z[k] for k in sorted(z.files)]
    np.save(f"{{name}}_out.npy", np.asarray(m(x if len(x) > 1 else x[0], training=False)))
"""


@pytest.mark.parametrize("imports,load", [
    ("import gan_tf, keras", "keras.saving.load_model"),
    ("import keras, gan_tf", "keras.saving.load_model"),
    ("import gan_tf, tensorflow as tf", "tf.keras.models.load_model"),
])
def test_saved_models_load_after_import_gan_tf_alone_with_the_same_outputs(saved, imports, load):
    """Before the fix: TypeError "Could not locate class 'UpSampleConv2D'" (the custom layers
    were registered only by ``import gan_tf.layers``)."""
    folder, expected = saved
    out = _python(LOAD.format(imports=imports, load=load), cwd=folder)
    assert out.returncode == 0, out.stderr[-3000:]
    for name, want in expected.items():
        got = np.load(folder / f"{name}_out.npy")
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)
    assert np.ptp(expected["generator"]) > 0.1 and np.ptp(expected["vae_head"]) > 0.1
    for name in ("translator", "resnet", "stargan"):
        assert np.ptp(expected[name]) > 0.1, name


def test_cli_samples_from_a_saved_generator_file(saved):
    """``python -m gan_tf sample --checkpoint <generator>.keras`` writes the grid (before the
    fix: the same "Could not locate class 'UpSampleConv2D'" traceback)."""
    folder, _ = saved
    out = subprocess.run([sys.executable, "-m", "gan_tf", "sample", "--checkpoint",
                          str(folder / "generator.keras"), "--n", "4", "--out", "grid.png"],
                         capture_output=True, text=True, timeout=300, cwd=folder,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    assert "wrote 4 samples to grid.png" in out.stdout
    assert (folder / "grid.png").stat().st_size > 1000


def test_import_gan_tf_starts_neither_keras_nor_tensorflow(tmp_path):
    out = _python("import sys, gan_tf; print(sorted(m for m in ('keras', 'tensorflow', "
                  "'gan_tf.layers') if m in sys.modules))", cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "[]"
