"""Style tags of Billboard and RS200 songs from the artist table (artist_styles.json)."""
import json
import os

from . import common

HERE = os.path.dirname(os.path.abspath(__file__))
_TABLE = json.load(open(os.path.join(HERE, "artist_styles.json"), encoding="utf-8"))
ARTIST_STYLE = {}
for _style, _artists in _TABLE.items():
    if isinstance(_artists, list):
        for _a in _artists:
            ARTIST_STYLE.setdefault(common.normalise(_a), _style)


def style_for(default):
    def style_of(artist, _title):
        return ARTIST_STYLE.get(common.normalise(artist), default)

    return style_of
