"""iGAN: projecting images onto a generator's manifold and editing them there.

Zhu, Krähenbühl, Shechtman & Efros, "Generative Visual Manipulation on the Natural Image
Manifold" (ECCV 2016, arXiv:1609.03552). A trained generator G stands for the manifold of
natural images; every edit is a search in its latent space, so the result stays on it.

**Projection** (section 3.1): the code of a real image x is

    z* = argmin_{z in Z} L(G(z), x),   L(x, x') = mean (x - x')^2 + lam * mean (C(x) - C(x'))^2

(pixels plus a feature network C; ``gan_tf.losses.projection_loss``), found in one of the
paper's three ways (its table 1): ``"optimisation"`` (a gradient method from several random
starts, the best kept), ``"encoder"`` (one pass of a network P trained by
``trainers.ProjectionEncoder``, eq. 3) and ``"hybrid"`` (P's code as the start of the
optimisation; the paper's best). See ``project``.

**Editing** (section 3.2, eq. 5): with the projection z0 and the user's constraints g,

    z* = argmin_{z in Z} sum_g lam_g * mean_{mask_g} (f_g(G(z)) - v_g)^2 + lam_s * mean (z - z0)^2

for a colour brush (f_g = the pixels), a sketch brush (f_g = an edge map) and a warp brush (a
region of the image moved: its pixels become the targets at the new place). Each data term
is averaged over the constrained pixels and the prior term over the latent dimensions, as in
the authors' code (so a weight does not depend on the brush's size or on d); lam_s = 10 is
their weight. The edit returns the sequence G((1 - t) z0 + t z*), t in [0, 1], from the
projection to the edit (section 3.3: the app plays it and transfers it to the photo). See
``Editor`` and ``edit``.

**The box Z.** The paper's prior is U(-1, 1)^d and z stays in Z = [-1, 1]^d. gan_tf's GANs draw
z ~ N(0, I), which has no box; here z is kept in [-b, b]^d with b = 3 for ``prior="normal"``
(99.7 % of the prior's draws of each coordinate lie within 3 standard deviations: G has seen
codes there, and rarely beyond) and b = 1 for ``prior="uniform"``; ``box=`` overrides it
(``float("inf")`` leaves z free). Random starts are draws from the prior, clipped to the box.

**Solvers.** ``solver="lbfgs"`` is the paper's L-BFGS-B (``scipy.optimize.minimize``, the box as
its bounds, so z never leaves it; the default for projection); ``solver="adam"`` is projected
Adam (z clipped to the box after every step, the best iterate of each code kept, all steps in
one graph), the authors' app's solver for edits (learning rate 0.1; the default for editing).
The authors' code keeps z in the box by z = tanh(w) instead of clipping. Both minimise the sum
of the codes' losses; each code's loss is independent of the others'.

**Feature network.** The paper uses AlexNet's conv4. Offline, ``feature_network()`` gives the
last convolution (``conv_2``, 7x7x128) of the shipped Fashion-MNIST classifier
(``gan_tf.metrics``), a mid-level spatial map in the same role. ``lam`` = 0.002 is the
authors' weight for AlexNet's features and is tied to their scale: on Fashion-MNIST test
items the mean squared ``conv_2`` difference between two random items is about a quarter of
the mean squared pixel difference, so with 0.002 the feature term is almost silent here, and
a ``lam`` near 1 gives the two terms comparable weight.

Usage (a trained generator ``g`` of 28x28 items, test images ``x``)::

    feat = manipulation.feature_network()
    enc = models.build_projection_encoder((28, 28, 1), latent_dim=100)
    trainer = trainers.ProjectionEncoder(enc, g, feature_network=feat, lam=1.0)
    trainer.compile(); trainer.fit(train_images, batch_size=64, epochs=5)
    for method in manipulation.METHODS:                     # the paper's table 1
        r = manipulation.project(g, x, method, encoder=enc, feature_network=feat, lam=1.0)
        print(method, r["pixel_error"].mean(), r["feature_error"].mean(), r["seconds"])
    brushes = [manipulation.colour_constraint(mask, 1.0),
               manipulation.warp_constraint(r["projected"], (14, 4, 8, 20), (-6, 0))]
    editor = manipulation.Editor(g)             # keeps its compiled search between edits
    e = editor.edit(r["z"], brushes)            # e["frames"]: G(z0) -> G(z*), fig. 8-7's rows

See chapter 8.1.
"""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, losses

