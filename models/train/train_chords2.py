"""Train, evaluate and export chord model v2 (bandmate-chords@2) on the corpus readers' output.

    python train_chords2.py [--data models/train/data/v2.jsonl] [--epochs N] [--minutes M]
                            [--out models/chords/v2] [--hp KEY=VALUE,...]

Reads the JSON lines written by readers.py. One step = one compound event (v2 chord token,
duration in 16ths), as in v1; the inputs add section, harmonic rhythm and complexity, and the
style list is vocab-v2's. Tokens: BOS, NC, every root (12) x vocabulary quality in root position,
plus the slash chords seen at least MIN_SLASH times in the training split (others lose their
bass). Writes <name>.onnx (opset 17), .sha256, config.json (token list, style list, feature
order, vocab-v2 hash), golden.json, metrics.json (per source and per style against an
interpolated 3-gram on the same split). Seeded, deterministic on CPU.
"""
import hashlib
import json
import math
import os
import sys
import time
from collections import Counter, defaultdict

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from corpus import vocab as v2  # noqa: E402
from train import Net, Step, batches  # noqa: E402

SEED = 1234
OPSET = 17
MIN_SLASH = 10
MAX_DUR = 32
MAXT = 400
POSITIONS = 48
METERS = ["2/4", "3/4", "4/4", "5/4", "6/4", "6/8", "12/8", "2/2", "other"]
BARS_LEFT = [0, 1, 2, 3, 4, 8, 16]
HARMONIC_RHYTHM = ["fast", "medium", "slow", "very-slow"]  # mean chord length <=4, <=8, <=16, >16
COMPLEXITY = ["triads", "sevenths", "extended"]
MODES = ["major", "minor"]
HP = dict(E=160, H=192, L=2, K=64, lr=3e-3, batch=32, epochs=8, dropout=0.1)

EXTENDED = {"9", "maj9", "m9", "7b9", "7#9", "11", "m11", "13", "maj13", "add9", "madd9"}
TRIADS = {"maj", "min", "dim", "aug", "sus2", "sus4", "5"}


def bucket(v, edges):
    b = 0
    for i, x in enumerate(edges):
        if v >= x:
            b = i
    return b


def events_of(song):
    """[(token, start16, dur16, bar index, section)] with ties merged and NC runs kept."""
    out = []
    t = 0
    for bi, bar in enumerate(song["bars"]):
        for c in bar["chords"]:
            tok = "NC" if c["root"] is None else f"{c['root']}:{c['q']}" + ("" if c["bass"] is None else f"/{c['bass']}")
            st = t + c["on"]
            if out and c.get("tie") and out[-1][0] == tok and out[-1][1] + out[-1][2] == st:
                out[-1][2] += c["dur"]
            else:
                out.append([tok, st, c["dur"], bi, bar["section"]])
        t += bar["len16"]
    return out


def song_cond(song, evs):
    durs = [e[2] for e in evs if e[0] != "NC"] or [16]
    mean = sum(durs) / len(durs)
    hr = 0 if mean <= 4 else 1 if mean <= 8 else 2 if mean <= 16 else 3
    qs = [e[0].split(":")[1].split("/")[0] for e in evs if e[0] != "NC"]
    ext = sum(q in EXTENDED for q in qs) / max(len(qs), 1)
    sev = sum(q not in TRIADS for q in qs) / max(len(qs), 1)
    cx = 2 if ext >= 0.15 else 1 if sev >= 0.2 else 0
    return hr, cx


def token_list(train_songs):
    names = [q["name"] for q in v2.VOCAB["qualities"]]
    base = ["BOS", "NC"] + [f"{r}:{q}" for r in range(12) for q in names]
    slash = Counter()
    for s in train_songs:
        for e in events_of(s):
            if "/" in e[0]:
                slash[e[0]] += 1
    return base + sorted(t for t, n in slash.items() if n >= MIN_SLASH)


FEATURES = None  # set in main: [(name, size)]


def features(tokens):
    return [("prev_chord", len(tokens)), ("prev_dur", MAX_DUR + 1), ("pos", POSITIONS),
            ("bars_left", len(BARS_LEFT)), ("mode", len(MODES)), ("meter", len(METERS)),
            ("style", len(v2.STYLES)), ("section", len(v2.SECTIONS)),
            ("harmonic_rhythm", len(HARMONIC_RHYTHM)), ("complexity", len(COMPLEXITY))]


