"""Train, evaluate and export bandmate-melody@2 and the originality indexes.

    python melody2.py --songs SONGS.jsonl [--pieces PIECES.jsonl] [--epochs N] [--minutes M]
                      [--out DIR] [--max-songs N] [--chord-index-only]

SONGS.jsonl: songs in the readers' training format (models/train/corpus, one JSON per line;
only songs with a melody are used for the model, every training song for the chord index).
PIECES.jsonl: the music21 folk tunes and chorales from extract.py (default
models/train/data/pieces.jsonl, used when present and SONGS.jsonl has no songs of the music21
reader, sources "chorales" and "folk"; of the folk tunes, from either, half are used for the melody
model, by hash, for training time; the other half still goes into the chord index).
--chord-index-only: rebuild only chords-originality.bin (and its config/metrics entries) from
SONGS.jsonl's training songs, e.g. after the chord model's training songs changed.

Writes into DIR (default models/melody): bandmate-melody.onnx(.sha256), config.json, golden.json,
metrics.json, originality.bin(.sha256); and models/melody/chords-originality.bin(.sha256) for
chord tracks. Tokens and features: models/melody/tokens.json (its sha256 is the vocab hash).

One step = one event (pitch or rest, duration) with inputs: previous event, position in the bar,
bars left in the section, the chord sounding at the onset as key-relative root + 12-bit
key-relative pitch-class mask + bass, mode, meter, style, section and the register (median pitch
of the sequence above the tonic reference, 0..11) that the engine sets from the user's range.
"""
import hashlib
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from train import Net, Step, batches, evaluate, trigram_nll, sha256_file  # noqa: E402

TOK_PATH = os.path.join(MODELS, "melody", "tokens.json")
TOK_BYTES = open(TOK_PATH, "rb").read()
TOK = json.loads(TOK_BYTES)
TOK_HASH = hashlib.sha256(TOK_BYTES).hexdigest()
SEED = 1234
OPSET = 17
ID = "bandmate-melody@2"
NAME = "bandmate-melody"

PMIN, PMAX = TOK["pitch_min"], TOK["pitch_max"]
NSPEC = len(TOK["pitch_specials"])
NA = NSPEC + PMAX - PMIN + 1
NB = len(TOK["durations"])
MAXD = NB
BOS, REST = 0, 1
NONE12 = 12  # root/bass index for "no chord" / "no separate bass"
FEATURES = TOK["features"]
SIZES = {
    "prev_pitch": NA, "prev_dur": NB + 1, "pos": TOK["positions"],
    "bars_left": len(TOK["bars_left_buckets"]), "root": 13, "bass": 13,
    "mode": len(TOK["modes"]), "meter": len(TOK["meters"]), "style": len(TOK["styles"]),
    "section": len(TOK["sections"]), "register": TOK["registers"],
}
for i in range(12):
    SIZES[f"pc{i}"] = 2
FEATS = [(n, SIZES[n]) for n in FEATURES]
HP = dict(E=128, H=192, L=2, K=48, lr=3e-3, batch=32, epochs=8, dropout=0.1)
MAX_BARS_SEQ = 32  # a section run longer than this is cut into sequences of at most 32 bars
INDEX_K = {"melody": 4, "chords": 3}  # events per hashed window of the originality indexes
M21_SOURCES = ("chorales", "folk")  # readers.py --music21 (then pieces.jsonl is not read)


def tonic_ref(t):
    """Reference MIDI pitch of tonic pitch class t: between G3 and F#4 (engine tokens::tonic_ref)."""
    return 60 + t - (12 if t > 6 else 0)


def pitch_token(rel):
    while rel < PMIN:
        rel += 12
    while rel > PMAX:
        rel -= 12
    return NSPEC + rel - PMIN


def bucket(v, buckets):
    b = 0
    for i, x in enumerate(buckets):
        if v >= x:
            b = i
    return b


def meter_index(m):
    return TOK["meters"].index(m) if m in TOK["meters"] else TOK["meters"].index("other")


