"""Every trainer rejects data that does not fit its model with a ValueError naming what it
expected and what it received: wrong rank, channel count, dtype or value range, as a
tf.data.Dataset, as a NumPy array, and through the custom multi-worker loop."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import distribute, models, trainers

SHAPE = (8, 8, 1)


def _image_trainer(kind):
    keras.utils.set_random_seed(0)
    if kind == "vae":
        enc = models.build_vae_encoder(SHAPE, latent_dim=2, conv=False, hidden=(8,))
        dec = models.build_vae_decoder(2, SHAPE, conv=False, hidden=(8,))
        t = trainers.VAE(enc, dec)
        t.compile(keras.optimizers.Adam(1e-3))
        return t
    g = models.build_mlp_generator(4, SHAPE, hidden_units=(8,))
    d = models.build_mlp_discriminator(SHAPE, hidden_units=(8,))
    cls = {"gan": trainers.GAN, "wgan": trainers.WGAN, "wgan_gp": trainers.WGANGP,
           "lsgan": trainers.LSGAN}[kind]
    t = cls(g, d, d_steps=1)
    t.compile()
    return t


BAD = [
    (np.zeros((4, 8, 8), np.float32), r"expects inputs of shape \(batch, 8, 8, 1\).*received shape \(.*8, 8\) \(rank 3\)"),
    (np.zeros((4, 8, 8, 3), np.float32), r"expects inputs of shape \(batch, 8, 8, 1\).*received .*8, 8, 3\).*channel count"),
    (np.zeros((4, 8, 8, 1), np.uint8), r"floating-point.*received dtype uint8"),
    (np.linspace(0, 255, 4 * 64, dtype=np.float32).reshape(4, 8, 8, 1),
     r"expects images in \[-1, 1\], received values in \[0, \d+"),
]
KINDS = ["gan", "wgan", "wgan_gp", "lsgan", "vae"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("x,message", BAD, ids=["rank", "channels", "dtype", "range"])
def test_fit_on_a_dataset_rejects_bad_images(kind, x, message):
    t = _image_trainer(kind)
    with pytest.raises(ValueError, match=message):
        t.fit(tf.data.Dataset.from_tensor_slices(x).batch(2), epochs=1, verbose=0)


@pytest.mark.parametrize("kind", ["gan", "vae"])
@pytest.mark.parametrize("x,message", BAD, ids=["rank", "channels", "dtype", "range"])
def test_fit_on_an_array_rejects_bad_images(kind, x, message):
    t = _image_trainer(kind)
    with pytest.raises(ValueError, match=message):
        t.fit(x, batch_size=2, epochs=1, verbose=0)


@pytest.mark.parametrize("x,message", BAD, ids=["rank", "channels", "dtype", "range"])
def test_custom_strategy_loop_rejects_bad_images(x, message):
    t = _image_trainer("gan")
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).repeat()
    with pytest.raises(ValueError, match=message):
        distribute.train_steps(t, tf.distribute.get_strategy(), ds, 1)


@pytest.mark.parametrize("kind", ["gan", "wgan", "wgan_gp", "lsgan"])
def test_latent_size_mismatch_is_a_clear_error(kind):
    g = models.build_mlp_generator(4, SHAPE, hidden_units=(8,))
    d = models.build_mlp_discriminator(SHAPE, hidden_units=(8,))
    cls = {"gan": trainers.GAN, "wgan": trainers.WGAN, "wgan_gp": trainers.WGANGP,
           "lsgan": trainers.LSGAN}[kind]
    with pytest.raises(ValueError, match="latent_dim=7 but the generator expects z of size 4"):
        cls(g, d, latent_dim=7)


def test_vae_latent_mismatch_is_a_clear_error():
    enc = models.build_vae_encoder(SHAPE, latent_dim=2, conv=False, hidden=(8,))
    dec = models.build_vae_decoder(3, SHAPE, conv=False, hidden=(8,))
    with pytest.raises(ValueError, match="encoder latent size 2 does not match decoder input"):
        trainers.VAE(enc, dec)


def test_good_images_pass_every_check():
    t = _image_trainer("gan")
    x = np.random.default_rng(0).uniform(-1, 1, (4,) + SHAPE).astype(np.float32)
    t.fit(x, batch_size=2, epochs=1, verbose=0)
    distribute.train_steps(t, tf.distribute.get_strategy(),
                           tf.data.Dataset.from_tensor_slices(x).batch(2).repeat(), 1)
