"""Chord vocabulary v2 (models/vocab-v2.json) and the chord-label parsers of the sources.

Every parser returns (root_pc, interval set, bass_pc or None), or None for "no chord";
`nearest` maps an interval set onto a vocabulary quality by the rule in the vocabulary file
(the engine implements the same rule, and both test it on the file's `nearest_examples`).
"""
import hashlib
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB_PATH = os.path.join(os.path.dirname(os.path.dirname(HERE)), "vocab-v2.json")
VOCAB_BYTES = open(VOCAB_PATH, "rb").read()
VOCAB = json.loads(VOCAB_BYTES)
VOCAB_HASH = hashlib.sha256(VOCAB_BYTES).hexdigest()
QUALITIES = [(q["name"], frozenset(i % 12 for i in q["intervals"])) for q in VOCAB["qualities"]]
WEIGHTS = VOCAB["interval_weights"]
STYLES = VOCAB["styles"]
SECTIONS = VOCAB["sections"]


class LabelError(ValueError):
    pass


def nearest(intervals):
    """(quality name, exact) for a set of semitones above the root (the root is implied)."""
    s = frozenset(i % 12 for i in intervals) | {0}
    best, best_cost = None, None
    for name, ivs in QUALITIES:
        cost = sum(WEIGHTS[p] for p in s ^ ivs)
        if best_cost is None or cost < best_cost:
            best, best_cost = name, cost
    return best, best_cost == 0


NOTE_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def parse_note(text, kern_flat=False):
    """Pitch class and characters used of a note name prefix: C, F#, Bb, Ebb; with kern_flat
    also B- (the Humdrum flat; in lead-sheet symbols "-" means minor)."""
    if not text or text[0].upper() not in NOTE_PC:
        raise LabelError(f"no note name in {text!r}")
    pc = NOTE_PC[text[0].upper()]
    i = 1
    accs = "#b-" if kern_flat else "#b"
    while i < len(text) and text[i] in accs:
        pc += 1 if text[i] == "#" else -1
        i += 1
    return pc % 12, i


# ------------------------------------------------------------------ Harte (Billboard, RS200, POP909)
DEGREE = {1: 0, 2: 2, 3: 4, 4: 5, 5: 7, 6: 9, 7: 11, 8: 12, 9: 14, 10: 16, 11: 17, 12: 19, 13: 21}
HARTE_SHORTHAND = {
    "maj": "1,3,5", "min": "1,b3,5", "dim": "1,b3,b5", "aug": "1,3,#5",
    "maj7": "1,3,5,7", "min7": "1,b3,5,b7", "7": "1,3,5,b7", "dim7": "1,b3,b5,bb7",
    "hdim7": "1,b3,b5,b7", "minmaj7": "1,b3,5,7", "maj6": "1,3,5,6", "min6": "1,b3,5,6",
    "9": "1,3,5,b7,9", "maj9": "1,3,5,7,9", "min9": "1,b3,5,b7,9", "sus4": "1,4,5", "sus2": "1,2,5",
    "11": "1,3,5,b7,9,11", "min11": "1,b3,5,b7,9,11", "13": "1,3,5,b7,9,13",
    "maj13": "1,3,5,7,9,13", "min13": "1,b3,5,b7,9,13", "5": "1,5", "1": "1",
    # modal labels some Billboard annotators used for a tonic without a clear third
    "dor": "1,b3,5", "mix": "1,3,5",
}


def degree_semitones(text):
    m = re.fullmatch(r"([b#]*)(\d+)", text.strip())
    if not m or int(m.group(2)) not in DEGREE:
        raise LabelError(f"bad degree {text!r}")
    return DEGREE[int(m.group(2))] + m.group(1).count("#") - m.group(1).count("b")


def parse_harte(label):
    """A Harte label ("F#:min7", "D:maj/5", "E:7(#9)", "A:5", "C:(1,3,5,b7)", "B-:maj", "N")."""
    t = label.strip()
    if t in ("N", "X", "", "r", "NC"):
        return None
    root, used = parse_note(t, kern_flat=True)
    rest = t[used:]
    bass = None
    if "/" in rest:
        rest, b = rest.rsplit("/", 1)
        if b and b[0] in NOTE_PC:  # an upper-case note name; "b3", "5" are degrees
            bass = parse_note(b, kern_flat=True)[0]
        else:
            bass = (root + degree_semitones(b)) % 12
    if rest.startswith(":"):
        rest = rest[1:]
    m = re.fullmatch(r"([a-z0-9]*)(?:\((.*)\))?", rest)
    if not m:
        raise LabelError(f"bad Harte label {label!r}")
    short, ext = m.group(1), m.group(2)
    if short and short not in HARTE_SHORTHAND:
        raise LabelError(f"unknown Harte shorthand {short!r} in {label!r}")
    degs = HARTE_SHORTHAND[short or "maj"].split(",") if (short or ext is None) else ["1"]
    ivs = {degree_semitones(d) % 12 for d in degs}
    for e in (ext or "").split(","):
        e = e.strip()
        if not e:
            continue
        if e.startswith("*"):
            ivs.discard(degree_semitones(e[1:]) % 12)
        else:
            ivs.add(degree_semitones(e) % 12)
    return root, frozenset(ivs | {0}), bass


