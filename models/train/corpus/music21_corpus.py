"""Readers for the music21 corpus (installed with the music21 package): Bach chorales and folk tunes.

* Chorales (bach/bwv*.mxl, four parts): the score is chordified and labelled one chord per beat
  from the sounding pitch classes (duration-weighted; the lowest note at the beat is the bass),
  equal neighbours merged; roots relative to the key music21 analyses for the whole chorale.
  Melody = soprano.
* Folk tunes (Essen, O'Neill's 1850, Ryan's Mammoth, the v1 file caps): the chords are DERIVED
  from the melody by v1's harmonisation procedure (extract.harmonize_melody: diatonic triads, V7
  and two secondary dominants per half bar or bar), not annotated. Melody = the tune.

Both: one meter per piece (pieces with meter changes are skipped), the pickup bar skipped, whole
bars only, section "other". Splits by the hash of the title like every reader (chorales sharing a
tune title share a split). music21 is imported only by `read_chorales`/`read_folk`.
"""
import os

from . import common, vocab

FOLK_CAPS = {"essenFolksong": 12, "oneills1850": 39, "ryansMammoth": 300}  # files per collection (v1)
# chorale chord candidates: the qualities of four-part common-practice harmony
CHORALE_QUALITIES = ["maj", "min", "dim", "aug", "sus4", "7", "maj7", "m7", "m7b5", "dim7"]
_QIV = {q["name"]: frozenset(i % 12 for i in q["intervals"]) for q in vocab.VOCAB["qualities"]}


def label_beat(weights, bass_pc):
    """(root_pc, intervals, bass_pc) of the chord best explaining the pitch-class weights of one
    beat (v1's template score over CHORALE_QUALITIES: covered weight minus uncovered, missing
    chord tones and an absent root penalised, root in the bass favoured); None for silence."""
    tot = sum(weights.values())
    if tot <= 0:
        return None
    best, bs = None, -1e9
    for root in range(12):
        for q in CHORALE_QUALITIES:
            tones = {(root + i) % 12 for i in _QIV[q]}
            inn = sum(w for pc, w in weights.items() if pc in tones)
            s = (inn - (tot - inn)) / tot - 0.25 * sum(1 for t in tones if weights.get(t, 0.0) <= 1e-9)
            if weights.get(root, 0.0) <= 1e-9:
                s -= 0.4
            if bass_pc == root:
                s += 0.15
            if q in ("aug", "sus4"):
                s -= 0.15
            if len(tones) == 4:
                s -= 0.05
            if s > bs:
                best, bs = (root, _QIV[q], bass_pc), s
    return best


def beat_labels(notes, start16, total16, beat16):
    """One label per beat of [start16, start16 + total16) from notes [(midi, on16, off16)]."""
    out = []
    for b0 in range(start16, start16 + total16, beat16):
        b1 = b0 + beat16
        w, bass = {}, None
        for m, a, e in notes:
            ov = min(e, b1) - max(a, b0)
            if ov <= 0:
                continue
            w[m % 12] = w.get(m % 12, 0.0) + ov
            if a <= b0 < e and (bass is None or m < bass):
                bass = m
        if bass is None and w:  # nothing sounding at the beat itself: lowest note of the beat
            bass = min(m for m, a, e in notes if min(e, b1) > max(a, b0))
        out.append(label_beat(w, None if bass is None else bass % 12))
    return out


def melody_items(notes, start16, total16):
    """Monophonic (start, dur, midi|None) items covering [0, total16) from notes [(midi, on, off)]
    (absolute 16ths, start16 = time 0); the highest note wins at equal onsets, overlaps cut."""
    ns = []
    for m, a, e in sorted(notes, key=lambda x: (x[1], -x[0])):
        a, e = max(a - start16, 0), min(e - start16, total16)
        if e <= a:
            continue
        if ns and a < ns[-1][1] + ns[-1][2]:
            if a == ns[-1][1]:
                continue
            ns[-1][2] = a - ns[-1][1]
        ns.append([m, a, e - a])
    out, t = [], 0
    for m, a, d in ns:
        if a > t:
            out.append((t, a - t, None))
        out.append((a, d, m))
        t = a + d
    if t < total16:
        out.append((t, total16 - t, None))
    return out


