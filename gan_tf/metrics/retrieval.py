"""Caption -> image retrieval with a joint embedding: does the text encoding carry the caption?

Protocol (the zero-shot retrieval of Reed et al., arXiv:1605.05395, section 5, read per caption
on a gallery of scenes): a gallery of M scenes with their captions; every caption t scores every
gallery image v with F(v, t) = theta(v)^T phi(t) and the gallery is ranked by score.

- ``attribute_top1``: the fraction of captions whose highest-scoring image has every attribute
  the caption states (item class, colour, size, position, background: those it names). Several
  gallery images may qualify; ``chance_attribute_top1`` is the score of a random pick (the mean
  fraction of qualifying images), to read it against.
- ``exact_top1``: the fraction of captions whose own image scores highest.
- ``recall@k``: the fraction of captions whose own image is among the k highest scores (rank =
  the number of images scoring strictly higher).

The scene captions come from a closed grammar, so "matches" is decided exactly by parsing the
caption (``gan_tf.data.scenes.parse_caption``), not by a human. See chapter 7.1.
"""

from __future__ import annotations

import numpy as np

from gan_tf import checks


def _matrix(x, name):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n, d) with n >= 1, received {x.shape}")
    checks.check_finite(x, name)
    return x


def retrieval_scores(text_emb, image_emb, caption_image, matches=None, k=(1, 5, 10)):
    """Caption -> image retrieval scores (see the module docstring for the protocol).

    ``text_emb`` ``(C, d)`` caption embeddings phi(t); ``image_emb`` ``(M, d)`` gallery image
    embeddings theta(v); ``caption_image`` ``(C,)`` the index of each caption's own image in the
    gallery; ``matches`` (optional) bool ``(C, M)``, whether image m has every attribute caption
    c states (``caption_matches``). Returns a dict of floats: ``exact_top1``, ``recall@k`` for
    each k, and with ``matches`` ``attribute_top1`` and ``chance_attribute_top1``; plus
    ``n_captions`` and ``n_images``. See chapter 7.1.
    """
    text_emb = _matrix(text_emb, "text_emb")
    image_emb = _matrix(image_emb, "image_emb")
    if text_emb.shape[1] != image_emb.shape[1]:
        raise ValueError(f"text_emb and image_emb must have one embedding size, received "
                         f"{text_emb.shape} and {image_emb.shape}")
    n_captions, n_images = len(text_emb), len(image_emb)
    own = checks.check_labels(caption_image, n_images, "retrieval_scores caption_image",
                              n=n_captions)
    ks = (k,) if np.ndim(k) == 0 else tuple(k)
    ks = tuple(checks.positive_int(v, "k") for v in ks)
    scores = text_emb @ image_emb.T                                  # (C, M)
    own_score = scores[np.arange(n_captions), own]
    rank = np.sum(scores > own_score[:, None], axis=1)
    out = {"exact_top1": float(np.mean(rank == 0))}
    for v in ks:
        out[f"recall@{v}"] = float(np.mean(rank < v))
    if matches is not None:
        matches = np.asarray(matches)
        if matches.shape != (n_captions, n_images) or matches.dtype != bool:
            raise ValueError(f"matches must be a bool array of shape ({n_captions}, {n_images}) "
                             f"(captions, images), received dtype {matches.dtype.name} and "
                             f"shape {matches.shape}")
        best = np.argmax(scores, axis=1)
        out["attribute_top1"] = float(np.mean(matches[np.arange(n_captions), best]))
        out["chance_attribute_top1"] = float(np.mean(matches))
    out["n_captions"], out["n_images"] = n_captions, n_images
    return out


def _batched(model, x, batch_size=512):
    return np.concatenate([np.asarray(model(x[i:i + batch_size], training=False), np.float64)
                           for i in range(0, len(x), batch_size)])


def caption_matches(captions, attributes):
    """bool ``(C, M)``: whether gallery scene m has every attribute caption c states.

    ``captions``: C str from the scene grammar (``gan_tf.data.scenes.parse_caption`` reads
    what each states); ``attributes``: ``{attribute: int array (M,)}`` of the gallery
    (``Scenes.attributes()``). See chapter 7.1."""
    from gan_tf.data.scenes import parse_caption

    attributes = {a: np.asarray(v) for a, v in attributes.items()}
    sizes = {len(v) for v in attributes.values()}
    if len(sizes) != 1:
        raise ValueError(f"attributes must give one value per gallery scene for every "
                         f"attribute, received lengths {sorted(sizes)}")
    n_images = sizes.pop()
    out = np.ones((len(captions), n_images), bool)
    for c, text in enumerate(captions):
        for attribute, value in parse_caption(text).items():
            if attribute not in attributes:
                raise ValueError(f"caption {text!r} states {attribute!r}, which attributes "
                                 f"lacks (it has {sorted(attributes)})")
            out[c] &= attributes[attribute] == value
    return out


def scene_retrieval(scenes, text_encoder=None, image_encoder=None, captions="all",
                    k=(1, 5, 10)):
    """``retrieval_scores`` on a gallery of scenes (a ``gan_tf.data.scenes.Scenes``, 32x32),
    every caption of every scene (``captions="all"``) or only the first, which states all five
    attributes (``captions="first"``), as queries. The encoders default to the shipped ones
    (``gan_tf.models.load_text_encoder``, ``load_scene_image_encoder``). See chapter 7.1."""
    from gan_tf.data.scenes import tokenize
    from gan_tf.models import text

    if captions not in ("all", "first"):
        raise ValueError(f"captions must be 'all' or 'first', got {captions!r}")
    text_encoder = text.load_text_encoder() if text_encoder is None else text_encoder
    image_encoder = text.load_scene_image_encoder() if image_encoder is None else image_encoder
    queries, own = [], []
    for i, caps in enumerate(scenes.captions):
        for c in (caps if captions == "all" else caps[:1]):
            queries.append(c)
            own.append(i)
    max_len = text_encoder.input_shape[1]
    tokens = tokenize(queries, max_len=max_len) if max_len else tokenize(queries)
    text_emb = _batched(text_encoder, tokens)
    image_emb = _batched(image_encoder, np.asarray(scenes.images, np.float32))
    return retrieval_scores(text_emb, image_emb, np.array(own),
                            caption_matches(queries, scenes.attributes()), k=k)
