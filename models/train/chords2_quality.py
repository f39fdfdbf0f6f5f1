"""Chord model v2 clips against each style's held-out songs (the docs/QUALITY.md chord table).

    python chords2_quality.py [--data models/train/data/v2.jsonl] [--clips 40] [--json]

Per style with test songs: samples --clips 8-bar clips (seeded; temperature 1; section verse;
the style's most common mode, meter, harmonic-rhythm and complexity buckets in the training
split) through ONNX Runtime and compares them with the style's test songs: distinct chord tokens
in the first N events of each (N = the smaller event count), Jensen-Shannon divergence of chord-quality and root-motion distributions,
ii-V-I share (rising fourth twice, minor/dominant/tonic qualities) and bar repetition (share of
bars equal to the bar before), for v2 and for v1 (`bandmate-chords@1`, style "pop", the nearest
of its three styles, same mode and meter). Also times v2 8-bar clips (ms, onnxruntime, 1 thread).
"""
import argparse
import json
import math
import os
import sys
import time
from collections import Counter

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import train_chords2 as tc  # noqa: E402
from corpus import common  # noqa: E402

MINORISH = {"min", "m7", "m9", "m11", "m6", "madd9", "mmaj7", "m7b5"}
DOMISH = {"7", "9", "13", "11", "7b9", "7#9", "7sus4"}


def parse(tok):
    root, rest = tok.split(":")
    return int(root), rest.split("/")[0]


def js(p, q):
    keys = set(p) | set(q)
    sp, sq = sum(p.values()) or 1, sum(q.values()) or 1
    d = 0.0
    for k in keys:
        a, b = p.get(k, 0) / sp, q.get(k, 0) / sq
        m = (a + b) / 2
        if a:
            d += 0.5 * a * math.log2(a / m)
        if b:
            d += 0.5 * b * math.log2(b / m)
    return d


