"""Corpus readers on small fixtures written by the tests (run: python -m pytest models/train/tests
or python -m unittest discover -s models/train/tests -t models/train)."""
import json
import os
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from corpus import common, humdrum, ireal, jazz, music21_corpus, pop909, vocab  # noqa: E402

BILLBOARD = """!!!OTL: Test Song
**harm\t**harte\t**kern\t**timestamp
*M4/4\t*M4/4\t*M4/4\t*
*C:\t*C:\t*C:\t*
=1\t=1\t=1\t=1
*>A_intro\t*>A_intro\t*>A_intro\t*>A_intro
2I\tC:maj\t4c\t0
.\t.\t4e\t.
2V\tG:7/3\t[2g\t.
=2\t=2\t=2\t=2
*>B_verse\t*>B_verse\t*>B_verse\t*>B_verse
1IV\tF:maj(9)\t4g]\t2
.\t.\t4r\t.
.\t.\t2a\t.
=3\t=3\t=3\t=3
*M3/4\t*M3/4\t*M3/4\t*
*D:\t*D:\t*D:\t*
*>C_prechorus\t*>C_prechorus\t*>C_prechorus\t*>C_prechorus
2.V\tA:5\t2.a\t4
=4\t=4\t=4\t=4
*-\t*-\t*-\t*-
"""

RS200 = """!!!OTL: Rock Song
**harm\t**harte\t**harm\t**harte\t**kern\t**timestamp
=1\t=1\t=1\t=1\t=1\t=1
*>Chorus\t*>Chorus\t*>Chorus\t*>Chorus\t*>Chorus\t*>Chorus
*tb4\t*tb4\t*tb4\t*tb4\t*tb4\t*
*M4/4\t*M4/4\t*M4/4\t*M4/4\t*M4/4\t*
*a:\t*a:\t*a:\t*a:\t*a:\t*
i\tA:min\ti\tA:min\ta\t0
.\t.\t.\t.\t.\t.
VII\tG:maj\tVII\tG:maj\tb\t.
.\t.\t.\t.\t.\t.
=2\t=2\t=2\t=2\t=2\t=2
*^\t*\t*\t*\t*\t*
i\ti\tA:min\ti\tA:min\tcc\t.
.\t.\t.\t.\t.\t.\t.
.\t.\t.\t.\t.\t.\t.
.\t.\t.\t.\t.\t.\t.
=3\t=3\t=3\t=3\t=3\t=3\t=3
*-\t*-\t*-\t*-\t*-\t*-\t*-
"""


def chords(song):
    return [[(c["on"], c["dur"], common.token(c), c["tie"]) for c in b["chords"]] for b in song["bars"]]


class VocabTests(unittest.TestCase):
    def test_nearest_examples_from_the_vocabulary_file(self):
        for ex in vocab.VOCAB["nearest_examples"]:
            self.assertEqual(vocab.nearest(ex["intervals"])[0], ex["quality"], ex)

    def test_every_quality_maps_to_itself_exactly(self):
        for q in vocab.VOCAB["qualities"]:
            self.assertEqual(vocab.nearest(q["intervals"]), (q["name"], True))

    def test_required_qualities_present(self):
        names = {q["name"] for q in vocab.VOCAB["qualities"]}
        for q in ["maj", "min", "dim", "aug", "sus2", "sus4", "5", "6", "m6", "7", "maj7", "m7",
                  "m7b5", "dim7", "mmaj7", "9", "maj9", "m9", "11", "13", "7b9", "7#9", "add9"]:
            self.assertIn(q, names)

    def test_harte_labels(self):
        self.assertEqual(vocab.parse_harte("F#:min7"), (6, frozenset({0, 3, 7, 10}), None))
        self.assertEqual(vocab.parse_harte("D:maj/5"), (2, frozenset({0, 4, 7}), 9))
        self.assertEqual(vocab.parse_harte("B-:maj")[0], 10)
        self.assertEqual(vocab.nearest(vocab.parse_harte("E:7(#9)")[1])[0], "7#9")
        self.assertEqual(vocab.nearest(vocab.parse_harte("A:5")[1])[0], "5")
        self.assertEqual(vocab.nearest(vocab.parse_harte("C:(1,3,5,b7)")[1])[0], "7")
        self.assertEqual(vocab.parse_harte("D:min7/b3")[2], 5)
        self.assertIsNone(vocab.parse_harte("N"))
        with self.assertRaises(vocab.LabelError):
            vocab.parse_harte("C:wobble")

    def test_lead_sheet_symbols(self):
        def q(s):
            return vocab.nearest(vocab.parse_symbol(s)[1])[0]

        cases = {"Cm7": "m7", "F7b9": "7b9", "Bb^7": "maj7", "C-7": "m7", "Ch7": "m7b5",
                 "Co7": "dim7", "C07": "dim7", "Cm7b5": "m7b5", "C69": "6", "C7sus": "7sus4",
                 "Cm/maj7": "mmaj7", "C-^7": "mmaj7", "C+": "aug", "C5": "5", "C2": "add9",
                 "Cadd9": "add9", "C13": "13", "Cmaj9": "maj9", "F#-": "min", "Cm6": "m6",
                 "C7#9": "7#9", "C9": "9", "C11": "11", "C": "maj", "Csus2": "sus2"}
        for s, want in cases.items():
            self.assertEqual(q(s), want, s)
        self.assertEqual(vocab.parse_symbol("F/A")[2], 9)
        self.assertEqual(vocab.parse_symbol("C7(Gm7)")[0], 0)
        self.assertEqual(vocab.parse_symbol("(Bb7)")[0], 10)
        self.assertIsNone(vocab.parse_symbol("N.C."))