PRIOR_BOXES = {"normal": 3.0, "uniform": 1.0}
METHODS = ("optimisation", "encoder", "hybrid")
SOLVERS = ("lbfgs", "adam")
KINDS = ("colour", "sketch", "warp")
BRUSH = "0 (free) and 1 (constrained)"
SOBEL_SCALE = 8.0   # a step from -1 to 1 gives a Sobel magnitude of 8: edge_map makes it 1
ADAM_BETAS = (0.9, 0.999)    # Keras's and the authors' app's Adam (their b1 = 0.9)
ADAM_EPSILON = 1e-7


# -- shared pieces -------------------------------------------------------------------------

def feature_network(layer="conv_2", dataset="fashion_mnist", models_dir=None):
    """``keras.Model`` images ``(n, 28, 28, 1)`` in [-1, 1] -> the shipped evaluation
    classifier's ``layer`` (default ``"conv_2"``, its last convolution, ``(n, 7, 7, 128)``):
    the offline stand-in for the paper's AlexNet conv4 features. See chapter 8.1."""
    from gan_tf.metrics.features import load_classifier

    clf = load_classifier(dataset, models_dir)
    return keras.Model(clf.input, clf.get_layer(layer).output, name=f"{dataset}_{layer}")


def prior_box(prior="normal", box=None):
    """Half-width b of the box [-b, b]^d that codes are kept in: ``box`` if given (> 0;
    ``inf`` for none), else 3 for ``"normal"`` (N(0, I)) and 1 for ``"uniform"`` (U(-1, 1)^d,
    the paper's Z). See the module docstring and chapter 8.1."""
    if prior not in PRIOR_BOXES:
        raise ValueError(f"unknown prior {prior!r}; expected one of {tuple(PRIOR_BOXES)}")
    if box is None:
        return PRIOR_BOXES[prior]
    b = float(box)
    if not b > 0:
        raise ValueError(f"box must be a positive half-width (inf for none), got {box!r}")
    return b


def _starts(n, latent_dim, prior, box, seed):
    rng = np.random.default_rng(seed)
    if prior == "uniform":
        z = rng.uniform(-1.0, 1.0, (n, latent_dim))
    else:
        z = rng.normal(size=(n, latent_dim))
    return np.clip(z, -box, box).astype(np.float32)


def _shapes(generator):
    return int(generator.input_shape[-1]), tuple(generator.output_shape[1:])


def _check_images(images, generator, what):
    images = checks.check_image_batch(images, what)
    _, image_shape = _shapes(generator)
    if images.shape[1:] != image_shape:
        raise ValueError(f"{what} must have the generator's image shape {image_shape}, "
                         f"got {images.shape[1:]}")
    return images


def _check_codes(z, latent_dim, what, n=None):
    z = np.asarray(z, dtype=np.float32)
    if z.ndim != 2 or z.shape[1] != latent_dim or (n is not None and len(z) != n):
        rows = "n" if n is None else str(n)
        raise ValueError(f"{what} must have shape ({rows}, {latent_dim}), got {z.shape}")
    checks.check_finite(z, what)
    return z


def _generate(generator, z, batch_size=256):
    return np.concatenate([np.asarray(generator(z[i:i + batch_size], training=False),
                                      dtype=np.float32)
                           for i in range(0, len(z), batch_size)])



