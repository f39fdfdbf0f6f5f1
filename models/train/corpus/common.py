"""The one training format shared by every corpus reader.

A song is a dict (one JSON line in the output):
  id, source, title, artist, song_key (normalised "artist|title", the dedup key), split,
  style (one of vocab-v2 "styles"), has_melody, meters (list), keys (list of "tonic:mode"),
  bars: list of {meter, len16, key: {tonic, mode}, section, chords, melody}
    chords: [{on, dur, root, q, bass, label}]  on/dur in 16ths inside the bar, root in semitones
            above the bar's local tonic, q a vocab-v2 quality, bass semitones above the root or
            null, label the source's own text; root null = no chord ("N").
    melody: [{on, dur, pitch, rel}]  pitch = MIDI note or null for a rest, rel = pitch minus the
            local tonic pitch class (null for a rest).
Events never cross a barline: a chord held over a barline appears in both bars with tie=True.
"""
import hashlib
import re
import unicodedata

from . import vocab

SPLIT_FRACTIONS = (("train", 80), ("valid", 10), ("test", 10))

SECTION_RULES = [  # (regex on the lower-cased label, section); first match wins
    (r"pre.?chorus|prechor|\bpc\b|build", "pre-chorus"),
    (r"chorus|refrain|hook", "chorus"),
    (r"verse|\bstrophe", "verse"),
    (r"bridge|middle", "bridge"),
    (r"solo|instrumental|interlude|break|riff", "solo"),
    (r"intro|fadein|fade.in|opening|^pickup", "intro"),
    (r"outro|coda|fadeout|fade.out|ending|^end", "outro"),
]


def map_section(label):
    """A source's section label mapped onto the fixed set (vocab-v2 "sections")."""
    if not label:
        return "other"
    t = label.lower().replace("_", " ").replace(">", " ")
    for rx, sec in SECTION_RULES:
        if re.search(rx, t):
            return sec
    return "other"


def normalise(text):
    """Lower-case letters and digits only, any script ("The Beatles" -> "beatles", camel case
    split first: "TheBeatles" -> "beatles")."""
    t = unicodedata.normalize("NFKD", text or "")
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = re.sub(r"([a-z])([A-Z])", r"\1 \2", t).lower()
    t = re.sub(r"\(.*?\)", " ", t)
    words = re.findall(r"[^\W_]+", t)
    if words and words[0] == "the":
        words = words[1:]
    return "".join(w for w in words if w not in ("and", "the"))


def song_key(artist, title):
    return normalise(artist) + "|" + normalise(title)


def split_of(key, fractions=SPLIT_FRACTIONS):
    """Deterministic split from the sha256 of the normalised title (the artist spelling differs
    too much between sources: "TheBeatles" vs "Beatles, The"), so a song read from two sources
    lands in one split."""
    title = key.split("|", 1)[-1]
    h = int(hashlib.sha256(title.encode()).hexdigest()[:8], 16) % 100
    acc = 0
    for name, pct in fractions:
        acc += pct
        if h < acc:
            return name
    return fractions[-1][0]


class Stats:
    """Counts per reader: songs, bars, chord and melody events read; skips with reasons."""

    def __init__(self, source):
        self.source = source
        self.songs = 0
        self.bars = 0
        self.chords = 0
        self.notes = 0
        self.skipped = {}  # reason -> count (songs or events, the reason says which)

    def skip(self, reason, n=1):
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def add_song(self, song):
        self.songs += 1
        self.bars += len(song["bars"])
        for b in song["bars"]:
            self.chords += sum(1 for c in b["chords"] if not c.get("tie"))
            self.notes += sum(1 for m in b["melody"] if m["pitch"] is not None)

    def as_dict(self):
        return {
            "source": self.source,
            "songs": self.songs,
            "bars": self.bars,
            "chord_events": self.chords,
            "melody_notes": self.notes,
            "skipped": dict(sorted(self.skipped.items())),
        }

    def line(self):
        sk = ", ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items())) or "none"
        return (f"{self.source}: {self.songs} songs, {self.bars} bars, {self.chords} chord events, "
                f"{self.notes} melody notes; skipped: {sk}")


def meter_len16(meter):
    """Bar length in 16ths of a meter "n/d"; None if it is not a whole number of 16ths."""
    m = re.fullmatch(r"(\d+)/(\d+)", meter or "")
    if not m:
        return None
    n, d = int(m.group(1)), int(m.group(2))
    if d == 0 or (16 * n) % d:
        return None
    return 16 * n // d


def make_chord(on, dur, parsed, tonic, label, tie=False):
    """parsed: (root_pc, interval set, bass_pc or None) or None for no chord."""
    if parsed is None:
        return {"on": on, "dur": dur, "root": None, "q": None, "bass": None, "label": label,
                "tie": tie, "exact": True}
    root_pc, ivs, bass_pc = parsed
    q, exact = vocab.nearest(ivs)
    bass = None if bass_pc is None or bass_pc == root_pc else (bass_pc - root_pc) % 12
    return {"on": on, "dur": dur, "root": (root_pc - tonic) % 12, "q": q, "bass": bass,
            "label": label, "tie": tie, "exact": exact}


def token(ch):
    """The v2 chord token of an event: "NC", "<root>:<q>" or "<root>:<q>/<bass>"."""
    if ch["root"] is None:
        return "NC"
    t = f"{ch['root']}:{ch['q']}"
    return t if ch["bass"] is None else f"{t}/{ch['bass']}"


def split_timeline(items, bar_starts, bar_lens):
    """Cut (start16, dur16, payload) items at bar boundaries.

    Returns one list per bar of (on_in_bar, dur, payload, tie)."""
    out = [[] for _ in bar_starts]
    bi = 0
    for st, du, pl in items:
        end = st + du
        t = st
        tie = False
        while bi < len(bar_starts) and t >= bar_starts[bi] + bar_lens[bi]:
            bi += 1
        j = bi
        while t < end and j < len(bar_starts):
            b0, bl = bar_starts[j], bar_lens[j]
            if t < b0:
                t = b0
            seg_end = min(end, b0 + bl)
            if seg_end > t:
                out[j].append((t - b0, seg_end - t, pl, tie))
                tie = True
            t = seg_end
            j += 1
    return out


def new_song(source, sid, title, artist, style):
    key = song_key(artist, title)
    return {
        "id": f"{source}:{sid}",
        "source": source,
        "title": title,
        "artist": artist,
        "song_key": key,
        "split": split_of(key),
        "style": style,
        "has_melody": False,
        "meters": [],
        "keys": [],
        "bars": [],
    }


def finish_song(song):
    """Fills meters, keys and has_melody from the bars."""
    meters, keys = [], []
    for b in song["bars"]:
        if not meters or meters[-1] != b["meter"]:
            meters.append(b["meter"])
        k = f"{b['key']['tonic']}:{b['key']['mode']}"
        if not keys or keys[-1] != k:
            keys.append(k)
    song["meters"] = sorted(set(meters), key=meters.index)
    song["keys"] = keys
    song["has_melody"] = any(m["pitch"] is not None for b in song["bars"] for m in b["melody"])
    return song
