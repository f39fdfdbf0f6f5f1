"""Humdrum reader for the CoCoPops Billboard (`.harm`, `.hum`) and Rolling Stone RS200 files.

Reads the first `**harte` spine (chords), the `**harm` spine before it or a `*tb` timebase
(durations), the first `**kern` spine (melody), `*M` meters, `*X:` keys (lower case = minor; may
change inside a song) and `*>` section labels. Spine splits (`*^`, `*v`) are followed; a split
kern spine contributes its left half. RS200 melodies carry onsets only: a note lasts until the
next onset, at most a half note.
"""
import os
import re
from fractions import Fraction

from . import common, vocab

NULL = "."
RS_MAX_NOTE = Fraction(1, 2)


class HumdrumError(ValueError):
    pass


def recip(text):
    """Duration in whole notes of a **recip prefix ("4", "2.", "8..", "12", "0", "3%2"), or None."""
    m = re.match(r"(\d+)(?:%(\d+))?(\.*)", text)
    if not m:
        return None
    n = int(m.group(1))
    num = int(m.group(2)) if m.group(2) else 1
    base = Fraction(2) if n == 0 else Fraction(num, n)
    dots = len(m.group(3))
    return base * (2 - Fraction(1, 2 ** dots))


def kern_pitch(token):
    """MIDI pitch of a kern note token ("cc#", "B-", "r" -> None for a rest)."""
    m = re.search(r"([a-gA-G])\1*", token)
    if not m:
        return None
    letters = m.group(0)
    name = letters[0]
    octave = 4 + len(letters) - 1 if name.islower() else 3 - (len(letters) - 1)
    pc = vocab.NOTE_PC[name.upper()]
    tail = token[m.end():]
    acc = 0
    for ch in tail:
        if ch == "#":
            acc += 1
        elif ch == "-":
            acc -= 1
        elif ch != "n":
            break
    return 12 * (octave + 1) + pc + acc


def parse_key(tok):
    m = re.fullmatch(r"\*([a-gA-G][#-]?):(?:[a-z]{3})?", tok)
    if not m:
        return None
    pc, _ = vocab.parse_note(m.group(1), kern_flat=True)
    return {"tonic": pc, "mode": "minor" if m.group(1)[0].islower() else "major"}


def section_label(tok):
    """Section text of a `*>` record, None for letters-only or expansion lists."""
    t = tok[2:]
    if not t or t.startswith("[") or t.startswith("Letter>"):
        return None
    if t.startswith("Label>"):
        t = t[6:].lstrip(">")
    t = re.sub(r"^[A-Z]?\d*_", "", t)  # "B_verse" -> "verse", "A2_intro" -> "intro"
    return t or None


class Spines:
    """Column bookkeeping: spine types per column, following *^ / *v / *- / *+ / *x."""

    def __init__(self, heads):
        self.cols = [(h, i) for i, h in enumerate(heads)]  # (type, spine id)
        self.next_id = len(heads)

    def update(self, toks):
        out = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if t == "*^":
                out += [self.cols[i], self.cols[i]]
            elif t == "*v":
                j = i
                while j < len(toks) and toks[j] == "*v":
                    j += 1
                out.append(self.cols[i])
                i = j
                continue
            elif t == "*-":
                pass
            elif t == "*+":
                out += [self.cols[i], ("**new", self.next_id)]
                self.next_id += 1
            else:
                out.append(self.cols[i])
            i += 1
        if "*x" in toks:
            a, b = [k for k, t in enumerate(toks) if t == "*x"][:2]
            out[a], out[b] = out[b], out[a]
        self.cols = out