class _Search:
    """Minimise ``sum(per_code(z, args))`` over codes z ``(m, d)`` in the box [-b, b]^d.

    ``per_code(z, args)``: z ``(m, d)`` and a nest of tensors (and Python constants) ``args``
    -> ``(m,)`` losses, independent across codes. The compiled functions are kept, so a second
    call whose ``args`` have the same structure (new targets, masks, weights) does not trace
    again; ``reduce_retracing`` lets the number of codes vary too."""

    def __init__(self, per_code):
        self.per_code = per_code
        self.adam = tf.function(self._adam, reduce_retracing=True)
        self.value_and_grad = tf.function(self._value_and_grad, reduce_retracing=True)
        self.evaluate = tf.function(per_code, reduce_retracing=True)

    def _value_and_grad(self, z, args):
        with tf.GradientTape() as tape:
            tape.watch(z)
            total = tf.reduce_sum(self.per_code(z, args))
        return total, tape.gradient(total, z)

    def _adam(self, z_start, args, box, steps, learning_rate):
        """Projected Adam in one graph (a while loop): the step of ``keras.optimizers.Adam``,
        then z clipped to the box; each code's best iterate is kept (its start included)."""
        beta_1, beta_2 = ADAM_BETAS

        def body(i, z, m, v, best_z, best_loss):
            with tf.GradientTape() as tape:
                tape.watch(z)
                loss = self.per_code(z, args)
                total = tf.reduce_sum(loss)
            grad = tape.gradient(total, z)
            better = loss < best_loss
            best_loss = tf.where(better, loss, best_loss)
            best_z = tf.where(better[:, None], z, best_z)
            t = tf.cast(i + 1, tf.float32)
            m = beta_1 * m + (1.0 - beta_1) * grad
            v = beta_2 * v + (1.0 - beta_2) * tf.square(grad)
            rate = learning_rate * tf.sqrt(1.0 - beta_2 ** t) / (1.0 - beta_1 ** t)
            z = tf.clip_by_value(z - rate * m / (tf.sqrt(v) + ADAM_EPSILON), -box, box)
            return i + 1, z, m, v, best_z, best_loss

        zeros = tf.zeros_like(z_start)
        start = (tf.constant(0), z_start, zeros, zeros, z_start,
                 tf.fill(tf.shape(z_start)[:1], np.float32(np.inf)))
        _, z, _, _, best_z, best_loss = tf.while_loop(lambda i, *_: i < steps, body, start)
        loss = self.per_code(z, args)
        better = loss < best_loss
        return tf.where(better[:, None], z, best_z), tf.where(better, loss, best_loss)

    def __call__(self, z_start, args, box, solver, steps, learning_rate):
        """``(z, losses, seconds_per_step)``: each code's best point and its loss (NumPy), and
        the wall time of one update once the graph is built (for L-BFGS-B one evaluation of
        the loss and its gradient; ``None`` after a single one)."""
        z_start = tf.constant(np.clip(z_start, -box, box).astype(np.float32))
        box = float(box)
        if solver == "adam":
            steps = tf.constant(int(steps))
            rate = tf.constant(float(learning_rate))
            self.adam.get_concrete_function(z_start, args, box, steps, rate)   # trace first
            began = time.perf_counter()
            z, loss = self.adam(z_start, args, box, steps, rate)
            per_step = (time.perf_counter() - began) / int(steps)
            return z.numpy(), loss.numpy(), per_step

        from scipy.optimize import minimize

        shape, clock = tuple(z_start.shape), []

        def fun(flat):
            value, grad = self.value_and_grad(tf.constant(flat.reshape(shape), tf.float32),
                                              args)
            clock.append(time.perf_counter())
            return float(value), np.asarray(grad, np.float64).ravel()

        bounds = None if np.isinf(box) else [(-box, box)] * int(np.prod(shape))
        result = minimize(fun, z_start.numpy().ravel().astype(np.float64), jac=True,
                          method="L-BFGS-B", bounds=bounds,
                          options={"maxiter": int(steps), "ftol": 1e-12, "gtol": 1e-9})
        z = np.clip(result.x.reshape(shape), -box, box).astype(np.float32)
        # L-BFGS-B lowers the sum; keep each code's start if the sum's descent raised its loss
        loss = self.evaluate(tf.constant(z), args).numpy()
        start_loss = self.evaluate(z_start, args).numpy()
        worse = start_loss < loss
        per_step = (clock[-1] - clock[0]) / (len(clock) - 1) if len(clock) > 1 else None
        return (np.where(worse[:, None], z_start.numpy(), z), np.where(worse, start_loss, loss),
                per_step)


