"""Extract chord and melody training data from the music21 corpus.

Writes models/train/data/pieces.jsonl (one JSON object per piece) and
models/train/data/extract_stats.json. Cached: rerun only if the output is missing
or --force is given.

Each piece: {source, file, split, style, mode, meter, bars, bar16,
             chords: [[label, start16, dur16], ...],      # label "root:quality", root rel. to tonic
             melody: [[rel_pitch|null, start16, dur16], ...]}  # contiguous, null = rest

Sources (see models/*/README.md for the counts actually used):
  * Bach chorales (bach/bwv*.mxl, 4 parts): chord track from all voices per beat
    (chordify-style pitch-class weights -> best chord template); where an expert
    Roman-numeral analysis exists (bach/choraleAnalyses/*.rntxt, matched by BWV
    number) the expert chords are used instead and the agreement of the automatic
    labeler with the experts is measured.  Melody = soprano.
  * Folk melodies (Essen, O'Neill's 1850, Ryan's Mammoth; capped, see FOLK_CAPS):
    chord labels are DERIVED by the harmonization procedure in harmonize_melody().
  * "pop" style: progressions written out from common pop/jazz practice
    (POP_PROGRESSIONS below), chords only.
Splits are by source file: sha256(file path) -> train/valid/test (80/10/10).
"""
import hashlib
import json
import math
import os
import sys
import time
from multiprocessing import Pool

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
VOCAB = json.load(open(os.path.join(ROOT, "vocab.json")))
QUALS = {q["name"]: q["intervals"] for q in VOCAB["qualities"]}
METERS = VOCAB["meters"]

# Number of files taken from each folk collection (sorted by name) to keep
# extraction within a few minutes on a 2-core machine.
FOLK_CAPS = {"essenFolksong": 12, "oneills1850": 39, "ryansMammoth": 300}


def split_of(path):
    h = int(hashlib.sha256(path.encode()).hexdigest(), 16) % 100
    return "train" if h < 80 else ("valid" if h < 90 else "test")


def meter_str(ts):
    s = f"{ts.numerator}/{ts.denominator}"
    return s if s in METERS else "other"


# ---------------------------------------------------------------- chord labels
def template_score(weights, root, q, bass_pc=None):
    tones = set((root + i) % 12 for i in QUALS[q])
    tot = sum(weights.values()) or 1.0
    inn = sum(w for pc, w in weights.items() if pc in tones)
    out = tot - inn
    missing = sum(1 for t in tones if weights.get(t, 0.0) <= 1e-9)
    s = (inn - 1.0 * out) / tot - 0.25 * missing
    if weights.get(root, 0) <= 1e-9:
        s -= 0.4
    if bass_pc is not None and bass_pc == root:
        s += 0.15
    if q in ("aug", "sus4"):
        s -= 0.15
    if len(QUALS[q]) == 4:
        s -= 0.05
    return s


def best_chord(weights, bass_pc):
    best, bs = None, -1e9
    for root in range(12):
        for q in QUALS:
            s = template_score(weights, root, q, bass_pc)
            if s > bs:
                best, bs = (root, q), s
    return best


def quality_from_pcs(root, pcs):
    ivs = set((p - root) % 12 for p in pcs)
    best, bs = "maj", -99
    for q, iv in QUALS.items():
        s = len(ivs & set(iv)) * 2 - len(ivs ^ set(iv))
        if s > bs:
            best, bs = q, s
    return best


def merge_segments(segs, bar16):
    """segs: list of (label, start, dur) on a grid; merge equal neighbours inside a bar."""
    out = []
    for lab, st, du in segs:
        if out and out[-1][0] == lab and out[-1][1] // bar16 == st // bar16 and out[-1][1] + out[-1][2] == st:
            out[-1][2] += du
        else:
            out.append([lab, st, du])
    return out


# ---------------------------------------------------------------- harmonization of melodies
def harm_candidates(mode):
    # (root rel. tonic, quality, prior)
    if mode == "major":
        return [(0, "maj", 0.30), (2, "min", 0.0), (4, "min", -0.05), (5, "maj", 0.20), (7, "maj", 0.25),
                (9, "min", 0.05), (7, "dom7", 0.10), (2, "maj", -0.30), (4, "maj", -0.35)]
    return [(0, "min", 0.30), (5, "min", 0.15), (7, "maj", 0.20), (7, "min", 0.0), (3, "maj", 0.10),
            (8, "maj", 0.05), (10, "maj", 0.10), (2, "dim", -0.20), (7, "dom7", 0.05)]