def stats(clips):
    """clips: list of [(token, start16, dur16)] with bar length 16 or 12 (len16 in tuple 4)."""
    qual, motion, toks = Counter(), Counter(), Counter()
    n = iiv = windows = 0
    rep = bars = 0
    for evs, bar16 in clips:
        chords = [parse(t) for t, _, _ in evs if t not in ("NC", "BOS")]
        for t, _, _ in evs:
            toks[t] += 1
        n += len(evs)
        for r, q in chords:
            qual[q] += 1
        for (r1, _), (r2, _) in zip(chords, chords[1:]):
            motion[(r2 - r1) % 12] += 1
        for a, b, c in zip(chords, chords[1:], chords[2:]):
            windows += 1
            if (b[0] - a[0]) % 12 == 5 and (c[0] - b[0]) % 12 == 5 and a[1] in MINORISH and b[1] in DOMISH and c[1] not in DOMISH:
                iiv += 1
        content = {}
        for t, st, du in evs:
            for x in range(st, st + du):
                content.setdefault(x // bar16, []).append((t, x % bar16))
        keys = sorted(content)
        for k0, k1 in zip(keys, keys[1:]):
            bars += 1
            rep += content[k0] == content[k1]
    seq = [t for evs, _ in clips for t, _, _ in evs]
    return {"events": n, "seq": seq,
            "qual": qual, "motion": motion, "iiVI": round(iiv / max(windows, 1), 3),
            "bar_repetition": round(rep / max(bars, 1), 3)}


def song_events(song):
    evs = tc.events_of(song)
    return [(e[0], e[1], e[2]) for e in evs], song["bars"][0]["len16"]


def sample_clip(cfg, sess, rng, style, mode, meter, hr, cx, bars=8):
    tok = cfg["tokens"]
    bar16 = common.meter_len16(meter) if meter != "other" else 16
    total = bars * bar16
    h = np.zeros(tuple(cfg["inputs"][1]["shape"]), dtype=np.float32)
    prev_c, prev_d, t = tok.index("BOS"), tc.MAX_DUR, 0
    evs = []
    bos = tok.index("BOS")
    while t < total:
        bi = t // bar16
        x = [prev_c, prev_d, min(t % bar16, tc.POSITIONS - 1), tc.bucket(bars - 1 - bi, tc.BARS_LEFT),
             cfg["modes"].index(mode), cfg["meters"].index(meter), cfg["styles"].index(style),
             cfg["sections"].index("verse"), hr, cx]
        la, lb, h = sess.run(None, {"x": np.array(x, dtype=np.int64), "h": h})
        pa = np.exp(la[0] - la[0].max())
        pa[bos] = 0
        pa /= pa.sum()
        a = int(rng.choice(len(pa), p=pa))
        pb = np.exp(lb[a] - lb[a].max())
        pb[total - t:] = 0
        pb /= pb.sum()
        b = int(rng.choice(len(pb), p=pb))
        evs.append((tok[a], t, b + 1))
        t += b + 1
        prev_c, prev_d = a, b
    return evs, bar16


V1_NAMES = {"dom7": "7", "min7": "m7", "hdim7": "m7b5"}


def sample_clip_v1(sess, vocab, rng, mode, meter, bars=8):
    """A v1 clip (style "pop", the nearest v1 has) in v2 token spelling; v1 chords end at barlines."""
    tok = vocab["chords"]
    bar16 = common.meter_len16(meter) if meter != "other" else 16
    total = bars * bar16
    h = np.zeros((2, 1, 192), dtype=np.float32)
    nd = len(vocab["chord_durations"])
    prev_c, prev_d, t = tok.index("BOS"), nd, 0
    evs = []
    meter_i = vocab["meters"].index(meter) if meter in vocab["meters"] else vocab["meters"].index("other")
    while t < total:
        bi = t // bar16
        x = [prev_c, prev_d, min(t % bar16, vocab["positions"] - 1), tc.bucket(bars - 1 - bi, vocab["bars_left_buckets"]),
             vocab["modes"].index(mode), meter_i, vocab["styles"].index("pop"), tc.bucket(bars, vocab["len_buckets"])]
        la, lb, h = sess.run(None, {"x": np.array(x, dtype=np.int64), "h": h})
        pa = np.exp(la[0] - la[0].max())
        pa[tok.index("BOS")] = 0
        pa /= pa.sum()
        a = int(rng.choice(len(pa), p=pa))
        pb = np.exp(lb[a] - lb[a].max())
        pb[bar16 - t % bar16:] = 0
        pb /= pb.sum()
        b = int(rng.choice(len(pb), p=pb))
        name = tok[a]
        if ":" in name:
            r, q = name.split(":")
            name = f"{r}:{V1_NAMES.get(q, q)}"
        evs.append((name, t, b + 1))
        t += b + 1
        prev_c, prev_d = a, b
    return evs, bar16


def main(argv=None):
    import onnxruntime as ort

    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "data", "v2.jsonl"))
    ap.add_argument("--model", default=os.path.join(os.path.dirname(HERE), "chords", "v2"))
    ap.add_argument("--clips", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--out", default=None, help="splice the table into this markdown file (docs/QUALITY.md)")
    a = ap.parse_args(argv)
    cfg = json.load(open(os.path.join(a.model, "config.json")))
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(a.model, cfg["file"]), so, providers=["CPUExecutionProvider"])
    songs = [json.loads(ln) for ln in open(a.data, encoding="utf-8")]
    models = os.path.dirname(HERE)
    v1_vocab = json.load(open(os.path.join(models, "vocab.json")))
    v1 = ort.InferenceSession(os.path.join(models, "chords", "bandmate-chords.onnx"), so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1234)
    out = {}
    times = []
    for style in cfg["styles"]:
        test = [s for s in songs if s["style"] == style and s["split"] == "test"]
        train = [s for s in songs if s["style"] == style and s["split"] == "train"]
        if not test or not train:
            continue
        conds = Counter()
        for s in train:
            evs = tc.events_of(s)
            hr, cx = tc.song_cond(s, evs)
            m = s["bars"][0]["meter"]
            conds[(s["bars"][0]["key"]["mode"], m if m in cfg["meters"] else "other", hr, cx)] += 1
        mode, meter, hr, cx = conds.most_common(1)[0][0]
        clips = []
        for _ in range(a.clips):
            t0 = time.perf_counter()
            clips.append(sample_clip(cfg, sess, rng, style, mode, meter, hr, cx))
            times.append(1000 * (time.perf_counter() - t0))
        ref = stats([song_events(s) for s in test])
        gen = stats(clips)
        old = stats([sample_clip_v1(v1, v1_vocab, rng, mode, meter) for _ in range(a.clips)])
        n_eq = min(len(gen["seq"]), len(ref["seq"]))
        out[style] = {
            "test_songs": len(test), "condition": [mode, meter, cfg["harmonic_rhythm"][hr], cfg["complexity"][cx]],
            "distinct_tokens": [len(set(gen["seq"][:n_eq])), len(set(ref["seq"][:n_eq])), n_eq],
            "distinct_tokens_v1": len(set(old["seq"][:n_eq])),
            "js_quality": round(js(gen["qual"], ref["qual"]), 3),
            "js_root_motion": round(js(gen["motion"], ref["motion"]), 3),
            "js_quality_v1": round(js(old["qual"], ref["qual"]), 3),
            "js_root_motion_v1": round(js(old["motion"], ref["motion"]), 3),
            "iiVI": [gen["iiVI"], ref["iiVI"], old["iiVI"]],
            "bar_repetition": [gen["bar_repetition"], ref["bar_repetition"], old["bar_repetition"]],
        }
    times.sort()
    out["_latency_ms_8_bars"] = {"median": round(times[len(times) // 2], 2), "p95": round(times[int(len(times) * 0.95)], 2)}
    if a.json:
        print(json.dumps(out, indent=1))
        return 0
    lines = []
    print_ = lines.append
    if True:
        print_("| style | test songs | condition | distinct chords in N events: v2, v1, test (N) | JS quality v2 / v1 | JS root motion v2 / v1 | ii-V-I v2, v1, test | bar repetition v2, v1, test |")
        print_("|---|---|---|---|---|---|---|---|")
        for st, r in out.items():
            if st.startswith("_"):
                continue
            print_(f"| {st} | {r['test_songs']} | {' '.join(r['condition'])} | {r['distinct_tokens'][0]}, {r['distinct_tokens_v1']}, {r['distinct_tokens'][1]} ({r['distinct_tokens'][2]}) | "
                  f"{r['js_quality']} / {r['js_quality_v1']} | {r['js_root_motion']} / {r['js_root_motion_v1']} | "
                  f"{r['iiVI'][0]}, {r['iiVI'][2]}, {r['iiVI'][1]} | {r['bar_repetition'][0]}, {r['bar_repetition'][2]}, {r['bar_repetition'][1]} |")
        print_(f"8-bar clip latency (onnxruntime, Python, 1 thread): {out['_latency_ms_8_bars']}")
    text = "\n".join(lines)
    print(text)
    if a.out:
        start, end = "<!-- chords-v2-eval:start -->", "<!-- chords-v2-eval:end -->"
        md = open(a.out, encoding="utf-8").read()
        block = (f"{start}\n## Chords: v1 and v2 against each style's held-out songs\n\n"
                 f"Written by `models/train/chords2_quality.py --clips {a.clips} --out docs/QUALITY.md` "
                 "(definitions in its docstring; JS = Jensen-Shannon divergence in bits, lower is closer "
                 "to the style's test songs; v1 has no style but \"pop\" for these). v2 is not yet the "
                 "engine's chord generator: these clips are sampled from its ONNX file in Python.\n\n"
                 f"{text}\n{end}")
        if start in md and end in md:
            md = md[:md.index(start)] + block + md[md.index(end) + len(end):]
        else:
            md = md.rstrip("\n") + "\n\n" + block + "\n"
        open(a.out, "w", encoding="utf-8").write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
