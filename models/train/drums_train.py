"""Train, evaluate and export Bandmate's drum model and the learned groove profiles.

    python drums_train.py [--epochs N] [--minutes M] [--out DIR]

Reads models/train/data/drums.jsonl (run drums_extract.py first; `cargo xtask train drums`
does both). Writes models/drums/{bandmate-drums.onnx, .sha256, config.json, metrics.json,
golden.json, grooves.json}. Seeded and deterministic on CPU, one thread.

Model: one GRU step per bar. Input x (int64): style, fill, phrase position, density bucket,
tempo bucket, meter, feel, then the previous bar's 24x9 hit grid (0/1). Outputs, for every one
of the 24 slots (6 per quarter, 4 quarters): logits over the 512 hit combinations of the nine
classes ("hits"), velocity-bucket logits per class ("vel", 8 buckets of 16) and offset-bucket
logits per class ("off", 17 buckets of 10 ticks, -80..80). The runtime samples a whole bar from
one call; the recurrent state carries the performance.
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
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data", "drums.jsonl")
SEED = 1234
OPSET = 17

SLOTS = 24
NCLASS = 9
NCOMBO = 1 << NCLASS
NVEL = 8
NOFF = 17
OFF_STEP = 10
SLOT_TICKS = [0, 120, 160, 240, 320, 360]
FEEL_SLOTS = {"straight": [0, 1, 3, 5], "triplet": [0, 2, 4]}
CLASSES = ["kick", "snare", "closed_hat", "open_hat", "low_tom", "mid_tom", "high_tom", "crash", "ride"]
CLASS_GM = [36, 38, 42, 46, 43, 47, 50, 49, 51]
STYLES = ["rock", "funk", "jazz", "latin", "hiphop", "punk", "soul", "afrocuban", "neworleans",
          "country", "pop", "reggae", "gospel", "afrobeat", "other"]
METERS = ["4-4", "3-4", "6-8"]
FEELS = ["straight", "triplet"]
TEMPO_EDGES = [80, 100, 120, 140]
COND = [("style", len(STYLES)), ("fill", 2), ("phrase_pos", 4), ("density", 5), ("tempo", 5),
        ("meter", len(METERS)), ("feel", len(FEELS))]
GRID_FEATURES = SLOTS * NCLASS
HP = dict(E=96, H=192, epochs=24, batch=16, window=32, lr=3e-3, dropout=0.1)


def style_index(s):
    top = s.split("/")[0]
    return STYLES.index(top) if top in STYLES else STYLES.index("other")


def tempo_bucket(bpm):
    return sum(1 for e in TEMPO_EDGES if bpm >= e)


def vel_bucket(v):
    return min(NVEL - 1, max(0, (v - 1) // 16))


def off_bucket(o):
    return min(NOFF - 1, max(0, int(round(o / OFF_STEP)) + NOFF // 2))


def is_fill_like(bar, nxt):
    """A bar of a beat performance that a drummer played as a fill: toms or a snare run, then a crash."""
    if not any(s == 0 and c == 7 for s, c, _, _ in nxt):
        return False
    toms = sum(1 for _, c, _, _ in bar if c in (4, 5, 6))
    late_snare = sum(1 for s, c, _, _ in bar if c == 1 and s >= 12)
    return toms >= 2 or late_snare >= 4


def load():
    perfs = [json.loads(l) for l in open(DATA)]
    for p in perfs:
        bars = p["bars"]
        n = len(bars)
        if p["beat_type"] == "fill":
            fills = [True] * n
            pos = [3] * n
        else:
            fills = [i + 1 < n and is_fill_like(bars[i], bars[i + 1]) for i in range(n)]
            pos, since = [], 0
            for i in range(n):
                if i == 0 or fills[i - 1]:
                    since = 0
                pos.append(min(since, 3))
                since += 1
            pos = [3 if f else q for f, q in zip(fills, pos)]
        p["fills"], p["pos"] = fills, pos
    # density edges per style from training beat bars
    counts = defaultdict(list)
    for p in perfs:
        if p["split"] == "train":
            for b in p["bars"]:
                counts[style_index(p["style"])].append(len(b))
    allc = [c for v in counts.values() for c in v]
    edges = {}
    for si in range(len(STYLES)):
        c = counts.get(si) or allc
        edges[STYLES[si]] = [float(np.quantile(c, q)) for q in (0.2, 0.4, 0.6, 0.8)]
    return perfs, edges


def density_bucket(n, e):
    return sum(1 for x in e if n > x)


def encode(p, edges):
    """Per bar: x (int list), combo target [24], vel/off targets [24,9] (-1 = no hit), slot mask [24]."""
    si = style_index(p["style"])
    e = edges[STYLES[si]]
    meter = METERS.index(p["meter"])
    feel = FEELS.index(p["feel"])
    nslots = p["beats"] * 6
    tb = tempo_bucket(p["bpm"])
    prev = [0] * GRID_FEATURES
    X, Y, V, O, M = [], [], [], [], []
    for i, bar in enumerate(p["bars"]):
        x = [si, int(p["fills"][i]), p["pos"][i], density_bucket(len(bar), e), tb, meter, feel] + prev
        combo = [0] * SLOTS
        vel = [[-1] * NCLASS for _ in range(SLOTS)]
        off = [[-1] * NCLASS for _ in range(SLOTS)]
        grid = [0] * GRID_FEATURES
        for s, c, v, o in bar:
            combo[s] |= 1 << c
            vel[s][c] = vel_bucket(v)
            off[s][c] = off_bucket(o)
            grid[s * NCLASS + c] = 1
        mask = [1 if s < nslots and (s % 6) in FEEL_SLOTS[p["feel"]] else 0 for s in range(SLOTS)]
        X.append(x)
        Y.append(combo)
        V.append(vel)
        O.append(off)
        M.append(mask)
        prev = grid
    return X, Y, V, O, M


class Net(nn.Module):
    def __init__(self, E, H, dropout):
        super().__init__()
        sizes = [s for _, s in COND]
        self.register_buffer("offsets", torch.tensor(np.cumsum([0] + sizes[:-1]), dtype=torch.long))
        self.emb = nn.Embedding(sum(sizes), E)
        self.grid_in = nn.Linear(GRID_FEATURES, E)
        self.inp = nn.Linear(E, E)
        self.gru = nn.GRU(E, H, 1, batch_first=True)
        self.slot = nn.Parameter(torch.randn(SLOTS, H) * 0.1)
        self.cond_out = nn.Linear(E, H)
        self.mix = nn.Linear(H, H)
        self.hits = nn.Linear(H, NCOMBO)
        self.vel = nn.Linear(H, NCLASS * NVEL)
        self.off = nn.Linear(H, NCLASS * NOFF)
        self.drop = nn.Dropout(dropout)
        self.H = H

    def embed(self, x):  # x [..., F]
        c = x[..., :len(COND)]
        g = x[..., len(COND):].float()
        ce = self.emb(c + self.offsets).sum(-2)
        return torch.relu(self.inp(ce + self.grid_in(g))), ce

    def heads(self, h, ce):  # h [..., H] -> per-slot outputs
        z = h + self.cond_out(ce)
        u = torch.relu(self.mix(self.drop(z).unsqueeze(-2) + self.slot))  # [..., 24, H]
        u = self.drop(u)
        sh = u.shape[:-1]
        return (self.hits(u), self.vel(u).reshape(*sh, NCLASS, NVEL),
                self.off(u).reshape(*sh, NCLASS, NOFF))

    def forward(self, x):  # x [B,T,F]
        e, ce = self.embed(x)
        h, _ = self.gru(e)
        return self.heads(h, ce)


class Step(nn.Module):
    """One bar: explicit GRU math so the graph is MatMul/Sigmoid/Tanh only."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x, h):  # x [F] int64, h [1,1,H]
        n = self.net
        H = n.H
        e, ce = n.embed(x.unsqueeze(0))  # [1,E]
        hp = h[0]
        gi = torch.matmul(e, n.gru.weight_ih_l0.t()) + n.gru.bias_ih_l0
        gh = torch.matmul(hp, n.gru.weight_hh_l0.t()) + n.gru.bias_hh_l0
        r = torch.sigmoid(gi[:, :H] + gh[:, :H])
        z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        nn_ = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        hn = (1 - z) * nn_ + z * hp
        hits, vel, off = n.heads(hn, ce)
        return hits[0], vel[0], off[0], hn.unsqueeze(0)