# ------------------------------------------------------------------ lead-sheet symbols (jazz, iReal)
def parse_symbol(symbol):
    """A lead-sheet symbol: Cm7, F7b9, Bbmaj7#11, Db^7, C-7, Ch7, Co7, C07, G7alt, C69, F/A, C7sus."""
    t = symbol.strip()
    alt = re.search(r"\(([A-G][^)]*)\)", t)
    if alt:  # "C7(Gm7)": an alternate chord in parentheses; a chord only in parentheses is used
        rest_t = (t[: alt.start()] + t[alt.end():]).strip()
        t = rest_t or alt.group(1)
    if t in ("", "N", "NC", "N.C.", "n"):
        return None
    root, used = parse_note(t)
    rest = t[used:]
    bass = None
    if "/" in rest:
        head, b = rest.rsplit("/", 1)
        if b and b[0].upper() in NOTE_PC:
            bass = parse_note(b)[0]
            rest = head
    s = rest.replace("(", "").replace(")", "").replace(" ", "")
    third, fifth, seventh = 4, 7, None
    ext = set()
    maj7 = False

    def take(prefixes):
        nonlocal s
        for p in prefixes:
            if s.startswith(p):
                s = s[len(p):]
                return True
        return False

    if take(["m/maj", "-^", "mM", "mmaj", "minmaj", "-maj", "m^"]):
        third, maj7, seventh = 3, True, 11
    elif take(["maj", "^", "M", "Δ", "j"]):
        maj7 = True
        if not s or s[0] in "#b" or s[:1] == "7":
            seventh = 11
    elif take(["min", "mi", "m", "-"]):
        third = 3
        if take(["aug", "+"]):
            fifth = 8
    elif take(["dim", "o", "0", "°"]):
        third, fifth = 3, 6
        if s.startswith("7"):
            seventh = 9
            s = s[1:]
    elif take(["h", "ø"]):
        third, fifth, seventh = 3, 6, 10
        take(["7"])
    elif take(["aug", "+"]):
        fifth = 8
    power = False
    m = re.match(r"(69|13|11|9|7|6|5|2|4)", s)
    if m:
        n = m.group(1)
        s = s[len(n):]
        if n == "69":
            ext |= {9, 14}
        elif n == "6":
            ext.add(9)
        elif n == "5":
            power = True
        elif n == "2":
            ext.add(14)
        elif n == "4":
            ext.add(5)
        else:
            if seventh is None:
                seventh = 11 if maj7 else 10
            if n in ("9", "11", "13"):
                ext.add(14)
            if n == "11":
                ext.add(17)
            if n == "13":
                ext.add(21)
    sus = None
    while s:
        if take(["sus2"]):
            sus = 2
        elif take(["sus4", "sus"]):
            sus = 5
        elif take(["add9", "add2"]):
            ext.add(14)
        elif take(["add11", "add4"]):
            ext.add(17)
        elif take(["alt"]):
            seventh = seventh or 10
            ext |= {13, 15, 20}
        elif take(["b5", "-5"]):
            fifth = 6
        elif take(["#5", "+5"]):
            fifth = 8
        elif take(["b9", "-9"]):
            ext.add(13)
        elif take(["#9", "+9"]):
            ext.add(15)
        elif take(["#11", "+11"]):
            ext.add(18)
        elif take(["b13", "-13", "b6"]):
            ext.add(20)
        elif take(["9"]):
            ext.add(14)
        elif take(["13"]):
            ext.add(21)
        elif take(["11"]):
            ext.add(17)
        elif take(["7"]):
            seventh = seventh or 10
        else:
            raise LabelError(f"unknown chord suffix {rest!r} in {symbol!r}")
    ivs = {0, fifth}
    if power:
        pass
    elif sus is not None:
        ivs.add(sus)
    else:
        ivs.add(third)
    if seventh is not None:
        ivs.add(seventh)
    ivs |= {e % 12 for e in ext}
    if maj7 and seventh is None and not ext and not power:
        pass  # "maj" alone: a major triad
    return root, frozenset(ivs), bass
