"""Reader for POP909 (`NNN/NNN.mid` MELODY track, `chord_midi.txt`, `beat_midi.txt`,
`key_audio.txt`, names from `index.xlsx`).

Rows of beat_midi.txt are beats; a 1 in the third column marks a downbeat. Bars run from
downbeat to downbeat: 4 beats = 4/4 (a beat = 4 sixteenths), 6 = 3/4 counted in eighths (a row =
2 sixteenths); other bar lengths are skipped. Times in seconds map to 16ths by linear
interpolation between beats. Keys from key_audio.txt (key changes kept); style cpop-ballad.
"""
import html
import os
import re
import zipfile

from . import common, vocab

ROW16 = {4: (4, "4/4"), 6: (2, "3/4")}


def read_index(path):
    """{song id: (name, artist)} from index.xlsx (inline strings; no spreadsheet library)."""
    out = {}
    try:
        xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return out
    for row in re.findall(r"<row [^>]*>(.*?)</row>", xml):
        cells = [html.unescape(t) for t in re.findall(r"<t[^>]*>(.*?)</t>", row)]
        if len(cells) >= 3 and cells[0].isdigit():
            out[cells[0]] = (cells[1], cells[2])
    return out


def midi_melody(path):
    """[(start s, end s, pitch)] of the MELODY track."""
    import mido

    mf = mido.MidiFile(path)
    tempos = [(0, 500000)]
    for tr in mf.tracks:
        t = 0
        for msg in tr:
            t += msg.time
            if msg.type == "set_tempo":
                tempos.append((t, msg.tempo))
    tempos.sort()

    def sec(tick):
        s, last_t, last_tempo = 0.0, 0, 500000
        for tt, tempo in tempos:
            if tt > tick:
                break
            s += (tt - last_t) * last_tempo / mf.ticks_per_beat / 1e6
            last_t, last_tempo = tt, tempo
        return s + (tick - last_t) * last_tempo / mf.ticks_per_beat / 1e6

    for tr in mf.tracks:
        if tr.name.strip().upper() != "MELODY":
            continue
        t, on, notes = 0, {}, []
        for msg in tr:
            t += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                on[msg.note] = t
            elif msg.type in ("note_off", "note_on") and msg.note in on:
                st = on.pop(msg.note)
                notes.append((sec(st), sec(t), msg.note))
        return sorted(notes)
    return None


def read_song(folder, sid, names, stats):
    beats = []
    for ln in open(os.path.join(folder, "beat_midi.txt")):
        f = ln.split()
        if len(f) >= 3:
            beats.append((float(f[0]), float(f[2]) == 1.0))
    downs = [i for i, (_, d) in enumerate(beats) if d]
    if len(downs) < 2:
        raise ValueError("fewer than two downbeats")
    gaps = [b - a for a, b in zip(downs, downs[1:])]
    per_bar = max(set(gaps), key=gaps.count)
    if per_bar not in ROW16:
        raise ValueError(f"{per_bar} beats per bar")
    row16, meter = ROW16[per_bar]
    times = [t for t, _ in beats]
    first = downs[0]

    def to16(sec):
        """Sixteenths from the first downbeat (linear between beats, extrapolated outside)."""
        import bisect

        i = bisect.bisect_right(times, sec) - 1
        i = min(max(i, 0), len(times) - 2)
        span = times[i + 1] - times[i]
        frac = (sec - times[i]) / span if span > 0 else 0.0
        return int(round((i - first + frac) * row16))

    keys = []
    for ln in open(os.path.join(folder, "key_audio.txt")):
        f = ln.split()
        if len(f) >= 3:
            r = vocab.parse_harte(f[2])
            if r:
                keys.append((to16(float(f[0])), {"tonic": r[0], "mode": "minor" if 3 in r[1] else "major"}))
    if not keys:
        raise ValueError("no key")
    citems = []
    for ln in open(os.path.join(folder, "chord_midi.txt")):
        f = ln.split()
        if len(f) < 3:
            continue
        s, e = to16(float(f[0])), to16(float(f[1]))
        if e <= s:
            stats.skip("chord shorter than a 16th (dropped)")
            continue
        try:
            parsed = vocab.parse_harte(f[2])
        except vocab.LabelError:
            stats.skip("chord label not parsed (dropped)")
            continue
        if citems and citems[-1][2][0] == f[2] and citems[-1][0] + citems[-1][1] == s:
            citems[-1] = (citems[-1][0], e - citems[-1][0], citems[-1][2])
        else:
            citems.append((s, e - s, (f[2], parsed)))
    mel = midi_melody(os.path.join(folder, f"{sid}.mid"))
    if mel is None:
        stats.skip("no MELODY track (songs)")
        mel = []
    mitems = []
    for s, e, p in mel:
        a, b = to16(s), to16(e)
        if b <= a:
            stats.skip("melody note shorter than a 16th (lengthened to one)")
            b = a + 1
        if mitems and mitems[-1][0] + mitems[-1][1] > a:  # overlap: cut the earlier note
            prev = mitems[-1]
            if a <= prev[0]:
                stats.skip("melody note overlapping another (dropped)")
                continue
            mitems[-1] = (prev[0], a - prev[0], prev[2])
        mitems.append((a, b - a, p))
    bar16 = per_bar * row16
    n_bars = len(downs)
    bstarts = [i * bar16 for i in range(n_bars)]
    blens = [bar16] * n_bars
    # rests between notes
    full = []
    t = 0
    for s, d, p in mitems:
        if s > t:
            full.append((t, s - t, None))
        full.append((s, d, p))
        t = s + d
    cbars = common.split_timeline(citems, bstarts, blens)
    mbars = common.split_timeline(full, bstarts, blens) if mitems else [[] for _ in bstarts]
    name, artist = names.get(sid, (sid, ""))
    song = common.new_song("pop909", sid, name, artist, "cpop-ballad")
    for bi, (cb, mb) in enumerate(zip(cbars, mbars)):
        key = keys[0][1]
        for k16, k in keys:
            if k16 <= bstarts[bi] + bar16 // 2:
                key = k
        tonic = key["tonic"]
        song["bars"].append({
            "meter": meter, "len16": bar16, "key": dict(key), "section": "other",
            "section_label": None,
            "chords": [common.make_chord(on, du, pl[1], tonic, pl[0], tie) for on, du, pl, tie in cb],
            "melody": [{"on": on, "dur": du, "pitch": p, "rel": None if p is None else p - tonic,
                        "tie": tie} for on, du, p, tie in mb],
        })
    # drop leading and trailing bars without chords
    while song["bars"] and all(c["root"] is None for c in song["bars"][0]["chords"]):
        song["bars"].pop(0)
    while song["bars"] and all(c["root"] is None for c in song["bars"][-1]["chords"]):
        song["bars"].pop()
    return common.finish_song(song)


def read_folder(folder, stats):
    names = read_index(os.path.join(folder, "index.xlsx"))
    for sid in sorted(os.listdir(folder)):
        d = os.path.join(folder, sid)
        if not (os.path.isdir(d) and sid.isdigit()):
            continue
        try:
            song = read_song(d, sid, names, stats)
        except (OSError, ValueError, EOFError, IndexError, vocab.LabelError) as e:
            stats.skip(f"song unreadable ({type(e).__name__})")
            print(f"  skip pop909 {sid}: {e}")
            continue
        if not song["bars"]:
            stats.skip("song without bars")
            continue
        stats.add_song(song)
        yield song