def windows(enc, W):
    out = []
    for X, Y, V, O, M in enc:
        for s in range(0, len(X), W):
            out.append((X[s:s + W], Y[s:s + W], V[s:s + W], O[s:s + W], M[s:s + W]))
    return out


def batches(data, bs, rng):
    idx = list(range(len(data)))
    if rng is not None:
        rng.shuffle(idx)
    for k in range(0, len(idx), bs):
        ch = idx[k:k + bs]
        T = max(len(data[i][0]) for i in ch)
        x = np.zeros((len(ch), T, len(COND) + GRID_FEATURES), dtype=np.int64)
        y = np.zeros((len(ch), T, SLOTS), dtype=np.int64)
        v = -np.ones((len(ch), T, SLOTS, NCLASS), dtype=np.int64)
        o = -np.ones((len(ch), T, SLOTS, NCLASS), dtype=np.int64)
        m = np.zeros((len(ch), T, SLOTS), dtype=np.float32)
        for j, i in enumerate(ch):
            X, Y, V, O, M = data[i]
            n = len(X)
            x[j, :n], y[j, :n], v[j, :n], o[j, :n], m[j, :n] = X, Y, V, O, M
        yield tuple(torch.from_numpy(a) for a in (x, y, v, o, m))


def losses(net, x, y, v, o, m):
    hits, vel, off = net(x)
    ch = F.cross_entropy(hits.reshape(-1, NCOMBO), y.reshape(-1), reduction="none").reshape(y.shape)
    ch = (ch * m).sum()
    vm = v >= 0
    cv = F.cross_entropy(vel[vm], v[vm], reduction="sum") if vm.any() else torch.zeros(())
    co = F.cross_entropy(off[vm], o[vm], reduction="sum") if vm.any() else torch.zeros(())
    return ch, cv, co, float(m.sum()), int(vm.sum())