def _best_of(values, losses_, restarts, n):
    """Per image, the row of ``values`` (restarts * n, ...) with the lowest loss."""
    best = losses_.reshape(restarts, n).argmin(axis=0) * n + np.arange(n)
    return values[best]


# -- projection (section 3.1) ---------------------------------------------------------------

def projection_errors(generator, z, images, feature_network=None, batch_size=256):
    """Per-image errors of the projection G(z) of ``images``: a dict of ``pixel_error``, the
    mean squared pixel difference ``(n,)``, and ``feature_error``, the mean squared
    difference of ``feature_network``'s features ``(n,)`` (``None`` without one), each
    unweighted; images in [-1, 1]. The paper's table 1 compares the methods by this loss.
    See chapter 8.1."""
    latent_dim, _ = _shapes(generator)
    images = _check_images(images, generator, "projection_errors images")
    z = _check_codes(z, latent_dim, "z", n=len(images))
    fakes = _generate(generator, z, batch_size)
    pixel = ((fakes - images) ** 2).reshape(len(images), -1).mean(axis=1)
    feature = None
    if feature_network is not None:
        def batch_error(i):
            a = feature_network(fakes[i:i + batch_size], training=False)
            b = feature_network(images[i:i + batch_size], training=False)
            return np.asarray(losses.projection_loss(a, b, reduction="none"), np.float32)

        feature = np.concatenate([batch_error(i) for i in range(0, len(images), batch_size)])
    return {"pixel_error": pixel.astype(np.float32), "feature_error": feature}


