"""NLL per event of the shipped chord model v2 and of an interpolated 3-gram on any corpus folder.

    python eval_corpus.py --data DIR [--json] [--split all|train|valid|test]
                          [--train-data models/train/data/v2.jsonl] [--model models/chords/v2]

DIR is laid out like ../shared/data (any subset of billboard/, rollingstone/, jazz/, ireal/,
pop909/) and is read by the same readers as training. The 3-gram is trained on the training
split of --train-data (the readers' output for the training corpus). The model runs step by
step through ONNX Runtime on the exported file, after checking its sha256 and vocabulary hash.
Songs whose title is in the training split are reported separately as "seen".
"""
import argparse
import hashlib
import json
import os
import sys
from collections import defaultdict

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import readers  # noqa: E402
from corpus import vocab as v2  # noqa: E402
from train_chords2 import MAXT, Trigram, sequence  # noqa: E402


class ModelError(RuntimeError):
    pass


def load_model(folder):
    import onnxruntime as ort

    cfg = json.load(open(os.path.join(folder, "config.json"), encoding="utf-8"))
    path = os.path.join(folder, cfg["file"])
    data = open(path, "rb").read()
    problems = []
    if hashlib.sha256(data).hexdigest() != cfg["sha256"]:
        problems.append("sha256 of the ONNX file differs from config.json")
    if cfg.get("vocab_hash") != v2.VOCAB_HASH:
        problems.append("vocab-v2.json changed since the model was trained")
    if cfg.get("styles") != v2.STYLES or cfg.get("sections") != v2.SECTIONS:
        problems.append("style or section list differs from vocab-v2.json")
    if problems:
        raise ModelError("; ".join(problems))
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    return cfg, sess


def model_nll(cfg, sess, X, A, B):
    h = np.zeros(tuple(cfg["inputs"][1]["shape"]), dtype=np.float32)
    tot = 0.0
    for x, a, b in zip(X, A, B):
        la, lb, h = sess.run(None, {"x": np.array(x, dtype=np.int64), "h": h})
        la = la[0].astype(np.float64)
        row = lb[a].astype(np.float64)
        tot -= la[a] - (la.max() + np.log(np.exp(la - la.max()).sum()))
        tot -= row[b] - (row.max() + np.log(np.exp(row - row.max()).sum()))
    return tot


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--split", default="all", choices=["all", "train", "valid", "test"])
    ap.add_argument("--train-data", default=os.path.join(HERE, "data", "v2.jsonl"))
    ap.add_argument("--model", default=os.path.join(os.path.dirname(HERE), "chords", "v2"))
    a = ap.parse_args(argv)
    try:
        cfg, sess = load_model(a.model)
    except (ModelError, OSError, ValueError) as e:
        print(f"chord model v2 not usable: {e}", file=sys.stderr)
        return 2
    if not os.path.isfile(a.train_data):
        print(f"{a.train_data} missing: run readers.py on the training corpus first", file=sys.stderr)
        return 2
    tok_idx = {t: i for i, t in enumerate(cfg["tokens"])}
    train = []
    train_titles = set()
    for ln in open(a.train_data, encoding="utf-8"):
        s = json.loads(ln)
        if s["split"] != "train":
            continue
        train_titles.add(s["song_key"].split("|", 1)[1])
        r = sequence(s, tok_idx)
        if r:
            train.append(r)
    valid = []
    for ln in open(a.train_data, encoding="utf-8"):
        s = json.loads(ln)
        if s["split"] == "valid":
            r = sequence(s, tok_idx)
            if r:
                valid.append(r)
    tri = Trigram(train)
    tri.tune(valid)
    songs, stats = readers.read_all(a.data, quiet=a.json)
    groups = defaultdict(lambda: {"songs": 0, "events": 0, "model": 0.0, "trigram": 0.0})
    for s in songs:
        if a.split != "all" and s["split"] != a.split:
            continue
        r = sequence(s, tok_idx)
        if r is None:
            continue
        X, A, B = r
        seen = s["song_key"].split("|", 1)[1] in train_titles
        m = t3 = 0.0
        for k in range(0, len(A), MAXT):
            m += model_nll(cfg, sess, X[k:k + MAXT], A[k:k + MAXT], B[k:k + MAXT])
            t3 += tri.seq(A[k:k + MAXT], B[k:k + MAXT])
        for g in (f"source:{s['source']}", f"style:{s['style']}", "all" + (":seen" if seen else ":unseen")):
            d = groups[g]
            d["songs"] += 1
            d["events"] += len(A)
            d["model"] += m
            d["trigram"] += t3
    table = {}
    for g, d in sorted(groups.items()):
        table[g] = {"songs": d["songs"], "events": d["events"],
                    "chords_v2_nll": round(d["model"] / d["events"], 4),
                    "trigram_nll": round(d["trigram"] / d["events"], 4)}
    out = {"model": cfg["id"], "data": a.data, "split": a.split,
           "readers": [st.as_dict() for st in stats], "nll_per_event": table,
           "melody": "no melody model v2 yet: melody NLL not reported"}
    if a.json:
        print(json.dumps(out, indent=1, ensure_ascii=False))
    else:
        print(f"{cfg['id']} on {a.data} (split {a.split}); NLL per event (chord symbol + duration)")
        print(f"{'group':24s} {'songs':>6s} {'events':>8s} {'model':>8s} {'3-gram':>8s}")
        for g, r in table.items():
            print(f"{g:24s} {r['songs']:6d} {r['events']:8d} {r['chords_v2_nll']:8.3f} {r['trigram_nll']:8.3f}")
        print(out["melody"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