def read_text(text, source, sid, title, artist, style, stats):
    lines = [ln.rstrip("\n") for ln in text.splitlines()]
    spines = None
    harte_id = harm_id = kern_id = None
    timebase = None
    meter = "4/4"
    key = None
    section = None
    t_chord = Fraction(0)  # harm spine clock (recip files)
    t_kern = Fraction(0)
    t_rows = Fraction(0)  # row clock (timebase files)
    chords = []  # (start, label, parsed or None, key)
    notes = []  # (start, dur or None, pitch) ; ties merged
    bar_marks = []  # (time, meter, key, section)
    pending_tie = None
    fresh_bar = False
    for ln in lines:
        if not ln or ln.startswith("!!") or ln.startswith("!"):
            continue
        toks = ln.split("\t")
        if ln.startswith("**"):
            spines = Spines(toks)
            types = [t for t, _ in spines.cols]
            if "**harte" not in types:
                raise HumdrumError("no **harte spine")
            hi = types.index("**harte")
            harte_id = spines.cols[hi][1]
            harm_id = spines.cols[hi - 1][1] if hi > 0 and types[hi - 1] == "**harm" else None
            kern_id = spines.cols[types.index("**kern")][1] if "**kern" in types else None
            continue
        if spines is None:
            continue
        cols = spines.cols
        if len(toks) != len(cols):
            raise HumdrumError(f"line has {len(toks)} fields for {len(cols)} spines")

        def tok_of(sid_, first=True):
            for (typ, s), tk in zip(cols, toks):
                if s == sid_:
                    return tk
            return None

        if ln.startswith("*"):
            h = tok_of(harte_id)
            for tk in (h, toks[0]):
                if tk and tk.startswith("*M") and re.fullmatch(r"\*M\d+/\d+", tk):
                    meter = tk[2:]
                    break
            if h:
                k = parse_key(h)
                if k:
                    key = k
                if h.startswith("*tb"):
                    timebase = recip(h[3:])
            if toks[0].startswith("*>"):
                lab = section_label(toks[0])
                if lab:
                    section = lab
            if fresh_bar and bar_marks:
                bar_marks[-1][1:] = [meter, key, section]
            spines.update(toks)
            continue
        now = t_rows if timebase is not None else None
        if ln.startswith("="):
            tb_time = t_rows if timebase is not None else t_chord
            if timebase is None and kern_id is not None and t_kern != t_chord:
                stats.skip("melody clock resynced at a barline (events)")
                t_kern = t_chord
                pending_tie = None
            bar_marks.append([tb_time, meter, key, section])
            fresh_bar = True
            continue
        fresh_bar = False
        # data line
        h = tok_of(harte_id)
        hm = tok_of(harm_id) if harm_id is not None else None
        if h is not None and h != NULL:
            start = now if now is not None else t_chord
            lab = h.split(" ")[0]
            try:
                parsed = vocab.parse_harte(lab)
            except vocab.LabelError:
                stats.skip("chord label not parsed (event kept as previous chord)")
                parsed = chords[-1][2] if chords else None
            chords.append((start, lab, parsed, key))
        if now is None and hm is not None and hm != NULL:
            d = recip(hm)
            if d is None:
                raise HumdrumError(f"harm token without duration: {hm!r}")
            t_chord += d
        if kern_id is not None:
            k = tok_of(kern_id)
            if k is not None and k != NULL and not k.startswith("!"):
                k = k.split(" ")[0]
                if "q" in k:
                    pass  # grace note: no duration
                elif now is not None:
                    p = kern_pitch(k)
                    if "r" in k:
                        p = None
                    notes.append([now, None, p])
                else:
                    d = recip(k.lstrip("[({&"))
                    if d is None:
                        stats.skip("kern token without duration (note dropped)")
                    else:
                        p = None if "r" in k else kern_pitch(k)
                        if pending_tie is not None and ("]" in k or "_" in k) and p == pending_tie[2]:
                            pending_tie[1] += d
                        else:
                            pending_tie = None
                            notes.append([t_kern, d, p])
                        if "[" in k or "_" in k:
                            pending_tie = notes[-1]
                        elif "]" in k:
                            pending_tie = None
                        t_kern += d
        if timebase is not None:
            t_rows += timebase
    end_time = t_rows if timebase is not None else max(t_chord, t_kern)
    if timebase is not None:  # onset-only melodies: a note lasts to the next onset (capped)
        for i, n in enumerate(notes):
            nxt = notes[i + 1][0] if i + 1 < len(notes) else end_time
            n[1] = min(nxt - n[0], RS_MAX_NOTE) if n[2] is not None else nxt - n[0]
    return assemble(source, sid, title, artist, style, chords, notes, bar_marks, end_time, stats)


def q16(t):
    return int(round(t * 16))


