"""gan_tf.models.build_text_encoder / build_scene_image_encoder: the word-level CNN-RNN masks
its padding (a caption encodes the same however far it is padded), reads word order, and both
encoders embed in d dimensions."""

import keras
import numpy as np
import pytest

from gan_tf import models

VOCAB = 12


def _encoder(max_len, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return models.build_text_encoder(VOCAB, max_len, embed_dim=16, word_dim=8,
                                     conv_filters=(8, 8), gru_units=8, **kwargs)


def _pad(rows, length):
    out = np.zeros((len(rows), length), np.int32)
    for i, r in enumerate(rows):
        out[i, :len(r)] = r
    return out


def test_padding_does_not_change_the_encoding():
    rng = np.random.default_rng(0)
    captions = [list(rng.integers(1, VOCAB, size=n)) for n in (1, 3, 5, 8)]
    short, long_ = _encoder(8), _encoder(20, seed=1)
    long_.set_weights(short.get_weights())          # the weights do not depend on max_len
    a = np.asarray(short(_pad(captions, 8)))
    b = np.asarray(long_(_pad(captions, 20)))
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # alone and unpadded (exact length: no padding id at all) gives the same too
    for i, c in enumerate(captions):
        exact = models.build_text_encoder(VOCAB, None, embed_dim=16, word_dim=8,
                                          conv_filters=(8, 8), gru_units=8)
        exact.set_weights(short.get_weights())
        np.testing.assert_allclose(np.asarray(exact(np.array([c], np.int32)))[0], a[i],
                                   rtol=1e-5, atol=1e-6)
    assert a.shape == (4, 16) and a.dtype == np.float32
    assert np.abs(a[0] - a[1]).max() > 1e-3        # different captions, different codes


def test_word_order_and_every_word_matter():
    enc = _encoder(6)
    base = _pad([[3, 4, 5, 6]], 6)
    swapped = _pad([[4, 3, 5, 6]], 6)
    changed_last = _pad([[3, 4, 5, 7]], 6)
    e = [np.asarray(enc(t))[0] for t in (base, swapped, changed_last)]
    assert np.abs(e[0] - e[1]).max() > 1e-4          # not a bag of words
    assert np.abs(e[0] - e[2]).max() > 1e-4          # the last word reaches the code


def test_image_encoder_shapes_and_argument_errors():
    enc = models.build_scene_image_encoder(image_size=16, embed_dim=16, filters=(8, 16))
    out = np.asarray(enc(np.zeros((3, 16, 16, 3), np.float32)))
    assert out.shape == (3, 16)
    assert enc.get_layer("flatten").output.shape[1:] == (4 * 4 * 16,)   # no global pooling
    with pytest.raises(ValueError, match="vocab_size must count the padding id 0"):
        models.build_text_encoder(1, 8)
    with pytest.raises(ValueError, match="gru_units must be a positive int, got 0"):
        models.build_text_encoder(VOCAB, 8, gru_units=0)
    with pytest.raises(ValueError, match=r"filters must name at least one convolution"):
        models.build_scene_image_encoder(16, 16, filters=())


def test_text_conditioning_divides_phi_by_its_training_std():
    from gan_tf.data import scenes

    keras.utils.set_random_seed(0)
    encoder = models.build_text_encoder(len(scenes.VOCABULARY), scenes.MAX_WORDS,
                                        embed_dim=16, word_dim=8, conv_filters=(8,),
                                        gru_units=8)
    train = [["a red sneaker on a black background", "a small blue bag"],
             ["a green dress at the top left", "a large yellow shirt on a white background"]]
    cond = models.TextConditioning(train, encoder)
    raw = models.encode_captions(train, encoder)
    np.testing.assert_array_equal(cond.raw_train, raw)
    assert cond.scale == pytest.approx(float(raw.std())) and cond.scale > 0
    np.testing.assert_allclose(cond.train.std(), 1.0, rtol=1e-5)
    np.testing.assert_allclose(cond.embed(train), raw / cond.scale, rtol=1e-6)
    np.testing.assert_allclose(cond([train[1][0], train[0][1]]),
                               np.stack([raw[1, 0], raw[0, 1]]) / cond.scale, rtol=1e-6)
    with pytest.raises(ValueError, match="expected a list of caption strings, received the "
                                         "string 'a red sneaker'"):
        cond("a red sneaker")
