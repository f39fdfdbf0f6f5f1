"""Chord model v2 features, and the trained model's response to its conditioning (skipped when
models/chords/v2 has not been trained)."""
import json
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import train_chords2 as tc  # noqa: E402
from corpus import common  # noqa: E402

MODEL = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "chords", "v2")


def song(chords_per_bar, style="pop", section="verse"):
    s = common.new_song("test", "x", "Title", "Artist", style)
    for bar in chords_per_bar:
        n = len(bar)
        s["bars"].append({"meter": "4/4", "len16": 16, "key": {"tonic": 0, "mode": "major"},
                          "section": section, "melody": [],
                          "chords": [{"on": i * 16 // n, "dur": 16 // n, "root": r, "q": q, "bass": None,
                                      "tie": False} for i, (r, q) in enumerate(bar)]})
    return common.finish_song(s)


class FeatureTests(unittest.TestCase):
    def test_harmonic_rhythm_and_complexity_buckets(self):
        fast = song([[(0, "maj"), (5, "maj"), (7, "maj"), (0, "maj")]] * 4)
        slow = song([[(0, "maj7")], [(9, "m9")], [(2, "m7")], [(7, "13")]])
        self.assertEqual(tc.song_cond(fast, tc.events_of(fast)), (0, 0))
        self.assertEqual(tc.song_cond(slow, tc.events_of(slow)), (2, 2))

    def test_sequence_layout_and_long_chords_split(self):
        s = song([[(0, "maj")], [(0, "maj")], [(0, "maj")], [(7, "7")]])
        s["bars"][1]["chords"][0]["tie"] = True
        s["bars"][2]["chords"][0]["tie"] = True
        toks = tc.token_list([s])
        idx = {t: i for i, t in enumerate(toks)}
        X, A, B = tc.sequence(s, idx)
        # 48 sixteenths of C split into 32 + 16, then G7
        self.assertEqual([toks[a] for a in A], ["0:maj", "0:maj", "7:7"])
        self.assertEqual([b + 1 for b in B], [32, 16, 16])
        self.assertEqual(len(X[0]), len(tc.features(toks)))
        self.assertEqual(X[0][0], idx["BOS"])
        self.assertEqual([x[2] for x in X], [0, 0, 0])  # bar positions
        self.assertEqual(X[0][6], tc.v2.STYLES.index("pop"))
        self.assertEqual(X[0][7], tc.v2.SECTIONS.index("verse"))


@unittest.skipUnless(os.path.isfile(os.path.join(MODEL, "config.json")), "chord model v2 not trained")
class ModelConditioningTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import onnxruntime as ort

        cls.cfg = json.load(open(os.path.join(MODEL, "config.json")))
        cls.sess = ort.InferenceSession(os.path.join(MODEL, cls.cfg["file"]), providers=["CPUExecutionProvider"])
        cls.tok = cls.cfg["tokens"]

    def first_step(self, style="pop", hr=1, cx=1, section="verse", mode="major"):
        x = [self.tok.index("BOS"), 32, 0, 4, self.cfg["modes"].index(mode), self.cfg["meters"].index("4/4"),
             self.cfg["styles"].index(style), self.cfg["sections"].index(section), hr, cx]
        h = np.zeros(self.cfg["inputs"][1]["shape"], dtype=np.float32)
        la, lb, _ = self.sess.run(None, {"x": np.array(x, dtype=np.int64), "h": h})
        pa = np.exp(la[0] - la[0].max())
        pa /= pa.sum()
        pb = np.exp(lb - lb.max(axis=1, keepdims=True))
        pb /= pb.sum(axis=1, keepdims=True)
        return pa, pb

    def expected_duration(self, **kw):
        pa, pb = self.first_step(**kw)
        durs = np.arange(1, pb.shape[1] + 1)
        return float((pa[:, None] * pb * durs[None, :]).sum())

    def test_harmonic_rhythm_setting_changes_chord_lengths(self):
        # the buckets the engine uses in 4/4 for half-bar and two-bar changes (rhythm_bucket);
        # bucket 0 (mean <= 4 sixteenths) only occurs in short bars and in 26 training songs
        fast = self.expected_duration(hr=1)
        slow = self.expected_duration(hr=3)
        self.assertLess(fast * 1.2, slow, (fast, slow))

    def test_jazz_styles_favour_seventh_chords(self):
        def sevenths(style):
            pa, _ = self.first_step(style=style, hr=1, cx=1)
            return sum(p for t, p in zip(self.tok, pa) if ":" in t and t.split(":")[1].split("/")[0] in ("7", "m7", "maj7", "m7b5", "6", "9", "m9", "13"))

        self.assertGreater(sevenths("jazz-swing"), sevenths("rock"))

    def test_minor_mode_starts_on_a_minor_tonic_more_often(self):
        pa_maj, _ = self.first_step(mode="major")
        pa_min, _ = self.first_step(mode="minor")
        i = self.tok.index("0:min")
        self.assertGreater(pa_min[i], pa_maj[i])


if __name__ == "__main__":
    unittest.main()
