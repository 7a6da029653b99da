"""SRResNet / SRGAN (Ledig et al., arXiv:1609.04802): the pixel shuffle (arXiv:1609.05158, eq. 4)
against depth_to_space and the paper's formula, the fig. 4 networks' sizes and parameter counts,
the SRResNet step and the SRGAN step (eq. 3: content MSE + 1e-3 x -log D(G(LR))) against
hand-written GradientTape steps, the pairing of fakes with their HR images, VGG19's phi_54 with
random weights and its caffe preprocessing, the offline-weights error, the photo task of the
offline feature network, and the input errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import layers, models, trainers
from gan_tf.models import srgan as srgan_models
from gan_tf.trainers import srgan as srgan_lib
from twins import clone as _clone

HR, SCALE, N = 8, 2, 4


def _data(n=N, seed=1):
    rng = np.random.default_rng(seed)
    hr = rng.uniform(-1, 1, size=(n, HR, HR, 3)).astype(np.float32)
    lr = rng.uniform(-1, 1, size=(n, HR // SCALE, HR // SCALE, 3)).astype(np.float32)
    return hr, lr


def _generator(seed=0):
    keras.utils.set_random_seed(seed)
    return models.build_srresnet_generator(scale=SCALE, residual_blocks=1, filters=8)


def _discriminator(seed=0):
    keras.utils.set_random_seed(seed)
    return models.build_srgan_discriminator(HR, width=1 / 16, dense_units=8)


def _feature_net(seed=0):
    """A tiny fixed phi: 1x1 convolution to 5 maps + ReLU."""
    keras.utils.set_random_seed(seed)
    x = keras.Input((None, None, 3))
    return keras.Model(x, keras.layers.Conv2D(5, 1, activation="relu")(x))


def _sgd():
    # SGD, not Adam: Adam's first step is ~lr * sign(gradient) and would hide a 1e-3 term
    return keras.optimizers.SGD(0.1)


def _assert_same_weights(nets_a, nets_b):
    for na, nb in zip(nets_a, nets_b):
        for a, b in zip(na.get_weights(), nb.get_weights()):     # includes BN statistics
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# -- PixelShuffle ---------------------------------------------------------------------------------

def _paper_shuffle(t, r):
    """Shi et al. eq. 4 with y the row and x the column: PS(T)[y, x, c] =
    T[y // r, x // r, C r (y mod r) + C (x mod r) + c]."""
    n, h, w, cr2 = t.shape
    c = cr2 // r ** 2
    out = np.zeros((n, h * r, w * r, c), t.dtype)
    for y in range(h * r):
        for x in range(w * r):
            for k in range(c):
                out[:, y, x, k] = t[:, y // r, x // r, c * r * (y % r) + c * (x % r) + k]
    return out


@pytest.mark.parametrize("r, c", [(2, 3), (3, 2)])
def test_pixel_shuffle_is_depth_to_space_and_the_papers_formula(r, c):
    t = np.random.default_rng(0).normal(size=(2, 3, 4, c * r * r)).astype(np.float32)
    out = layers.PixelShuffle(r)(t).numpy()
    assert out.shape == (2, 3 * r, 4 * r, c)
    np.testing.assert_array_equal(out, tf.nn.depth_to_space(t, r).numpy())
    np.testing.assert_array_equal(out, _paper_shuffle(t, r))
    # PyTorch's channel-major order (c r^2 + r (y mod r) + x mod r) is a different map
    torch_order = t.reshape(2, 3, 4, c, r, r).transpose(0, 1, 4, 2, 5, 3).reshape(
        2, 3 * r, 4 * r, c)
    assert not np.allclose(out, torch_order)


def test_pixel_shuffle_serialises_and_checks_channels():
    layer = layers.PixelShuffle(3, name="ps")
    twin = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(twin, layers.PixelShuffle) and twin.scale == 3 and twin.name == "ps"
    assert layer.compute_output_shape((None, 5, None, 18)) == (None, 15, None, 2)
    with pytest.raises(ValueError, match=r"PixelShuffle\(2\) expects \(batch, H, W, C \* 4\) "
                                         r"maps, received shape \(None, 4, 4, 6\)"):
        layer2 = layers.PixelShuffle(2)
        layer2(keras.Input((4, 4, 6)))
    with pytest.raises(ValueError, match="scale must be a positive int, got 0"):
        layers.PixelShuffle(0)


# -- networks -------------------------------------------------------------------------------------

def test_generator_output_is_scale_times_input_in_tanh_range():
    g = _generator()
    out = g(np.random.default_rng(0).uniform(-1, 1, (2, 5, 7, 3)).astype(np.float32))
    assert out.shape == (2, 10, 14, 3)
    assert float(tf.reduce_max(tf.abs(out))) < 1.0
    g4 = models.build_srresnet_generator(scale=4, residual_blocks=1, filters=8)
    assert g4(np.zeros((1, 6, 6, 3), np.float32)).shape == (1, 24, 24, 3)
    assert sum(isinstance(ly, layers.PixelShuffle) for ly in g4.layers) == 2   # log2(4)
    assert srgan_models.upsampling_factor(g4) == 4
    with pytest.raises(ValueError, match="scale must be a power of two >= 2.*got 3"):
        models.build_srresnet_generator(scale=3)


def test_generator_saves_and_loads_with_its_pixel_shuffle(tmp_path):
    g = _generator()
    g.save(tmp_path / "g.keras")
    loaded = keras.saving.load_model(tmp_path / "g.keras")
    x = np.random.default_rng(0).uniform(-1, 1, (2, 4, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(loaded(x).numpy(), g(x).numpy(), rtol=1e-6, atol=1e-7)
    assert isinstance(loaded.get_layer("up0_shuffle"), layers.PixelShuffle)


def test_paper_networks_have_fig_4_parameter_counts():
    g = models.build_srresnet_generator()
    conv = lambda k, i, o: k * k * i * o + o      # noqa: E731
    bn, prelu = 4 * 64, 64                         # gamma, beta, moving mean and variance
    block = 2 * conv(3, 64, 64) + 2 * bn + prelu
    expected = (conv(9, 3, 64) + prelu + 16 * block + conv(3, 64, 64) + bn
                + 2 * (conv(3, 64, 256) + prelu) + conv(9, 64, 3))
    assert g.count_params() == expected == 1_554_883
    d = models.build_srgan_discriminator()
    maps = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 512),
            (512, 512)]
    expected = (sum(conv(3, i, o) for i, o in maps) + sum(4 * o for _, o in maps[1:])
                + (6 * 6 * 512 * 1024 + 1024) + 1025)      # 96 / 2^4 = 6
    assert d.count_params() == expected
    assert d.output_shape == (None, 1)
    assert [ly.strides[0] for ly in d.layers if isinstance(ly, keras.layers.Conv2D)] == \
        [1, 2, 1, 2, 1, 2, 1, 2]


# -- SRResNet -------------------------------------------------------------------------------------

def test_srresnet_step_matches_manual_mse_step():
    g = _generator()
    g2 = _clone(g)
    hr, lr = _data()
    model = trainers.SRResNet(g)
    model.compile(optimizer=_sgd())
    logs = model.train_step((tf.constant(hr), tf.constant(lr)))
    opt = _sgd()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(hr - g2(lr, training=True)))     # eq. 4
    opt.apply_gradients(zip(tape.gradient(loss, g2.trainable_variables), g2.trainable_variables))
    _assert_same_weights([g], [g2])
    np.testing.assert_allclose(float(logs["loss"]), float(loss), rtol=1e-6)
    assert not np.allclose(g.get_weights()[0], _generator().get_weights()[0])


def test_srresnet_defaults_fit_and_upscale():
    hr, lr = _data(8)
    model = trainers.SRResNet(_generator())
    model.compile()
    opt = model.optimizer
    assert float(opt.learning_rate) == pytest.approx(1e-4) and float(opt.beta_1) == 0.9
    hist = model.fit(hr, lr, batch_size=4, epochs=1, verbose=0).history
    assert np.isfinite(hist["loss"][0])
    sr = model.upscale(lr, batch_size=3)
    np.testing.assert_allclose(sr, model.generator(lr, training=False).numpy(), rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(hr, lr, verbose=0),
                               np.mean((sr - hr) ** 2), rtol=1e-5)


@pytest.mark.parametrize("make, match", [
    (lambda hr, lr: (hr, lr[:, :3]), r"upscales by 2: expects HR images 2 times the LR images' "
                                     r"size, received HR \(8, 8, 8, 3\) and LR \(8, 3, 4, 3\)"),
    (lambda hr, lr: (hr * 2, lr), r"\(HR images\) expects images in \[-1, 1\]"),
    (lambda hr, lr: (hr, lr * 3), r"\(LR images\) expects images in \[-1, 1\]"),
    (lambda hr, lr: (hr[..., :1], lr), r"\(HR images\) expects inputs of shape"),
])
def test_srresnet_fit_rejects_bad_pairs(make, match):
    model = trainers.SRResNet(_generator())
    model.compile()
    with pytest.raises(ValueError, match=match):
        model.fit(*make(*_data(8)), epochs=1, verbose=0)


def test_fit_rejects_a_dataset_of_images_alone():
    hr, _ = _data(8)
    model = trainers.SRResNet(_generator())
    model.compile()
    with pytest.raises(ValueError, match=r"trains on \(hr, lr\) batches"):
        model.fit(tf.data.Dataset.from_tensor_slices(hr).batch(4), epochs=1, verbose=0)


# -- SRGAN ----------------------------------------------------------------------------------------

def _manual_srgan_step(g, d, phi, hr, lr, d_steps, adversarial_weight, feature_scale):
    """Eq. 3 of arXiv:1609.04802 written out: D on -log D(hr) - log(1 - D(G(lr))); G on
    mean((s phi(hr) - s phi(G(lr)))^2) + w * -log D(G(lr)) with the first minibatch's pairs."""
    d_opt, g_opt = _sgd(), _sgd()
    m = hr.shape[0] // d_steps
    for i in range(d_steps):
        fake = g(lr[i::d_steps][:m], training=True)
        with tf.GradientTape() as tape:
            r = d(hr[i::d_steps][:m], training=True)
            f = d(fake, training=True)
            loss = tf.reduce_mean(-tf.math.log(tf.sigmoid(r)) - tf.math.log(1 - tf.sigmoid(f)))
        d_opt.apply_gradients(zip(tape.gradient(loss, d.trainable_variables),
                                  d.trainable_variables))
    real, cond = hr[::d_steps][:m], lr[::d_steps][:m]
    with tf.GradientTape() as tape:
        fake = g(cond, training=True)
        f = d(fake, training=True)
        content = tf.reduce_mean(tf.square(feature_scale * phi(real) - feature_scale * phi(fake)),
                                 axis=[1, 2, 3])
        adversarial = -tf.math.log(tf.sigmoid(f))[:, 0]
        loss = tf.reduce_mean(content + adversarial_weight * adversarial)
    g_opt.apply_gradients(zip(tape.gradient(loss, g.trainable_variables), g.trainable_variables))
    return float(tf.reduce_mean(content)), float(tf.reduce_mean(adversarial))


@pytest.mark.parametrize("d_steps, adversarial_weight", [(2, 1e-3), (1, 0.5)])
def test_srgan_step_matches_manual_gradient_tape_step(d_steps, adversarial_weight):
    g, d, phi = _generator(), _discriminator(), _feature_net()
    g2, d2 = _clone(g), _clone(d)
    # minibatches of 4: D's last maps are 1 x 1, and batch norm over a minibatch of 2
    # amplified round-off (softplus vs. -log sigmoid) to 1e-5 differences. With SGD, leaving
    # out the 1e-3 adversarial term moves G's weights by up to 5e-5: the check sees it.
    hr, lr = _data(4 * d_steps)
    gan = trainers.SRGAN(g, d, phi, adversarial_weight=adversarial_weight, feature_scale=0.5,
                         d_steps=d_steps)
    gan.compile(d_optimizer=_sgd(), g_optimizer=_sgd())
    logs = gan.train_step((tf.constant(hr), tf.constant(lr)))
    content, adversarial = _manual_srgan_step(g2, d2, phi, tf.constant(hr), tf.constant(lr),
                                              d_steps, adversarial_weight, 0.5)
    _assert_same_weights([g, d], [g2, d2])
    np.testing.assert_allclose(float(logs["content_loss"]), content, rtol=1e-5)
    np.testing.assert_allclose(float(logs["adversarial_loss"]), adversarial, rtol=1e-5)
    np.testing.assert_allclose(float(logs["g_loss"]), content + adversarial_weight * adversarial,
                               rtol=1e-5)


def test_srgan_generator_step_pairs_each_fake_with_its_own_hr_image():
    seen = {}

    class Spy(trainers.SRGAN):
        def generator_loss(self, fake, fake_logits, fake_condition=None, real=None,
                           real_condition=None):
            seen.update(fake=fake.numpy(), lr_of_fake=fake_condition.numpy(), real=real.numpy(),
                        lr_of_real=real_condition.numpy())
            return super().generator_loss(fake, fake_logits, fake_condition, real,
                                          real_condition)

    # example i: HR filled with i / 10, LR with -i / 10
    hr = np.concatenate([np.full((1, HR, HR, 3), i / 10, np.float32) for i in range(N)])
    lr = -hr[:, ::SCALE, ::SCALE]
    g = _generator()
    gan = Spy(g, _discriminator(), content="mse", d_steps=2)
    gan.compile(d_optimizer=_sgd(), g_optimizer=_sgd())
    gan.train_step((tf.constant(hr), tf.constant(lr)))
    np.testing.assert_allclose(seen["real"][:, 0, 0, 0], [0.0, 0.2])      # minibatch 0: rows 0, 2
    np.testing.assert_array_equal(seen["lr_of_fake"], seen["lr_of_real"])
    np.testing.assert_allclose(seen["lr_of_fake"][:, 0, 0, 0], [0.0, -0.2])


def test_srgan_mse_content_is_the_pixel_mse_and_features_need_a_network():
    g, d = _generator(), _discriminator()
    hr, lr = _data()
    gan = trainers.SRGAN(g, d, content="mse")
    fake = g(lr)
    np.testing.assert_allclose(gan.content_loss(hr, fake).numpy(),
                               np.mean((hr - fake.numpy()) ** 2, axis=(1, 2, 3)), rtol=1e-5)
    with pytest.raises(ValueError, match="content='features' needs a feature_network"):
        trainers.SRGAN(g, d)
    with pytest.raises(ValueError, match=r"content must be one of \('features', 'mse'\)"):
        trainers.SRGAN(g, d, content="vgg")
    with pytest.raises(ValueError, match=r"discriminator takes HR images of \(9, 9\), not a "
                                         r"multiple of the generator's factor 2"):
        trainers.SRGAN(g, models.build_srgan_discriminator(9, width=1 / 16, dense_units=4),
                       content="mse")


def test_srgan_defaults_from_srresnet_fit_and_sample():
    resnet = trainers.SRResNet(_generator())
    gan = trainers.SRGAN.from_srresnet(resnet, _discriminator(), _feature_net())
    assert gan.adversarial_weight == 1e-3 and gan.feature_scale == pytest.approx(1 / 12.75)
    assert gan.generator is not resnet.generator
    _assert_same_weights([gan.generator], [resnet.generator])
    gan.compile(run_eagerly=True)      # tracing the whole step for fit took 9 s on 2 cores
    for opt in (gan.d_optimizer, gan.g_optimizer):
        assert float(opt.learning_rate) == pytest.approx(1e-4) and float(opt.beta_1) == 0.9
    hr, lr = _data(4)
    before = resnet.generator.get_weights()
    hist = gan.fit(hr, lr, batch_size=4, epochs=1, verbose=0).history
    assert set(hist) == {"d_loss", "g_loss", "content_loss", "adversarial_loss"}
    for a, b in zip(before, resnet.generator.get_weights()):      # the SRResNet is untouched
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(gan.sample(3, lr=lr[:3]), gan.upscale(lr[:3]), rtol=1e-6)
    with pytest.raises(ValueError, match=r"generates from LR images: call sample\(n, lr=images\)"):
        gan.sample(3)


def test_paper_adam_drops_to_1e5_half_way():
    opt = srgan_lib.paper_adam(total_steps=10)
    schedule = opt.learning_rate if callable(opt.learning_rate) else opt._learning_rate
    assert [float(schedule(s)) for s in (0, 4, 5, 9)] == pytest.approx([1e-4, 1e-4, 1e-5, 1e-5])
    assert float(opt.beta_1) == 0.9


# -- feature networks -----------------------------------------------------------------------------

def test_caffe_preprocessing_numbers():
    x = np.array([[[[-1.0, -1.0, -1.0], [1.0, -1.0, 0.0]]]], np.float32)   # black, (255 0 127.5)
    out = srgan_models.CaffePreprocess()(x).numpy()
    np.testing.assert_allclose(out[0, 0, 0], [-103.939, -116.779, -123.68], rtol=1e-6)
    np.testing.assert_allclose(out[0, 0, 1], [127.5 - 103.939, -116.779, 255 - 123.68],
                               rtol=1e-6)
    rgb255 = (np.random.default_rng(0).uniform(-1, 1, (2, 4, 4, 3)).astype(np.float32) + 1)
    np.testing.assert_allclose(srgan_models.CaffePreprocess()(rgb255 - 1).numpy(),
                               keras.applications.vgg19.preprocess_input(rgb255 * 127.5),
                               rtol=1e-5, atol=1e-4)


def test_vgg19_features_random_weights_shapes_and_preprocessing():
    net = models.build_vgg19_features(weights=None, input_shape=(32, 32, 3))
    assert net.output_shape == (None, 2, 2, 512)          # block5_conv4: 32 / 2^4
    x = np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)).astype(np.float32)
    trunk = net.get_layer("vgg19_to_block5_conv4")
    expected = trunk(keras.applications.vgg19.preprocess_input((x + 1) * 127.5))
    np.testing.assert_allclose(net(x).numpy(), expected.numpy(), rtol=1e-4, atol=1e-4)
    assert float(tf.reduce_min(net(x))) >= 0.0            # after the ReLU, as the paper says
    assert not net.trainable_weights
    with pytest.raises(ValueError, match="unknown VGG19 layer 'block6_conv1'"):
        models.build_vgg19_features("block6_conv1", weights=None, input_shape=(32, 32, 3))


