"""Reader for jazz/JazzStandards.json (chord charts: sections with main segment and endings).

Sections are read in chart order, each main segment followed by its first ending (later endings
replace it on the repeat: the segment is read once per ending). Chords in a bar share it evenly
(rounded to 16ths). No key changes are annotated: the chart key (or, when missing, the last
chord's root and third) is the local key of every bar.
"""
import json

from . import common, vocab

RHYTHM_STYLE = {
    "ballad": "jazz-ballad", "slow swing": "jazz-ballad", "waltz": "jazz-waltz",
    "bossa nova": "bossa", "latin": "bossa", "samba": "bossa", "latin-swing": "bossa",
    "afro": "bossa", "calypso": "bossa", "funk": "funk", "rock pop": "rock", "slow rock": "rock",
}


def style_of(rhythm, meter):
    r = (rhythm or "").lower()
    if meter == "3/4" and r not in RHYTHM_STYLE:
        return "jazz-waltz"
    return RHYTHM_STYLE.get(r, "jazz-swing")


def parse_key(text, last_chord):
    if text:
        pc, used = vocab.parse_note(text)
        return {"tonic": pc, "mode": "minor" if text[used:].startswith("min") else "major"}
    if last_chord is not None:
        root, ivs, _ = last_chord
        return {"tonic": root, "mode": "minor" if 3 in ivs and 4 not in ivs else "major"}
    return None


def bar_chords(bar_text, len16, tonic, stats, prev):
    syms = [s.strip() for s in bar_text.split(",") if s.strip()]
    if not syms:
        if prev is None:
            return []
        syms = [None]  # an empty bar continues the previous chord
    n = len(syms)
    out = []
    for i, s in enumerate(syms):
        on, end = i * len16 // n, (i + 1) * len16 // n
        if s is None:
            parsed, lab = prev, "(continued)"
        else:
            try:
                parsed = vocab.parse_symbol(s)
            except vocab.LabelError:
                stats.skip("chord symbol not parsed (kept previous)")
                parsed = prev
            lab = s
        out.append(common.make_chord(on, end - on, parsed, tonic, lab, tie=s is None))
        prev = parsed
    return out, prev


def read_song(d, stats):
    meter = d.get("TimeSignature") or "4/4"
    len16 = common.meter_len16(meter)
    if len16 is None:
        raise ValueError(f"meter {meter!r}")
    segs = []
    for sec in d.get("Sections", []):
        label = sec.get("Label") or ""
        main = sec.get("MainSegment", {}).get("Chords", "")
        ends = [e.get("Chords", "") for e in sec.get("Endings", [])] or [""]
        for e in ends:
            segs.append((label, main + ("|" + e if e else "")))
    bars_txt = [(lab, b) for lab, s in segs for b in s.split("|")]
    last = None
    for _, b in reversed(bars_txt):
        syms = [x for x in b.split(",") if x.strip()]
        if syms:
            try:
                last = vocab.parse_symbol(syms[-1])
            except vocab.LabelError:
                pass
            break
    key = parse_key(d.get("Key"), last)
    if key is None:
        raise ValueError("no key")
    if not d.get("Key"):
        stats.skip("key missing: taken from the last chord (songs)")
    song = common.new_song("jazz", common.normalise(d.get("Title", "")), d.get("Title", ""),
                           d.get("Composer", ""), style_of(d.get("Rhythm"), meter))
    prev = None
    for lab, b in bars_txt:
        res = bar_chords(b, len16, key["tonic"], stats, prev)
        if not res:
            continue
        chords, prev = res
        song["bars"].append({
            "meter": meter, "len16": len16, "key": dict(key),
            # A/B letters: the first A section is a verse-like statement, B the bridge
            "section": "bridge" if lab.startswith("B") else "verse",
            "section_label": lab, "chords": chords, "melody": [],
        })
    return common.finish_song(song)


def read(path, stats):
    for d in json.load(open(path, encoding="utf-8")):
        try:
            song = read_song(d, stats)
        except (ValueError, KeyError, TypeError) as e:
            stats.skip(f"song unreadable ({type(e).__name__})")
            print(f"  skip jazz {d.get('Title')!r}: {e}")
            continue
        if not song["bars"]:
            stats.skip("song without bars")
            continue
        stats.add_song(song)
        yield song