def build_song(source, sid, title, artist, style, meter, bar16, key, chord_items, mel_items, total16):
    """A song in the training format from absolute (start, dur, parsed chord|None) and melody items;
    equal neighbouring chords are merged, a chord held over a barline is tied."""
    merged = []
    for st, du, p in chord_items:
        if merged and merged[-1][2] == p and merged[-1][0] + merged[-1][1] == st:
            merged[-1][1] += du
        else:
            merged.append([st, du, p])
    nb = total16 // bar16
    starts, lens = [i * bar16 for i in range(nb)], [bar16] * nb
    cbars = common.split_timeline([tuple(x) for x in merged], starts, lens)
    mbars = common.split_timeline(mel_items, starts, lens)
    song = common.new_song(source, sid, title, artist, style)
    tonic = key["tonic"]
    for cb, mb in zip(cbars, mbars):
        song["bars"].append({
            "meter": meter, "len16": bar16, "key": dict(key), "section": "other", "section_label": None,
            "chords": [common.make_chord(on, du, p, tonic, None if p is None else chord_label(p), tie)
                       for on, du, p, tie in cb],
            "melody": [{"on": on, "dur": du, "pitch": p, "rel": None if p is None else p - tonic, "tie": tie}
                       for on, du, p, tie in mb],
        })
    return common.finish_song(song)


def chord_label(parsed):
    names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
    root, ivs, bass = parsed
    q, _ = vocab.nearest(ivs)
    return names[root] + ":" + q + ("" if bass is None or bass == root else "/" + names[bass])


# ------------------------------------------------------------------ music21 parts
def _corpus_dir():
    from music21 import corpus

    return os.path.dirname(corpus.__file__)


def _timeline(score, stats):
    from extract import score_timeline  # noqa: E402  (v1 recipe: pickup, whole bars, one meter)

    tl = score_timeline(score)
    if tl is None:
        stats.skip("meter changes, no time signature or under 2 whole bars (pieces)")
    return tl


def _key(score):
    k = score.analyze("key")
    return {"tonic": k.tonic.pitchClass, "mode": "minor" if k.mode == "minor" else "major"}


def _grid_ok(vals):
    return sum(1 for v in vals if abs(v - round(v)) > 1e-3) <= 0.1 * max(1, len(vals))


def chorale_song(path, rel, stats):
    from music21 import converter

    s = converter.parse(path)
    if len(s.parts) != 4:
        stats.skip("not four parts (chorales)")
        return None
    tl = _timeline(s, stats)
    if tl is None:
        return None
    ts, bar16, start16, total16 = tl
    ch = s.chordify()
    notes = []
    for c in ch.recurse().getElementsByClass("Chord"):
        a = float(c.getOffsetInHierarchy(ch)) * 4
        e = a + float(c.duration.quarterLength) * 4
        notes += [(p.midi, a, e) for p in c.pitches]
    if not notes or not _grid_ok([x for _, a, e in notes for x in (a, e)]):
        stats.skip("off the 16th grid (chorales)")
        return None
    notes = [(m, round(a), round(e)) for m, a, e in notes]
    beat16 = round(ts.beatDuration.quarterLength * 4)
    if beat16 <= 0 or bar16 % beat16:
        stats.skip("beat does not divide the bar (chorales)")
        return None
    labels = beat_labels(notes, start16, total16, beat16)
    citems = [(i * beat16, beat16, lab) for i, lab in enumerate(labels)]
    sop = []
    for n in s.parts[0].recurse().notes:
        a = float(n.getOffsetInHierarchy(s.parts[0])) * 4
        sop.append((max(p.midi for p in n.pitches), round(a), round(a + float(n.duration.quarterLength) * 4)))
    key = _key(s)
    bwv = os.path.basename(rel).rsplit(".", 1)[0]
    title = (s.metadata.title if s.metadata and s.metadata.title else "") or "BWV " + bwv[3:]
    return build_song("chorales", bwv, title, "J. S. Bach", "chorale", f"{ts.numerator}/{ts.denominator}",
                      bar16, key, citems, melody_items(sop, start16, total16), total16)