class CommonTests(unittest.TestCase):
    def test_sections_map_to_the_fixed_set(self):
        m = common.map_section
        self.assertEqual(m("Intro"), "intro")
        self.assertEqual(m("prechorus"), "pre-chorus")
        self.assertEqual(m("Pre-Chorus"), "pre-chorus")
        self.assertEqual(m("Refrain"), "chorus")
        self.assertEqual(m("instrumental"), "solo")
        self.assertEqual(m("fadeout"), "outro")
        self.assertEqual(m("trans"), "other")
        for s in ["intro", "verse", "chorus", "bridge", "solo", "outro", "Link", None]:
            self.assertIn(m(s), vocab.SECTIONS)

    def test_same_song_from_two_sources_shares_a_split(self):
        a = common.song_key("TheBeatles", "LetItBe")
        b = common.song_key("The Beatles", "Let It Be")
        self.assertEqual(common.split_of(a), common.split_of(b))
        splits = {common.split_of(common.song_key("x", f"song {i}")) for i in range(200)}
        self.assertEqual(splits, {"train", "valid", "test"})


class HumdrumTests(unittest.TestCase):
    def read(self, text, source):
        st = common.Stats(source)
        return humdrum.read_text(text, source, "t", "Test", "Band", "pop", st), st

    def test_billboard_chords_meters_keys_sections_melody(self):
        s, _ = self.read(BILLBOARD, "billboard")
        self.assertEqual(len(s["bars"]), 3)
        self.assertEqual([b["meter"] for b in s["bars"]], ["4/4", "4/4", "3/4"])
        self.assertEqual([b["len16"] for b in s["bars"]], [16, 16, 12])
        self.assertEqual([b["section"] for b in s["bars"]], ["intro", "verse", "pre-chorus"])
        self.assertEqual(chords(s)[0], [(0, 8, "0:maj", False), (8, 8, "7:7/4", False)])
        self.assertEqual(chords(s)[1], [(0, 16, "5:add9", False)])
        # modulation to D: A:5 is V of the local key
        self.assertEqual(s["bars"][2]["key"], {"tonic": 2, "mode": "major"})
        self.assertEqual(chords(s)[2], [(0, 12, "7:5", False)])
        self.assertEqual(s["keys"], ["0:major", "2:major"])
        mel = [[(m["on"], m["dur"], m["pitch"], m["tie"]) for m in b["melody"]] for b in s["bars"]]
        # tied g (8 + 4 sixteenths) is one note cut at the barline
        self.assertEqual(mel[0], [(0, 4, 60, False), (4, 4, 64, False), (8, 8, 67, False)])
        self.assertEqual(mel[1], [(0, 4, 67, True), (4, 4, None, False), (8, 8, 69, False)])
        self.assertEqual(s["bars"][2]["melody"][0]["rel"], 69 - 2)
        self.assertTrue(s["has_melody"])

    def test_rs200_timebase_and_spine_split(self):
        s, _ = self.read(RS200, "rollingstone")
        self.assertEqual(len(s["bars"]), 2)
        self.assertEqual(s["bars"][0]["key"], {"tonic": 9, "mode": "minor"})
        self.assertEqual(s["bars"][0]["section"], "chorus")
        self.assertEqual(chords(s)[0], [(0, 8, "0:min", False), (8, 8, "10:maj", False)])
        self.assertEqual(chords(s)[1], [(0, 16, "0:min", False)])
        mel = [(m["on"], m["dur"], m["pitch"]) for m in s["bars"][0]["melody"]]
        self.assertEqual(mel, [(0, 8, 69), (8, 8, 71)])
        # onset-only melody: the last note is capped at a half note
        self.assertEqual(s["bars"][1]["melody"][0]["dur"], 8)

    def test_folder_prefers_the_file_with_a_melody(self):
        with tempfile.TemporaryDirectory() as d:
            harm_only = "\n".join(ln.split("\t")[0] + "\t" + ln.split("\t")[1] if "\t" in ln else ln
                                  for ln in BILLBOARD.splitlines())
            open(os.path.join(d, "Band_Song_1970.harm"), "w").write(harm_only)
            open(os.path.join(d, "Band_Song_1970.hum"), "w").write(BILLBOARD)
            open(os.path.join(d, "Bad_File_1970.harm"), "w").write("**harm\n1I\n")
            st = common.Stats("billboard")
            songs = list(humdrum.read_folder(d, "billboard", lambda a, t: "pop", st))
        self.assertEqual(len(songs), 1)
        self.assertTrue(songs[0]["has_melody"])
        self.assertEqual(st.songs, 1)
        self.assertEqual(st.skipped, {"song unreadable (HumdrumError)": 1})
        self.assertEqual(st.chords, 4)


