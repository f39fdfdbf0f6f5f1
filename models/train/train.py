"""Train, evaluate and export Bandmate's chord or melody model.

    python train.py chords|melody [--epochs N] [--minutes M] [--out DIR]

Reads models/vocab.json and models/train/data/pieces.jsonl (run extract.py first;
`cargo xtask train` does both).  Writes models/<name>/{<name>.onnx, .sha256,
config.json, metrics.json, golden.json}.  Seeded and deterministic on CPU.

Model: per-event recurrent decoder (GRU, fixed-shape state) with two heads.
One step = one compound event:
  chords: event = (chord symbol, duration); inputs = previous event + position in
          bar + bars left + conditioning (mode, meter, style, length bucket).
  melody: event = (pitch or rest, duration); inputs = previous event + position in
          bar + bars left + chord sounding at the onset + mode + meter.
Head A gives logits over the symbol; head B gives duration logits for *every*
symbol (matrix [Na, Nb]) so the runtime samples symbol then duration from one call.
"""
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
VOCAB_PATH = os.path.join(MODELS, "vocab.json")
VOCAB_BYTES = open(VOCAB_PATH, "rb").read()
VOCAB = json.loads(VOCAB_BYTES)
VOCAB_HASH = hashlib.sha256(VOCAB_BYTES).hexdigest()
SEED = 1234
OPSET = 17

CHORD_IDX = {c: i for i, c in enumerate(VOCAB["chords"])}
MEL_IDX = {c: i for i, c in enumerate(VOCAB["melody_pitches"])}


def bucket(v, buckets):
    b = 0
    for i, x in enumerate(buckets):
        if v >= x:
            b = i
    return b


def len_bucket(bars):
    return bucket(bars, VOCAB["len_buckets"])


def left_bucket(n):
    return bucket(n, VOCAB["bars_left_buckets"])


# ----------------------------------------------------------------- features
# Feature layout (order of the int64 input vector "x"), shared with Rust:
CHORD_FEATURES = [  # name, size
    ("prev_chord", len(VOCAB["chords"])),
    ("prev_dur", len(VOCAB["chord_durations"]) + 1),  # last index = none (first step)
    ("pos", VOCAB["positions"]),
    ("bars_left", len(VOCAB["bars_left_buckets"])),
    ("mode", len(VOCAB["modes"])),
    ("meter", len(VOCAB["meters"])),
    ("style", len(VOCAB["styles"])),
    ("len", len(VOCAB["len_buckets"])),
]
MELODY_FEATURES = [
    ("prev_pitch", len(VOCAB["melody_pitches"])),
    ("prev_dur", len(VOCAB["melody_durations"]) + 1),
    ("pos", VOCAB["positions"]),
    ("bars_left", len(VOCAB["bars_left_buckets"])),
    ("chord", len(VOCAB["chords"])),
    ("mode", len(VOCAB["modes"])),
    ("meter", len(VOCAB["meters"])),
]

HP = {
    "chords": dict(E=160, H=192, L=2, K=64, lr=3e-3, batch=32, epochs=14, dropout=0.1),
    "melody": dict(E=192, H=256, L=2, K=64, lr=3e-3, batch=32, epochs=10, dropout=0.1),
}


def split_pieces(events, maxd):
    """Split (sym, start, dur) so that dur <= maxd."""
    out = []
    for s, st, du in events:
        while du > maxd:
            out.append((s, st, maxd))
            st += maxd
            du -= maxd
        out.append((s, st, du))
    return out