def sequence(song, tok_idx):
    evs = events_of(song)
    if len(evs) < 2:
        return None
    hr, cx = song_cond(song, evs)
    bar_start = []
    t = 0
    for b in song["bars"]:
        bar_start.append(t)
        t += b["len16"]
    nbars = len(song["bars"])
    X, A, B = [], [], []
    prev_c, prev_d = tok_idx["BOS"], MAX_DUR
    for tok, st, du, bi, sec in evs:
        if tok not in tok_idx:
            tok = tok.split("/")[0]
        bar = song["bars"][bi]
        meter = bar["meter"] if bar["meter"] in METERS else "other"
        while du > 0:
            d = min(du, MAX_DUR)
            # locate the bar of this piece (long chords continue into later bars)
            while bi + 1 < nbars and bar_start[bi + 1] <= st:
                bi += 1
            pos = min(st - bar_start[bi], POSITIONS - 1)
            mode = MODES.index(song["bars"][bi]["key"]["mode"])
            x = [prev_c, prev_d, pos, bucket(nbars - 1 - bi, BARS_LEFT), mode, METERS.index(meter),
                 v2.STYLES.index(song["style"]), v2.SECTIONS.index(song["bars"][bi]["section"]), hr, cx]
            a, b = tok_idx[tok], d - 1
            X.append(x)
            A.append(a)
            B.append(b)
            prev_c, prev_d = a, b
            st += d
            du -= d
    return X, A, B


def load(path):
    songs = [json.loads(ln) for ln in open(path, encoding="utf-8")]
    return songs


def seq_nll(net, seqs):
    """Per-sequence summed NLL (symbol + duration) and event counts."""
    out = []
    net.eval()
    with torch.no_grad():
        for X, A, B in seqs:
            x = torch.tensor([X])
            a = torch.tensor([A])
            b = torch.tensor([B])
            la, lb = net(x, a)
            ca = F.cross_entropy(la.transpose(1, 2), a, reduction="sum")
            cb = F.cross_entropy(lb.transpose(1, 2), b, reduction="sum")
            out.append((float(ca + cb), len(A)))
    net.train()
    return out


class Trigram:
    """Interpolated 3-gram over compound events (token, duration); weights tuned on valid."""

    def __init__(self, train):
        self.c1, self.c2, self.c3, self.h1, self.h2 = Counter(), Counter(), Counter(), Counter(), Counter()
        V = set()
        for _, A, B in train:
            ev = [None, None] + list(zip(A, B))
            for i in range(2, len(ev)):
                w = ev[i]
                V.add(w)
                self.c1[w] += 1
                self.c2[(ev[i - 1], w)] += 1
                self.h1[ev[i - 1]] += 1
                self.c3[(ev[i - 2], ev[i - 1], w)] += 1
                self.h2[(ev[i - 2], ev[i - 1])] += 1
        self.N = sum(self.c1.values())
        self.nsym = len(V) + 1
        self.lam = (0.5, 0.3, 0.15, 0.05)

    def seq(self, A, B, lam=None):
        l3, l2, l1, l0 = lam or self.lam
        ev = [None, None] + list(zip(A, B))
        tot = 0.0
        for i in range(2, len(ev)):
            w = ev[i]
            p = l0 / self.nsym + l1 * self.c1[w] / self.N
            h1 = self.h1[ev[i - 1]]
            p += l2 * (self.c2[(ev[i - 1], w)] / h1 if h1 else 1 / self.nsym)
            hh = (ev[i - 2], ev[i - 1])
            h2 = self.h2[hh]
            p += l3 * (self.c3[(ev[i - 2], ev[i - 1], w)] / h2 if h2 else 1 / self.nsym)
            tot -= math.log(p)
        return tot

    def tune(self, valid):
        best = None
        for l0 in (0.01, 0.03, 0.1):
            for l1 in (0.05, 0.1, 0.2, 0.3):
                for l2 in (0.2, 0.3, 0.4, 0.5):
                    l3 = 1 - l0 - l1 - l2
                    if l3 <= 0:
                        continue
                    lam = (l3, l2, l1, l0)
                    tot = sum(self.seq(A, B, lam) for _, A, B in valid)
                    n = sum(len(A) for _, A, _ in valid)
                    if best is None or tot / n < best[0]:
                        best = (tot / n, lam)
        self.lam = best[1]
        return best


def group_table(net, tri, seqs, meta):
    """NLL per event of the model and the 3-gram, overall, per source and per style."""
    per = seq_nll(net, seqs)
    groups = defaultdict(lambda: {"events": 0, "model": 0.0, "trigram": 0.0, "songs": 0})
    for (src, sty, _sid, first), (nll, n), (_, A, B) in zip(meta, per, seqs):
        t3 = tri.seq(A, B)
        for g in (f"source:{src}", f"style:{sty}", "all"):
            d = groups[g]
            d["events"] += n
            d["model"] += nll
            d["trigram"] += t3
            d["songs"] += int(first)
    table = {}
    for g, d in sorted(groups.items()):
        m, t3 = d["model"] / d["events"], d["trigram"] / d["events"]
        table[g] = {"songs": d["songs"], "events": d["events"], "nll": round(m, 4),
                    "trigram_nll": round(t3, 4), "gain": round(1 - m / t3, 4)}
    return table