class JazzTests(unittest.TestCase):
    def test_sections_endings_and_key(self):
        d = [{"Title": "Tune", "Composer": "Someone", "Key": "Dmin", "Rhythm": "Bossa Nova",
              "TimeSignature": "4/4",
              "Sections": [{"Label": "A", "MainSegment": {"Chords": "Dm7|G7,C7"},
                            "Endings": [{"Chords": "Em7b5,A7b9"}, {"Chords": "Dm6"}]},
                           {"Label": "B", "MainSegment": {"Chords": "Bbmaj7||Xyz"}}]},
             {"Title": "No Key", "TimeSignature": "3/4",
              "Sections": [{"Label": "A", "MainSegment": {"Chords": "F|C7|F"}}]}]
        with tempfile.TemporaryDirectory() as t:
            p = os.path.join(t, "j.json")
            json.dump(d, open(p, "w"))
            st = common.Stats("jazz")
            songs = list(jazz.read(p, st))
        a, b = songs
        self.assertEqual(a["style"], "bossa")
        self.assertEqual(a["bars"][0]["key"], {"tonic": 2, "mode": "minor"})
        got = [[common.token(c) for c in bar["chords"]] for bar in a["bars"]]
        self.assertEqual(got, [["0:m7"], ["5:7", "10:7"], ["2:m7b5", "7:7b9"],
                               ["0:m7"], ["5:7", "10:7"], ["0:m6"],
                               ["8:maj7"], ["8:maj7"], ["8:maj7"]])
        self.assertEqual([bar["section"] for bar in a["bars"]][-3:], ["bridge"] * 3)
        self.assertEqual(a["bars"][1]["chords"][1]["on"], 8)
        self.assertEqual(st.skipped["chord symbol not parsed (kept previous)"], 1)
        self.assertEqual(b["style"], "jazz-waltz")
        self.assertEqual(b["bars"][0]["key"], {"tonic": 5, "mode": "major"})
        self.assertEqual(b["bars"][0]["len16"], 12)
        self.assertEqual(st.skipped["key missing: taken from the last chord (songs)"], 1)


def scramble(music):
    """Inverse of ireal.unscramble for text without the substituted patterns."""
    out = ""
    while len(music) > 51:
        out += ireal.obfusc50(music[:50])
        music = music[50:]
    return out + music


