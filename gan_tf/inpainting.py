"""Semantic inpainting by latent optimisation (Yeh et al. 2016, arXiv:1607.07539).

Given a trained generator G and discriminator D, an image y with known pixels M (1 = known,
0 = missing) is completed by searching the latent space:

    z_hat = argmin_z  L_c(z) + lambda * L_p(z)                                  (eq. 4)
    L_c(z) = || W * (G(z) - y) ||_1,  W_i = sum_{j in N(i)} (1 - M_j) / |N(i)| if M_i = 1
                                      else 0   (contextual loss, eq. 2, window 7x7)
    L_p(z) = log(1 - D(G(z)))         (perceptual loss, eq. 3; lambda = 0.003)

then G(z_hat) is blended into y by Poisson blending (eq. 5): the missing pixels are solved
so that their gradients match G(z_hat)'s while the known pixels stay fixed. With zero guidance
the same solver gives the *harmonic fill* (the smoothest completion, Laplace's equation in
the hole), the simple baseline the notebook compares against. See chapter 4.4.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, losses


def _check(images, mask, what="images"):
    images = checks.check_image_batch(images, what)
    return images, checks.check_mask(mask, images.shape, "0 (missing) and 1 (known)")


def centre_mask(shape, hole):
    """``(h, w)`` mask of ones with a ``hole x hole`` square of zeros in the centre."""
    h, w = shape
    if not 0 < hole < min(h, w):
        raise ValueError(f"hole must be in (0, {min(h, w)}), got {hole}")
    mask = np.ones((h, w), np.float32)
    top, left = (h - hole) // 2, (w - hole) // 2
    mask[top:top + hole, left:left + hole] = 0
    return mask


def random_mask(n, shape, missing=0.8, seed=0):
    """``(n, h, w)`` masks with a fraction ``missing`` of pixels set to 0, independently."""
    if not 0 < missing < 1:
        raise ValueError(f"missing must be in (0, 1), got {missing}")
    rng = np.random.default_rng(seed)
    return (rng.random((n,) + tuple(shape)) >= missing).astype(np.float32)


def contextual_weights(mask, window=7):
    """Yeh et al.'s importance weights W (eq. 2): for each known pixel the fraction of missing
    pixels in its ``window x window`` neighbourhood (zero padding outside the image); 0 at
    missing pixels. ``mask`` is ``(n, h, w)``; returns the same shape."""
    mask = np.asarray(mask, dtype=np.float32)
    if window < 1 or window % 2 == 0:
        raise ValueError(f"window must be a positive odd int, got {window}")
    missing = tf.constant((1.0 - mask)[..., None])
    kernel = tf.ones((window, window, 1, 1)) / float(window * window)
    frac = tf.nn.conv2d(missing, kernel, strides=1, padding="SAME").numpy()[..., 0]
    return frac * mask


def _laplacian_solve(known, mask, guidance):
    """Solve the discrete Poisson equation on the missing pixels of one image (all channels).

    known, guidance: (h, w, c); mask: (h, w). Uses 4-neighbours inside the image."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import splu

    h, w, c = known.shape
    unknown = np.flatnonzero(mask.ravel() == 0)
    if unknown.size == 0:
        return known.copy()
    index = -np.ones(h * w, np.int64)
    index[unknown] = np.arange(unknown.size)
    rows, cols, vals = [], [], []
    rhs = np.zeros((unknown.size, c), np.float64)
    g = guidance.reshape(h * w, c).astype(np.float64)
    y = known.reshape(h * w, c).astype(np.float64)
    for k, p in enumerate(unknown):
        r, col = divmod(int(p), w)
        degree = 0
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            rr, cc = r + dr, col + dc
            if not (0 <= rr < h and 0 <= cc < w):
                continue
            q = rr * w + cc
            degree += 1
            rhs[k] += g[p] - g[q]
            if index[q] >= 0:
                rows.append(k)
                cols.append(index[q])
                vals.append(-1.0)
            else:
                rhs[k] += y[q]
        rows.append(k)
        cols.append(k)
        vals.append(float(degree))
    matrix = coo_matrix((vals, (rows, cols)), shape=(unknown.size, unknown.size)).tocsc()
    solution = splu(matrix).solve(rhs)
    out = y.copy()
    out[unknown] = solution
    return out.reshape(h, w, c).astype(np.float32)