def chord_seq(p):
    bar16, bars = p["bar16"], p["bars"]
    cond = [VOCAB["modes"].index(p["mode"]), VOCAB["meters"].index(p["meter"]),
            VOCAB["styles"].index(p["style"]), len_bucket(bars)]
    evs = split_pieces([(c[0], c[1], c[2]) for c in p["chords"]], len(VOCAB["chord_durations"]))
    X, A, B = [], [], []
    prev_c, prev_d = CHORD_IDX["BOS"], len(VOCAB["chord_durations"])
    for lab, st, du in evs:
        X.append([prev_c, prev_d, min(st % bar16, VOCAB["positions"] - 1), left_bucket(bars - 1 - st // bar16)] + cond)
        a, b = CHORD_IDX[lab], du - 1
        A.append(a)
        B.append(b)
        prev_c, prev_d = a, b
    return X, A, B


def chord_at(chords, t):
    for lab, st, du in chords:
        if st <= t < st + du:
            return CHORD_IDX[lab]
    return CHORD_IDX["NC"]


def melody_seq(p):
    bar16, bars = p["bar16"], p["bars"]
    cond = [VOCAB["modes"].index(p["mode"]), VOCAB["meters"].index(p["meter"])]
    evs = split_pieces([(m[0], m[1], m[2]) for m in p["melody"]], len(VOCAB["melody_durations"]))
    X, A, B = [], [], []
    prev_p, prev_d = MEL_IDX["BOS"], len(VOCAB["melody_durations"])
    for pitch, st, du in evs:
        X.append([prev_p, prev_d, min(st % bar16, VOCAB["positions"] - 1), left_bucket(bars - 1 - st // bar16),
                  chord_at(p["chords"], st)] + cond)
        a = MEL_IDX["REST"] if pitch is None else MEL_IDX[str(pitch)]
        b = du - 1
        A.append(a)
        B.append(b)
        prev_p, prev_d = a, b
    return X, A, B


def load(kind):
    data = {"train": [], "valid": [], "test": []}
    pieces = {"train": [], "valid": [], "test": []}
    meta = {"train": {}, "valid": {}, "test": {}}
    with open(os.path.join(HERE, "data", "pieces.jsonl")) as f:
        for line in f:
            p = json.loads(line)
            if kind == "melody" and not p.get("melody"):
                continue
            if kind == "chords" and not p.get("chords"):
                continue
            X, A, B = (chord_seq if kind == "chords" else melody_seq)(p)
            if len(A) < 2:
                continue
            MAXT = 400
            for s in range(0, len(A), MAXT):
                data[p["split"]].append((X[s:s + MAXT], A[s:s + MAXT], B[s:s + MAXT]))
                pieces[p["split"]].append(p if s == 0 else None)
            m = meta[p["split"]]
            m[p["source"]] = m.get(p["source"], 0) + 1
            m["events"] = m.get("events", 0) + len(A)
    return data, meta, pieces


# ----------------------------------------------------------------- model
class Net(nn.Module):
    def __init__(self, feats, na, nb, E, H, L, K, dropout):
        super().__init__()
        sizes = [s for _, s in feats]
        self.register_buffer("offsets", torch.tensor(np.cumsum([0] + sizes[:-1]), dtype=torch.long))
        self.emb = nn.Embedding(sum(sizes), E)
        self.gru = nn.GRU(E, H, L, batch_first=True, dropout=dropout)
        self.drop = nn.Dropout(dropout)
        self.head_a = nn.Linear(H, na)
        self.b_h = nn.Linear(H, K)
        self.b_a = nn.Embedding(na, K)
        self.head_b = nn.Linear(K, nb)
        self.H, self.L = H, L

    def forward(self, x, a):  # x [B,T,F], a [B,T]
        e = self.emb(x + self.offsets).sum(2)
        h, _ = self.gru(self.drop(e))
        h = self.drop(h)
        la = self.head_a(h)
        u = F.relu(self.b_h(h) + self.b_a(a))
        lb = self.head_b(u)
        return la, lb


class Step(nn.Module):
    """One decoding step with explicit GRU math (MatMul/Sigmoid/Tanh only)."""

    def __init__(self, net: Net):
        super().__init__()
        self.net = net
        self.H, self.L = net.H, net.L

    def forward(self, x, h):  # x [F] int64, h [L,1,H]
        n = self.net
        inp = n.emb(x + n.offsets).sum(0, keepdim=True)  # [1,E]
        outs = []
        H = self.H
        for l in range(self.L):
            w_ih = getattr(n.gru, f"weight_ih_l{l}")
            w_hh = getattr(n.gru, f"weight_hh_l{l}")
            b_ih = getattr(n.gru, f"bias_ih_l{l}")
            b_hh = getattr(n.gru, f"bias_hh_l{l}")
            hp = h[l]  # [1,H]
            gi = torch.matmul(inp, w_ih.t()) + b_ih
            gh = torch.matmul(hp, w_hh.t()) + b_hh
            r = torch.sigmoid(gi[:, :H] + gh[:, :H])
            z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
            nn_ = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
            hn = (1 - z) * nn_ + z * hp
            outs.append(hn)
            inp = hn
        la = n.head_a(inp)  # [1,Na]
        u = F.relu(n.b_h(inp) + n.b_a.weight)  # [Na,K]
        lb = n.head_b(u)  # [Na,Nb]
        return la, lb, torch.stack(outs, 0)


def batches(data, bs, rng):
    idx = sorted(range(len(data)), key=lambda i: len(data[i][1]))
    chunks = [idx[i:i + bs] for i in range(0, len(idx), bs)]
    if rng is not None:
        rng.shuffle(chunks)
    for ch in chunks:
        T = max(len(data[i][1]) for i in ch)
        Fn = len(data[ch[0]][0][0])
        x = np.zeros((len(ch), T, Fn), dtype=np.int64)
        a = np.zeros((len(ch), T), dtype=np.int64)
        b = np.zeros((len(ch), T), dtype=np.int64)
        m = np.zeros((len(ch), T), dtype=np.float32)
        for j, i in enumerate(ch):
            X, A, B = data[i]
            n = len(A)
            x[j, :n] = X
            a[j, :n] = A
            b[j, :n] = B
            m[j, :n] = 1
        yield torch.from_numpy(x), torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(m)


def evaluate(net, data):
    net.eval()
    tot, cnt, ta, tb = 0.0, 0, 0.0, 0.0
    with torch.no_grad():
        for x, a, b, m in batches(data, 64, None):
            la, lb = net(x, a)
            ca = F.cross_entropy(la.transpose(1, 2), a, reduction="none")
            cb = F.cross_entropy(lb.transpose(1, 2), b, reduction="none")
            ta += float((ca * m).sum())
            tb += float((cb * m).sum())
            cnt += float(m.sum())
    net.train()
    return (ta + tb) / cnt, ta / cnt, tb / cnt, int(cnt)


# ----------------------------------------------------------------- 3-gram baseline
def trigram_nll(train, valid, test):
    """Interpolated 3-gram over compound events (symbol, duration); weights tuned on valid."""
    from collections import Counter
    c1, c2, c3 = Counter(), Counter(), Counter()
    h1, h2 = Counter(), Counter()
    V = set()
    BOS = ("<s>",)
    for _, A, B in train:
        ev = [BOS, BOS] + list(zip(A, B))
        for i in range(2, len(ev)):
            w = ev[i]
            V.add(w)
            c1[w] += 1
            c2[(ev[i - 1], w)] += 1
            h1[ev[i - 1]] += 1
            c3[(ev[i - 2], ev[i - 1], w)] += 1
            h2[(ev[i - 2], ev[i - 1])] += 1
    N = sum(c1.values())
    nsym = max(len(V), 1) + 1

    def nll(data, lam):
        l3, l2, l1, l0 = lam
        tot, cnt = 0.0, 0
        for _, A, B in data:
            ev = [BOS, BOS] + list(zip(A, B))
            for i in range(2, len(ev)):
                w = ev[i]
                p = l0 / nsym + l1 * c1[w] / N
                if h1[ev[i - 1]]:
                    p += l2 * c2[(ev[i - 1], w)] / h1[ev[i - 1]]
                else:
                    p += l2 / nsym
                hh = (ev[i - 2], ev[i - 1])
                if h2[hh]:
                    p += l3 * c3[(ev[i - 2], ev[i - 1], w)] / h2[hh]
                else:
                    p += l3 / nsym
                tot -= math.log(p)
                cnt += 1
        return tot / max(cnt, 1)

    best = None
    for l0 in (0.01, 0.03, 0.1):
        for l1 in (0.05, 0.1, 0.2, 0.3):
            for l2 in (0.2, 0.3, 0.4, 0.5):
                l3 = 1 - l0 - l1 - l2
                if l3 <= 0:
                    continue
                v = nll(valid, (l3, l2, l1, l0))
                if best is None or v < best[0]:
                    best = (v, (l3, l2, l1, l0))
    return nll(test, best[1]), best[0], best[1]


# ----------------------------------------------------------------- main
def sha256_file(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()


def main():
    kind = sys.argv[1]
    assert kind in ("chords", "melody"), "usage: train.py chords|melody"
    args = sys.argv[2:]
    hp = dict(HP[kind])
    if "--epochs" in args:
        hp["epochs"] = int(args[args.index("--epochs") + 1])
    minutes = float(args[args.index("--minutes") + 1]) if "--minutes" in args else 40.0
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    torch.use_deterministic_algorithms(True)
    feats = CHORD_FEATURES if kind == "chords" else MELODY_FEATURES
    na = len(VOCAB["chords"]) if kind == "chords" else len(VOCAB["melody_pitches"])
    nb = len(VOCAB["chord_durations"]) if kind == "chords" else len(VOCAB["melody_durations"])
    t0 = time.time()
    data, meta, pieces = load(kind)
    print({k: len(v) for k, v in data.items()}, meta, flush=True)
    net = Net(feats, na, nb, hp["E"], hp["H"], hp["L"], hp["K"], hp["dropout"])
    nparams = sum(p.numel() for p in net.parameters())
    print("params", nparams, flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=hp["lr"], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(data["train"]) / hp["batch"])
    total = steps_per_epoch * hp["epochs"]
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hp["lr"], total_steps=total, pct_start=0.1)
    rng = np.random.RandomState(SEED)
    best, best_state, hist = 1e9, None, []
    t_train = time.time()
    for ep in range(hp["epochs"]):
        for x, a, b, m in batches(data["train"], hp["batch"], rng):
            la, lb = net(x, a)
            ca = F.cross_entropy(la.transpose(1, 2), a, reduction="none")
            cb = F.cross_entropy(lb.transpose(1, 2), b, reduction="none")
            loss = ((ca + cb) * m).sum() / m.sum()
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
        v = evaluate(net, data["valid"])
        hist.append({"epoch": ep + 1, "valid_nll": round(v[0], 4), "seconds": round(time.time() - t_train, 1)})
        print(hist[-1], flush=True)
        if v[0] < best:
            best = v[0]
            best_state = {k: t.clone() for k, t in net.state_dict().items()}
        if time.time() - t_train > minutes * 60:
            print("time budget reached", flush=True)
            break
    train_s = time.time() - t_train
    net.load_state_dict(best_state)
    net.eval()
    test = evaluate(net, data["test"])
    tri_test, tri_valid, lam = trigram_nll(data["train"], data["valid"], data["test"])
    print("test nll", test, "3-gram", tri_test, flush=True)

    # ------------------------------------------------------------- export
    outdir = args[args.index("--out") + 1] if "--out" in args else os.path.join(MODELS, kind)
    os.makedirs(outdir, exist_ok=True)
    name = f"bandmate-{kind}"
    onnx_path = os.path.join(outdir, f"{name}.onnx")
    step = Step(net).eval()
    x0 = torch.tensor(data["test"][0][0][0], dtype=torch.long)
    h0 = torch.zeros(hp["L"], 1, hp["H"])
    torch.onnx.export(step, (x0, h0), onnx_path, opset_version=OPSET, dynamo=False,
                      input_names=["x", "h"], output_names=["logits_a", "logits_b", "h_out"])
    sha = sha256_file(onnx_path)
    open(onnx_path + ".sha256", "w").write(f"{sha}  {name}.onnx\n")

    # check the exported step against the training graph + make golden file
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
    gp = pieces["test"][0]
    piece = {k: gp[k] for k in ("file", "mode", "meter", "style", "bars", "bar16", "chords")}
    json.dump({"model": name, "onnxruntime": ort.__version__, "piece": piece, "steps": golden},
              open(os.path.join(outdir, "golden.json"), "w"))
    feat_names = [n for n, _ in feats]
    config = {
        "id": f"{name}@1",
        "kind": kind,
        "file": f"{name}.onnx",
        "sha256": sha,
        "vocab_hash": VOCAB_HASH,
        "opset": OPSET,
        "inputs": [{"name": "x", "dtype": "int64", "shape": [len(feats)], "features": feat_names},
                   {"name": "h", "dtype": "float32", "shape": [hp["L"], 1, hp["H"]]}],
        "outputs": [{"name": "logits_a", "shape": [1, na]}, {"name": "logits_b", "shape": [na, nb]},
                    {"name": "h_out", "shape": [hp["L"], 1, hp["H"]]}],
        "layers": hp["L"],
        "hidden": hp["H"],
        "parameters": nparams,
    }
    json.dump(config, open(os.path.join(outdir, "config.json"), "w"), indent=1)
    metrics = {
        "model": name, "hyperparameters": hp, "parameters": nparams, "seed": SEED,
        "data": {k: len(v) for k, v in data.items()}, "data_meta": meta,
        "test_nll_per_event": round(test[0], 4), "test_nll_symbol": round(test[1], 4),
        "test_nll_duration": round(test[2], 4), "test_events": test[3],
        "trigram_test_nll_per_event": round(tri_test, 4), "trigram_valid_nll": round(tri_valid, 4),
        "trigram_lambdas": lam, "best_valid_nll": round(best, 4), "history": hist,
        "train_seconds": round(train_s, 1), "total_seconds": round(time.time() - t0, 1),
        "threads": torch.get_num_threads(), "torch": torch.__version__,
        "onnx_bytes": os.path.getsize(onnx_path), "export_maxdiff": maxdiff,
    }
    json.dump(metrics, open(os.path.join(outdir, "metrics.json"), "w"), indent=1)
    print(json.dumps({k: v for k, v in metrics.items() if k != "history"}, indent=1))
    if test[0] >= tri_test:
        print("WARNING: model does not beat the 3-gram baseline", flush=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