class IrealTests(unittest.TestCase):
    MUSIC = "{*AT44C^7 A-7 |D-7 G7 |N1E-7 A7 }|N2C6 |x |[*BF^7 |r |Bb7sus |n Z"

    def test_unscramble_round_trip_and_chart(self):
        self.assertGreater(len(self.MUSIC), 51)
        song = "=".join(["My Tune", "Some Band (Writer)", "", "Rock Pop", "C", "",
                         ireal.MUSIC_PREFIX + scramble(self.MUSIC), "Pop-Rock", "120", "1"])
        url = "irealb://" + urllib.parse.quote(song + "===" + "Playlist")
        charts = ireal.split_playlist(url)
        self.assertEqual(len(charts), 1)
        self.assertEqual(charts[0]["music"], self.MUSIC)
        st = common.Stats("ireal")
        s = ireal.read_chart(charts[0], "pop400", st)
        self.assertEqual(s["style"], "rock")
        self.assertEqual(s["artist"], "Some Band")
        got = [[common.token(c) for c in b["chords"]] for b in s["bars"]]
        body = [["0:maj7", "9:m7"], ["2:m7", "7:7"]]
        self.assertEqual(got, body + [["4:m7", "9:7"]] + body + [["0:6"], ["0:6"],
                         ["5:maj7"], ["0:6"], ["5:maj7"], ["10:7sus4"], ["NC"]])
        self.assertEqual(s["bars"][0]["section"], "other")
        self.assertEqual(s["bars"][0]["chords"][1]["on"], 8)

    def test_irealbook_plain(self):
        url = "irealbook://" + urllib.parse.quote("Blues=Anon=Blues=F=n=[T34F7 |Bb7 |F7 Z")
        ch = ireal.split_playlist(url)
        s = ireal.read_chart(ch[0], "blues50", common.Stats("ireal"))
        self.assertEqual(s["style"], "blues")
        self.assertEqual([b["meter"] for b in s["bars"]], ["3/4"] * 3)
        self.assertEqual([common.token(b["chords"][0]) for b in s["bars"]], ["0:7", "5:7", "0:7"])


class Pop909Tests(unittest.TestCase):
    def test_song_folder(self):
        import mido

        with tempfile.TemporaryDirectory() as root:
            d = os.path.join(root, "001")
            os.makedirs(d)
            # 120 bpm: a beat every 0.5 s; 4/4 with downbeats at 0 and 2 s
            with open(os.path.join(d, "beat_midi.txt"), "w") as f:
                for i in range(12):
                    f.write(f"{i * 0.5} {1.0 if i % 2 == 0 else 0.0} {1.0 if i % 4 == 0 else 0.0}\n")
            with open(os.path.join(d, "chord_midi.txt"), "w") as f:
                f.write("0.0\t2.0\tA:min\n2.0\t3.0\tF:maj7\n3.0\t4.0\tG:sus4(b7)\n")
            with open(os.path.join(d, "key_audio.txt"), "w") as f:
                f.write("0.0\t6.0\tA:min\n")
            mf = mido.MidiFile(ticks_per_beat=480)
            meta = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000, time=0)])
            mel = mido.MidiTrack([mido.MetaMessage("track_name", name="MELODY", time=0),
                                  mido.Message("note_on", note=69, velocity=80, time=0),
                                  mido.Message("note_off", note=69, velocity=0, time=960),
                                  mido.Message("note_on", note=72, velocity=80, time=480),
                                  mido.Message("note_off", note=72, velocity=0, time=1440)])
            mf.tracks += [meta, mel]
            mf.save(os.path.join(d, "001.mid"))
            st = common.Stats("pop909")
            songs = list(pop909.read_folder(root, st))
        self.assertEqual(len(songs), 1)
        s = songs[0]
        self.assertEqual(s["style"], "cpop-ballad")
        self.assertEqual(s["bars"][0]["key"], {"tonic": 9, "mode": "minor"})
        got = [[(c["on"], c["dur"], common.token(c)) for c in b["chords"]] for b in s["bars"]]
        self.assertEqual(got, [[(0, 16, "0:min")], [(0, 8, "8:maj7"), (8, 8, "10:7sus4")]])
        mel = [[(m["on"], m["dur"], m["pitch"]) for m in b["melody"]] for b in s["bars"]]
        self.assertEqual(mel[0], [(0, 8, 69), (8, 4, None), (12, 4, 72)])
        self.assertEqual(mel[1], [(0, 8, 72)])
        self.assertEqual(s["bars"][0]["melody"][0]["rel"], 69 - 9)