def project(generator, images, method="optimisation", encoder=None, feature_network=None,
            lam=0.002, solver="lbfgs", steps=200, restarts=4, learning_rate=0.1,
            prior="normal", box=None, seed=0):
    """Project ``images`` ``(n, h, w, c)`` in [-1, 1] onto ``generator``'s manifold
    (Zhu et al., arXiv:1609.03552, section 3.1, eq. 2; the three ways of its table 1).

    ``method``:
    - ``"optimisation"``: z* = argmin_z L(G(z), x) by ``solver`` (``"lbfgs"``, the paper's
      L-BFGS-B with the box as bounds; or ``"adam"``, projected, ``learning_rate``) for
      ``steps`` iterations from ``restarts`` random starts per image (prior draws from
      ``seed``), keeping the best;
    - ``"encoder"``: z = P(x) in one pass (``encoder``, trained by
      ``trainers.ProjectionEncoder``), clipped to the box;
    - ``"hybrid"``: the optimisation started from P(x) (one start per image), never worse
      than P(x) itself.

    L is ``losses.projection_loss`` with ``feature_network`` (C; ``None`` for pixels alone)
    and weight ``lam``. z stays in the box of ``prior_box(prior, box)``.

    Returns a dict: ``z`` ``(n, d)``, ``projected`` = G(z) ``(n, h, w, c)``, ``loss`` (L per
    image), ``pixel_error`` and ``feature_error`` (``projection_errors``), ``seconds``, the
    wall time of the search (without the errors' evaluation), and ``seconds_per_step``, that
    of one iteration after the first, which traces the graph (``None`` for the encoder).
    See chapter 8.1.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; expected one of {SOLVERS}")
    if method != "optimisation" and encoder is None:
        raise ValueError(f"method={method!r} needs encoder= (a trained projection encoder)")
    lam = checks.non_negative(lam, "lam")
    steps = checks.positive_int(steps, "steps")
    restarts = checks.positive_int(restarts, "restarts")
    box = prior_box(prior, box)
    latent_dim, image_shape = _shapes(generator)
    images = _check_images(images, generator, "project images")
    if feature_network is not None and tuple(feature_network.input_shape[1:]) != image_shape:
        raise ValueError(f"the feature network takes images of shape "
                         f"{tuple(feature_network.input_shape[1:])}, the generator makes "
                         f"{image_shape}")
    n = len(images)
    start_time = time.perf_counter()
    if method == "optimisation":
        z_start = _starts(restarts * n, latent_dim, prior, box, seed)
    else:
        restarts = 1
        codes = np.asarray(encoder(images, training=False), np.float32)
        z_start = np.clip(_check_codes(codes, latent_dim, "the encoder's codes", n=n), -box, box)
    per_step = None
    if method == "encoder":
        z = z_start
    else:
        target = tf.constant(np.tile(images, (restarts, 1, 1, 1)))
        target_features = (None if feature_network is None
                           else feature_network(target, training=False))

        def per_code(codes, args):
            target, target_features = args
            fake = generator(codes, training=False)
            features = (None if feature_network is None
                        else feature_network(fake, training=False))
            return losses.projection_loss(fake, target, features, target_features, lam=lam,
                                          reduction="none")

        z_all, loss_all, per_step = _Search(per_code)(
            z_start, (target, target_features), box, solver, steps, learning_rate)
        z = _best_of(z_all, loss_all, restarts, n)
    seconds = time.perf_counter() - start_time
    errors = projection_errors(generator, z, images, feature_network)
    loss = errors["pixel_error"]
    if feature_network is not None:
        loss = loss + lam * errors["feature_error"]
    return {"z": z, "projected": _generate(generator, z), "loss": loss.astype(np.float32),
            **errors, "seconds": seconds, "seconds_per_step": per_step}


# -- editing (section 3.2) -------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Constraint:
    """One user edit g of eq. 5: ``f_g(G(z))`` should equal ``target`` where ``mask`` is 1.

    ``kind``: ``"colour"`` or ``"warp"`` (f_g = the pixels) or ``"sketch"`` (f_g =
    ``edge_map``); ``target``: ``(h, w, c)`` or ``(n, h, w, c)`` (pixels in [-1, 1], or edge
    strengths for a sketch), or a number; ``mask``: ``(h, w)`` or ``(n, h, w)`` of 0 (free) and
    1 (constrained); ``weight``: lam_g >= 0. Build them with ``colour_constraint``,
    ``sketch_constraint`` and ``warp_constraint``. See chapter 8.1."""

    kind: str
    target: np.ndarray
    mask: np.ndarray
    weight: float = 1.0


def edge_map(images, eps=1e-6):
    """Differentiable edge strength of ``images`` ``(n, h, w, c)`` (a tensor or array): the
    Sobel gradient magnitude sqrt(g_y^2 + g_x^2 + eps) of each channel
    (``tf.image.sobel_edges``: 3x3 kernels [1, 2, 1] x [-1, 0, 1], reflected borders), divided
    by 8 so that a step from -1 to 1 gives 1, then averaged over the channels:
    ``(n, h, w, 1)``. The sketch brush's f_g (the authors use HOG cells instead).
    See chapter 8.1."""
    images = tf.convert_to_tensor(images, tf.float32)
    grads = tf.image.sobel_edges(images)                       # (n, h, w, c, 2)
    magnitude = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=-1) + eps) / SOBEL_SCALE
    return tf.reduce_mean(magnitude, axis=-1, keepdims=True)


def colour_constraint(mask, values, weight=1.0):
    """The colour brush: pixels where ``mask`` is 1 should take ``values`` (a number, or an
    image ``(h, w, c)`` / ``(n, h, w, c)``, in [-1, 1]; grey levels for Fashion-MNIST).
    See chapter 8.1."""
    values = np.asarray(values, dtype=np.float32)
    checks.check_image_range(values, "colour_constraint values")
    return Constraint("colour", values, np.asarray(mask, np.float32),
                      checks.non_negative(weight, "weight"))


def sketch_constraint(strokes, mask=None, weight=1.0):
    """The sketch brush: ``edge_map(G(z))`` should match ``strokes``, a line drawing
    ``(h, w)`` or ``(n, h, w)`` in [0, 1] (1 on a stroke: an edge of full contrast there), where
    ``mask`` is 1 (default: on the strokes, so G(z) gets edges where the user drew and is free
    elsewhere; give a wider mask to also ask for *no* edge around them). The authors' app
    compares HOG cells instead and weighs that term 0.2 against the colour term; ``weight``
    here is 1 by default, a missing full-contrast edge costing 1 as a pixel off by 1 does.
    See chapter 8.1."""
    strokes = np.asarray(strokes, dtype=np.float32)
    if strokes.ndim not in (2, 3):
        raise ValueError(f"strokes must have shape (h, w) or (n, h, w), got {strokes.shape}")
    checks.check_image_range(strokes, "sketch_constraint strokes", low=0.0)
    if mask is None:
        mask = (strokes > 0).astype(np.float32)
    return Constraint("sketch", strokes[..., None], np.asarray(mask, np.float32),
                      checks.non_negative(weight, "weight"))


def warp_constraint(images, region, shift, weight=1.0):
    """The warp brush: the rectangle ``region = (top, left, height, width)`` of ``images``
    ``(h, w, c)`` or ``(n, h, w, c)`` (in [-1, 1]; usually the projection G(z0)) moved by
    ``shift = (dy, dx)`` pixels: the moved pixels become the targets at the new place (the
    part that stays inside the image), as the authors' app builds it. See chapter 8.1."""
    images = np.asarray(images, dtype=np.float32)
    single = images.ndim == 3
    batch = checks.check_image_batch(images[None] if single else images,
                                     "warp_constraint images")
    _, h, w, _ = batch.shape
    top, left, height, width = (int(v) for v in region)
    dy, dx = (int(v) for v in shift)
    if height <= 0 or width <= 0 or top < 0 or left < 0 or top + height > h or left + width > w:
        raise ValueError(f"region (top, left, height, width) must lie inside the {h}x{w} image, "
                         f"got {tuple(region)}")
    target = np.zeros_like(batch)
    mask = np.zeros(batch.shape[:3], np.float32)
    rows = np.arange(top, top + height)
    cols = np.arange(left, left + width)
    keep_r = (rows + dy >= 0) & (rows + dy < h)
    keep_c = (cols + dx >= 0) & (cols + dx < w)
    if not keep_r.any() or not keep_c.any():
        raise ValueError(f"shift {tuple(shift)} moves region {tuple(region)} out of the "
                         f"{h}x{w} image")
    src_r, src_c = rows[keep_r], cols[keep_c]
    target[:, (src_r + dy)[:, None], (src_c + dx)[None, :]] = batch[:, src_r[:, None],
                                                                    src_c[None, :]]
    mask[:, (src_r + dy)[:, None], (src_c + dx)[None, :]] = 1.0
    if single:
        target, mask = target[0], mask[0]
    return Constraint("warp", target, mask, checks.non_negative(weight, "weight"))


