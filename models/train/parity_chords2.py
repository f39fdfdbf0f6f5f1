"""Feature-parity fixture for chord model v2: the recipe's own input rows for a few held-out songs.

    python parity_chords2.py [--data models/train/data/v2.jsonl] [--model models/chords/v2]
                             [--songs 4] [--steps 96]

Writes <model>/parity.json: for each chosen test-split song (one per source, one bar length throughout, so the
engine's clip grid applies; several sources and styles), its bars (len16, meter, mode, section),
style, harmonic-rhythm bucket and complexity tier, and per step the event token as text and the
row `train_chords2.sequence` feeds the model. engine/tests/chords2_parity.rs rebuilds each row with
the engine's own feature code and token mapping and must get the same numbers. Run by
`cargo xtask train chords2` after training; deterministic.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import train_chords2 as tc  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "data", "v2.jsonl"))
    ap.add_argument("--model", default=os.path.join(os.path.dirname(HERE), "chords", "v2"))
    ap.add_argument("--songs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=96)
    a = ap.parse_args()
    cfg = json.load(open(os.path.join(a.model, "config.json"), encoding="utf-8"))
    tokens = cfg["tokens"]
    tok_idx = {t: i for i, t in enumerate(tokens)}
    songs = [json.loads(line) for line in open(a.data, encoding="utf-8") if line.strip()]
    songs = [s for s in songs if s["split"] == "test"]
    songs.sort(key=lambda s: s["id"])
    chosen, seen = [], set()
    for s in songs:
        lens = {b["len16"] for b in s["bars"]}
        key = s["source"]
        if len(lens) != 1 or key in seen or len(s["bars"]) < 8:
            continue
        if any(b["meter"] not in tc.METERS for b in s["bars"]):
            continue
        r = tc.sequence(s, tok_idx)
        if r is None:
            continue
        seen.add(key)
        X, A, B = r
        evs = tc.events_of(s)
        hr, cx = tc.song_cond(s, evs)
        # Token text per step: each event, split into chunks of at most MAX_DUR as sequence() does.
        texts = []
        for tok, st, du, bi, sec in evs:
            if tok not in tok_idx:
                tok = tok.split("/")[0]
            while du > 0:
                texts.append(tok)
                du -= min(du, tc.MAX_DUR)
        n = min(a.steps, len(X))
        chosen.append({
            "id": s["id"], "style": s["style"], "harmonic_rhythm": hr, "complexity": cx,
            "bars": [{"len16": b["len16"], "meter": b["meter"], "mode": b["key"]["mode"],
                      "section": b["section"]} for b in s["bars"]],
            "steps": [{"token": texts[i], "x": X[i], "a": A[i], "b": B[i]} for i in range(n)],
        })
        if len(chosen) >= a.songs:
            break
    out = os.path.join(a.model, "parity.json")
    json.dump({"model": cfg["id"], "songs": chosen}, open(out, "w"), indent=None)
    print(f"{len(chosen)} songs, {sum(len(c['steps']) for c in chosen)} steps -> {out}")


if __name__ == "__main__":
    main()
