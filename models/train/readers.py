"""Read every corpus under --data into one JSON-lines training file.

    python models/train/readers.py --data ../shared/data --out models/train/data/v2.jsonl
                                   [--stats STATS.json] [--sources billboard,ireal,...] [--music21]

Any subset of the folders billboard/, rollingstone/, jazz/, ireal/, pop909/ may be present.
--music21 adds the Bach chorales and folk tunes of the installed music21 corpus (sources
"chorales" and "folk", corpus/music21_corpus.py; cached in <out dir>/music21-songs.jsonl, reread
when the reader, the v1 extractor or music21 change); without music21 they are skipped with a
message.
Prints per-source counts (songs, bars, chord events, melody notes, skipped with reasons) and
writes them to --stats (default: <out>.stats.json) for the model cards.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus import common, humdrum, ireal, jazz, music21_corpus, pop909, styles  # noqa: E402

SOURCES = ["billboard", "rollingstone", "jazz", "ireal", "pop909"]


def read_source(name, data):
    """(stats, song iterator) for one source folder under data, or None if it is missing."""
    st = common.Stats(name)
    if name in ("billboard", "rollingstone"):
        d = os.path.join(data, name)
        if not os.path.isdir(d):
            return None
        default = "pop" if name == "billboard" else "rock"
        return st, humdrum.read_folder(d, name, styles.style_for(default), st)
    if name == "jazz":
        p = os.path.join(data, "jazz", "JazzStandards.json")
        return (st, jazz.read(p, st)) if os.path.isfile(p) else None
    if name == "ireal":
        d = os.path.join(data, "ireal")
        return (st, ireal.read_folder(d, st)) if os.path.isdir(d) else None
    if name == "pop909":
        d = os.path.join(data, "pop909")
        return (st, pop909.read_folder(d, st)) if os.path.isdir(d) else None
    raise ValueError(name)


def read_all(data, sources=SOURCES, quiet=False):
    """(songs, stats list) for the sources found under data."""
    songs, stats = [], []
    for name in sources:
        r = read_source(name, data)
        if r is None:
            continue
        st, it = r
        songs.extend(it)
        stats.append(st)
        if not quiet:
            print(st.line())
    return songs, stats


def music21_songs(cache, quiet=False):
    """(songs, stats list) of the music21 chorales and folk tunes, through the cache file; None
    when music21 is not installed."""
    if not music21_corpus.available():
        print("music21 not installed: chorales and folk skipped", file=sys.stderr)
        return None
    import hashlib

    import music21

    h = hashlib.sha256(music21.__version__.encode())
    for f in (music21_corpus.__file__, os.path.join(os.path.dirname(os.path.abspath(__file__)), "extract.py"),
              common.__file__):
        h.update(open(f, "rb").read())
    key = h.hexdigest()
    if os.path.isfile(cache):
        with open(cache, encoding="utf-8") as f:
            head = json.loads(f.readline() or "{}")
            if head.get("key") == key:
                songs = [json.loads(ln) for ln in f]
                stats = []
                for d in head["stats"]:
                    st = common.Stats(d["source"])
                    st.songs, st.bars, st.chords, st.notes = d["songs"], d["bars"], d["chord_events"], d["melody_notes"]
                    st.skipped = dict(d["skipped"])
                    stats.append(st)
                if not quiet:
                    for st in stats:
                        print(st.line() + " (cached)")
                return songs, stats
    songs, by_kind = music21_corpus.read_all()
    stats = [by_kind["chorales"], by_kind["folk"]]
    os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
    with open(cache, "w", encoding="utf-8") as f:
        f.write(json.dumps({"key": key, "stats": [st.as_dict() for st in stats]}) + "\n")
        for s in songs:
            f.write(json.dumps(s, ensure_ascii=False, sort_keys=True) + "\n")
    if not quiet:
        for st in stats:
            print(st.line())
    return songs, stats


def split_counts(songs):
    out = {}
    for s in songs:
        d = out.setdefault(s["source"], {"train": 0, "valid": 0, "test": 0})
        d[s["split"]] += 1
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join("..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "v2.jsonl"))
    ap.add_argument("--stats", default=None)
    ap.add_argument("--sources", default=",".join(SOURCES))
    ap.add_argument("--music21", action="store_true", help="add the music21 chorales and folk tunes")
    a = ap.parse_args(argv)
    songs, stats = read_all(a.data, [s for s in a.sources.split(",") if s])
    if a.music21:
        r = music21_songs(os.path.join(os.path.dirname(os.path.abspath(a.out)), "music21-songs.jsonl"))
        if r is not None:
            songs.extend(r[0])
            stats.extend(r[1])
    if not stats:
        print(f"no corpus folder under {a.data}", file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        for s in songs:
            f.write(json.dumps(s, ensure_ascii=False, sort_keys=True) + "\n")
    report = {"sources": [s.as_dict() for s in stats], "splits": split_counts(songs),
              "styles": {}}
    for s in songs:
        d = report["styles"].setdefault(s["style"], {"train": 0, "valid": 0, "test": 0})
        d[s["split"]] += 1
    shared = {}
    for s in songs:
        shared.setdefault(s["song_key"].split("|")[1], set()).add(s["source"])
    report["songs_in_several_sources"] = sum(1 for v in shared.values() if len(v) > 1)
    with open(a.stats or a.out + ".stats.json", "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, sort_keys=True, ensure_ascii=False)
    print(f"{len(songs)} songs -> {a.out}; splits {json.dumps(report['splits'])}; "
          f"{report['songs_in_several_sources']} titles in several sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
