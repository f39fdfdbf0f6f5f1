"""Reader for iReal Pro playlists (`irealbook://` and obfuscated `irealb://` URLs).

The `irealb` chart text is unscrambled as the ireal-musicxml / pyRealParser projects document
(50-character blocks with mirrored positions, then the `Kcl`, `LZ`, `XyQ` substitutions).
Repeats `{ }` are expanded once, with first/second endings (`N1`, `N2`); `x` repeats the previous
bar, `r` the previous two. Chords in a bar share it evenly. The chart key is the local key of
every bar (iReal charts do not mark modulations).
"""
import os
import re
import urllib.parse

from . import common, vocab

MUSIC_PREFIX = "1r34LbKcu7"
TIME = {"44": "4/4", "34": "3/4", "24": "2/4", "54": "5/4", "64": "6/4", "74": "7/4", "22": "2/2",
        "32": "3/2", "38": "3/8", "58": "5/8", "68": "6/8", "78": "7/8", "98": "9/8", "12": "12/8"}
PLAYLIST_STYLE = {"blues50": "blues", "country": "country", "dixieland1": "jazz-swing", "pop400": "pop"}
STYLE_RULES = [
    (r"blues", "blues"), (r"country|bluegrass|western", "country"), (r"funk|disco", "funk"),
    (r"rnb|r&b|soul|motown|gospel", "soul"), (r"bossa|samba|latin", "bossa"),
    (r"folk", "folk"), (r"dixie|swing|jazz", "jazz-swing"), (r"rock", "rock"),
]


def obfusc50(s):
    r = list(s)
    for i in range(5):
        r[49 - i], r[i] = s[i], s[49 - i]
    for i in range(10, 24):
        r[49 - i], r[i] = s[i], s[49 - i]
    return "".join(r)


def unscramble(s):
    out = ""
    while len(s) > 51:
        out += obfusc50(s[:50])
        s = s[50:]
    out += s
    return out.replace("Kcl", "| x").replace("LZ", " |").replace("XyQ", "   ")


def split_playlist(text):
    """Song field lists of one playlist URL (the last `===` field is the playlist name)."""
    t = text.strip()
    m = re.match(r"irealb(?:ook)?://", t)
    if not m:
        raise ValueError("not an iReal URL")
    obfuscated = t.startswith("irealb://")
    body = urllib.parse.unquote(t[m.end():])
    parts = body.split("===")
    songs = []
    for p in parts:
        f = p.split("=")
        if obfuscated and len(f) >= 7 and f[6].startswith(MUSIC_PREFIX):
            songs.append({"title": f[0], "composer": f[1], "style": f[3], "key": f[4],
                          "music": unscramble(f[6][len(MUSIC_PREFIX):])})
        elif not obfuscated and len(f) >= 6:
            # irealbook: title=composer=style=key=n=music
            songs.append({"title": f[0], "composer": f[1], "style": f[2], "key": f[3],
                          "music": f[5]})
    return songs


CHORD_RE = re.compile(r"([A-GW][b#]?)((?:sus|alt|add|[-^ho+0-9#b])*)(/[A-G][b#]?)?(\([^)]*\))?")


def tokens(music):
    """(kind, value) tokens: bar, open, close, end1, section, time, chord, nc, repeat1, repeat2."""
    i, n = 0, len(music)
    while i < n:
        c = music[i]
        if c == "<":
            j = music.find(">", i)
            i = n if j < 0 else j + 1
            continue
        if c == "*" and i + 1 < n:
            yield ("section", music[i + 1])
            i += 2
            continue
        if c == "T" and i + 2 < n and music[i + 1:i + 3] in TIME:
            yield ("time", TIME[music[i + 1:i + 3]])
            i += 3
            continue
        if c == "N" and i + 1 < n and music[i + 1].isdigit():
            yield ("ending", int(music[i + 1]))
            i += 2
            continue
        if c in "|[]Z":
            yield ("bar", c)
            i += 1
            continue
        if c == "{":
            yield ("open", c)
            i += 1
            continue
        if c == "}":
            yield ("close", c)
            i += 1
            continue
        if c in "ABCDEFGW":
            m = CHORD_RE.match(music, i)
            if m and m.end() > i:
                yield ("chord", m.group(1) + m.group(2) + (m.group(3) or ""))
                i = m.end()
                continue
        if c == "x":
            yield ("repeat1", c)
        elif c == "r":
            yield ("repeat2", c)
        elif c == "n":
            yield ("nc", c)
        i += 1


