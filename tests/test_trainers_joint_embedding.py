"""gan_tf.trainers.JointEmbedding (Reed et al., arXiv:1605.05395, section 3): its step equals a
hand-written GradientTape step on the loss; fit trains on arrays and datasets and learns a toy
embedding; bad input is refused with a clear message."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import losses, models, trainers
from twins import adam as _adam, clone as _clone

VOCAB, SIZE, D = 10, 8, 16


def _nets(seed=0):
    keras.utils.set_random_seed(seed)
    image = models.build_scene_image_encoder(SIZE, D, filters=(4, 8))
    text = models.build_text_encoder(VOCAB, 5, embed_dim=D, word_dim=8, conv_filters=(8,),
                                     gru_units=8)
    return image, text


def _data(n=8, seed=1):
    """Toy scenes: class k in {0..3} is a bright square at corner k of a dark image; its caption
    is the words [k + 1, 5 + (k % 2)] padded to 5 (so the class is readable from the text)."""
    rng = np.random.default_rng(seed)
    classes = np.arange(n) % 4
    images = np.full((n, SIZE, SIZE, 3), -1.0, np.float32)
    for i, k in enumerate(classes):
        y, x = divmod(int(k), 2)
        images[i, 4 * y:4 * y + 4, 4 * x:4 * x + 4] = 1.0
    images += rng.uniform(-0.05, 0.05, images.shape).astype(np.float32)
    images = np.clip(images, -1, 1)
    tokens = np.zeros((n, 5), np.int32)
    tokens[:, 0] = classes + 1
    tokens[:, 1] = 5 + classes % 2
    return images, tokens, classes.astype(np.int32)


def test_step_matches_a_hand_written_gradient_tape_step():
    image, text = _nets()
    image2, text2 = _clone(image), _clone(text)
    x, t, c = _data()
    model = trainers.JointEmbedding(image, text)
    model.compile(optimizer=_adam())
    logs = model.train_step((tf.constant(x), tf.constant(t), tf.constant(c)))

    opt = _adam()
    variables = image2.trainable_variables + text2.trainable_variables
    opt.build(variables)
    with tf.GradientTape() as tape:
        v, w = image2(x, training=True), text2(t, training=True)
        loss = tf.reduce_mean(losses.joint_embedding_loss(v, w, c, negatives="mean",
                                                          reduction="none"))
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
    for a, b in zip(image.get_weights() + text.get_weights(),
                    image2.get_weights() + text2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert float(logs["loss"]) == pytest.approx(float(loss), rel=1e-5)
    assert not np.allclose(image.get_weights()[0], _nets()[0].get_weights()[0])


def test_fit_on_arrays_and_datasets_learns_the_toy_embedding():
    x, t, c = _data(64)
    model = trainers.JointEmbedding(*_nets())
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = model.evaluate((x, t, c), batch_size=64, verbose=0, return_dict=True)
    history = model.fit((x, t, c), batch_size=16, epochs=4, verbose=0).history
    ds = tf.data.Dataset.from_tensor_slices(((x, t), c)).batch(16)     # ((images, tokens), classes)
    history2 = model.fit(ds, epochs=1, verbose=0).history
    after = model.evaluate((x, t, c), batch_size=64, verbose=0, return_dict=True)
    assert len(history["loss"]) == 4 and np.isfinite(history2["loss"][0])
    assert after["loss"] < 0.5 * before["loss"]
    assert after["accuracy"] == 1.0                      # every caption finds its corner
    v, w = model.encode_images(x, batch_size=10), model.encode_texts(t, batch_size=7)
    assert v.shape == w.shape == (64, D)
    scores = w @ v.T
    assert np.all(c[np.argmax(scores, axis=1)] == c)


def test_bad_input_is_refused():
    image, text = _nets()
    model = trainers.JointEmbedding(image, text)
    model.compile()
    x, t, c = _data()
    with pytest.raises(ValueError, match=r"trains on \(images, tokens, classes\), received 2"):
        model.fit((x, t), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"expects integer word ids of shape \(n, max_len\), "
                                         r"received dtype float32"):
        model.fit((x, t.astype(np.float32), c), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="one caption and one class per image, received 8 "
                                         "images, 8 captions and 7 classes"):
        model.fit((x, t, c[:7]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"expects images in \[-1, 1\]"):
        model.fit((x * 255, t, c), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="no batch to train on: the first batch holds 1"):
        model.fit((x[:1], t[:1], c[:1]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="expected equal sizes, received d = 16 .* d = 4"):
        trainers.JointEmbedding(image, models.build_text_encoder(VOCAB, 5, embed_dim=4))


def test_drop_small_batches_counts_the_first_leaf_of_nested_elements():
    # ((images, tokens), classes) batches: the batch size is that of the first leaf, the images
    from gan_tf.data import drop_small_batches

    x, t, c = _data(9)
    ds = tf.data.Dataset.from_tensor_slices(((x, t), c)).batch(4)      # 4, 4, 1
    kept, dropped = drop_small_batches(ds, 2)
    assert dropped and [int(b[1].shape[0]) for b in kept] == [4, 4]
