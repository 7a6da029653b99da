"""Train the frozen models of chapter 7 on the captioned scenes and ship their weights.

    python scripts/train_scene_models.py --out data/models/

(a) the text encoder phi (word-level CNN-RNN) and the scene image encoder theta, jointly, with
Reed et al.'s structured joint embedding (arXiv:1605.05395, section 3;
``gan_tf.trainers.JointEmbedding``) on (scene, caption) pairs of ``make_scenes(split="train")``
at 32x32, the class of a pair being the scene's whole attribute tuple; prints caption -> image
retrieval on held-out test scenes (``gan_tf.metrics.retrieval``);
(b) the scene classifier (``gan_tf.models.build_scene_classifier``) on 64x64 training scenes
and 32x32 ones resized to 64, five cross-entropies summed; prints per-head test accuracy at
both sizes.

Writes ``scene_text_encoder``, ``scene_image_encoder`` and ``scene_classifier``
``.weights.h5`` files (no optimizer state) and their ``.sha256`` (``sha256sum`` format) to
``--out``. ``--only text`` or ``--only classifier`` trains one of the two. Seeded: the same
command on the same machine gives the same numbers. See chapter 7.1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gan_tf import config, trainers  # noqa: E402
from gan_tf.config import sha256_file  # noqa: E402
from gan_tf.data import scenes as S  # noqa: E402
from gan_tf.metrics import retrieval  # noqa: E402
from gan_tf.models import scene_classifier as SC  # noqa: E402
from gan_tf.models import text as T  # noqa: E402


def save(model, builder, out, stem):
    """Weights of a fresh, uncompiled copy (no optimizer state), written atomically, and
    their ``.sha256``."""
    bare = builder()
    bare.set_weights(model.get_weights())
    weights, tmp = out / f"{stem}.weights.h5", out / f".{stem}.tmp.weights.h5"
    bare.save_weights(tmp)
    tmp.replace(weights)
    digest = sha256_file(weights)
    (out / f"{stem}.sha256").write_text(f"{digest}  {weights.name}\n")
    print(f"wrote {weights} ({weights.stat().st_size} bytes, {bare.count_params()} parameters, "
          f"sha256 {digest})")
    return digest


def pairs(scenes):
    """Every (scene, caption) pair: images ``(n k, s, s, 3)``, word ids, attribute tuples."""
    k = len(scenes.captions[0])
    tokens = S.tokenize([c for caps in scenes.captions for c in caps])
    classes = np.stack([scenes.attributes()[a] for a in S.ATTRIBUTES], 1).astype(np.int32)
    index = np.repeat(np.arange(len(scenes)), k)
    return index, tokens, classes[index]


def retrieval_report(text_enc, image_enc, test, galleries):
    results = {}
    for m in galleries:
        sub = S.Scenes(**{f: v[:m] for f, v in vars(test).items()})   # the first m scenes
        for which in ("all", "first"):
            r = retrieval.scene_retrieval(sub, text_enc, image_enc, captions=which, k=(1, 5, 10))
            results[(m, which)] = r
            print(f"  retrieval gallery={m} captions={which}: attribute_top1="
                  f"{r['attribute_top1']:.3f} (chance {r['chance_attribute_top1']:.3f}) "
                  f"exact_top1={r['exact_top1']:.3f} recall@5={r['recall@5']:.3f} "
                  f"recall@10={r['recall@10']:.3f}")
    return results


def train_text(args, out):
    config.set_seed(args.seed)
    train = S.make_scenes(args.text_scenes, 32, seed=args.seed, split="train")
    test = S.make_scenes(max(args.galleries), 32, seed=args.seed, split="test")
    index, tokens, classes = pairs(train)
    length = int(np.max(np.sum(tokens > 0, 1)))
    tokens = tokens[:, :length]              # padding never changes the code: trim it
    print(f"joint embedding: {len(train)} train scenes, {len(tokens)} (scene, caption) pairs, "
          f"vocabulary {len(S.VOCABULARY)}, longest caption {length} words")
    image_enc = T.build_scene_image_encoder(32)
    text_enc = T.build_text_encoder(len(S.VOCABULARY), None)
    model = trainers.JointEmbedding(image_enc, text_enc, negatives=args.negatives)
    model.compile(optimizer=keras.optimizers.Adam(args.text_lr))
    images = tf.constant(train.images)
    ds = (tf.data.Dataset.from_tensor_slices((index, tokens, classes))
          .shuffle(len(index), seed=args.seed, reshuffle_each_iteration=True)
          .batch(args.batch_size, drop_remainder=True)
          .map(lambda i, t, c: (tf.gather(images, i), t, c))
          .prefetch(2))
    start = time.time()
    model.fit(ds, epochs=args.text_epochs, verbose=2)
    seconds = time.time() - start
    print(f"joint embedding trained in {seconds:.1f} s")
    results = retrieval_report(text_enc, image_enc, test, args.galleries)
    save(text_enc, T.scene_text_encoder, out, "scene_text_encoder")
    save(image_enc, lambda: T.build_scene_image_encoder(32), out, "scene_image_encoder")
    return seconds, results


def classifier_data(n, seed, split):
    """64x64 scenes and 32x32 ones (another seed) resized to 64, with their attributes."""
    big = S.make_scenes(n, 64, seed=seed, split=split)
    small = S.make_scenes(n, 32, seed=seed + 1000, split=split)
    resized = np.asarray(tf.image.resize(small.images, (64, 64), method="bilinear"))
    images = np.concatenate([big.images, resized])
    labels = {a: np.concatenate([big.attributes()[a], small.attributes()[a]]).astype(np.int32)
              for a in S.ATTRIBUTES}
    return images, labels, n


def train_classifier(args, out):
    config.set_seed(args.seed)
    x, y, _ = classifier_data(args.classifier_scenes, args.seed, "train")
    x_test, y_test, n_test = classifier_data(args.test_scenes, args.seed, "test")
    print(f"scene classifier: {len(x)} train scenes (half 64x64, half 32x32 resized), "
          f"{len(x_test)} test scenes")
    model = SC.build_scene_classifier()
    model.compile(optimizer=keras.optimizers.Adam(args.classifier_lr),
                  loss={a: keras.losses.SparseCategoricalCrossentropy(from_logits=True)
                        for a in S.ATTRIBUTES},
                  metrics={a: ["accuracy"] for a in S.ATTRIBUTES})
    start = time.time()
    model.fit(x, y, batch_size=args.batch_size, epochs=args.classifier_epochs, verbose=2,
              shuffle=True)
    seconds = time.time() - start
    print(f"scene classifier trained in {seconds:.1f} s")
    logits = model.predict(x_test, batch_size=500, verbose=0)
    accuracy = {}
    for part, rows in (("64", slice(0, n_test)), ("32->64", slice(n_test, None))):
        for a in S.ATTRIBUTES:
            acc = float(np.mean(np.argmax(logits[a][rows], 1) == y_test[a][rows]))
            accuracy[(part, a)] = acc
        print(f"  test accuracy ({part}, {n_test} scenes): "
              + " ".join(f"{a}={accuracy[(part, a)]:.4f}" for a in S.ATTRIBUTES))
    save(model, SC.build_scene_classifier, out, "scene_classifier")
    return seconds, accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="data/models/")
    parser.add_argument("--only", choices=("text", "classifier"), default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--text-scenes", type=int, default=10000)
    parser.add_argument("--text-epochs", type=int, default=6)
    parser.add_argument("--text-lr", type=float, default=1e-3)
    parser.add_argument("--negatives", choices=("max", "mean"), default="mean")
    parser.add_argument("--galleries", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--classifier-scenes", type=int, default=12000)
    parser.add_argument("--classifier-epochs", type=int, default=8)
    parser.add_argument("--classifier-lr", type=float, default=1e-3)
    parser.add_argument("--test-scenes", type=int, default=2000)
    args = parser.parse_args(argv)
    for name in ("batch_size", "text_scenes", "text_epochs", "classifier_scenes",
                 "classifier_epochs", "test_scenes"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive, got {getattr(args, name)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {}
    if args.only in (None, "text"):
        report["text"] = train_text(args, out)
    if args.only in (None, "classifier"):
        report["classifier"] = train_classifier(args, out)
    return report


if __name__ == "__main__":
    main()
