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


def test_box_generator_pastes_its_local_map_into_the_box_and_its_text_map_too():
    g, _ = _box_nets()
    rng = np.random.default_rng(0)
    z = tf.constant(rng.normal(size=(2, L)), tf.float32)
    box = tf.constant([[0.25, 0.0, 0.75, 0.5], [0.0, 0.5, 0.5, 1.0]], tf.float32)
    text = tf.constant(rng.normal(size=(2, T)), tf.float32)
    mask = layers.box_mask(box, 8).numpy()
    for layer in ("local_in_box", "text_grid_in_box"):   # local map; global pathway's text
        out = keras.Model(g.inputs, g.get_layer(layer).output)([z, text, box]).numpy()
        assert np.abs(out * (1 - mask)).max() == 0.0, layer      # nothing outside the box
        assert np.abs(out * mask).max() > 0.0, layer             # something inside it
    # the local map is the pre-warp map resampled into the box (BoxWarp, tested above)
    pre = keras.Model(g.inputs, g.get_layer("local_in_box").input[0])([z, text, box])
    np.testing.assert_allclose(
        keras.Model(g.inputs, g.get_layer("local_in_box").output)([z, text, box]).numpy(),
        layers.box_warp(pre, box, 8).numpy(), atol=1e-6)
    # both pathways carry the box: moving it moves the image
    moved = tf.constant([[0.0, 0.5, 0.5, 1.0], [0.25, 0.0, 0.75, 0.5]], tf.float32)
    assert np.abs(g([z, text, box]).numpy() - g([z, text, moved]).numpy()).max() > 1e-6


def test_box_discriminator_local_score_reads_its_map_only_at_the_box():
    """The local pathway's vector depends on the pre-crop feature map at the box only (the
    bilinear crop reads at most one cell beyond its edges); the global pathway sees the box."""
    _, d = _box_nets()
    rng = np.random.default_rng(1)
    x = tf.constant(np.tanh(rng.normal(size=(2, 16, 16, 3))), tf.float32)
    text = tf.constant(rng.normal(size=(2, T)), tf.float32)
    box = tf.constant([[0.25, 0.0, 0.75, 0.5], [0.5, 0.5, 1.0, 1.0]], tf.float32)
    before = keras.Model(d.inputs, d.get_layer("local_lrelu").output)
    h = tf.Variable(before([x, text, box]))
    crop = d.get_layer("local_crop")
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(crop([h, box]) * np.arange(1, h.shape[-1] + 1, dtype=np.float32))
    grad = np.abs(tape.gradient(y, h).numpy()).sum(-1)
    near = tf.nn.max_pool2d(layers.box_mask(box, 8), 3, 1, "SAME").numpy()[..., 0]
    inside = layers.box_mask(box, 8).numpy()[..., 0] == 1
    assert grad[near == 0].max() == 0.0 and grad[inside].min() > 0
    # the global pathway alone responds to the box, and so does the whole D
    moved = tf.constant([[0.0, 0.5, 0.5, 1.0], [0.0, 0.0, 0.5, 0.5]], tf.float32)
    glob = keras.Model(d.inputs, d.get_layer("global_vector").output)
    assert np.abs(glob([x, text, box]).numpy() - glob([x, text, moved]).numpy()).max() > 1e-6
    assert not np.allclose(d([x, text, box]).numpy(), d([x, text, moved]).numpy(), rtol=1e-3,
                           atol=0)         # (logits of ~1e-6 with N(0, 0.02) weights)


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


