//! `bandmate groove` on a file written here: notes keep their bars and channels, move by the
//! learned feel, and the same arguments give the same bytes.

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::{import, smf};
use std::path::PathBuf;
use std::process::Command;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bandmate-groove-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir.join(name)
}

fn groove(style: &str, input: &PathBuf, out: &PathBuf) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bandmate"))
        .args(["groove", "--style", style, "--in"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run bandmate")
}

#[test]
fn groove_moves_notes_inside_their_bars() {
    let mut s = Settings {
        bars: 4,
        seed: 3,
        source: Source::Rules,
        ..Settings::default()
    };
    s.enable_only(&[PartKind::Bass, PartKind::Drums, PartKind::Keys]);
    let clip = arrange::generate(&s).expect("clip").clip;
    let part = tmp("part.mid");
    std::fs::write(&part, smf::write(&clip).expect("smf")).expect("write");
    let (a, b, j) = (tmp("funk-a.mid"), tmp("funk-b.mid"), tmp("jazz.mid"));
    let out = groove("funk", &part, &a);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("funk feel"));
    assert!(groove("funk", &part, &b).status.success());
    assert!(groove("jazz", &part, &j).status.success());
    let bytes = std::fs::read(&a).expect("read");
    assert_eq!(
        bytes,
        std::fs::read(&b).expect("read"),
        "same arguments, same bytes"
    );
    assert_ne!(
        bytes,
        std::fs::read(&j).expect("read"),
        "another drummer, another feel"
    );

    let before = import::import(&std::fs::read(&part).expect("read")).expect("import");
    let after = import::import(&bytes).expect("import grooved");
    assert_eq!(before.parts.len(), after.parts.len());
    let bar = before.bar_ticks();
    let mut moved = 0;
    for (p, q) in before.parts.iter().zip(&after.parts) {
        assert_eq!(p.channel, q.channel, "{}", p.name);
        assert_eq!(p.notes.len(), q.notes.len(), "{}", p.name);
        let mut xs = p.notes.clone();
        let mut ys = q.notes.clone();
        xs.sort_by_key(|n| (n.pitch, n.start));
        ys.sort_by_key(|n| (n.pitch, n.start));
        for (x, y) in xs.iter().zip(&ys) {
            assert_eq!(x.pitch, y.pitch);
            assert_eq!(x.start / bar, y.start / bar, "{x:?} -> {y:?} left its bar");
            assert!(y.start.abs_diff(x.start) <= 80, "{x:?} -> {y:?}");
            moved += (x.start != y.start) as usize;
        }
    }
    assert!(moved > 10, "the feel moved {moved} notes");
    let drums = after.part(PartKind::Drums).expect("drums");
    assert_eq!(drums.channel.as_int(), 9);

    let bad = groove("polka", &part, &tmp("x.mid"));
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("polka") && err.contains("funk"), "{err}");
}