# ----------------------------------------------------------------- songs -> sequences
def v2_quality_intervals():
    p = os.path.join(MODELS, "vocab-v2.json")
    if os.path.exists(p):
        return {q["name"]: q["intervals"] for q in json.load(open(p))["qualities"]}
    return {}


QV2 = v2_quality_intervals()
QV1 = {q["name"]: q["intervals"] for q in json.load(open(os.path.join(MODELS, "vocab.json")))["qualities"]}


def mask_of(root, ivs):
    m = 0
    for i in ivs:
        m |= 1 << ((root + i) % 12)
    return m


def from_song(s):
    """Readers' song -> sequences: list of dicts {meta, bars: [(len16, meter, mode, section,
    chords [(on, dur, root, mask, bass)], notes [(on, dur, rel-to-tonic_ref or None)])]}.
    Key-relative everything (local key per bar); tied melody notes merged across barlines."""
    bars = []
    for b in s["bars"]:
        t = b["key"]["tonic"]
        chords = []
        for c in b["chords"]:
            if c["root"] is None or c["q"] not in QV2:
                chords.append((c["on"], c["dur"], None, 0, None))
            else:
                chords.append((c["on"], c["dur"], c["root"], mask_of(c["root"], QV2[c["q"]]),
                               None if c["bass"] is None else (c["root"] + c["bass"]) % 12))
        notes = [(m["on"], m["dur"], None if m["pitch"] is None else m["pitch"] - tonic_ref(t), m.get("tie", False))
                 for m in b["melody"]]
        bars.append(dict(len16=b["len16"], meter=b["meter"], mode=b["key"]["mode"], section=b["section"],
                         chords=chords, notes=notes))
    return bars


def from_piece(p):
    """extract.py piece (folk tune or chorale, one key, one meter) -> bars like from_song."""
    bar16, nb = p["bar16"], p["bars"]
    bars = [dict(len16=bar16, meter=p["meter"], mode=p["mode"], section="other", chords=[], notes=[])
            for _ in range(nb)]
    for lab, st, du in p["chords"]:
        if lab == "NC":
            continue
        r, q = lab.split(":")
        r = int(r)
        b = st // bar16
        if b < nb:
            bars[b]["chords"].append((st % bar16, du, r, mask_of(r, QV1[q]), None))
    # the folk melody's rel pitch is relative to a tonic reference; the register shift in
    # seq_features removes the octave, so only the pitch classes and intervals matter
    for rel, st, du in p["melody"]:
        first = True
        while du > 0:
            b = st // bar16
            if b >= nb:
                break
            d = min(du, bar16 - st % bar16)
            bars[b]["notes"].append((st % bar16, d, rel, not first))
            first = False
            st += d
            du -= d
    return bars


def timeline(bars):
    """Absolute events of a bar list: notes [(start16, dur16, rel|None)] contiguous from 0 (gaps
    become rests, tied continuations merged), chords [(start16, dur16, root, mask, bass)]."""
    notes, chords, t = [], [], 0
    for b in bars:
        for on, du, rel, tie in sorted(b["notes"], key=lambda x: x[0]):
            st = t + on
            if tie and notes and notes[-1][2] == rel and rel is not None and notes[-1][0] + notes[-1][1] == st:
                notes[-1][1] += du
                continue
            end = notes[-1][0] + notes[-1][1] if notes else 0
            if st < end:
                continue  # overlapping note: skipped
            if st > end:
                if notes and notes[-1][2] is None:
                    notes[-1][1] += st - end
                else:
                    notes.append([end, st - end, None])
            if rel is None and notes and notes[-1][2] is None:
                notes[-1][1] += du
            else:
                notes.append([st, du, rel])
        for on, du, r, m, bs in b["chords"]:
            chords.append((t + on, du, r, m, bs))
        t += b["len16"]
    return notes, chords, t


def sequences(bars, meta):
    """Cut a song into section runs (<= MAX_BARS_SEQ bars), each a model sequence."""
    runs, cur = [], []
    for b in bars:
        if cur and (b["section"] != cur[-1]["section"] or len(cur) >= MAX_BARS_SEQ):
            runs.append(cur)
            cur = []
        cur.append(b)
    if cur:
        runs.append(cur)
    out = []
    for r in runs:
        notes, chords, total = timeline(r)
        if sum(1 for n in notes if n[2] is not None) < 4:
            continue
        out.append(dict(meta, bars=r, notes=notes, chords=chords, total=total))
    return out