def test_box_warp_pastes_a_map_into_the_box_bilinearly():
    """The spatial transformer of the authors' box generator (main_cub_bbox.lua: a 16x16 map
    resampled into the box by an affine grid and a bilinear sampler), zero outside the box."""
    rng = np.random.default_rng(6)
    maps = rng.normal(size=(3, 4, 4, 2)).astype(np.float32)
    box = np.array([[0.0, 0.0, 1.0, 1.0],           # the whole canvas: the map itself
                    [0.0, 0.0, 0.5, 0.5],           # the top-left quarter: 2x smaller
                    [0.5, 0.25, 1.0, 0.75]], np.float32)
    got = layers.box_warp(tf.constant(maps), tf.constant(box), 4).numpy()
    np.testing.assert_allclose(got[0], maps[0], atol=1e-6)
    # cell i of the 4x4 grid has its centre at (i + 0.5) / 4; in the half box it maps to map
    # coordinate 2 (i + 0.5) - 0.5 = 2i + 0.5: the mean of map rows 2i and 2i + 1
    half = 0.25 * (maps[1, 0::2, 0::2] + maps[1, 1::2, 0::2] + maps[1, 0::2, 1::2]
                   + maps[1, 1::2, 1::2])
    np.testing.assert_allclose(got[1, :2, :2], half, atol=1e-6)
    assert np.abs(got[1, 2:]).max() == 0 and np.abs(got[1, :, 2:]).max() == 0
    np.testing.assert_allclose(got[2, 2:, 1:3], half_of(maps[2]), atol=1e-6)
    outside = 1 - layers.box_mask(tf.constant(box), 4).numpy()
    assert np.abs(got * outside).max() == 0
    # a larger grid samples between the map's cells: edge cells clamp to the map's border
    wide = layers.box_warp(tf.constant(maps[:1]), tf.constant(box[:1]), 8).numpy()[0]
    np.testing.assert_allclose(wide[0, 0], maps[0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(wide[1, 1], 0.5625 * maps[0, 0, 0] + 0.1875 * (
        maps[0, 0, 1] + maps[0, 1, 0]) + 0.0625 * maps[0, 1, 1], atol=1e-6)
    np.testing.assert_array_equal(layers.BoxWarp(4)([tf.constant(maps), tf.constant(box)]),
                                  got)


def half_of(m):
    return 0.25 * (m[0::2, 0::2] + m[1::2, 0::2] + m[0::2, 1::2] + m[1::2, 1::2])


def test_box_crop_reads_the_box_region_and_undoes_the_warp():
    rng = np.random.default_rng(7)
    maps = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    box = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 0.5, 0.5, 1.0]], np.float32)
    got = layers.box_crop(tf.constant(maps), tf.constant(box), 4).numpy()
    np.testing.assert_allclose(got[0], maps[0], atol=1e-6)          # the whole map
    # the top-right quarter (2x2 cells) read at 4x4: cell i samples 2 + (i + 0.5) / 2 - 0.5
    # along x, i.e. 1.75, 2.25, 2.75, 3.25: the first weighs column 1 by 0.25
    np.testing.assert_allclose(got[1, 0, 0], 0.75 * (0.75 * maps[1, 0, 2] + 0.25 * maps[1, 0, 1])
                               + 0.25 * (0.75 * maps[1, 0, 2] + 0.25 * maps[1, 0, 1]), atol=1e-6)
    # a 2x2 map pasted into a box of 2x2 cells of a 4x4 grid lands cell for cell, and cropping
    # that box gives it back
    small = tf.constant(maps[:, :2, :2])
    pasted = layers.box_warp(small, tf.constant(box), 4)
    np.testing.assert_allclose(pasted.numpy()[1, :2, 2:], maps[1, :2, :2], atol=1e-6)
    back = layers.box_crop(pasted, tf.constant(box), 2).numpy()
    np.testing.assert_allclose(back[1], maps[1, :2, :2], atol=1e-6)
    np.testing.assert_array_equal(layers.BoxCrop(4)([tf.constant(maps), tf.constant(box)]), got)


def test_box_discriminator_join_norm_erases_a_batch_wide_shift_so_it_is_off_by_default():
    """With the authors' batch norm before the logit (join_norm=True), D in training mode gives
    the same logits to two batches whose joined vectors differ by one shift for the whole batch
    (what a batch of fakes first differs by); without it (the default) the logits differ."""
    rng = np.random.default_rng(1)
    feats = tf.constant(rng.normal(size=(8, 4)), tf.float32)      # the Dense(f) outputs, f = 4
    shift = tf.constant(rng.normal(size=(1, 4)) * 3, tf.float32)
    for join_norm, same in ((True, True), (False, False)):
        keras.utils.set_random_seed(0)
        d = models.build_gawwn_box_discriminator(16, T, 8, 3, 4, join_norm=join_norm)
        names = [layer.name for layer in d.layers]
        assert ("join_bn" in names) == join_norm
        head = keras.Sequential([d.get_layer(n) for n in names[names.index("join_dense") + 1:]])
        a = head(feats, training=True).numpy()
        b = head(feats + shift, training=True).numpy()
        assert np.allclose(a, b, atol=1e-4) == same, (join_norm, np.abs(a - b).max())
