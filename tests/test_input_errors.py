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


def _poisoned(value, every):
    """Images in [-1, 1] with ``value`` at every ``every``-th pixel of the first batch of 2
    (the one a Dataset's check reads), the second one negated (-inf)."""
    flat = np.full(4 * 64, 0.5, np.float32)
    flat[7:128:every] = value
    flat[7 + every] *= -1
    return flat.reshape(4, 8, 8, 1)


BAD = [
    (np.zeros((4, 8, 8), np.float32), r"expects inputs of shape \(batch, 8, 8, 1\).*received shape \(.*8, 8\) \(rank 3\)"),
    (np.zeros((4, 8, 8, 3), np.float32), r"expects inputs of shape \(batch, 8, 8, 1\).*received .*8, 8, 3\).*channel count"),
    (np.zeros((4, 8, 8, 1), np.uint8), r"floating-point.*received dtype uint8"),
    (np.linspace(0, 255, 4 * 64, dtype=np.float32).reshape(4, 8, 8, 1),
     r"expects images in \[-1, 1\], received values in \[0, \d+"),
    (_poisoned(np.nan, every=50), r"expects finite values, received non-finite values \(3 NaN, 0 Inf\)"),
    (_poisoned(np.inf, every=100), r"expects finite values, received non-finite values \(0 NaN, 2 Inf\)"),
]
IDS = ["rank", "channels", "dtype", "range", "nan", "inf"]
KINDS = ["gan", "wgan", "wgan_gp", "lsgan", "vae"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("x,message", BAD, ids=IDS)
def test_fit_on_a_dataset_rejects_bad_images(kind, x, message):
    t = _image_trainer(kind)
    with pytest.raises(ValueError, match=message):
        t.fit(tf.data.Dataset.from_tensor_slices(x).batch(2), epochs=1, verbose=0)


@pytest.mark.parametrize("kind", ["gan", "vae"])
@pytest.mark.parametrize("x,message", BAD, ids=IDS)
def test_fit_on_an_array_rejects_bad_images(kind, x, message):
    t = _image_trainer(kind)
    with pytest.raises(ValueError, match=message):
        t.fit(x, batch_size=2, epochs=1, verbose=0)


@pytest.mark.parametrize("x,message", BAD, ids=IDS)
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


def test_nan_in_non_image_data_is_a_clear_error():
    """Toy (non-image) data skips the [-1, 1] range check but not the finiteness check."""
    keras.utils.set_random_seed(0)
    gan = trainers.GAN(models.build_mlp_generator(3, (2,), hidden_units=(8,),
                                                  output_activation=None),
                       models.build_mlp_discriminator((2,), hidden_units=(8,)))
    gan.compile()
    x = np.full((6, 2), 5.0, np.float32)
    x[1, 0], x[4, 1] = np.nan, -np.inf
    with pytest.raises(ValueError, match=r"non-finite values \(1 NaN, 1 Inf\)"):
        gan.fit(x, batch_size=2, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"non-finite values \(1 NaN, 1 Inf\)"):
        gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(6), epochs=1, verbose=0)


@pytest.mark.parametrize("kind", ["gan", "wgan", "vae"])
def test_nothing_to_train_on_is_a_clear_error(kind):
    from gan_tf import data

    t = _image_trainer(kind)
    x = np.zeros((100,) + SHAPE, np.float32)
    with pytest.raises(ValueError, match=r"has no batch to train on.*0 batches"):
        t.fit(data.to_dataset(x, batch_size=640, drop_remainder=True), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"has no batch to train on.*empty array"):
        t.fit(x[:0], batch_size=2, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"has no batch to train on.*0 batches"):
        distribute.train_steps(t, tf.distribute.get_strategy(),
                               tf.data.Dataset.from_tensor_slices(x[:0]).batch(2), 1)


@pytest.mark.parametrize("kind", ["gan", "vae"])
@pytest.mark.parametrize("epochs", [-3, 0, 2.0, True])
def test_epochs_must_be_a_positive_int(kind, epochs):
    t = _image_trainer(kind)
    x = np.zeros((4,) + SHAPE, np.float32)
    with pytest.raises(ValueError, match=rf"epochs must be a positive int, got {epochs!r}"):
        t.fit(x, batch_size=2, epochs=epochs, verbose=0)
    with pytest.raises(ValueError, match=rf"epochs must be a positive int, got {epochs!r}"):
        t.fit(x, None, 2, epochs, verbose=0)   # positionally too


@pytest.mark.parametrize("kind", ["gan", "vae"])
@pytest.mark.parametrize("n", [-2, 0, 1.5, "3"])
def test_sample_count_must_be_a_positive_int(kind, n):
    t = _image_trainer(kind)
    with pytest.raises(ValueError, match=rf"n must be a positive int, got {n!r}"):
        t.sample(n)


def test_fit_before_compile_is_a_clear_error():
    keras.utils.set_random_seed(0)
    x = np.zeros((8, 8, 8, 1), np.float32)

    def conv(out, stride=1):
        inp = keras.Input((8, 8, 1))
        return keras.Model(inp, keras.layers.Conv2D(1, 3, strides=stride, padding="same",
                                                    activation=out)(inp))

    cases = [(trainers.GAN(models.build_mlp_generator(4, (8, 8, 1), hidden_units=(4,)),
                           models.build_mlp_discriminator((8, 8, 1), hidden_units=(4,))), (x,)),
             (trainers.CycleGAN(conv("tanh"), conv("tanh"), conv(None, 2), conv(None, 2)), (x, x))]
    for trainer, data in cases:
        with pytest.raises(ValueError, match=r"call compile\(\) before fit\(\)"):
            trainer.fit(*data, epochs=1, verbose=0)
