"""Groove MIDI Dataset -> bar tokens for the drum model.

    python drums_extract.py [--data DIR]

Reads DIR/info.csv and the performances (default ../../../shared/data/groove beside the
checkout) and writes models/train/data/drums.jsonl (git-ignored): one performance per line with
its split, style, tempo, meter, feel and bars; each bar is a list of hits
[slot, class, velocity, offset_ticks].

Grid (shared with engine/src/drums/grid.rs): six slots per quarter note at ticks
0, 120, 160, 240, 320, 360 of 480 ppq; a straight performance uses the 16th slots (0, 1, 3, 5), a
triplet ("swing") performance the 8th-triplet slots (0, 2, 4). The feel is the grid with the
smaller mean quantization error. A hit belongs to the bar and slot it is nearest to; its offset
is the tick distance from that slot (within +-60 straight, +-80 triplet).
Classes: the nine-class GM mapping of Gillick et al. 2019.
"""
import csv
import json
import os
import sys

import mido

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "groove")
OUT = os.path.join(HERE, "data", "drums.jsonl")

PPQ = 480
SLOT_TICKS = [0, 120, 160, 240, 320, 360]
FEEL_SLOTS = {"straight": [0, 1, 3, 5], "triplet": [0, 2, 4]}
CLASSES = ["kick", "snare", "closed_hat", "open_hat", "low_tom", "mid_tom", "high_tom", "crash", "ride"]
GM_TO_CLASS = {
    36: 0, 35: 0,
    38: 1, 40: 1, 37: 1,
    42: 2, 22: 2, 44: 2,
    46: 3, 26: 3,
    43: 4, 58: 4, 41: 4,
    47: 5, 45: 5,
    50: 6, 48: 6,
    49: 7, 52: 7, 55: 7, 57: 7,
    51: 8, 53: 8, 59: 8,
}
METERS = {"4-4": 4, "3-4": 3, "6-8": 3}


def read_hits(path):
    """(tick, gm_note, velocity) of every note-on with velocity > 0, on any channel."""
    m = mido.MidiFile(path)
    scale = PPQ / m.ticks_per_beat
    hits = []
    for tr in m.tracks:
        t = 0
        for msg in tr:
            t += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                hits.append((int(round(t * scale)), msg.note, msg.velocity))
    hits.sort()
    return hits


def grid_points(feel):
    return [SLOT_TICKS[s] for s in FEEL_SLOTS[feel]] + [PPQ]


def nearest(tick, feel):
    """(beat, slot index 0..5, offset) of the nearest grid point of `feel`; slot 6 = next beat."""
    beat, r = divmod(tick, PPQ)
    pts = FEEL_SLOTS[feel] + [6]
    best = min(pts, key=lambda s: abs(r - (SLOT_TICKS[s] if s < 6 else PPQ)))
    g = SLOT_TICKS[best] if best < 6 else PPQ
    if best == 6:
        return beat + 1, 0, r - g
    return beat, best, r - g


def choose_feel(hits):
    err = {}
    for feel in FEEL_SLOTS:
        e = [abs(nearest(t, feel)[2]) for t, _, _ in hits]
        err[feel] = sum(e) / max(len(e), 1)
    return "triplet" if err["triplet"] < 0.8 * err["straight"] else "straight"


def tokenize(hits, beats, feel):
    """Bars of hits [slot, class, vel, offset]; one hit per (slot, class), the loudest."""
    bars = {}
    for t, note, vel in hits:
        c = GM_TO_CLASS.get(note)
        if c is None:
            continue
        beat, s, off = nearest(t, feel)
        bar, b = divmod(beat, beats)
        slot = b * 6 + s
        key = (slot, c)
        cell = bars.setdefault(bar, {})
        if key not in cell or cell[key][0] < vel:
            cell[key] = (vel, off)
    n = max(bars) + 1 if bars else 0
    out = []
    for b in range(n):
        cell = bars.get(b, {})
        out.append(sorted([s, c, v, o] for (s, c), (v, o) in cell.items()))
    return out


def main():
    data = DEFAULT_DATA
    if "--data" in sys.argv:
        data = sys.argv[sys.argv.index("--data") + 1]
    rows = list(csv.DictReader(open(os.path.join(data, "info.csv"))))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    kept = skipped = 0
    with open(OUT, "w") as f:
        for r in rows:
            beats = METERS.get(r["time_signature"])
            if beats is None:
                skipped += 1
                continue
            hits = read_hits(os.path.join(data, r["midi_filename"]))
            if not hits:
                skipped += 1
                continue
            feel = choose_feel(hits)
            bars = tokenize(hits, beats, feel)
            f.write(json.dumps({
                "id": r["id"], "drummer": r["drummer"], "style": r["style"],
                "bpm": float(r["bpm"]), "beat_type": r["beat_type"], "meter": r["time_signature"],
                "beats": beats, "split": r["split"], "feel": feel, "bars": bars,
            }) + "\n")
            kept += 1
    print(f"drums_extract: {kept} performances -> {OUT} ({skipped} skipped: meter or empty)")


if __name__ == "__main__":
    main()