def test_vgg19_imagenet_offline_error_says_what_was_tried(monkeypatch):
    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: None -- "
                        "[Errno -2] Name or service not known")

    monkeypatch.setattr(keras.applications, "VGG19", offline)
    monkeypatch.setenv("KERAS_HOME", "/somewhere/keras")
    with pytest.raises(FileNotFoundError,
                       match=r"VGG19 ImageNet weights could not be loaded: keras.applications."
                             r"VGG19 looked for vgg19_weights_tf_dim_ordering_tf_kernels_notop"
                             r"\.h5 in /somewhere/keras/models and tried to download it.*"
                             r"Name or service not known.*copy it into /somewhere/keras/models"):
        models.build_vgg19_features()


def test_photo_task_crops_shuffles_channels_and_rotates_as_documented():
    images = np.random.default_rng(0).uniform(-1, 1, (2, 6, 5, 3)).astype(np.float32)
    x, y = srgan_lib.photo_task(images, [3, 1], crop=4, crops_per_image=2, seed=0)
    assert x.shape == (4, 4, 4, 3)
    np.testing.assert_array_equal(y, [3, 3, 1, 1])
    rng = np.random.default_rng(0)                          # top, left, permutation, k
    for i in range(4):
        top, left = rng.integers(0, 3), rng.integers(0, 2)
        perm, k = rng.permutation(3), rng.integers(0, 4)
        crop = images[i // 2, top:top + 4, left:left + 4][..., perm]
        np.testing.assert_array_equal(x[i], np.rot90(crop, k, axes=(0, 1)))
    with pytest.raises(ValueError, match="crop must be at most the images' smaller side 5"):
        srgan_lib.photo_task(images, [0, 1], crop=6)
    with pytest.raises(ValueError, match=r"one label per image \(2\), received shape \(3,\)"):
        srgan_lib.photo_task(images, [0, 1, 2])


def test_train_patch_features_returns_a_frozen_fully_convolutional_network():
    images = np.random.default_rng(0).uniform(-1, 1, (4, 12, 12, 3)).astype(np.float32)
    net, history = trainers.train_patch_features(images, [0, 1, 0, 1], filters=(4, 8), crop=8,
                                                 crops_per_image=2, epochs=1, batch_size=16)
    assert not net.trainable and set(history) == {"loss", "accuracy"}
    with pytest.raises(ValueError, match="needs a label per image"):
        trainers.train_patch_features(images)
    assert net(np.zeros((1, 20, 16, 3), np.float32)).shape == (1, 10, 8, 8)
    scale = srgan_lib.match_feature_scale(net, images, np.clip(images * 0.5, -1, 1))
    pixels = np.mean((images * 0.5) ** 2)
    feats = np.mean((net(images).numpy() - net(images * 0.5).numpy()) ** 2)
    assert scale == pytest.approx(np.sqrt(pixels / feats), rel=1e-4)
