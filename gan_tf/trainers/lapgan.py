"""LAPGAN and CC-LAPGAN: a Laplacian pyramid of conditional GANs, trained level by level.

Denton, Chintala, Szlam & Fergus 2015 (arXiv:1506.05751). An image I = I_0 has the Gaussian
pyramid I_{k+1} = d(I_k) and the Laplacian pyramid h_k = I_k - u(I_{k+1}), h_K = I_K
(``gan_tf.pyramid``; section 2.2, the book's eq. 6-3 and 6-4). One GAN per level:

- level k < K (``LAPGANLevel``; section 2.3 "LAPGAN", fig. 2): a conditional GAN on the
  band-pass image h_k given the low-pass image l_k = u(d(I_k)) = u(I_{k+1}). The real pair is
  (h_k, l_k); a fake is h~_k = G_k(z_k, l_k) for the *same* l_k (that of the real minibatch);
  D_k is told l_k with either (the paper adds it to h before D's first layer). The objective
  is the CGAN one of section 2.1,
  min_G max_D E_{h,l}[log D(h, l)] + E_{z,l}[log(1 - D(G(z, l), l))] (``GAN``'s losses;
  non-saturating for G by default).
- level K (8x8): a plain GAN on I_K, ``trainers.GAN`` (or ``trainers.ConditionalGAN`` for
  CC-LAPGAN) on d^K(I).

The levels are independent: each trains on its own data pipeline (the same images taken down
the pyramid to its size) with its own optimizers; none sees another's samples during training
(section 2.3). ``LAPGAN`` holds them, fits them one after the other (equal steps or equal wall
time) and samples coarse to fine (section 2.3, the book's eq. 6-5): I~_K = G_K(z_K), then
I~_k = u(I~_{k+1}) + G_k(z_k, u(I~_{k+1})).

CC-LAPGAN (section 3): batches are ``(images, labels)``; every G_k and D_k also gets the one-hot
label (the networks turn it into an extra plane, ``models.lapgan.class_plane``); at levels k < K
the fakes take the real minibatch's labels along with its l_k, the coarse ConditionalGAN draws
its fakes' labels uniformly. ``sample(n, labels=...)`` passes the same labels down all levels.

Noise: z_k (k < K) is ``noise_channels`` planes uniform in [-1, 1], as in the paper's code;
the coarse GAN keeps ``trainers.GAN``'s z ~ N(0, I) (the paper: uniform in [-1, 1]).
See chapter 6.1.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, models, pyramid, rng
from gan_tf.models.lapgan import level_sizes
from gan_tf.trainers import _common
from gan_tf.trainers.conditional import ConditionalGAN, LabelledGAN, one_hot
from gan_tf.trainers.gan import GAN


class LAPGANLevel(GAN):
    """One level k < K of a LAPGAN: a cGAN on band-pass images given their low-pass image
    (arXiv:1506.05751 section 2.3, fig. 2). It trains on images I_k of its own size (``fit``
    takes them as any ``GAN`` does; with ``n_classes``, ``(images, labels)``):

    - ``split_batch``: I_k -> real ``h_k = I_k - l_k`` and condition ``l_k = u(d(I_k))``
      (``(l_k, labels)`` with classes), so ``h_k + l_k = I_k``;
    - ``sample_latent(n, condition)``: ``[z, l_k]`` (+ one-hot labels): z uniform in [-1, 1]
      of shape ``(n, size, size, noise_channels)`` from the trainer's seed generator, l_k (and
      the labels) those of the real minibatch;
    - ``discriminate(h, condition)``: ``D([h, l_k])`` (+ one-hot labels).

    Args:
        generator: ``keras.Model`` ``[z (size, size, noise_channels), l (size, size, c)]``
            (+ ``y (n_classes,)``) -> ``(size, size, c)``; ``models.build_lapgan_level_generator``.
        discriminator: ``keras.Model`` ``[h, l]`` (+ ``y``) -> logit;
            ``models.build_lapgan_level_discriminator``.
        n_classes: ``None`` (LAPGAN) or the number of classes (CC-LAPGAN).
        Others as ``GAN`` (``d_steps``, ``seed``, ``reuse_fake``, ``name``).

    ``sample(n, seed, lowpass=..., labels=...)`` returns band-pass images for given low-pass
    ones. See chapter 6.1.
    """

    def __init__(self, generator, discriminator, n_classes=None, name=None, **kwargs):
        self.n_classes = None if n_classes is None else checks.positive_int(n_classes,
                                                                             "n_classes")
        if name is None:
            name = (f"lapgan_level_{generator.output_shape[1]}"
                    if isinstance(generator, keras.Model) else "lapgan_level")
        super().__init__(generator, discriminator, name=name, **kwargs)

    def network_shapes(self, generator, discriminator, latent_dim):
        extra = 0 if self.n_classes is None else 1
        g_in, d_in = generator.input_shape, discriminator.input_shape
        g_names = "[z, l" + (", y]" if extra else "]")
        d_names = "[h, l" + (", y]" if extra else "]")
        if not (isinstance(g_in, list) and len(g_in) == 2 + extra):
            raise ValueError(f"{self.name}'s generator must take {g_names} "
                             f"({2 + extra} inputs), got inputs {g_in}")
        if not (isinstance(d_in, list) and len(d_in) == 2 + extra):
            raise ValueError(f"{self.name}'s discriminator must take {d_names} "
                             f"({2 + extra} inputs), got inputs {d_in}")
        g_out = tuple(generator.output_shape[1:])
        wanted = {"the generator's l": tuple(g_in[1][1:]),
                  "the discriminator's h": tuple(d_in[0][1:]),
                  "the discriminator's l": tuple(d_in[1][1:])}
        for what, shape in wanted.items():
            if shape != g_out:
                raise ValueError(f"{what} has shape {shape}, expected the generator's output "
                                 f"shape {g_out}")
        if tuple(g_in[0][1:3]) != g_out[:2]:
            raise ValueError(f"the generator's noise planes have shape {tuple(g_in[0][1:])}, "
                             f"expected {g_out[0]}x{g_out[1]} planes")
        if extra:
            for shape, role in ((g_in[2], "generator"), (d_in[2], "discriminator")):
                if tuple(shape[1:]) != (self.n_classes,):
                    raise ValueError(f"{self.name}'s {role} takes y of shape "
                                     f"{tuple(shape[1:])}, expected ({self.n_classes},) "
                                     f"one-hot rows for n_classes={self.n_classes}")
        if latent_dim is not None:
            raise ValueError(f"{self.name} draws noise planes of the generator's shape "
                             f"{tuple(g_in[0][1:])}; pass no latent_dim, got {latent_dim}")
        self.noise_shape = tuple(g_in[0][1:])
        return None, g_out

    # -- the level's pair (h_k, l_k) --------------------------------------------------------

    def images_and_labels(self, data):
        """``(images, labels)`` of a batch (``labels`` ``None`` without classes)."""
        if self.n_classes is None:
            return _common.unpack_inputs(data), None
        return LabelledGAN.split_batch(self, data)

    def split_batch(self, data):
        """Images I_k -> ``(h_k, l_k)``, or ``(h_k, (l_k, labels))`` with classes, with
        ``l_k = upsample(downsample(I_k))`` and ``h_k = I_k - l_k`` (arXiv:1506.05751
        section 2.2)."""
        images, labels = self.images_and_labels(data)
        images = tf.convert_to_tensor(images)
        if not images.dtype.is_floating:
            images = tf.cast(images, "float32")
        low = pyramid.upsample(pyramid.downsample(images))
        band = images - low
        return band, (low if labels is None else (low, labels))

    def _parts(self, condition):
        if self.n_classes is None:
            return condition, None
        return condition[0], condition[1]

    def sample_latent(self, n, condition=None):
        """``[z, l]`` (+ one-hot labels): z uniform in [-1, 1], ``(n, *noise_shape)``, drawn
        from the seed generator (each replica its rows of one global draw); l (and the labels)
        are the real minibatch's (``condition``)."""
        if condition is None:
            raise ValueError(f"{self.name} generates band-pass images for given low-pass ones: "
                             f"sample_latent needs the real minibatch's condition")
        low, labels = self._parts(condition)
        z = _common.replica_slice(
            lambda shape: rng.uniform(shape, self.seed_generator, minval=-1.0, maxval=1.0), n,
            *self.noise_shape)
        latent = [z, tf.cast(low, z.dtype)]
        if labels is not None:
            latent.append(self._one_hot(labels, z.dtype))
        return latent

    def _one_hot(self, labels, dtype):
        if labels.shape.rank == 1:              # integer labels of a real minibatch
            return one_hot(labels, self.n_classes, dtype)
        return tf.cast(labels, dtype)

    def fake_condition(self, latent):
        """The fakes' condition: the l_k (and one-hot labels) they were generated for."""
        return latent[1] if self.n_classes is None else (latent[1], latent[2])

    def discriminate(self, x, condition=None, training=True):
        """``D([h, l])`` (+ one-hot labels) on band-pass images ``x``."""
        if condition is None:
            raise ValueError(f"{self.name}'s discriminator needs the low-pass image of every "
                             f"band-pass image")
        low, labels = self._parts(condition)
        inputs = [x, tf.cast(low, x.dtype)]
        if labels is not None:
            inputs.append(self._one_hot(labels, x.dtype))
        return self.discriminator(inputs, training=training)

    # -- data -------------------------------------------------------------------------------

    def fit(self, x=None, y=None, *args, **kwargs):
        """``GAN.fit`` on images I_k of the level's size; with classes on ``(images, labels)``:
        a dataset of such batches, ``fit(images, labels)`` or ``fit((images, labels))``."""
        if self.n_classes is not None:
            x, y = _common.pair_fit_data(x, y, self.name, "labels"), None
        return super().fit(x, y, *args, **kwargs)

    def check_input(self, x):
        """``GAN.check_input`` on the images (shape, range, batch size); with classes, the
        labels of the first batch (or all of them) with ``checks.check_labels``."""
        super().check_input(x)
        if self.n_classes is not None:
            _common.check_labelled_input(x, self.n_classes, self.name, self.images_and_labels)

    # -- sampling ---------------------------------------------------------------------------

    def sampling_latent(self, n, seed, lowpass=None, labels=None):
        """``[z, lowpass]`` (+ one-hot ``labels``) for ``sample(n, seed, lowpass=...,
        labels=...)``: z uniform in [-1, 1] drawn with the integer ``seed``; ``lowpass`` is
        ``(n, size, size, channels)``; labels default to the classes in turn."""
        if lowpass is None:
            shape = ", ".join(map(str, self.sample_shape))
            raise ValueError(f"{self.name}.sample needs lowpass=(n, {shape}) low-pass images to "
                             f"add detail to")
        lowpass = tf.convert_to_tensor(lowpass, "float32")
        if tuple(lowpass.shape) != (n,) + tuple(self.sample_shape):
            raise ValueError(f"{self.name}.sample expects lowpass of shape "
                             f"{(n,) + tuple(self.sample_shape)}, received "
                             f"{tuple(lowpass.shape)}")
        z = keras.random.uniform((int(n),) + self.noise_shape, minval=-1.0, maxval=1.0,
                                 seed=seed)
        latent = [z, lowpass]
        if self.n_classes is None:
            if labels is not None:
                raise ValueError(f"{self.name} is unconditional: sample() takes no labels")
            return latent
        return latent + [one_hot(LabelledGAN.sample_labels(self, n, seed, labels),
                                 self.n_classes)]