def harmonize_melody(notes, mode, bar16, seg16, total16, beat16=4):
    """Derived chord labels for a melody (tonic-relative pitch classes).

    Per segment (half bar in 4/4, 2/2, 12/8; one bar otherwise) score every candidate
    (diatonic triads of the mode, V7 and the secondary dominants V/V and V/vi in major)
    by the metrically weighted melody notes it covers: weight = sounding length in the
    segment x (2.0 at the segment start, 1.5 on other beats, 1.0 off-beat); chord tones
    count +1, other notes -0.7, plus a small prior (tonic, dominant, subdominant
    favoured).  A Viterbi pass adds +0.15 for keeping the chord, +0.2 for V(7)->I,
    +0.25 for a secondary dominant resolving to its target, and asks the first and
    last segment for the tonic.  Equal neighbours inside a bar are merged."""
    cands = harm_candidates(mode)
    nseg = total16 // seg16
    seg_scores = []
    for si in range(nseg):
        s0, s1 = si * seg16, (si + 1) * seg16
        w = {}
        for p, st, du in notes:
            if p is None:
                continue
            a, b = max(st, s0), min(st + du, s1)
            if b <= a:
                continue
            mw = 2.0 if st == s0 else (1.5 if (st - s0) % beat16 == 0 and st >= s0 else 1.0)
            w[p % 12] = w.get(p % 12, 0.0) + (b - a) * mw
        tot = sum(w.values())
        row = []
        for root, q, prior in cands:
            tones = set((root + i) % 12 for i in QUALS[q])
            if tot == 0:
                row.append(prior)
                continue
            sc = sum(v if pc in tones else -0.7 * v for pc, v in w.items()) / tot
            row.append(sc + prior)
        seg_scores.append(row)
    n = len(cands)
    tonic = 0

    def trans(i, j):
        (r1, q1, _), (r2, q2, _) = cands[i], cands[j]
        t = 0.0
        if i == j:
            t += 0.15
        if r1 == 7 and q1 in ("maj", "dom7") and r2 == 0:
            t += 0.2
        if q1 == "maj" and r1 in (2, 4) and r2 == (r1 + 5) % 12:
            t += 0.25
        return t

    if nseg == 0:
        return []
    dp = [list(seg_scores[0])]
    dp[0][tonic] += 0.5
    bp = []
    for si in range(1, nseg):
        row, brow = [], []
        for j in range(n):
            best, bi = -1e9, 0
            for i in range(n):
                v = dp[-1][i] + trans(i, j)
                if v > best:
                    best, bi = v, i
            row.append(best + seg_scores[si][j])
            brow.append(bi)
        dp.append(row)
        bp.append(brow)
    dp[-1][tonic] += 0.5
    j = max(range(n), key=lambda k: dp[-1][k])
    path = [j]
    for brow in reversed(bp):
        j = brow[j]
        path.append(j)
    path.reverse()
    segs = [(f"{cands[k][0]}:{cands[k][1]}", si * seg16, seg16) for si, k in enumerate(path)]
    return merge_segments(segs, bar16)


# ---------------------------------------------------------------- music21 helpers
def key_info(score):
    k = score.analyze("key")
    mode = "minor" if k.mode == "minor" else "major"
    return k.tonic.pitchClass, mode


def tonic_ref(tpc):
    return 60 + tpc - (12 if tpc > 6 else 0)


def melody_events(part_notes, tpc, start16, total16):
    """part_notes: list of (midi, on16, off16) -> contiguous [[rel|None, st, du]] within [0,total16)."""
    ref = tonic_ref(tpc)
    lo, hi = VOCAB["melody_pitch_min"], VOCAB["melody_pitch_max"]
    ns = []
    for m, a, b in sorted(part_notes, key=lambda x: (x[1], -x[0])):
        a -= start16
        b -= start16
        a, b = max(a, 0), min(b, total16)
        if b <= a:
            continue
        if ns and a < ns[-1][2]:
            if a == ns[-1][1]:
                continue  # same onset: keep the highest
            ns[-1][2] = a
        rel = m - ref
        while rel < lo:
            rel += 12
        while rel > hi:
            rel -= 12
        ns.append([rel, a, b])
    out, t = [], 0
    for rel, a, b in ns:
        if a > t:
            out.append([None, t, a - t])
        out.append([rel, a, b - a])
        t = b
    if t < total16:
        out.append([None, t, total16 - t])
    return out


