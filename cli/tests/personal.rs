//! `bandmate learn`, `styles --show` and `generate --personal` through the real binary, with the
//! data folder pointed at a temporary XDG_DATA_HOME.

use bandmate_engine::arrange::{self, Settings, Source};
use bandmate_engine::clip::PartKind;
use bandmate_engine::smf;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "bandmate-cli-personal-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp");
    d
}

fn bandmate(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bandmate"))
        .args(args)
        .env("XDG_DATA_HOME", data)
        .output()
        .expect("run bandmate")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A folder of songs written by the engine (rules), plus one broken file.
fn songs(dir: &Path) {
    std::fs::create_dir_all(dir.join("old")).expect("dir");
    for seed in 1..=4u64 {
        let mut s = Settings {
            source: Source::Rules,
            bars: 8,
            seed,
            complexity: 0.6,
            ..Settings::default()
        };
        s.enable_only(&PartKind::ALL);
        let clip = arrange::generate(&s).expect("arrangement").clip;
        let sub = if seed % 2 == 0 { "old/" } else { "" };
        std::fs::write(
            dir.join(format!("{sub}song{seed}.mid")),
            smf::write(&clip).expect("write"),
        )
        .expect("write");
    }
    std::fs::write(dir.join("broken.mid"), b"MThd\x00\x00").expect("write");
}

#[test]
fn learn_show_and_generate_with_a_personal_style() {
    let r = root("flow");
    let data = r.join("data");
    let dir = r.join("songs");
    songs(&dir);
    let o = bandmate(
        &data,
        &["learn", dir.to_str().expect("path"), "--name", "mine"],
    );
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("skipped broken.mid:"), "{t}");
    assert!(t.contains("from 4 files (1 skipped)"), "{t}");
    let profile = data.join("bandmate/styles/mine/profile.json");
    let size = std::fs::metadata(&profile).expect("profile written").len();
    assert!(size > 100 && size < 1_000_000, "{size}");

    let o = bandmate(&data, &["styles", "--show", "mine"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("top progressions") && t.contains("groove: 4 beats"),
        "{t}"
    );
    let o = bandmate(&data, &["styles"]);
    assert!(text(&o).contains("personal: mine"), "{}", text(&o));

    let gen = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "generate",
            "--engine",
            "rules",
            "--parts",
            "chords,bass,drums",
            "--seed",
            "5",
            "--out",
            out.to_str().expect("path"),
        ];
        args.extend_from_slice(extra);
        let o = bandmate(&data, &args);
        assert!(o.status.success(), "{}", text(&o));
        (std::fs::read(out).expect("clip"), text(&o))
    };
    let (a, ta) = gen(&r.join("a.mid"), &["--personal", "mine", "--like", "0.8"]);
    let (b, _) = gen(&r.join("b.mid"), &["--personal", "mine", "--like", "0.8"]);
    assert_eq!(a, b, "same profile, settings and seed: same bytes");
    assert!(ta.contains("bass=personal(bass:mine@"), "{ta}");
    let bytes_text = String::from_utf8_lossy(&a);
    assert!(
        bytes_text.contains("personal=mine@"),
        "provenance names the profile"
    );
    let (zero, _) = gen(&r.join("z.mid"), &["--personal", "mine", "--like", "0"]);
    let (base, _) = gen(&r.join("base.mid"), &[]);
    assert_eq!(zero, base, "like 0 is the base output");
    assert_ne!(a, base);

    // A damaged profile is a clear error, not a crash.
    let good = std::fs::read(&profile).expect("read");
    std::fs::write(&profile, &good[..good.len() / 3]).expect("damage");
    let o = bandmate(&data, &["styles", "--show", "mine"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("damaged"), "{}", text(&o));
    let o = bandmate(
        &data,
        &["generate", "--personal", "nobody", "--out", "/dev/null"],
    );
    assert!(
        text(&o).contains("no personal style \"nobody\""),
        "{}",
        text(&o)
    );
    let o = bandmate(
        &data,
        &[
            "learn",
            r.join("missing").to_str().expect("p"),
            "--name",
            "x",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not a folder"), "{}", text(&o));
}