def evaluate(net, data):
    net.eval()
    th = tv = to = 0.0
    nt = nh = 0
    with torch.no_grad():
        for b in batches(data, 32, None):
            ch, cv, co, n, k = losses(net, *b)
            th += float(ch)
            tv += float(cv)
            to += float(co)
            nt += n
            nh += k
    net.train()
    return {"hits_nll_per_step": th / nt, "vel_nll_per_hit": tv / max(nh, 1),
            "off_nll_per_hit": to / max(nh, 1), "steps": int(nt), "hits": nh}


def ngram_nll(train, valid, test):
    """Interpolated 3-gram over the same step tokens (hit combination per active grid slot)."""
    def seqs(enc):
        for X, Y, V, O, M in enc:
            yield [Y[t][s] for t in range(len(Y)) for s in range(SLOTS) if M[t][s]]

    c1, c2, c3, h1, h2 = Counter(), Counter(), Counter(), Counter(), Counter()
    for sq in seqs(train):
        ev = [-1, -1] + sq
        for i in range(2, len(ev)):
            c1[ev[i]] += 1
            c2[(ev[i - 1], ev[i])] += 1
            h1[ev[i - 1]] += 1
            c3[(ev[i - 2], ev[i - 1], ev[i])] += 1
            h2[(ev[i - 2], ev[i - 1])] += 1
    N = sum(c1.values())

    def nll(enc, lam):
        l3, l2, l1, l0 = lam
        tot = cnt = 0
        for sq in seqs(enc):
            ev = [-1, -1] + sq
            for i in range(2, len(ev)):
                w = ev[i]
                p = l0 / NCOMBO + l1 * c1[w] / N
                p += l2 * (c2[(ev[i - 1], w)] / h1[ev[i - 1]] if h1[ev[i - 1]] else 1 / NCOMBO)
                hh = (ev[i - 2], ev[i - 1])
                p += l3 * (c3[hh + (w,)] / h2[hh] if h2[hh] else 1 / NCOMBO)
                tot -= math.log(p)
                cnt += 1
        return tot / max(cnt, 1)

    best = None
    for l0 in (0.001, 0.01, 0.03):
        for l1 in (0.05, 0.1, 0.2):
            for l2 in (0.1, 0.2, 0.3, 0.4):
                l3 = 1 - l0 - l1 - l2
                v = nll(valid, (l3, l2, l1, l0))
                if best is None or v < best[0]:
                    best = (v, (l3, l2, l1, l0))
    return nll(test, best[1]), best[0], best[1]