def folk_songs(path, rel, stats):
    from music21 import converter, stream
    from extract import QUALS as V1_QUALS, harmonize_melody  # noqa: E402

    o = converter.parse(path)
    scores = list(o.scores) if isinstance(o, stream.Opus) else [o]
    out = []
    for si, s in enumerate(scores):
        tl = _timeline(s, stats)
        if tl is None:
            continue
        ts, bar16, start16, total16 = tl
        ns = []
        for n in s.recurse().notes:
            if n.duration.quarterLength <= 0:
                continue
            a = float(n.getOffsetInHierarchy(s)) * 4
            ns.append((max(p.midi for p in n.pitches), a, a + float(n.duration.quarterLength) * 4))
        if len(ns) < 8 or not _grid_ok([x for _, a, e in ns for x in (a, e)]):
            stats.skip("under 8 notes or off the 16th grid (tunes)")
            continue
        ns = [(m, round(a), round(e)) for m, a, e in ns]
        key = _key(s)
        mel = melody_items(ns, start16, total16)
        compound = ts.denominator == 8 and ts.numerator % 3 == 0
        seg16 = bar16 // 2 if (ts.numerator, ts.denominator) in ((4, 4), (2, 2), (12, 8)) else bar16
        rel_notes = [(None if m is None else m - key["tonic"], st, du) for st, du, m in mel]
        chords = harmonize_melody(rel_notes, key["mode"], bar16, seg16, total16, 6 if compound else 4)
        citems = []
        for lab, st, du in chords:
            r, q = lab.split(":")
            citems.append((st, du, ((int(r) + key["tonic"]) % 12, frozenset(V1_QUALS[q]) | {0}, None)))
        title = (s.metadata.title if s.metadata and s.metadata.title else "") or f"{rel}#{si}"
        coll = rel.split("/")[0]
        out.append(build_song("folk", f"{rel}#{si}", title, coll, "folk", f"{ts.numerator}/{ts.denominator}",
                              bar16, key, citems, mel, total16))
    return out


def _keep(song, stats):
    if song is None:
        return False
    if sum(1 for b in song["bars"] for c in b["chords"] if c["root"] is not None and not c["tie"]) < 2:
        stats.skip("under 2 chords (pieces)")
        return False
    return True


def jobs(caps=FOLK_CAPS):
    """(kind, path, name) of every chorale and capped folk file, in a fixed order."""
    cdir = _corpus_dir()
    out = [("chorales", os.path.join(cdir, "bach", f), f"bach/{f}") for f in sorted(os.listdir(os.path.join(cdir, "bach")))
           if f.startswith("bwv") and f.endswith((".mxl", ".xml"))]
    for coll, cap in caps.items():
        fs = sorted(x for x in os.listdir(os.path.join(cdir, coll)) if x.endswith(".abc"))[:cap]
        out += [("folk", os.path.join(cdir, coll, f), f"{coll}/{f}") for f in fs]
    return out


def run_job(job):
    """(kind, songs, skipped counts) of one file; errors are counted, never raised."""
    kind, path, rel = job
    st = common.Stats(kind)
    try:
        if kind == "chorales":
            songs = [chorale_song(path, rel, st)]
        else:
            songs = folk_songs(path, rel, st)
    except Exception as e:  # noqa: BLE001  music21 raises many kinds on odd scores
        st.skip(f"file unreadable ({type(e).__name__})")
        songs = []
    return kind, [s for s in songs if _keep(s, st)], st.skipped


def read_all(processes=2, caps=FOLK_CAPS):
    """(songs, {kind: Stats}) of the chorales and folk tunes, files read by `processes` workers."""
    stats = {"chorales": common.Stats("chorales"), "folk": common.Stats("folk")}
    songs = []
    js = jobs(caps)
    if processes > 1:
        from multiprocessing import Pool

        with Pool(processes) as pool:
            results = pool.map(run_job, js, chunksize=4)
    else:
        results = [run_job(j) for j in js]
    for kind, ss, skipped in results:
        for reason, n in skipped.items():
            stats[kind].skip(reason, n)
        for s in ss:
            stats[kind].add_song(s)
            songs.append(s)
    return songs, stats


def available():
    """True when music21 (and so its corpus) can be imported."""
    try:
        import music21  # noqa: F401
    except ImportError:
        return False
    return True