def _prepared(constraint, shape):
    """(target, mask) of ``constraint`` as float32 tensors broadcast to ``shape`` (n, h, w, c)
    (c = 1 for a sketch), after checking them."""
    if not isinstance(constraint, Constraint):
        raise ValueError(f"constraints must be Constraint objects (colour_constraint, "
                         f"sketch_constraint, warp_constraint), got {type(constraint).__name__}")
    if constraint.kind not in KINDS:
        raise ValueError(f"unknown constraint kind {constraint.kind!r}; expected one of {KINDS}")
    n, h, w, c = shape
    if constraint.kind == "sketch":
        c = 1
    mask = checks.check_mask(constraint.mask, (n, h, w, c), BRUSH,
                             name=f"{constraint.kind} mask")
    target = np.asarray(constraint.target, np.float32)
    try:
        target = np.broadcast_to(target, (n, h, w, c))
    except ValueError:
        raise ValueError(f"{constraint.kind} target must broadcast to (n, h, w, c) = "
                         f"{(n, h, w, c)}, got {target.shape}") from None
    return tf.constant(target), tf.constant(mask[..., None])


def _terms(constraints, shape):
    """The constraints as a tuple of ``(kind, weight, target, mask)``, tensors but the kind."""
    if not constraints:
        raise ValueError("edit needs at least one constraint (colour, sketch or warp)")
    return tuple((c.kind, tf.constant(np.float32(c.weight)), *_prepared(c, shape))
                 for c in constraints)


