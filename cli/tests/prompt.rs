//! `bandmate generate --prompt`: the real binary writes the prompt's settings into a real .mid,
//! byte for byte the same for the same prompt and seed, with the prompt in its provenance;
//! flags given with the prompt win.

use midly::{MetaMessage, Smf, TrackEventKind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bandmate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bandmate"))
        .args(args)
        .output()
        .expect("run bandmate")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bandmate-prompt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir.join(name)
}

/// (tempo in µs per quarter, time signature, text events, marker count, track names) of track 0.
fn conductor(bytes: &[u8]) -> (u32, (u8, u8), Vec<String>, usize, usize) {
    let smf = Smf::parse(bytes).expect("parse");
    let (mut tempo, mut sig, mut texts, mut markers) = (0, (0, 0), Vec::new(), 0);
    for e in &smf.tracks[0] {
        match e.kind {
            TrackEventKind::Meta(MetaMessage::Tempo(t)) => tempo = t.as_int(),
            TrackEventKind::Meta(MetaMessage::TimeSignature(n, d, _, _)) => sig = (n, 1 << d),
            TrackEventKind::Meta(MetaMessage::Text(t)) => {
                texts.push(String::from_utf8_lossy(t).into_owned())
            }
            TrackEventKind::Meta(MetaMessage::Marker(_)) => markers += 1,
            _ => {}
        }
    }
    (tempo, sig, texts, markers, smf.tracks.len())
}

fn run(prompt: &str, extra: &[&str], out: &Path) -> Output {
    let out = out.to_str().expect("utf8");
    let mut args = vec![
        "generate", "--prompt", prompt, "--engine", "rules", "--out", out,
    ];
    args.extend_from_slice(extra);
    let o = bandmate(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

#[test]
fn a_prompt_sets_the_clip_and_repeats_byte_for_byte() {
    let prompt = "sad jazz waltz in D minor at 84 bpm, walking bass, 8 bars";
    let (a, b) = (tmp("a.mid"), tmp("b.mid"));
    let o = run(prompt, &["--seed", "5"], &a);
    run(prompt, &["--seed", "5"], &b);
    let bytes = std::fs::read(&a).expect("read");
    assert_eq!(
        bytes,
        std::fs::read(&b).expect("read"),
        "same prompt and seed, same bytes"
    );
    let (tempo, sig, texts, _, tracks) = conductor(&bytes);
    assert_eq!(tempo, (60_000_000f64 / 84.0).round() as u32);
    assert_eq!(sig, (3, 4));
    assert_eq!(tracks, 3, "conductor, chords and bass");
    let prov = texts.join("\n");
    assert!(prov.contains(&format!("prompt=\"{prompt}\"")), "{prov}");
    assert!(prov.contains("bass:walking"), "{prov}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    for want in ["D minor", "84 bpm", "bass=walking", "jazz", "3/4"] {
        assert!(stdout.contains(want), "{want} missing from {stdout}");
    }
    assert!(
        stdout.contains("D minor 3/4 84 bpm, 8 bars, seed 5"),
        "{stdout}"
    );
}

#[test]
fn flags_given_with_the_prompt_win() {
    let out = tmp("flags.mid");
    let o = run(
        "uptempo rock in E at 150 bpm",
        &["--tempo", "100", "--key", "G major"],
        &out,
    );
    let (tempo, _, texts, _, _) = conductor(&std::fs::read(&out).expect("read"));
    assert_eq!(tempo, 600_000, "--tempo 100 wins");
    assert!(texts.join(" ").contains("key=G_major"), "{texts:?}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("flags win") && stdout.contains("--tempo"),
        "{stdout}"
    );
}

#[test]
fn a_prompt_naming_a_form_writes_a_song_with_sections() {
    let out = tmp("song.mid");
    run(
        "verse and chorus in A minor, no drums in the intro",
        &[],
        &out,
    );
    let (_, _, texts, markers, _) = conductor(&std::fs::read(&out).expect("read"));
    assert!(markers >= 4, "a marker per section ({markers})");
    assert!(texts.iter().any(|t| t.contains("prompt=")), "{texts:?}");
}

#[test]
fn empty_and_unreadable_prompts_say_so_and_use_the_flags() {
    for prompt in ["", "🎷🔥", "买牛奶"] {
        let out = tmp("odd.mid");
        let o = run(prompt, &["--bars", "4", "--seed", "2"], &out);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(stdout.contains("note "), "{prompt:?}: {stdout}");
        assert!(stdout.contains("C major 4/4 120 bpm, 4 bars"), "{stdout}");
    }
}