def chart_bars(music, stats):
    """[(section marker, meter, [symbols or None for N.C.])] in playing order."""
    bars = []
    cur, section, meter = [], None, "4/4"
    pending_section = None
    rep_start, ending1 = None, None

    def close_bar():
        nonlocal cur, pending_section
        if cur:
            bars.append((pending_section, meter, cur))
            pending_section = None
        cur = []

    for kind, val in tokens(music):
        if kind == "section":
            close_bar()
            pending_section = val
        elif kind == "time":
            meter = val
        elif kind == "chord":
            cur.append(val)
        elif kind == "nc":
            cur.append(None)
        elif kind == "repeat1":
            close_bar()
            if bars:
                bars.append((None, bars[-1][1], bars[-1][2]))
        elif kind == "repeat2":
            close_bar()
            if len(bars) >= 2:
                bars.extend([(None, b[1], b[2]) for b in bars[-2:]])
        elif kind == "bar":
            close_bar()
        elif kind == "open":
            close_bar()
            rep_start, ending1 = len(bars), None
        elif kind == "ending":
            close_bar()
            if val == 1 and rep_start is not None:
                ending1 = len(bars)
        elif kind == "close":
            close_bar()
            if rep_start is not None:
                stop = ending1 if ending1 is not None else len(bars)
                bars.extend(bars[rep_start:stop])
                rep_start, ending1 = None, None
    close_bar()
    return bars


SECTION_MARK = {"i": "intro", "v": "verse"}


def read_chart(ch, playlist, stats):
    key_txt = ch["key"]
    if not key_txt:
        raise ValueError("no key")
    tonic, used = vocab.parse_note(key_txt)
    mode = "minor" if key_txt[used:].startswith("-") else "major"
    style = PLAYLIST_STYLE.get(playlist, "pop")
    for rx, st in STYLE_RULES:
        if re.search(rx, ch["style"].lower()):
            style = st
            break
    if playlist == "pop400" and style in ("blues", "jazz-swing"):
        style = "pop"
    artist = re.sub(r"\(.*\)", "", ch["composer"]).strip()
    song = common.new_song("ireal", f"{playlist}:{common.normalise(ch['title'])}", ch["title"],
                           artist, style)
    prev = None
    section = None
    for mark, meter, syms in chart_bars(ch["music"], stats):
        len16 = common.meter_len16(meter)
        if len16 is None:
            stats.skip("bar in an unsupported meter (dropped)")
            continue
        if mark is not None:
            section = SECTION_MARK.get(mark, "other"), mark
        chords = []
        for i, s in enumerate(syms):
            on, end = i * len16 // len(syms), (i + 1) * len16 // len(syms)
            if end <= on:
                stats.skip("chord shorter than a 16th (dropped)")
                continue
            try:
                parsed = None if s is None else vocab.parse_symbol(s.replace("W", "C", 1) if s.startswith("W") else s)
                if s is not None and s.startswith("W") and prev is not None:
                    parsed = (prev[0],) + parsed[1:]  # invisible root: the previous chord's root
            except vocab.LabelError:
                stats.skip("chord symbol not parsed (kept previous)")
                parsed = prev
            chords.append(common.make_chord(on, end - on, parsed, tonic, s or "N.C."))
            prev = parsed
        if not chords:
            continue
        song["bars"].append({
            "meter": meter, "len16": len16, "key": {"tonic": tonic, "mode": mode},
            "section": section[0] if section else "other",
            "section_label": section[1] if section else None,
            "chords": chords, "melody": [],
        })
    return common.finish_song(song)


def read_folder(folder, stats):
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".txt"):
            continue
        playlist = f[:-4]
        text = open(os.path.join(folder, f), encoding="utf-8", errors="replace").read()
        try:
            charts = split_playlist(text)
        except ValueError as e:
            stats.skip(f"playlist unreadable ({e})")
            continue
        for ch in charts:
            try:
                song = read_chart(ch, playlist, stats)
            except (ValueError, vocab.LabelError) as e:
                stats.skip(f"song unreadable ({type(e).__name__})")
                print(f"  skip ireal {ch.get('title')!r}: {e}")
                continue
            if not song["bars"]:
                stats.skip("song without bars")
                continue
            stats.add_song(song)
            yield song