def _edit_loss(generator, z, z0, lam_s, terms):
    """Eq. 5 per code (see the module docstring); ``terms`` from ``_terms``."""
    fake = tf.cast(generator(z, training=False), tf.float32)
    total = lam_s * tf.reduce_mean(tf.square(z - z0), axis=-1)
    edges = None
    for kind, weight, target, mask in terms:
        if kind == "sketch":
            edges = edge_map(fake) if edges is None else edges
            values = edges
        else:
            values = fake
        squared = tf.reduce_sum(tf.square(values - target) * mask, axis=[1, 2, 3])
        count = tf.reduce_sum(mask, axis=[1, 2, 3]) * float(target.shape[-1])
        total += weight * squared / tf.maximum(count, 1.0)
    return total


def interpolate(generator, z0, z1, frames=16):
    """G((1 - t) z0 + t z1) for ``frames`` values of t evenly in [0, 1]: ``(n, frames, h, w,
    c)``, and t. Z is convex, so every frame's code stays in the box. See chapter 8.1."""
    latent_dim, _ = _shapes(generator)
    z0 = _check_codes(z0, latent_dim, "z0")
    z1 = _check_codes(z1, latent_dim, "z1", n=len(z0))
    frames = checks.positive_int(frames, "frames")
    t = np.linspace(0.0, 1.0, frames, dtype=np.float32)
    codes = (1.0 - t)[None, :, None] * z0[:, None] + t[None, :, None] * z1[:, None]
    images = _generate(generator, codes.reshape(-1, latent_dim))
    return images.reshape((len(z0), frames) + images.shape[1:]), t