if __name__ == "__main__":
    unittest.main()


class Music21CorpusTests(unittest.TestCase):
    """The chorale and folk readers' labelling and song building on notes written here (no music21);
    one real chorale when music21 is installed."""

    # a four-part cadence in C, one half note per chord, 4/4, two bars: I  V6/5  | I (held)  I
    CHORALE = [(48, 0, 8), (55, 0, 8), (64, 0, 8), (72, 0, 8),          # C major, root position
               (47, 8, 16), (55, 8, 16), (62, 8, 16), (65, 8, 16),      # G7 over B (first inversion)
               (48, 16, 32), (55, 16, 32), (64, 16, 32), (72, 16, 24), (74, 24, 32)]

    def test_beats_labelled_from_all_voices_with_the_bass(self):
        labels = music21_corpus.beat_labels(self.CHORALE, 0, 32, 4)
        self.assertEqual(len(labels), 8)
        root, ivs, bass = labels[0]
        self.assertEqual((root, vocab.nearest(ivs)[0], bass), (0, "maj", 0))
        root, ivs, bass = labels[2]
        self.assertEqual((root, vocab.nearest(ivs)[0], bass), (7, "7", 11))
        self.assertEqual(labels[4][0], 0)
        self.assertIsNone(music21_corpus.beat_labels([], 0, 8, 4)[0])

    def test_song_merges_equal_beats_ties_over_the_barline_and_is_key_relative(self):
        labels = music21_corpus.beat_labels(self.CHORALE, 0, 32, 4)
        citems = [(i * 4, 4, lab) for i, lab in enumerate(labels)]
        mel = music21_corpus.melody_items([(72, 0, 8), (71, 8, 16), (72, 16, 24)], 0, 32)
        self.assertEqual(mel, [(0, 8, 72), (8, 8, 71), (16, 8, 72), (24, 8, None)])
        # key G major: C is 5 semitones above the tonic
        s = music21_corpus.build_song("chorales", "bwv0", "BWV 0", "J. S. Bach", "chorale", "4/4", 16,
                                      {"tonic": 7, "mode": "major"}, citems, mel, 32)
        self.assertEqual(s["split"], common.split_of(s["song_key"]))
        self.assertEqual([b["section"] for b in s["bars"]], ["other", "other"])
        self.assertEqual(chords(s), [[(0, 8, "5:maj", False), (8, 8, "0:7/4", False)],
                                     [(0, 16, "5:maj", False)]])
        self.assertEqual([(m["on"], m["pitch"], m["rel"]) for m in s["bars"][1]["melody"]],
                         [(0, 72, 65), (8, None, None)])
        # a chord held over the barline continues tied
        held = music21_corpus.build_song("chorales", "bwv1", "BWV 1", "J. S. Bach", "chorale", "3/4", 12,
                                         {"tonic": 0, "mode": "major"},
                                         [(0, 8, (0, frozenset({0, 4, 7}), 0)), (8, 16, (7, frozenset({0, 4, 7}), 7))],
                                         [(0, 24, None)], 24)
        self.assertEqual(chords(held), [[(0, 8, "0:maj", False), (8, 4, "7:maj", False)],
                                        [(0, 12, "7:maj", True)]])

    def test_melody_keeps_the_highest_note_and_cuts_overlaps(self):
        mel = music21_corpus.melody_items([(60, 2, 6), (64, 2, 4), (67, 5, 9), (65, 7, 12)], 0, 10)
        self.assertEqual(mel, [(0, 2, None), (2, 2, 64), (4, 1, None), (5, 2, 67), (7, 3, 65)])

    @unittest.skipUnless(music21_corpus.available(), "music21 not installed")
    def test_one_real_chorale(self):
        job = next(j for j in music21_corpus.jobs({}) if j[2] == "bach/bwv10.7.mxl")
        kind, songs, skipped = music21_corpus.run_job(job)
        self.assertEqual((kind, len(songs), skipped), ("chorales", 1, {}))
        s = songs[0]
        self.assertEqual((s["style"], s["meters"], s["title"]), ("chorale", ["4/4"], "BWV 10.7"))
        self.assertTrue(s["has_melody"])
        self.assertTrue(all(c["q"] in music21_corpus.CHORALE_QUALITIES for b in s["bars"] for c in b["chords"]
                            if c["root"] is not None))