def grooves(perfs):
    """Per style: mean/std timing offset (ticks) and velocity per slot of a 4/4 bar, per class and all."""
    cells = defaultdict(lambda: defaultdict(list))
    style_bars = Counter()
    feels = defaultdict(Counter)
    for p in perfs:
        if p["split"] != "train" or p["meter"] != "4-4" or p["beat_type"] != "beat":
            continue
        names = [STYLES[style_index(p["style"])], "all"]
        for st in names:
            feels[st][p["feel"]] += 1
        for i, bar in enumerate(p["bars"]):
            if p["fills"][i]:
                continue
            for st in names:
                style_bars[st] += 1
            for s, c, v, o in bar:
                for st in names:
                    cells[st][(CLASSES[c], s)].append((o, v))
                    cells[st][("all", s)].append((o, v))
    out = {}
    for st in sorted(cells):
        groups = defaultdict(list)
        allv = [v for (g, _), xs in cells[st].items() if g == "all" for _, v in xs]
        for (g, s), xs in sorted(cells[st].items()):
            if len(xs) < 8:
                continue
            a = np.array(xs, dtype=np.float64)
            groups[g].append([s, len(xs), round(float(a[:, 0].mean()), 2), round(float(a[:, 0].std()), 2),
                              round(float(a[:, 1].mean()), 2), round(float(a[:, 1].std()), 2)])
        out[st] = {"bars": style_bars[st], "feel": feels[st].most_common(1)[0][0],
                   "velocity_mean": round(float(np.mean(allv)), 2), "cells": dict(groups)}
    return out