def grid_ok(vals, tol=0.1):
    bad = sum(1 for v in vals if abs(v * 4 - round(v * 4)) > 1e-3)
    return bad <= tol * max(1, len(vals))


def score_timeline(score):
    """Returns (ts, start16 (pickup skipped), total16 whole bars) or None."""
    from music21 import meter
    tss = list(score.recurse().getElementsByClass(meter.TimeSignature))
    if not tss:
        return None
    sigs = set((t.numerator, t.denominator) for t in tss)
    if len(sigs) != 1:
        return None
    ts = tss[0]
    bar16 = round(ts.barDuration.quarterLength * 4)
    if bar16 < 2 or bar16 > 32:
        return None
    part = score.parts[0] if hasattr(score, "parts") and len(score.parts) else score
    ms = list(part.getElementsByClass("Measure"))
    if not ms:
        return None
    first = ms[0]
    fl = round(first.duration.quarterLength * 4)
    start16 = fl if 0 < fl < bar16 else 0
    end16 = round(part.highestTime * 4)
    total16 = ((end16 - start16) // bar16) * bar16
    if total16 < bar16 * 2:
        return None
    return ts, bar16, start16, total16


def notes_of(stream_):
    out = []
    for n in stream_.recurse().notes:
        if n.duration.quarterLength <= 0:
            continue
        off = n.getOffsetInHierarchy(stream_)
        end = off + n.duration.quarterLength
        ps = [p.midi for p in n.pitches]
        out.append((max(ps), min(ps), off, end))
    return out


# ---------------------------------------------------------------- chorales
def rn_analysis(path):
    from music21 import converter
    r = converter.parse(path, format="romantext")
    rns = list(r.recurse().getElementsByClass("RomanNumeral"))
    if not rns:
        return None
    out = []
    for x in rns:
        off = x.getOffsetInHierarchy(r)
        try:
            root = x.root().pitchClass
            q = quality_from_pcs(root, x.pitchClasses)
        except Exception:
            continue
        out.append((off, root, q))
    return out


def chorale_job(args):
    rel, path, rn_path = args
    from music21 import converter
    try:
        s = converter.parse(path)
        if len(s.parts) != 4:
            return None
        tl = score_timeline(s)
        if tl is None:
            return None
        ts, bar16, start16, total16 = tl
        tpc, mode = key_info(s)
        allnotes = []
        for p in s.parts:
            allnotes += [(hi, lo, off * 4, end * 4) for hi, lo, off, end in notes_of(p)]
        if not grid_ok([a / 4 for _, _, a, _ in allnotes]):
            return None
        # automatic labels per quarter
        beat = 4
        nb = total16 // beat
        auto = []
        for bi in range(nb):
            a0 = start16 + bi * beat
            a1 = a0 + beat
            w, bass = {}, (999, None)
            for hi, lo, a, b in allnotes:
                ov = min(b, a1) - max(a, a0)
                if ov <= 0:
                    continue
                for m in {hi, lo}:
                    w[m % 12] = w.get(m % 12, 0.0) + ov
                if lo < bass[0]:
                    bass = (lo, lo % 12)
            if not w:
                auto.append(None)
                continue
            auto.append(best_chord(w, bass[1]))
        labels = auto
        agree = None
        if rn_path:
            rn = rn_analysis(rn_path)
            if rn:
                exp = []
                for bi in range(nb):
                    t = (start16 + bi * beat) / 4.0 + 1e-6
                    cur = None
                    for off, root, q in rn:
                        if off <= t:
                            cur = (root, q)
                        else:
                            break
                    exp.append(cur)
                pairs = [(a, e) for a, e in zip(auto, exp) if a and e]
                tri = lambda q: {"dom7": "maj", "maj7": "maj", "min7": "min", "hdim7": "dim", "dim7": "dim"}.get(q, q)
                agree = {
                    "beats": len(pairs),
                    "root": sum(a[0] == e[0] for a, e in pairs),
                    "root_triad": sum(a[0] == e[0] and tri(a[1]) == tri(e[1]) for a, e in pairs),
                    "exact": sum(a == e for a, e in pairs),
                }
                labels = [e if e else a for a, e in zip(auto, exp)]
        segs = []
        for bi, lab in enumerate(labels):
            name = "NC" if lab is None else f"{(lab[0] - tpc) % 12}:{lab[1]}"
            segs.append((name, bi * beat, beat))
        chords = merge_segments(segs, bar16)
        sop = [(hi, a, b) for hi, lo, a, b in [(hi, lo, off * 4, end * 4) for hi, lo, off, end in notes_of(s.parts[0])]]
        sop = [(m, round(a), round(b)) for m, a, b in sop]
        mel = melody_events(sop, tpc, start16, total16)
        return {"source": "bach-chorales", "file": rel, "split": split_of(rel), "style": "chorale",
                "mode": mode, "meter": meter_str(ts), "bar16": bar16, "bars": total16 // bar16,
                "chords": chords, "melody": mel, "expert": agree is not None, "agree": agree}
    except Exception as e:  # noqa
        return {"error": f"{rel}: {e}"}


# ---------------------------------------------------------------- folk
def folk_job(args):
    rel, path = args
    from music21 import converter, stream
    out = []
    try:
        o = converter.parse(path)
    except Exception as e:
        return [{"error": f"{rel}: {e}"}]
    scores = list(o.scores) if isinstance(o, stream.Opus) else [o]
    for si, s in enumerate(scores):
        try:
            tl = score_timeline(s)
            if tl is None:
                continue
            ts, bar16, start16, total16 = tl
            ns = notes_of(s)
            if len(ns) < 8 or not grid_ok([n[2] for n in ns] + [n[3] for n in ns]):
                continue
            tpc, mode = key_info(s)
            mel = melody_events([(hi, round(a * 4), round(b * 4)) for hi, lo, a, b in ns], tpc, start16, total16)
            seg16 = bar16 // 2 if (ts.numerator, ts.denominator) in ((4, 4), (2, 2), (12, 8)) else bar16
            notes_rel = [(p, st, du) for p, st, du in mel]
            chords = harmonize_melody(notes_rel, mode, bar16, seg16, total16, 6 if ts.denominator == 8 and ts.numerator % 3 == 0 else 4)
            out.append({"source": rel.split("/")[0], "file": rel, "index": si, "split": split_of(rel),
                        "style": "folk", "mode": mode, "meter": meter_str(ts), "bar16": bar16,
                        "bars": total16 // bar16, "chords": chords, "melody": mel})
        except Exception as e:  # noqa
            out.append({"error": f"{rel}#{si}: {e}"})
    return out


# ---------------------------------------------------------------- pop (written out)
# Roman-numeral progressions from common pop/jazz practice, tagged style "pop".
# (root rel. tonic, quality) per chord.
_M = {"I": (0, "maj"), "ii": (2, "min"), "iii": (4, "min"), "IV": (5, "maj"), "V": (7, "maj"), "vi": (9, "min"),
      "V7": (7, "dom7"), "Imaj7": (0, "maj7"), "ii7": (2, "min7"), "vi7": (9, "min7"), "IVmaj7": (5, "maj7"),
      "iii7": (4, "min7"), "bVII": (10, "maj"), "I7": (0, "dom7"), "IV7": (5, "dom7"), "Vsus4": (7, "sus4"),
      "II7": (2, "dom7"), "III7": (4, "dom7"), "VI7": (9, "dom7"), "bVI": (8, "maj"), "iv": (5, "min"),
      "i": (0, "min"), "III": (3, "maj"), "VI": (8, "maj"), "VII": (10, "maj"), "v": (7, "min"), "i7": (0, "min7"),
      "iv7": (5, "min7"), "iiø7": (2, "hdim7"), "VImaj7": (8, "maj7"), "IIImaj7": (3, "maj7"), "viio7": (11, "dim7")}
POP_PROGRESSIONS = {
    "major": ["I V vi IV", "I vi IV V", "vi IV I V", "I IV V IV", "I IV vi V", "I V IV V", "IV V iii vi",
              "I iii IV V", "I bVII IV I", "ii7 V7 Imaj7 Imaj7", "Imaj7 vi7 ii7 V7", "iii7 vi7 ii7 V7",
              "I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7", "I IV I V", "I vi ii V", "IV I V vi", "I V vi iii IV I IV V",
              "Imaj7 IVmaj7 iii7 vi7 ii7 V7 Imaj7 Imaj7", "I II7 IV I", "I III7 vi IV", "I bVI bVII I",
              "I Vsus4 V I", "I VI7 ii7 V7", "IV iv I I"],
    "minor": ["i VI III VII", "i iv v i", "i VII VI V", "i iv VII III", "i VI iv V", "i VII VI VII",
              "i iv i V", "i7 iv7 i7 V7", "iiø7 V7 i7 i7", "i VI III V", "VImaj7 iiø7 V7 i", "i III VII iv",
              "i i iv iv i i V7 V7", "i VII i V", "i iv VII IIImaj7 VImaj7 iiø7 V7 i7"],
}


def pop_pieces():
    out = []
    for mode, progs in POP_PROGRESSIONS.items():
        for pi, p in enumerate(progs):
            chords = [_M[c] for c in p.split()]
            rel = f"pop/{mode}/{pi}"
            for meter, bar16 in (("4/4", 16), ("3/4", 12), ("6/8", 12), ("2/2", 16)):
                for per_bar in (1, 2):
                    if per_bar == 2 and meter == "3/4":
                        continue
                    for bars in (4, 8, 12, 16):
                        n = bars * per_bar
                        seq = [chords[i % len(chords)] for i in range(n)]
                        if bars >= 8:
                            seq[-1] = (0, "maj" if mode == "major" else "min")
                        d = bar16 // per_bar
                        cs = [[f"{r}:{q}", i * d, d] for i, (r, q) in enumerate(seq)]
                        out.append({"source": "pop", "file": rel, "split": split_of(rel), "style": "pop",
                                    "mode": mode, "meter": meter, "bar16": bar16, "bars": bars,
                                    "chords": merge_segments(cs, bar16), "melody": None})
    return out


def main():
    force = "--force" in sys.argv
    os.makedirs(DATA, exist_ok=True)
    outp = os.path.join(DATA, "pieces.jsonl")
    if os.path.exists(outp) and not force:
        print("data cached:", outp)
        return
    from music21 import corpus
    t0 = time.time()
    cdir = os.path.dirname(corpus.__file__)
    ana = {}
    for f in sorted(os.listdir(os.path.join(cdir, "bach", "choraleAnalyses"))):
        txt = open(os.path.join(cdir, "bach", "choraleAnalyses", f), encoding="utf-8", errors="replace").read()
        for line in txt.splitlines():
            if line.startswith("BWV:"):
                ana[line.split(":", 1)[1].strip()] = os.path.join(cdir, "bach", "choraleAnalyses", f)
    cjobs = []
    for f in sorted(os.listdir(os.path.join(cdir, "bach"))):
        if not f.startswith("bwv") or not f.endswith((".mxl", ".xml")):
            continue
        bwv = f[3:].rsplit(".", 1)[0]
        rn = ana.get(bwv)
        cjobs.append((f"bach/{f}", os.path.join(cdir, "bach", f), rn))
    fjobs = []
    for coll, cap in FOLK_CAPS.items():
        fs = sorted(x for x in os.listdir(os.path.join(cdir, coll)) if x.endswith(".abc"))[:cap]
        fjobs += [(f"{coll}/{x}", os.path.join(cdir, coll, x)) for x in fs]
    pieces, errors = [], []
    with Pool(2) as pool:
        for r in pool.imap(chorale_job, cjobs, chunksize=4):
            if r is None:
                continue
            (errors if "error" in r else pieces).append(r)
        print(f"chorales done {time.time() - t0:.0f}s", flush=True)
        for rs in pool.imap_unordered(folk_job, fjobs, chunksize=2):
            for r in rs:
                (errors if "error" in r else pieces).append(r)
    pieces.sort(key=lambda p: (p["file"], p.get("index", 0)))
    pieces += pop_pieces()
    with open(outp, "w") as f:
        for p in pieces:
            f.write(json.dumps(p) + "\n")
    agg = {"beats": 0, "root": 0, "root_triad": 0, "exact": 0, "chorales": 0}
    for p in pieces:
        if p.get("agree"):
            agg["chorales"] += 1
            for k in ("beats", "root", "root_triad", "exact"):
                agg[k] += p["agree"][k]
    stats = {"seconds": round(time.time() - t0, 1), "errors": len(errors), "error_examples": [e["error"] for e in errors[:5]],
             "expert_agreement": agg, "folk_caps": FOLK_CAPS, "counts": {}}
    for p in pieces:
        k = f"{p['source'] if p['style'] != 'folk' else p['source']}/{p['split']}"
        stats["counts"][k] = stats["counts"].get(k, 0) + 1
    json.dump(stats, open(os.path.join(DATA, "extract_stats.json"), "w"), indent=1)
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