def assemble(source, sid, title, artist, style, chords, notes, bar_marks, end_time, stats):
    song = common.new_song(source, sid, title, artist, style)
    # bars from barline times; the span before the first barline is a pickup bar if non-empty
    marks = [m for m in bar_marks]
    if not marks:
        raise HumdrumError("no barlines")
    starts = [q16(m[0]) for m in marks]
    ends = starts[1:] + [q16(end_time)]
    bars = []
    if starts[0] > 0 and any(q16(c[0]) < starts[0] and c[2] is not None for c in chords):
        first = marks[0]
        bars.append((0, starts[0], first[1], first[2] or (chords[0][3] if chords else None), first[3]))
    for (t, meter, key, sec), s, e in zip(marks, starts, ends):
        if e > s:
            bars.append((s, e - s, meter, key, sec))
    if not bars:
        raise HumdrumError("no bars with length")
    bstarts = [b[0] for b in bars]
    blens = [b[1] for b in bars]
    citems = []
    for i, (st, lab, parsed, key) in enumerate(chords):
        en = q16(chords[i + 1][0]) if i + 1 < len(chords) else q16(end_time)
        s16 = q16(st)
        if en <= s16:
            stats.skip("chord shorter than a 16th (dropped)")
            continue
        citems.append((s16, en - s16, (lab, parsed)))
    mitems = []
    for st, du, p in notes:
        s16, e16 = q16(st), q16(st + du)
        if e16 <= s16:
            stats.skip("melody note shorter than a 16th (dropped)")
            continue
        mitems.append((s16, e16 - s16, p))
    cbars = common.split_timeline(citems, bstarts, blens)
    mbars = common.split_timeline(mitems, bstarts, blens)
    last_key = None
    for (s, ln, meter, key, sec), cb, mb in zip(bars, cbars, mbars):
        key = key or last_key
        if key is None:
            stats.skip("bar before the first key (dropped)")
            continue
        last_key = key
        tonic = key["tonic"]
        bar = {
            "meter": meter,
            "len16": ln,
            "key": dict(key),
            "section": common.map_section(sec),
            "section_label": sec,
            "chords": [common.make_chord(on, du, pl[1], tonic, pl[0], tie) for on, du, pl, tie in cb],
            "melody": [
                {"on": on, "dur": du, "pitch": p, "rel": None if p is None else p - tonic, "tie": tie}
                for on, du, p, tie in mb
            ],
        }
        song["bars"].append(bar)
    return common.finish_song(song)


def title_artist(path):
    """("The Beatles", "Let It Be") from the file name "TheBeatles_LetItBe_1970.hum" or the
    !!!OTL / !!!COC records."""
    base = os.path.basename(path).split(".")[0]
    parts = base.split("_")
    artist = parts[0] if parts else base
    title = parts[1] if len(parts) > 1 else base
    return artist, title, base


def read_file(path, source, style_of, stats):
    text = open(path, encoding="utf-8", errors="replace").read()
    artist, title, sid = title_artist(path)
    for ln in text.splitlines()[:40]:
        if ln.startswith("!!!OTL:"):
            title = ln.split(":", 1)[1].strip() or title
        elif ln.startswith("!!!COC:") or ln.startswith("!!!OPR:"):
            pass
    style = style_of(artist, title)
    return read_text(text, source, sid, title, artist, style, stats)


def read_folder(folder, source, style_of, stats):
    """Every song of a Billboard or RS200 folder (one per base name: `.hum` with a melody wins
    over `.harm`, `.varms.hum` over `.hum`)."""
    best = {}
    for f in sorted(os.listdir(folder)):
        if not (f.endswith(".hum") or f.endswith(".harm")):
            continue
        base = f.split(".")[0]
        rank = 2 if f.endswith(".varms.hum") else 1 if f.endswith(".hum") else 0
        if base not in best or rank > best[base][0]:
            best[base] = (rank, f)
    for base in sorted(best):
        path = os.path.join(folder, best[base][1])
        try:
            song = read_file(path, source, style_of, stats)
        except (HumdrumError, vocab.LabelError, ValueError, IndexError) as e:
            stats.skip(f"song unreadable ({type(e).__name__})")
            print(f"  skip {base}: {e}")
            continue
        if not song["bars"]:
            stats.skip("song without bars")
            continue
        stats.add_song(song)
        yield song