def sha256_file(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()


def main():
    args = sys.argv[1:]
    hp = dict(HP)
    if "--epochs" in args:
        hp["epochs"] = int(args[args.index("--epochs") + 1])
    minutes = float(args[args.index("--minutes") + 1]) if "--minutes" in args else 12.0
    outdir = args[args.index("--out") + 1] if "--out" in args else os.path.join(MODELS, "drums")
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    perfs, edges = load()
    splits = {"train": "train", "valid": "validation", "test": "test"}
    enc = {k: [encode(p, edges) for p in perfs if p["split"] == s] for k, s in splits.items()}
    counts = {k: {"performances": len(v), "bars": sum(len(e[0]) for e in v)} for k, v in enc.items()}
    print(counts, flush=True)
    train = windows(enc["train"], hp["window"])
    net = Net(hp["E"], hp["H"], hp["dropout"])
    nparams = sum(p.numel() for p in net.parameters())
    print("params", nparams, flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=hp["lr"], weight_decay=0.01)
    total = math.ceil(len(train) / hp["batch"]) * hp["epochs"]
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hp["lr"], total_steps=total, pct_start=0.1)
    rng = np.random.RandomState(SEED)
    best, best_state, hist = 1e9, None, []
    t_train = time.time()
    for ep in range(hp["epochs"]):
        for b in batches(train, hp["batch"], rng):
            ch, cv, co, n, k = losses(net, *b)
            loss = (ch + cv + co) / n
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
        v = evaluate(net, enc["valid"])
        score = v["hits_nll_per_step"] + (v["vel_nll_per_hit"] + v["off_nll_per_hit"]) * v["hits"] / v["steps"]
        hist.append({"epoch": ep + 1, "valid_hits_nll": round(v["hits_nll_per_step"], 4),
                     "valid_score": round(score, 4), "seconds": round(time.time() - t_train, 1)})
        print(hist[-1], flush=True)
        if score < best:
            best = score
            best_state = {k: t.clone() for k, t in net.state_dict().items()}
        if time.time() - t_train > minutes * 60:
            print("time budget reached", flush=True)
            break
    train_s = time.time() - t_train
    net.load_state_dict(best_state)
    net.eval()
    test = evaluate(net, enc["test"])
    tri_test, tri_valid, lam = ngram_nll(enc["train"], enc["valid"], enc["test"])
    print("test", test, "3-gram", tri_test, flush=True)

    os.makedirs(outdir, exist_ok=True)
    name = "bandmate-drums"
    onnx_path = os.path.join(outdir, f"{name}.onnx")
    step = Step(net).eval()
    X0 = enc["test"][0][0]
    x0 = torch.tensor(X0[0], dtype=torch.long)
    h0 = torch.zeros(1, 1, hp["H"])
    torch.onnx.export(step, (x0, h0), onnx_path, opset_version=OPSET, dynamo=False,
                      input_names=["x", "h"], output_names=["hits", "vel", "off", "h_out"])
    sha = sha256_file(onnx_path)
    open(onnx_path + ".sha256", "w").write(f"{sha}  {name}.onnx\n")

    import onnxruntime as ort
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    steps = min(4, len(X0))
    with torch.no_grad():
        ref = net(torch.tensor([X0[:steps]]))
    h = np.zeros((1, 1, hp["H"]), dtype=np.float32)
    golden, maxdiff = [], 0.0
    for t in range(steps):
        hits, vel, off, h = sess.run(None, {"x": np.array(X0[t], dtype=np.int64), "h": h})
        for a, r in zip((hits, vel, off), ref):
            maxdiff = max(maxdiff, float(np.abs(a - r[0, t].numpy()).max()))
        golden.append({"x": X0[t],
                       "hits_slot0": [round(float(q), 5) for q in hits[0]],
                       "hits_slot6": [round(float(q), 5) for q in hits[6]],
                       "vel": [round(float(q), 5) for q in vel.reshape(-1)],
                       "off": [round(float(q), 5) for q in off.reshape(-1)],
                       "hits_sum": round(float(hits.astype(np.float64).sum()), 3),
                       "h_out_sum": round(float(h.astype(np.float64).sum()), 5)})
    print("export max |diff| vs torch:", maxdiff, flush=True)
    assert maxdiff < 1e-3
    test_perf = [p for p in perfs if p["split"] == "test"][0]
    json.dump({"model": name, "onnxruntime": ort.__version__, "performance": test_perf["id"], "steps": golden},
              open(os.path.join(outdir, "golden.json"), "w"))
    F_ = len(COND) + GRID_FEATURES
    config = {
        "id": f"{name}@1", "kind": "drums", "file": f"{name}.onnx", "sha256": sha, "opset": OPSET,
        "inputs": [{"name": "x", "dtype": "int64", "shape": [F_],
                    "features": [n for n, _ in COND] + [f"prev_grid[{SLOTS}x{NCLASS}]"]},
                   {"name": "h", "dtype": "float32", "shape": [1, 1, hp["H"]]}],
        "outputs": [{"name": "hits", "shape": [SLOTS, NCOMBO]}, {"name": "vel", "shape": [SLOTS, NCLASS, NVEL]},
                    {"name": "off", "shape": [SLOTS, NCLASS, NOFF]}, {"name": "h_out", "shape": [1, 1, hp["H"]]}],
        "hidden": hp["H"], "parameters": nparams,
        "classes": CLASSES, "class_gm": CLASS_GM, "styles": STYLES, "meters": METERS, "feels": FEELS,
        "slot_ticks": SLOT_TICKS, "tempo_edges": TEMPO_EDGES, "vel_step": 16, "off_step": OFF_STEP,
        "style_feel": {s: g["feel"] for s, g in grooves(perfs).items()},
    }
    json.dump(config, open(os.path.join(outdir, "config.json"), "w"), indent=1)
    gv = grooves(perfs)
    json.dump({"source": "Groove MIDI Dataset (Gillick et al. 2019), CC BY 4.0; training split, beat bars in 4/4",
               "ppq": 480, "slot_ticks": SLOT_TICKS, "classes": CLASSES,
               "cell": ["slot", "hits", "offset_mean_ticks", "offset_std_ticks", "velocity_mean", "velocity_std"],
               "styles": gv}, open(os.path.join(outdir, "grooves.json"), "w"), separators=(",", ":"))
    metrics = {
        "model": name, "hyperparameters": hp, "parameters": nparams, "seed": SEED, "data": counts,
        "density_edges": edges,
        "test": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in test.items()},
        "trigram_test_nll_per_step": round(tri_test, 4), "trigram_valid_nll": round(tri_valid, 4),
        "trigram_lambdas": lam, "best_valid_score": round(best, 4), "history": hist,
        "train_seconds": round(train_s, 1), "total_seconds": round(time.time() - t0, 1),
        "threads": torch.get_num_threads(), "torch": torch.__version__,
        "onnx_bytes": os.path.getsize(onnx_path), "export_maxdiff": maxdiff,
    }
    json.dump(metrics, open(os.path.join(outdir, "metrics.json"), "w"), indent=1)
    print(json.dumps({k: v for k, v in metrics.items() if k != "history"}, indent=1))
    if test["hits_nll_per_step"] >= tri_test:
        print("WARNING: model does not beat the 3-gram baseline", flush=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
