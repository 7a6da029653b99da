"""gan_tf.plotting: grids put each image where it belongs; every figure is written."""

import numpy as np
import pytest

from gan_tf import plotting


def test_tile_images_places_and_rescales_each_image():
    images = np.stack([np.full((2, 3, 1), v, np.float32) for v in (-1.0, 0.0, 1.0, 0.5)])
    grid = plotting.tile_images(images, nrow=2, pad=1, pad_value=0.25)
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    np.testing.assert_allclose(grid[1:3, 1:4], 0.0)     # -1 -> 0
    np.testing.assert_allclose(grid[1:3, 5:8], 0.5)     # 0 -> 0.5
    np.testing.assert_allclose(grid[4:6, 1:4], 1.0)     # 1 -> 1
    np.testing.assert_allclose(grid[4:6, 5:8], 0.75)    # 0.5 -> 0.75
    np.testing.assert_allclose(grid[0], 0.25)           # padding
    with pytest.raises(ValueError, match="shape"):
        plotting.tile_images(np.zeros((2, 4, 4, 2)))


def test_figures_are_written(tmp_path):
    rng = np.random.default_rng(0)
    imgs = rng.uniform(-1, 1, (16, 8, 8, 1)).astype(np.float32)
    xs = np.linspace(0, 6, 50)
    calls = {
        "grid.png": lambda p: plotting.image_grid(imgs, path=p, title="t"),
        "rows.png": lambda p: plotting.image_rows([imgs[:4], imgs[4:8]], ["a", "b"], path=p),
        "loss.png": lambda p: plotting.loss_curves({"d_loss": [1, 0.9], "g_loss": [2, 1]}, path=p),
        "dens.png": lambda p: plotting.density_1d(xs, np.exp(-(xs - 3) ** 2), rng.normal(3, 1, 500),
                                                  np.full_like(xs, 0.5), path=p),
        "mani.png": lambda p: plotting.latent_manifold(
            lambda z: np.tile(z[:, :1, None, None], (1, 8, 8, 1)) / 2, n=5, path=p,
            image_shape=(8, 8, 1)),
        "scat.png": lambda p: plotting.latent_scatter(rng.normal(size=(50, 2)),
                                                      rng.integers(0, 3, 50), path=p),
    }
    for name, draw in calls.items():
        fig = draw(tmp_path / "sub" / name)
        plotting.close(fig)
        assert (tmp_path / "sub" / name).stat().st_size > 1000, name
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plotting.latent_scatter(np.zeros((5, 3)), np.zeros(5))


def test_latent_manifold_decodes_the_gaussian_quantile_grid():
    seen = []

    def decode(z):
        seen.append(z)
        return np.zeros((len(z), 4, 4, 1), np.float32)

    plotting.close(plotting.latent_manifold(decode, n=3, image_shape=(4, 4, 1)))
    z = seen[0]
    from scipy.stats import norm

    ticks = norm.ppf([0.05, 0.5, 0.95])
    assert z.shape == (9, 2)
    np.testing.assert_allclose(sorted(set(np.round(z[:, 0], 6))), np.round(ticks, 6), atol=1e-6)
    # top-left of the picture is (low z0, high z1)
    np.testing.assert_allclose(z[0], [ticks[0], ticks[2]], atol=1e-6)
