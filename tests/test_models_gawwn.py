"""GAWWN's where-to-draw inputs (arXiv:1610.02454): box masks and keypoint heat-maps against
hand-made arrays, and the networks' spatial properties: the generator's local pathway writes
nothing outside the box, the discriminator's local pathway reads nothing outside it, the
keypoint generator returns the given keypoints exactly."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_tf import layers, models

T, L, K = 16, 8, 4


def test_box_mask_on_an_8x8_grid_by_hand():
    box = np.array([[0.25, 0.25, 0.75, 0.75],       # exactly cells 2..5
                    [0.0, 0.5, 1.0, 1.0],           # right half, all rows
                    [0.3, 0.3, 0.31, 0.9],          # thinner than a cell: row 2 only
                    [0.0, 0.0, 0.125, 0.125]], np.float32)
    want = np.zeros((4, 8, 8), np.float32)
    want[0, 2:6, 2:6] = 1
    want[1, :, 4:] = 1
    want[2, 2, 2:8] = 1                              # x: 0.3*8 = 2.4 -> cell 2; 0.9*8 = 7.2 -> 7
    want[3, 0, 0] = 1
    got = layers.box_mask(tf.constant(box), 8).numpy()
    assert got.shape == (4, 8, 8, 1)
    np.testing.assert_array_equal(got[..., 0], want)
    # float rounding of an edge on a grid line adds no cell (0.3 * 10 = 3.0000001 in float32)
    ten = layers.box_mask(tf.constant([[0.3, 0.0, 0.7, 1.0]]), 10).numpy()[0, :, 0, 0]
    np.testing.assert_array_equal(np.flatnonzero(ten), [3, 4, 5, 6])
    np.testing.assert_array_equal(layers.BoxMask(8)(tf.constant(box)).numpy(), got)


def test_keypoint_heatmaps_corners_centre_and_invisible_by_hand():
    kp = np.array([[[0.0, 0.0, 1.0],        # top-left corner -> cell (0, 0)
                    [1.0, 1.0, 1.0],        # bottom-right corner -> cell (7, 7) (clipped)
                    [0.0, 1.0, 1.0],        # top-right -> (0, 7)
                    [0.5, 0.49, 1.0],       # centre: floor(4.0) = 4, floor(3.92) = 3
                    [0.5, 0.5, 0.0]]],      # invisible -> all zero
                  np.float32)
    maps = layers.keypoint_heatmaps(tf.constant(kp), 8).numpy()
    assert maps.shape == (1, 8, 8, 5)
    want = np.zeros((5, 8, 8), np.float32)
    want[0, 0, 0] = want[1, 7, 7] = want[2, 0, 7] = want[3, 4, 3] = 1
    np.testing.assert_array_equal(np.moveaxis(maps[0], -1, 0), want)
    pooled = layers.KeypointHeatmaps(8, parts_max=True)(tf.constant(kp)).numpy()
    np.testing.assert_array_equal(pooled[0, ..., 0], want.max(axis=0))


def test_masked_mean_averages_over_the_mask_only():
    x = np.arange(2 * 4 * 4 * 2, dtype=np.float32).reshape(2, 4, 4, 2)
    mask = np.zeros((2, 4, 4, 1), np.float32)
    mask[0, 1:3, 0:2] = 1
    got = layers.MaskedMean()([tf.constant(x), tf.constant(mask)]).numpy()
    np.testing.assert_allclose(got[0], x[0, 1:3, 0:2].reshape(-1, 2).mean(axis=0))
    np.testing.assert_array_equal(got[1], [0.0, 0.0])          # empty mask -> 0, not NaN


def _box_nets(size=16, grid=8, batch_norm=True):
    keras.utils.set_random_seed(0)
    return (models.build_gawwn_box_generator(L, T, size, grid, 3, 4, batch_norm=batch_norm),
            models.build_gawwn_box_discriminator(size, T, grid, 3, 4, batch_norm=batch_norm))


def test_box_generator_local_pathway_writes_and_reads_only_inside_the_box():
    g, _ = _box_nets()
    rng = np.random.default_rng(0)
    z = tf.constant(rng.normal(size=(2, L)), tf.float32)
    box = tf.constant([[0.25, 0.0, 0.75, 0.5], [0.0, 0.5, 0.5, 1.0]], tf.float32)
    text = tf.constant(rng.normal(size=(2, T)), tf.float32)
    out = keras.Model(g.inputs, g.get_layer("local_masked").output)([z, text, box]).numpy()
    mask = layers.box_mask(box, 8).numpy()
    assert np.abs(out * (1 - mask)).max() == 0.0                 # nothing outside the box
    assert np.abs(out * mask).max() > 0.0                        # something inside it
    # the replicated text outside the box does not reach the local pathway: zero gradient there
    planes = tf.Variable(np.repeat(np.repeat(text.numpy()[:, None, None, :], 8, 1), 8, 2))
    with tf.GradientTape() as tape:
        masked = g.get_layer("text_in_box")([planes, layers.box_mask(box, 8)])
        h = masked
        for i in range(2):
            h = g.get_layer(f"local_conv_{i}")(h)
            h = g.get_layer(f"local_bn_{i}")(h, training=True)
            h = g.get_layer(f"local_relu_{i}")(h)
        y = tf.reduce_sum(g.get_layer("local_masked")([h, layers.box_mask(box, 8)]) ** 2)
    grad = tape.gradient(y, planes).numpy()
    assert np.abs(grad * (1 - mask)).max() == 0.0
    assert np.abs(grad * mask).max() > 0.0


def test_box_discriminator_local_score_reads_its_map_only_inside_the_box():
    """The local pathway's vector depends on the pre-pooling feature map inside the box only (the
    masked mean replacing the spatial transformer's crop)."""
    _, d = _box_nets()
    rng = np.random.default_rng(1)
    x = tf.constant(np.tanh(rng.normal(size=(2, 16, 16, 3))), tf.float32)
    text = tf.constant(rng.normal(size=(2, T)), tf.float32)
    box = tf.constant([[0.25, 0.0, 0.75, 0.5], [0.5, 0.5, 1.0, 1.0]], tf.float32)
    before = keras.Model(d.inputs, d.get_layer("local_1x1_lrelu").output)
    h = tf.Variable(before([x, text, box]))
    with tf.GradientTape() as tape:
        v = d.get_layer("local_vector")([h, layers.box_mask(box, 8)])
        y = tf.reduce_sum(v * np.arange(1, v.shape[-1] + 1, dtype=np.float32))
    grad = tape.gradient(y, h).numpy()
    mask = layers.box_mask(box, 8).numpy()
    assert np.abs(grad * (1 - mask)).max() == 0.0 and np.abs(grad * mask).max() > 0.0
    # and the whole D responds to the box: moving it changes the logit
    moved = tf.constant([[0.0, 0.5, 0.5, 1.0], [0.0, 0.0, 0.5, 0.5]], tf.float32)
    assert np.abs(d([x, text, box]).numpy() - d([x, text, moved]).numpy()).max() > 1e-6