def sha256_file(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()


def main(argv):
    args = argv
    data_path = args[args.index("--data") + 1] if "--data" in args else os.path.join(HERE, "data", "v2.jsonl")
    outdir = args[args.index("--out") + 1] if "--out" in args else os.path.join(os.path.dirname(HERE), "chords", "v2")
    hp = dict(HP)
    if "--epochs" in args:
        hp["epochs"] = int(args[args.index("--epochs") + 1])
    if "--hp" in args:  # e.g. --hp E=192,K=96,dropout=0.2 (chosen on the validation split)
        for kv in args[args.index("--hp") + 1].split(","):
            k, v = kv.split("=")
            if k not in hp:
                raise SystemExit(f"unknown hyper-parameter {k!r}")
            hp[k] = type(hp[k])(float(v)) if isinstance(hp[k], int) else float(v)
    # --minutes: a time-based schedule (warm-up then cosine over the budget, any number of
    # epochs; not byte-reproducible across machines). Without it: --epochs of one-cycle steps.
    minutes = float(args[args.index("--minutes") + 1]) if "--minutes" in args else None
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    songs = load(data_path)
    train_songs = [s for s in songs if s["split"] == "train"]
    tokens = token_list(train_songs)
    tok_idx = {t: i for i, t in enumerate(tokens)}
    feats = features(tokens)
    data = {"train": [], "valid": [], "test": []}
    meta = {"train": [], "valid": [], "test": []}  # (source, style, id, first chunk) per sequence chunk
    for s in songs:
        r = sequence(s, tok_idx)
        if r is None:
            continue
        X, A, B = r
        for k in range(0, len(A), MAXT):
            data[s["split"]].append((X[k:k + MAXT], A[k:k + MAXT], B[k:k + MAXT]))
            meta[s["split"]].append((s["source"], s["style"], s["id"], k == 0))
    test_meta = meta["test"]
    print({k: len(v) for k, v in data.items()}, "tokens", len(tokens), flush=True)
    net = Net(feats, len(tokens), MAX_DUR, hp["E"], hp["H"], hp["L"], hp["K"], hp["dropout"])
    nparams = sum(p.numel() for p in net.parameters())
    print("params", nparams, flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=hp["lr"], weight_decay=0.01)
    total = math.ceil(len(data["train"]) / hp["batch"]) * hp["epochs"]
    sched = None
    if minutes is None:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hp["lr"], total_steps=total, pct_start=0.1)
    else:
        hp["epochs"] = 1000

    def timed_lr():
        f = (time.time() - t_train) / (minutes * 60)
        if f < 0.05:
            return hp["lr"] * (0.1 + 0.9 * f / 0.05)
        return hp["lr"] * 0.5 * (1 + math.cos(math.pi * min(1.0, (f - 0.05) / 0.95))) + 1e-5
    rng = np.random.RandomState(SEED)
    best, best_state, hist = 1e9, None, []
    t_train = time.time()
    for ep in range(hp["epochs"]):
        tr_loss, tr_n = 0.0, 0.0
        for bi_, (x, a, b, m) in enumerate(batches(data["train"], hp["batch"], rng)):
            if ep == 0 and bi_ == 20:
                print(f"20 batches in {time.time() - t_train:.1f} s", flush=True)
            la, lb = net(x, a)
            ca = F.cross_entropy(la.transpose(1, 2), a, reduction="none")
            cb = F.cross_entropy(lb.transpose(1, 2), b, reduction="none")
            loss = ((ca + cb) * m).sum() / m.sum()
            tr_loss += float(loss) * float(m.sum())
            tr_n += float(m.sum())
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            if sched is not None:
                opt.step()
                sched.step()
            else:
                for g in opt.param_groups:
                    g["lr"] = timed_lr()
                opt.step()
                if time.time() - t_train > minutes * 60:
                    break
        vs = seq_nll(net, data["valid"])
        vn = sum(a for a, _ in vs) / sum(n for _, n in vs)
        hist.append({"epoch": ep + 1, "train_loss": round(tr_loss / max(tr_n, 1), 4), "valid_nll": round(vn, 4),
                     "seconds": round(time.time() - t_train, 1)})
        print(hist[-1], flush=True)
        if vn < best:
            best = vn
            best_state = {k: t.clone() for k, t in net.state_dict().items()}
        if minutes is not None and time.time() - t_train > minutes * 60:
            print("time budget reached", flush=True)
            break
    train_s = time.time() - t_train
    net.load_state_dict(best_state)
    net.eval()
    tri = Trigram(data["train"])
    tri_valid, lam = tri.tune(data["valid"])
    tables = {}
    for split in ("valid", "test"):
        tables[split] = group_table(net, tri, data[split], meta[split])
        print(split)
        for g, r in tables[split].items():
            print(f"  {g:24s} songs {r['songs']:4d} events {r['events']:6d} nll {r['nll']:.3f} "
                  f"3-gram {r['trigram_nll']:.3f} ({100 * r['gain']:.1f}% below)")
    table = tables["test"]

    os.makedirs(outdir, exist_ok=True)
    name = "bandmate-chords-v2"
    onnx_path = os.path.join(outdir, f"{name}.onnx")
    step = Step(net).eval()
    x0 = torch.tensor(data["test"][0][0][0], dtype=torch.long)
    h0 = torch.zeros(hp["L"], 1, hp["H"])
    torch.onnx.export(step, (x0, h0), onnx_path, opset_version=OPSET, dynamo=False,
                      input_names=["x", "h"], output_names=["logits_a", "logits_b", "h_out"])
    sha = sha256_file(onnx_path)
    open(onnx_path + ".sha256", "w").write(f"{sha}  {name}.onnx\n")
    import onnxruntime as ort

    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    X, A, B = data["test"][0]
    steps = min(6, len(A))
    h = np.zeros((hp["L"], 1, hp["H"]), dtype=np.float32)
    golden = []
    with torch.no_grad():
        la_ref, lb_ref = net(torch.tensor([X[:steps]]), torch.tensor([A[:steps]]))
    maxdiff = 0.0
    for t in range(steps):
        la, lb, h = sess.run(None, {"x": np.array(X[t], dtype=np.int64), "h": h})
        maxdiff = max(maxdiff, float(np.abs(la[0] - la_ref[0, t].numpy()).max()),
                      float(np.abs(lb[A[t]] - lb_ref[0, t].numpy()).max()))
        golden.append({"x": X[t], "a": A[t], "b": B[t], "logits_a": [round(float(v), 6) for v in la[0]],
                       "row": A[t], "logits_b_row": [round(float(v), 6) for v in lb[A[t]]],
                       "logits_b_sum": round(float(lb.astype(np.float64).sum()), 4),
                       "h_out_sum": round(float(h.astype(np.float64).sum()), 5)})
    print("export max |diff| vs torch:", maxdiff, flush=True)
    assert maxdiff < 1e-3
    json.dump({"model": name, "onnxruntime": ort.__version__, "song": test_meta[0][2], "steps": golden},
              open(os.path.join(outdir, "golden.json"), "w"))
    config = {
        "id": "bandmate-chords@2", "kind": "chords", "file": f"{name}.onnx", "sha256": sha,
        "vocab": "vocab-v2.json", "vocab_hash": v2.VOCAB_HASH, "opset": OPSET,
        "tokens": tokens, "durations": list(range(1, MAX_DUR + 1)),
        "styles": v2.STYLES, "sections": v2.SECTIONS, "modes": MODES, "meters": METERS,
        "bars_left_buckets": BARS_LEFT, "positions": POSITIONS,
        "harmonic_rhythm": HARMONIC_RHYTHM, "complexity": COMPLEXITY,
        "inputs": [{"name": "x", "dtype": "int64", "shape": [len(feats)], "features": [n for n, _ in feats]},
                   {"name": "h", "dtype": "float32", "shape": [hp["L"], 1, hp["H"]]}],
        "outputs": [{"name": "logits_a", "shape": [1, len(tokens)]},
                    {"name": "logits_b", "shape": [len(tokens), MAX_DUR]},
                    {"name": "h_out", "shape": [hp["L"], 1, hp["H"]]}],
        "layers": hp["L"], "hidden": hp["H"], "parameters": nparams,
    }
    json.dump(config, open(os.path.join(outdir, "config.json"), "w"), indent=1)
    metrics = {
        "model": "bandmate-chords@2", "hyperparameters": hp, "minutes_budget": minutes, "parameters": nparams, "seed": SEED,
        "data": {k: len(v) for k, v in data.items()}, "tokens": len(tokens),
        "test": table, "valid": tables["valid"], "trigram_valid_nll": round(tri_valid, 4), "trigram_lambdas": lam,
        "best_valid_nll": round(best, 4), "history": hist, "train_seconds": round(train_s, 1),
        "total_seconds": round(time.time() - t0, 1), "threads": torch.get_num_threads(),
        "torch": torch.__version__, "onnx_bytes": os.path.getsize(onnx_path), "export_maxdiff": maxdiff,
    }
    json.dump(metrics, open(os.path.join(outdir, "metrics.json"), "w"), indent=1)
    print("onnx bytes", metrics["onnx_bytes"], "train s", metrics["train_seconds"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