class _TimeBudget(keras.callbacks.Callback):
    """Stops ``fit`` after the first batch that ends ``seconds`` after training began."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if time.perf_counter() - self.start >= self.seconds:
            self.model.stop_training = True


def _level_seed(seed, k):
    """Independent integer seeds for the levels' noise at sampling time."""
    return int(np.random.SeedSequence([int(seed) % 2 ** 32, k]).generate_state(1)[0] >> 1)


class LAPGAN(keras.Model):
    """The pyramid of GANs of arXiv:1506.05751: ``levels = [level_0, ..., level_{K-1},
    coarse]``, finest first, where each ``level_k`` is a ``LAPGANLevel`` on images of size
    ``s_k = 2 s_{k+1}`` and ``coarse`` a ``GAN`` (LAPGAN) or ``ConditionalGAN`` (CC-LAPGAN) on
    the coarsest images. All levels have the same channels and the same ``n_classes``.

    - ``compile(d_optimizer, g_optimizer, loss)``: compiles every level with optimizers of its
      own (pass ``None`` for ``GAN``'s default Adam, a name, or a function returning one).
    - ``fit(x, y=None, batch_size, epochs | steps | seconds)``: trains the levels
      independently, one after the other, each on the images taken down to its size
      (``level_data``); returns ``{level name: history}``.
    - ``sample(n, seed, labels, return_levels)``: coarse-to-fine sampling (section 2.3).
    - ``save_weights`` / ``load_weights`` cover every level (networks, optimizers, seeds).

    ``build_lapgan`` makes the book's 32 -> 16 -> 8 pyramid. See chapter 6.1.
    """

    def __init__(self, levels, name="lapgan", **kwargs):
        super().__init__(name=name, **kwargs)
        levels = list(levels)
        if len(levels) < 2:
            raise ValueError(f"a LAPGAN needs at least 2 levels (one LAPGANLevel and a coarse "
                             f"GAN), got {len(levels)}")
        for k, level in enumerate(levels[:-1]):
            if not isinstance(level, LAPGANLevel):
                raise ValueError(f"levels[{k}] must be a LAPGANLevel, got "
                                 f"{type(level).__name__}")
        coarse = levels[-1]
        if not isinstance(coarse, GAN) or isinstance(coarse, LAPGANLevel):
            raise ValueError(f"the last level must be a GAN on the coarsest images (GAN or "
                             f"ConditionalGAN), got {type(coarse).__name__}")
        shapes = [tuple(level.sample_shape) for level in levels]
        for k in range(len(levels) - 1):
            fine, coarse_shape = shapes[k], shapes[k + 1]
            if (len(coarse_shape) != 3 or fine[0] != 2 * coarse_shape[0]
                    or fine[1] != 2 * coarse_shape[1] or fine[2] != coarse_shape[2]):
                raise ValueError(f"level {k + 1} must make images half the size of level {k}'s "
                                 f"{fine} with as many channels, got {coarse_shape}")
        classes = [getattr(level, "n_classes", None) for level in levels]
        if len(set(classes)) != 1:
            raise ValueError(f"all levels must have the same n_classes (None for LAPGAN), got "
                             f"{classes}")
        self.levels = levels
        self.n_classes = classes[0]
        self.image_shape = shapes[0]
        self.built = True

    def call(self, inputs, training=False):
        raise NotImplementedError(f"{self.name}: use sample(n) to generate images")

    # -- training ---------------------------------------------------------------------------

    @staticmethod
    def _fresh_optimizer(spec, role):
        if isinstance(spec, keras.optimizers.Optimizer):
            raise ValueError(f"each level needs its own {role}: pass a function that returns "
                             f"one (e.g. lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)), a "
                             f"name or None, got an optimizer object")
        if spec is None or isinstance(spec, (str, dict)):
            return spec
        if callable(spec):
            return spec()
        raise ValueError(f"{role} must be None, a name or a function returning an optimizer, "
                         f"got {spec!r}")

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, **kwargs):
        """Compile every level (``GAN.compile``) with fresh optimizers from ``d_optimizer`` and
        ``g_optimizer`` (``None``: ``GAN``'s Adam(2e-4, beta_1=0.5); a name such as ``"adam"``;
        or a function returning an optimizer)."""
        for level in self.levels:
            level.compile(d_optimizer=self._fresh_optimizer(d_optimizer, "d_optimizer"),
                          g_optimizer=self._fresh_optimizer(g_optimizer, "g_optimizer"),
                          loss=loss, **kwargs)

    def level_data(self, data, k):
        """The data of level k: ``data`` (a ``tf.data.Dataset`` of image batches or of
        ``(images, labels)`` tuples) with the images taken k times through
        ``pyramid.downsample`` (the Gaussian pyramid's level k, arXiv:1506.05751 section 2.2)."""
        if k == 0:
            return data

        def down(images):
            return pyramid.gaussian_pyramid(tf.cast(images, "float32"), k + 1)[-1]

        @tf.autograph.experimental.do_not_convert      # no control flow on tensors; saves
        def to_level(*batch):                           # AutoGraph's conversion per map
            if len(batch) == 1:
                return down(batch[0])
            return (down(batch[0]),) + tuple(batch[1:])

        return data.map(to_level, num_parallel_calls=tf.data.AUTOTUNE)

    def _dataset(self, x, y, batch_size, shuffle, seed):
        if isinstance(x, tf.data.Dataset):
            return _common.pair_fit_data(x, y, self.name, "labels")     # x, unless y is given
        batch_size = checks.positive_int(batch_size, "batch_size")
        images = np.asarray(x, dtype=np.float32)
        if images.ndim != 4 or tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(f"{self.name} expects images of shape (n, "
                             f"{', '.join(map(str, self.image_shape))}), received "
                             f"{images.shape}")
        if self.n_classes is not None:
            if y is None:
                raise ValueError(f"{self.name} trains on (images, labels), received images "
                                 f"alone; pass fit(images, labels)")
            labels = checks.check_labels(y, self.n_classes, self.name, n=len(images))
            ds = tf.data.Dataset.from_tensor_slices((images, labels))
        else:
            ds = tf.data.Dataset.from_tensor_slices(images)
        if shuffle:
            ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size)

    def fit(self, x, y=None, batch_size=64, epochs=None, steps=None, seconds=None,
            shuffle=True, seed=0, verbose=0, callbacks=None):
        """Train every level on its own pipeline of ``x`` (images of the finest size in
        [-1, 1], with ``y`` labels for CC-LAPGAN, or a ``tf.data.Dataset`` of such batches).

        Budget per level, the same for all: ``epochs`` passes over the data (default 1), or
        ``steps`` steps, or ``seconds`` of wall time (equal time: each level stops after the
        first step that ends ``seconds`` after its start; at most ``epochs`` epochs if given).
        Returns ``{level name: history dict}`` (``d_loss``, ``g_loss`` per epoch)."""
        _common.require_compiled(self.levels[0].d_optimizer)
        if steps is not None and seconds is not None:
            raise ValueError(f"give steps or seconds, not both (got steps={steps}, "
                             f"seconds={seconds})")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(
                seconds, (int, float)) or not seconds > 0):
            raise ValueError(f"seconds must be a positive number, got {seconds!r}")
        data = self._dataset(x, y, batch_size, shuffle, seed)
        histories = {}
        for k, level in enumerate(self.levels):
            level_ds = self.level_data(data, k)
            kwargs = {"verbose": verbose, "callbacks": list(callbacks or [])}
            if steps is not None:
                kwargs.update(epochs=1, steps_per_epoch=checks.positive_int(steps, "steps"))
                level_ds = level_ds.repeat()
            elif seconds is not None:
                kwargs["epochs"] = 10 ** 9 if epochs is None else checks.positive_int(
                    epochs, "epochs")
                kwargs["callbacks"].append(_TimeBudget(float(seconds)))
            else:
                kwargs["epochs"] = 1 if epochs is None else epochs
            histories[level.name] = level.fit(level_ds, **kwargs).history
        return histories

    # -- sampling ---------------------------------------------------------------------------

    def sample(self, n, seed=None, labels=None, return_levels=False, batch_size=256):
        """``n`` images ``(n, *image_shape)`` sampled coarse to fine (arXiv:1506.05751 section 2.3):
        I~_K = G_K(z_K); I~_k = l~_k + G_k(z_k, l~_k) with l~_k = u(I~_{k+1}). ``seed`` (int,
        default 0) fixes every level's noise (each level its own stream). CC-LAPGAN takes
        ``labels`` (one int or ``n``; default the classes in turn), the same at every level.

        ``return_levels=True`` returns ``(images, levels)`` with NumPy lists, finest first:
        ``levels["gaussian"] = [I~_0, ..., I~_K]`` (each pyramid level, blurry to sharp read
        backwards), ``levels["laplacian"] = [h~_0, ..., h~_{K-1}, I~_K]`` (so
        ``pyramid.reconstruct(levels["laplacian"])`` is the image) and
        ``levels["lowpass"] = [l~_0, ..., l~_{K-1}]``. See chapter 6.1."""
        n = checks.positive_int(n, "n")
        seed = 0 if seed is None else int(seed)
        condition = {}
        if self.n_classes is None:
            if labels is not None:
                raise ValueError(f"{self.name} is unconditional: sample() takes no labels")
        else:
            # LabelledGAN's checks (classes in turn by default), under this model's name
            condition["labels"] = LabelledGAN.sample_labels(self, n, seed, labels)
        K = len(self.levels) - 1
        image = self.levels[K].sample(n, seed=_level_seed(seed, K), batch_size=batch_size,
                                      **condition)
        gaussian, bands, lows = [image], [], []
        for k in range(K - 1, -1, -1):
            low = pyramid.upsample(image).numpy()
            band = self.levels[k].sample(n, seed=_level_seed(seed, k), batch_size=batch_size,
                                         lowpass=low, **condition)
            image = low + band
            gaussian.insert(0, image)
            bands.insert(0, band)
            lows.insert(0, low)
        if not return_levels:
            return image
        return image, {"gaussian": gaussian, "laplacian": bands + [gaussian[-1]],
                       "lowpass": lows}