class Editor:
    """iGAN's editing (Zhu et al., arXiv:1609.03552, section 3.2, eq. 5) for one generator,
    with its compiled search kept between calls: the first ``edit`` traces the graph (seconds
    on a CPU), later ones with the same kinds of constraint and the same number of codes run
    at once, as an interactive session needs (the app updates every 50 - 100 ms on a GPU).
    ``edit(generator, ...)`` is ``Editor(generator).edit(...)``. See chapter 8.1."""

    def __init__(self, generator):
        if not isinstance(generator, keras.Model):
            raise ValueError(f"generator must be a keras.Model, got {type(generator).__name__}")
        self.generator = generator
        self.latent_dim, self.image_shape = _shapes(generator)
        self._search = _Search(self._per_code)

    def _per_code(self, z, args):
        z0, lam_s, terms = args
        return _edit_loss(self.generator, z, z0, lam_s, terms)

    def objective(self, z, z0, constraints, lam_s=10.0):
        """Eq. 5 per code ``(n,)`` at codes ``z`` ``(n, d)`` for projections ``z0`` and
        ``constraints``. See chapter 8.1."""
        z0 = _check_codes(z0, self.latent_dim, "z0")
        z = _check_codes(z, self.latent_dim, "z", n=len(z0))
        lam_s = checks.non_negative(lam_s, "lam_s")
        terms = _terms(constraints, (len(z0),) + self.image_shape)
        return self._search.evaluate(tf.constant(z), (tf.constant(z0), tf.constant(
            np.float32(lam_s)), terms)).numpy()

    def edit(self, z0, constraints, lam_s=10.0, solver="adam", steps=100, learning_rate=0.1,
             restarts=1, jitter=0.5, prior="normal", box=None, frames=16, seed=0):
        """Edit the projections ``z0`` ``(n, d)`` under ``constraints`` (a list of
        ``Constraint``; masks ``(h, w)`` for all images or ``(n, h, w)``): eq. 5 (see the
        module docstring), z kept in the box of ``prior_box(prior, box)``.

        ``solver="adam"`` (the authors' app: Adam, learning rate 0.1, here projected and run
        as one graph) or ``"lbfgs"``, for ``steps`` iterations. The first start of each image
        is z0 itself; with ``restarts`` > 1 the others are z0 + U(-jitter, jitter)^d (the app
        starts its batch so, ``jitter`` 0.5), and the best code per image is kept.

        Returns a dict: ``z`` ``(n, d)``, ``edited`` = G(z), ``start`` = G(z0), ``loss`` (eq.
        5 per image at z), ``frames`` ``(n, frames, h, w, c)`` = G((1 - t) z0 + t z) and ``t``
        (``interpolate``), and ``seconds_per_step``, the wall time of one update once the
        graph is built. See chapter 8.1.
        """
        if solver not in SOLVERS:
            raise ValueError(f"unknown solver {solver!r}; expected one of {SOLVERS}")
        z0 = _check_codes(z0, self.latent_dim, "z0")
        lam_s = checks.non_negative(lam_s, "lam_s")
        steps = checks.positive_int(steps, "steps")
        restarts = checks.positive_int(restarts, "restarts")
        jitter = checks.non_negative(jitter, "jitter")
        learning_rate = checks.non_negative(learning_rate, "learning_rate")
        box = prior_box(prior, box)
        n = len(z0)
        terms = tuple((kind, weight, tf.tile(target, (restarts, 1, 1, 1)),
                       tf.tile(mask, (restarts, 1, 1, 1)))
                      for kind, weight, target, mask in _terms(constraints,
                                                               (n,) + self.image_shape))
        z0_all = np.tile(z0, (restarts, 1))
        noise = np.random.default_rng(seed).uniform(-jitter, jitter, z0_all.shape)
        noise[:n] = 0.0
        args = (tf.constant(z0_all), tf.constant(np.float32(lam_s)), terms)
        z_all, loss_all, per_step = self._search(z0_all + noise.astype(np.float32), args, box,
                                                 solver, steps, learning_rate)
        z = _best_of(z_all, loss_all, restarts, n)
        sequence, t = interpolate(self.generator, z0, z, frames)
        return {"z": z, "edited": sequence[:, -1], "start": sequence[:, 0],
                "loss": _best_of(loss_all, loss_all, restarts, n), "frames": sequence,
                "t": t, "seconds_per_step": per_step}


def edit(generator, z0, constraints, **kwargs):
    """``Editor(generator).edit(z0, constraints, **kwargs)``: one edit (it traces its graph;
    keep an ``Editor`` to edit again without tracing). See chapter 8.1."""
    return Editor(generator).edit(z0, constraints, **kwargs)


def edit_objective(generator, z, z0, constraints, lam_s=10.0):
    """``Editor(generator).objective(z, z0, constraints, lam_s)``: eq. 5 per code ``(n,)``.
    See chapter 8.1."""
    return Editor(generator).objective(z, z0, constraints, lam_s)