def register_of(notes):
    rels = sorted(n[2] for n in notes if n[2] is not None)
    med = rels[len(rels) // 2]
    shift = -12 * (med // 12)
    return shift, med + shift


def chord_at(chords, t):
    for st, du, r, m, bs in chords:
        if st <= t < st + du:
            return r, m, bs
    return None, 0, None


def seq_features(q):
    """(X, A, B) of one sequence. Mirrors engine/src/model/melody.rs `Features`."""
    shift, reg = register_of(q["notes"])
    style = TOK["styles"].index(q["style"])
    # bar start times
    starts, t = [], 0
    for b in q["bars"]:
        starts.append(t)
        t += b["len16"]
    nbars = len(q["bars"])
    X, A, B = [], [], []
    pp, pd = BOS, NB
    bi = 0
    for st, du, rel in q["notes"]:
        while du > 0:
            d = min(du, MAXD)
            while bi + 1 < nbars and starts[bi + 1] <= st:
                bi += 1
            b = q["bars"][bi]
            r, m, bs = chord_at(q["chords"], st)
            x = [pp, pd, min(st - starts[bi], TOK["positions"] - 1),
                 bucket(nbars - 1 - bi, TOK["bars_left_buckets"]),
                 NONE12 if r is None else r]
            x += [(m >> i) & 1 for i in range(12)]
            x += [NONE12 if (r is None or bs is None) else bs,
                  TOK["modes"].index(b["mode"]) if b["mode"] in TOK["modes"] else 0,
                  meter_index(b["meter"]), style, TOK["sections"].index(b["section"]), reg]
            a = REST if rel is None else pitch_token(rel + shift)
            X.append(x)
            A.append(a)
            B.append(d - 1)
            pp, pd = a, d - 1
            st += d
            du -= d
    return X, A, B


# ----------------------------------------------------------------- originality indexes
def fnv32(codes):
    """FNV-1a 64 over the little-endian u32 codes, folded to 32 bits (engine originality.rs)."""
    h = 0xcbf29ce484222325
    for c in codes:
        for byte in struct.pack("<I", c & 0xFFFFFFFF):
            h ^= byte
            h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return (h ^ (h >> 32)) & 0xFFFFFFFF


def melody_codes(notes):
    """Melody events for the index: (interval from the previous note, duration in 16ths <= 64),
    one per note after the first; rests ignored (a rest lengthens nothing)."""
    ps = [(n[2], n[1]) for n in notes if n[2] is not None]
    return [(((b[0] - a[0]) & 0xFF) << 8) | min(b[1], 64) for a, b in zip(ps, ps[1:])]


def chord_codes(chords):
    """Chord events: key-relative root, bass (12 = none), mask and duration in 16ths (<= 255);
    the same chord held over barlines is one event."""
    out = []
    merged = []
    for st, du, r, m, bs in chords:
        if merged and merged[-1][1:] == [r, m, bs] and merged[-1][0] + du <= 255:
            merged[-1][0] += du
        else:
            merged.append([du, r, m, bs])
    for du, r, m, bs in merged:
        if r is None:
            out.append(0xFFF00000 | min(du, 255))
        else:
            b = 12 if bs is None else bs
            out.append((r & 0xF) | ((b & 0xF) << 4) | ((m & 0xFFF) << 8) | (min(du, 255) << 20))
    return out


def build_index(songs_codes, k):
    """songs_codes: list of code lists (one per training song). Entries (hash, song, pos)."""
    ent = []
    for si, codes in enumerate(songs_codes):
        for p in range(0, len(codes) - k + 1):
            if p > 0xFFFF:
                break
            ent.append((fnv32(codes[p:p + k]), si & 0xFFFF, p))
    ent.sort()
    return ent


def write_index(path, ent, k, songs):
    with open(path, "wb") as f:
        f.write(b"BMOI")
        f.write(struct.pack("<IIII", 1, k, songs, len(ent)))
        for h, s, p in ent:
            f.write(struct.pack("<IHH", h, s, p))
    sha = sha256_file(path)
    open(path + ".sha256", "w").write(f"{sha}  {os.path.basename(path)}\n")
    return sha


def longest_run(index, codes, k):
    """Longest run of consecutive events of `codes` found at consecutive positions of one
    training song (0 when no window of k events matches). index: dict hash -> set((song, pos))."""
    best = 0
    prev = {}
    for i in range(0, len(codes) - k + 1):
        cur = {}
        for sp in index.get(fnv32(codes[i:i + k]), ()):
            cur[sp] = prev.get((sp[0], sp[1] - 1), 0) + 1
        if cur:
            best = max(best, max(cur.values()) + k - 1)
        prev = cur
    return best


def build_indexes(kinds, train_songs, heldout, outdir):
    """Writes the originality index of each kind ("melody", "chords") into outdir; returns the
    metrics entry of each (file, sha256, counts, the held-out songs' longest shared runs)."""
    orig = {}
    for kind in kinds:
        k = INDEX_K[kind]
        ent = build_index(train_songs[kind], k)
        fname = "originality.bin" if kind == "melody" else "chords-originality.bin"
        sha = write_index(os.path.join(outdir, fname), ent, k, len(train_songs[kind]))
        lookup = {}
        for h, s, p in ent:
            lookup.setdefault(h, set()).add((s, p))
        runs = sorted(longest_run(lookup, c, k) for c in heldout[kind])
        orig[kind] = {"file": fname, "sha256": sha, "k": k, "training_songs": len(train_songs[kind]),
                      "entries": len(ent), "bytes": os.path.getsize(os.path.join(outdir, fname)),
                      "heldout_songs": len(runs),
                      "heldout_longest_run": {f"p{q}": runs[min(len(runs) - 1, len(runs) * q // 100)]
                                              for q in (10, 25, 50, 75, 90, 99)} if runs else {},
                      "heldout_histogram": {str(v): runs.count(v) for v in sorted(set(runs))}}
        print(kind, "index", {x: orig[kind][x] for x in ("entries", "bytes", "heldout_longest_run")}, flush=True)
    return orig


def chord_index_only(args, outdir):
    """--chord-index-only: rebuilds chords-originality.bin from the training songs (after the chord
    model's training songs changed) and updates its entry in config.json and metrics.json; the
    melody model and its index stay as they are."""
    _, _, train_songs, heldout = load_all(args)
    orig = build_indexes(("chords",), train_songs, heldout, outdir)["chords"]
    cfg_path, met_path = os.path.join(outdir, "config.json"), os.path.join(outdir, "metrics.json")
    cfg = json.load(open(cfg_path))
    cfg["originality"]["chords"] = {"file": orig["file"], "sha256": orig["sha256"], "k": orig["k"]}
    json.dump(cfg, open(cfg_path, "w"), indent=1)
    if os.path.exists(met_path):
        met = json.load(open(met_path))
        met["originality"]["chords"] = orig
        json.dump(met, open(met_path, "w"), indent=1)
    return 0


# ----------------------------------------------------------------- main
def load_all(args):
    songs_path = args[args.index("--songs") + 1] if "--songs" in args else os.path.join(HERE, "data", "songs.jsonl")
    pieces_path = args[args.index("--pieces") + 1] if "--pieces" in args else os.path.join(HERE, "data", "pieces.jsonl")
    seqs = {"train": [], "valid": [], "test": []}
    counts = {}
    train_songs = {"melody": [], "chords": []}
    heldout = {"melody": [], "chords": []}

    def add(split, source, style, sid, bars):
        meta = dict(source=source, style=style, id=sid, split=split)
        qs = sequences(bars, meta)
        notes, chords, _ = timeline(bars)
        c = counts.setdefault(f"{source}/{split}", {"songs": 0, "sequences": 0, "events": 0, "notes": 0})
        c["songs"] += 1
        c["sequences"] += len(qs)
        c["notes"] += sum(1 for n in notes if n[2] is not None)
        for q in qs:
            seqs[split].append(q)
        mc = melody_codes(notes)
        cc = chord_codes(chords)
        dest = train_songs if split == "train" else (heldout if split == "test" else None)
        if dest is not None:
            if len(mc) >= 2:
                dest["melody"].append(mc)
            if len(cc) >= 2:
                dest["chords"].append(cc)

    nsongs = 0
    m21 = False  # songs from the music21 reader (readers.py --music21) replace pieces.jsonl
    if os.path.exists(songs_path):
        limit = int(args[args.index("--max-songs") + 1]) if "--max-songs" in args else None
        for line in open(songs_path):
            s = json.loads(line)
            if s["style"] not in TOK["styles"]:
                continue
            bars = from_song(s)
            m21 = m21 or s["source"] in M21_SOURCES
            half_out = s["source"] == "folk" and int(hashlib.sha256(s["id"].encode()).hexdigest()[:8], 16) % 2
            if not s.get("has_melody") or half_out:  # half_out: the folk half left out of melody training
                # chord index only
                _, chords, _ = timeline(bars)
                cc = chord_codes(chords)
                if s["split"] == "train" and len(cc) >= 2:
                    train_songs["chords"].append(cc)
                elif s["split"] == "test" and len(cc) >= 2:
                    heldout["chords"].append(cc)
                continue
            add(s["split"], s["source"], s["style"], s["id"], bars)
            nsongs += 1
            if limit and nsongs >= limit:
                break
    if os.path.exists(pieces_path) and not m21:
        for line in open(pieces_path):
            p = json.loads(line)
            if not p.get("melody") or p["style"] not in ("folk", "chorale"):
                continue
            if p["style"] == "folk" and int(hashlib.sha256(p["file"].encode()).hexdigest()[:8], 16) % 2:
                continue  # half of the folk tunes (training time on 2 cores)
            add(p["split"], p["source"], p["style"], p["file"], from_piece(p))
    return seqs, counts, train_songs, heldout


def main():
    args = sys.argv[1:]
    if "--help" in args or "-h" in args:
        print(__doc__)
        return 0
    hp = dict(HP)
    if "--epochs" in args:
        hp["epochs"] = int(args[args.index("--epochs") + 1])
    minutes = float(args[args.index("--minutes") + 1]) if "--minutes" in args else 25.0
    outdir = args[args.index("--out") + 1] if "--out" in args else os.path.join(MODELS, "melody")
    if "--chord-index-only" in args:
        return chord_index_only(args, outdir)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    seqs, counts, train_songs, heldout = load_all(args)
    data, groups = {}, {}
    for split, qs in seqs.items():
        data[split] = []
        groups[split] = []
        for q in qs:
            X, A, B = seq_features(q)
            data[split].append((X, A, B))
            groups[split].append((q["source"], q["style"]))
    for split in data:
        for (src, _), (_, A, _) in zip(groups[split], data[split]):
            counts[f"{src}/{split}"]["events"] += len(A)
    print(json.dumps(counts, indent=1), flush=True)

    # originality indexes (training songs) and the held-out songs' own overlap
    os.makedirs(outdir, exist_ok=True)
    orig = build_indexes(("melody", "chords"), train_songs, heldout, outdir)

    net = Net(FEATS, NA, NB, hp["E"], hp["H"], hp["L"], hp["K"], hp["dropout"])
    nparams = sum(p.numel() for p in net.parameters())
    print("params", nparams, {k: len(v) for k, v in data.items()}, flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=hp["lr"], weight_decay=0.01)
    steps_per_epoch = math.ceil(len(data["train"]) / hp["batch"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=hp["lr"], total_steps=max(20, steps_per_epoch * hp["epochs"]),
                                                pct_start=0.1)
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
    # per source and per style, model vs 3-gram (3-gram trained on the whole train split)
    per = {}
    for field in (0, 1):
        keys = sorted(set(g[field] for g in groups["test"]))
        for key in keys:
            sub = [d for d, g in zip(data["test"], groups["test"]) if g[field] == key]
            mt = evaluate(net, sub)
            tt = trigram_nll(data["train"], data["valid"], sub)[0]
            per[("source:" if field == 0 else "style:") + key] = {
                "events": mt[3], "nll": round(mt[0], 4), "trigram": round(tt, 4),
                "gain": round(1 - mt[0] / tt, 4)}
            print(key, per[("source:" if field == 0 else "style:") + key], flush=True)

    # ------------------------------------------------------------- export
    onnx_path = os.path.join(outdir, f"{NAME}.onnx")
    step = Step(net).eval()
    gi = next(i for i, (d, q) in enumerate(zip(data["test"], seqs["test"])) if len(d[1]) >= 8 and all(
        (b["len16"], b["mode"], b["section"], b["meter"]) == (q["bars"][0]["len16"], q["bars"][0]["mode"],
                                                              q["bars"][0]["section"], q["bars"][0]["meter"])
        for b in q["bars"]))
    X, A, B = data["test"][gi]
    x0 = torch.tensor(X[0], dtype=torch.long)
    h0 = torch.zeros(hp["L"], 1, hp["H"])
    torch.onnx.export(step, (x0, h0), onnx_path, opset_version=OPSET, dynamo=False,
                      input_names=["x", "h"], output_names=["logits_a", "logits_b", "h_out"])
    sha = sha256_file(onnx_path)
    open(onnx_path + ".sha256", "w").write(f"{sha}  {NAME}.onnx\n")
    import onnxruntime as ort
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    steps = min(8, len(A))
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
    q = seqs["test"][gi]
    # a held-out sequence in engine terms, for the Rust feature-parity test
    gseq = {"source": q["source"], "style": q["style"], "section": q["bars"][0]["section"],
            "mode": q["bars"][0]["mode"], "meter": q["bars"][0]["meter"], "bar16": q["bars"][0]["len16"],
            "bars": len(q["bars"]),
            "register_shift": register_of(q["notes"])[0], "notes": q["notes"], "chords": q["chords"],
            "x": X}
    json.dump({"model": NAME, "onnxruntime": ort.__version__, "sequence": gseq, "steps": golden},
              open(os.path.join(outdir, "golden.json"), "w"))
    config = {
        "id": ID, "kind": "melody", "file": f"{NAME}.onnx", "sha256": sha,
        "vocab_hash": TOK_HASH, "vocab_file": "tokens.json", "opset": OPSET,
        "inputs": [{"name": "x", "dtype": "int64", "shape": [len(FEATS)], "features": FEATURES},
                   {"name": "h", "dtype": "float32", "shape": [hp["L"], 1, hp["H"]]}],
        "outputs": [{"name": "logits_a", "shape": [1, NA]}, {"name": "logits_b", "shape": [NA, NB]},
                    {"name": "h_out", "shape": [hp["L"], 1, hp["H"]]}],
        "layers": hp["L"], "hidden": hp["H"], "parameters": nparams,
        "originality": {k: {"file": v["file"], "sha256": v["sha256"], "k": v["k"]} for k, v in orig.items()},
    }
    json.dump(config, open(os.path.join(outdir, "config.json"), "w"), indent=1)
    metrics = {
        "model": ID, "hyperparameters": hp, "parameters": nparams, "seed": SEED,
        "sequences": {k: len(v) for k, v in data.items()}, "counts": counts,
        "test_nll_per_event": round(test[0], 4), "test_nll_symbol": round(test[1], 4),
        "test_nll_duration": round(test[2], 4), "test_events": test[3],
        "trigram_test_nll_per_event": round(tri_test, 4), "trigram_valid_nll": round(tri_valid, 4),
        "trigram_lambdas": lam, "gain_vs_trigram": round(1 - test[0] / tri_test, 4),
        "per_group": per, "best_valid_nll": round(best, 4), "history": hist,
        "train_seconds": round(train_s, 1), "total_seconds": round(time.time() - t0, 1),
        "threads": torch.get_num_threads(), "torch": torch.__version__,
        "onnx_bytes": os.path.getsize(onnx_path), "export_maxdiff": maxdiff, "originality": orig,
    }
    json.dump(metrics, open(os.path.join(outdir, "metrics.json"), "w"), indent=1)
    print(json.dumps({k: v for k, v in metrics.items() if k not in ("history", "per_group")}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