def build_lapgan(image_size=32, channels=1, levels=3, n_classes=None, latent_dim=100,
                 filters=16, noise_channels=1, coarse_units=(1200, 1200),
                 coarse_d_units=(600, 600), dropout=0.5, join="add", seed=0, d_steps=1,
                 name=None):
    """A ``LAPGAN`` (``n_classes=None``) or CC-LAPGAN on ``image_size`` images with ``levels``
    pyramid levels (32 -> 16 -> 8 by default), built from ``models.lapgan``: conv levels with
    ``filters`` maps (paper: 128), the coarse MLPs with the paper's units; level k's trainer
    seed is ``seed + k``. See chapter 6.1."""
    sizes = level_sizes(image_size, levels)
    trainers = []
    for k, size in enumerate(sizes[:-1]):
        g = models.build_lapgan_level_generator(size, channels, noise_channels, n_classes,
                                                filters=filters)
        d = models.build_lapgan_level_discriminator(size, channels, n_classes, filters=filters,
                                                    dropout=dropout, join=join)
        trainers.append(LAPGANLevel(g, d, n_classes=n_classes, seed=seed + k, d_steps=d_steps,
                                    name=f"lapgan_level_{k}"))
    K = len(sizes) - 1
    g = models.build_lapgan_coarse_generator(latent_dim, sizes[-1], channels, n_classes,
                                             hidden_units=coarse_units)
    d = models.build_lapgan_coarse_discriminator(sizes[-1], channels, n_classes,
                                                 hidden_units=coarse_d_units, dropout=dropout)
    if n_classes is None:
        coarse = GAN(g, d, seed=seed + K, d_steps=d_steps, name=f"lapgan_level_{K}")
    else:
        coarse = ConditionalGAN(g, d, n_classes, seed=seed + K, d_steps=d_steps,
                                name=f"lapgan_level_{K}")
    return LAPGAN(trainers + [coarse],
                  name=name or ("lapgan" if n_classes is None else "cc_lapgan"))