def test_keypoint_networks_shapes_and_generator_uses_the_keypoints():
    keras.utils.set_random_seed(0)
    g = models.build_gawwn_keypoint_generator(L, T, K, 16, 8, 3, 4)
    d = models.build_gawwn_keypoint_discriminator(16, T, K, 8, 3, 4)
    rng = np.random.default_rng(2)
    z = tf.constant(rng.normal(size=(2, L)), tf.float32)
    text = tf.constant(rng.normal(size=(2, T)), tf.float32)
    kp = tf.constant(np.concatenate([rng.uniform(size=(2, K, 2)), np.ones((2, K, 1))], -1),
                     tf.float32)
    x = g([z, text, kp])
    assert x.shape == (2, 16, 16, 3) and np.abs(x.numpy()).max() <= 1.0
    assert d([x, text, kp]).shape == (2, 1)
    moved = tf.concat([1.0 - kp[..., :2], kp[..., 2:]], -1)
    assert np.abs(g([z, text, moved]).numpy() - x.numpy()).max() > 1e-7
    # the local gate is the maximum of the maps over the parts
    gate = keras.Model(g.inputs, g.get_layer("parts_max").output)([z, text, kp]).numpy()
    np.testing.assert_array_equal(gate[..., 0],
                                  layers.keypoint_heatmaps(kp, 8).numpy().max(axis=-1))


def test_keypoint_generator_returns_given_keypoints_exactly_and_generates_the_rest():
    keras.utils.set_random_seed(0)
    gk = models.build_keypoint_generator(4, T, K, units=2)
    rng = np.random.default_rng(3)
    kp = rng.uniform(size=(3, K, 3)).astype(np.float32)
    switch = np.array([[1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1]], np.float32)
    z = rng.normal(size=(3, 4)).astype(np.float32)
    text = rng.normal(size=(3, T)).astype(np.float32)
    out = gk([tf.constant(z), tf.constant(text), tf.constant(kp), tf.constant(switch)]).numpy()
    on = switch.astype(bool)
    np.testing.assert_array_equal(out[on], kp[on])                 # exactly the given ones
    assert np.all(np.abs(out[~on] - kp[~on]).max(axis=-1) > 1e-4)  # the rest generated
    assert out.min() >= 0.0 and out.max() <= 1.0
    # f sees the given keypoints only: changing a switched-off one changes nothing
    kp2 = kp.copy()
    kp2[0, 1] = [0.9, 0.9, 0.9]
    out2 = gk([tf.constant(z), tf.constant(text), tf.constant(kp2), tf.constant(switch)]).numpy()
    np.testing.assert_array_equal(out2, out)
    kd = models.build_keypoint_discriminator(T, K, units=2)
    assert kd([tf.constant(out), tf.constant(text)]).shape == (3, 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"grid": 6}, r"power-of-two grid M >= 4 and image_size = M \* 2\*\*k, got grid=6"),
    ({"grid": 8, "image_size": 24}, r"got grid=8, image_size=24"),
    ({"grid": 2, "image_size": 16}, r"got grid=2, image_size=16"),
])
def test_gawwn_builders_reject_bad_grids(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.build_gawwn_box_generator(L, T, **kwargs)
    with pytest.raises(ValueError, match=match):
        models.build_gawwn_keypoint_discriminator(text_dim=T, n_keypoints=K, **kwargs)
    with pytest.raises(ValueError, match="size must be a positive int, got 0"):
        layers.BoxMask(0)


def test_gawwn_networks_save_and_load_with_their_layers(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(5)
    kp = tf.constant(rng.uniform(size=(2, K, 3)), tf.float32)
    text = tf.constant(rng.normal(size=(2, T)), tf.float32)
    cases = [(models.build_gawwn_box_generator(L, T, 8, 4, 3, 4),
              [tf.ones((2, L)), text, tf.constant([[0.1, 0.1, 0.6, 0.6]] * 2)]),
             (models.build_gawwn_keypoint_discriminator(8, T, K, 4, 3, 4),
              [tf.zeros((2, 8, 8, 3)), text, kp]),
             (models.build_keypoint_generator(L, T, K, units=2),
              [tf.ones((2, L)), text, kp, tf.constant([[1.0, 0, 1, 0]] * 2)])]
    for net, inputs in cases:
        path = str(tmp_path / f"{net.name}.keras")
        net.save(path)
        np.testing.assert_array_equal(keras.saving.load_model(path)(inputs).numpy(),
                                      net(inputs).numpy())