def poisson_blend(images, mask, guidance):
    """Poisson blending (Pérez et al. 2003; Yeh et al. eq. 5): keep the known pixels of
    ``images`` and fill the missing ones so that their Laplacian matches ``guidance``'s.

    ``images``, ``guidance``: ``(n, h, w, c)``; ``mask``: ``(h, w)`` or ``(n, h, w)``, 1 = known.
    Every connected hole must touch a known pixel. Returns ``(n, h, w, c)`` float32.
    """
    images, mask = _check(images, mask, "poisson_blend images")
    guidance = np.asarray(guidance, dtype=np.float32)
    if guidance.shape != images.shape:
        raise ValueError(f"guidance must have the images' shape {images.shape}, got {guidance.shape}")
    return np.stack([_laplacian_solve(images[i], mask[i], guidance[i])
                     for i in range(len(images))])


def harmonic_fill(images, mask):
    """The smoothest completion: Laplace's equation in the holes (Poisson with zero guidance).
    The baseline for semantic inpainting. Shapes as in ``poisson_blend``."""
    images, mask = _check(images, mask, "harmonic_fill images")
    return poisson_blend(images, mask, np.zeros_like(images))


def inpaint(generator, discriminator, images, mask, steps=1000, lam=0.003,
            learning_rate=0.01, window=7, seed=0, blend=True, z_init=None, restarts=1,
            sphere=False):
    """Complete ``images`` (``(n, h, w, c)`` in [-1, 1]) where ``mask`` is 0.

    Optimises one latent code per image with Adam on ``L_c + lam * L_p`` (see the module
    docstring), starting from N(0, I) draws with ``seed`` (or ``z_init``). With ``restarts``
    > 1, that many codes per image are optimised together and the one with the lowest final
    loss is kept (the objective is non-convex in z).

    The prior N(0, I) has no boundary to clip to (Yeh et al. clip z to [-1, 1], the support of
    their uniform prior), so by default z is left free. ``sphere=True`` keeps each code on the
    sphere ``|z| = sqrt(latent_dim)``, where almost all of N(0, I)'s mass lies (``|z|`` is
    ``sqrt(latent_dim)`` +- 0.7): the start and every step are re-projected onto it.

    Returns a dict:
    ``z`` (n, latent), ``generated`` G(z_hat), ``overlay`` (known pixels from the image, missing
    ones from G(z_hat)), ``blended`` (Poisson blending of G(z_hat); only if ``blend``), and
    ``losses`` (the mean total loss per step). See chapter 4.4.
    """
    images, mask = _check(images, mask, "inpaint images")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if restarts < 1:
        raise ValueError(f"restarts must be >= 1, got {restarts}")
    n = len(images)
    latent_dim = generator.input_shape[-1]
    if z_init is None:
        z_init = keras.random.normal((n * restarts, latent_dim), seed=seed)
    elif restarts != 1:
        raise ValueError("give either z_init or restarts > 1, not both")
    radius = float(np.sqrt(latent_dim))

    def on_sphere(codes):
        return radius * tf.math.l2_normalize(codes, axis=-1)

    z = tf.cast(z_init, tf.float32)
    z = tf.Variable(on_sphere(z) if sphere else z, name="z")
    y = tf.constant(np.tile(images, (restarts, 1, 1, 1)))
    weights = tf.constant(np.tile(contextual_weights(mask, window)[..., None],
                                  (restarts, 1, 1, 1)))
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build([z])

    def per_code_loss():
        fake = generator(z, training=False)
        contextual = tf.reduce_sum(tf.abs(weights * (fake - y)), axis=[1, 2, 3])
        logits = discriminator(fake, training=False)
        perceptual = losses.minimax_generator_loss(None, logits, reduction="none")
        return contextual + lam * perceptual

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(per_code_loss())
        optimizer.apply_gradients([(tape.gradient(total, z), z)])
        if sphere:
            z.assign(on_sphere(z))
        return total / (n * restarts)

    history = [float(step()) for _ in range(int(steps))]
    final = per_code_loss().numpy().reshape(restarts, n)
    best = final.argmin(axis=0) * n + np.arange(n)
    z_best = z.numpy()[best]
    generated = np.asarray(generator(z_best, training=False), dtype=np.float32)
    m = mask[..., None]
    result = {"z": z_best, "generated": generated,
              "overlay": m * images + (1 - m) * generated, "losses": history}
    if blend:
        result["blended"] = np.clip(poisson_blend(images, mask, generated), -1.0, 1.0)
    return result


def masked_error(completed, truth, mask):
    """Mean squared error over the missing pixels only (per image, then averaged)."""
    completed, mask = _check(completed, mask, "masked_error completed images")
    truth = np.asarray(truth, dtype=np.float32)
    missing = (1 - mask)[..., None]
    per_image = ((completed - truth) ** 2 * missing).sum(axis=(1, 2, 3)) / np.maximum(
        missing.sum(axis=(1, 2, 3)) * completed.shape[-1], 1)
    return float(per_image.mean())
