//! Drag and drop and the clipboard through the real standalone under Xvfb: a test X client acts
//! as an XDND target (it advertises XdndAware 5, accepts, asks for `text/uri-list` and
//! `application/x-midi` on drop and records what it gets), xdotool drags a part from the legend
//! onto it, drags the clip and presses Escape, and copies the clip from the roll's context menu;
//! a second client reads the clipboard back. A screenshot of the drag in progress is written to
//! `$CARGO_TARGET_TMPDIR/drag-in-progress.png` (and into `$BANDMATE_SCREENSHOT_DIR` if set).
//!
//! Needs Xvfb and xdotool (`.ci/deps --test` installs both); without Xvfb it says so and passes.

mod desktop {
    pub mod png;
    pub mod target;
    pub mod x;
}

use bandmate::editor::theme::part_color;
use bandmate_engine::clip::PartKind;
use desktop::target::DropTarget;
use desktop::x::{self as xs, Session};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Export folder of the standalone: `$HOME/Music/Bandmate` with HOME set by the test.
fn export_dir(home: &Path) -> PathBuf {
    home.join("Music").join("Bandmate")
}

fn mids_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "mid"));
    v.sort();
    v
}

/// The path of a `file://` URI (percent-decoded).
fn uri_path(uri: &str) -> PathBuf {
    let rest = uri.strip_prefix("file://").expect("a file:// URI");
    let bytes = rest.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex byte"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// Checks that `path` is a Standard MIDI File with a conductor track and `tracks - 1` parts.
fn assert_midi(path: &Path, tracks: usize) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let smf = midly::Smf::parse(&bytes).expect("the dropped file parses as MIDI");
    assert_eq!(smf.tracks.len(), tracks, "{}", path.display());
    let notes = smf
        .tracks
        .iter()
        .flatten()
        .filter(|e| {
            matches!(
                e.kind,
                midly::TrackEventKind::Midi {
                    message: midly::MidiMessage::NoteOn { .. },
                    ..
                }
            )
        })
        .count();
    assert!(notes > 0, "{} has no notes", path.display());
    bytes
}

#[test]
fn parts_and_clips_drag_into_a_target_cancel_with_escape_and_copy_to_the_clipboard() {
    let Some(s) = Session::start(env!("CARGO_BIN_EXE_bandmate-standalone")) else {
        return;
    };
    let dir = export_dir(&s.home);
    let target = DropTarget::open(&s.display, (1040, 120), (480, 520), true);
    let refuser = DropTarget::open(&s.display, (1040, 700), (480, 160), false);

    // 1. Drag the Chords part from the legend onto the target and drop it.
    let c = part_color(PartKind::Chords);
    let chip = s
        .wait_for_color([c.r(), c.g(), c.b()], Duration::from_secs(60))
        .expect("the legend's Chords swatch (the standalone shows a clip)");
    let (tx, ty) = target.center();
    s.xdotool(&["mousemove", &chip.0.to_string(), &chip.1.to_string()]);
    s.pause(300);
    s.xdotool(&["mousedown", "1"]);
    s.pause(150);
    s.glide(chip, (chip.0 + 24, chip.1 + 6), 4);
    s.pause(400);
    s.glide((chip.0 + 24, chip.1 + 6), (tx, ty), 10);
    let entered = target.wait(Duration::from_secs(10), |l| l.accepted_positions > 0);
    if let Some(shot) = s.screenshot("drag-in-progress.png") {
        eprintln!("screenshot of the drag: {}", shot.display());
    }
    s.xdotool(&["mouseup", "1"]);
    let log = target.wait(Duration::from_secs(15), |l| l.finished);
    assert!(
        entered.accepted_positions > 0,
        "the target never saw the drag (enters {}, positions {}); standalone log:\n{}",
        entered.enters,
        entered.accepted_positions,
        s.log()
    );
    assert!(log.finished, "no drop arrived: {log:?}\n{}", s.log());
    assert_eq!(log.version, 5, "XdndEnter version");
    for ty in ["text/uri-list", "application/x-midi", "audio/midi"] {
        assert!(log.types.iter().any(|t| t == ty), "{ty} offered: {log:?}");
    }
    let uri = log.uri.clone().expect("a text/uri-list answer");
    assert!(
        uri.ends_with("\r\n"),
        "uri-list lines end with CRLF: {uri:?}"
    );
    let uri = uri.trim_end();
    assert!(uri.starts_with("file:///"), "{uri}");
    let dropped = uri_path(uri);
    assert_eq!(dropped.parent(), Some(dir.as_path()), "{uri}");
    let name = dropped
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("bandmate-") && name.ends_with("-chords.mid"),
        "export naming: {name}"
    );
    let file_bytes = assert_midi(&dropped, 2);
    assert_eq!(
        log.midi.as_deref(),
        Some(file_bytes.as_slice()),
        "application/x-midi carries the exported file's bytes"
    );
    assert_eq!(
        mids_in(&dir),
        vec![dropped.clone()],
        "one export for one drag"
    );

    // 2. Drop the part on a window that declines it: it gets XdndLeave, no drop; the file stays.
    let (rx, ry) = refuser.center();
    s.xdotool(&["mousemove", &chip.0.to_string(), &chip.1.to_string()]);
    s.pause(300);
    s.xdotool(&["mousedown", "1"]);
    s.pause(150);
    s.glide(chip, (chip.0 + 24, chip.1 + 6), 4);
    s.pause(400);
    s.glide((chip.0 + 24, chip.1 + 6), (rx, ry), 10);
    refuser.wait(Duration::from_secs(10), |l| l.refused_positions > 0);
    s.xdotool(&["mouseup", "1"]);
    let declined = refuser.wait(Duration::from_secs(10), |l| l.leaves > 0);
    assert!(
        declined.refused_positions > 0 && declined.leaves == 1,
        "the refusing target saw positions then a leave: {declined:?}"
    );
    s.pause(500);
    assert_eq!(
        refuser.snapshot().drops,
        0,
        "no drop on a window that declined"
    );
    let exported = mids_in(&dir);
    assert_eq!(
        exported.len(),
        2,
        "the refused drag's file stays: {exported:?}"
    );
    assert!(exported
        .iter()
        .any(|p| p.to_string_lossy().ends_with("-chords-2.mid")));
    xs::assert_no_grab(&s.display);

    // 3. Drag the whole clip from the roll, press Escape over the target: no drop, no grab.
    let roll = s.roll_point();
    let before = target.snapshot();
    let (drops_before, leaves_before) = (before.drops, before.leaves);
    s.xdotool(&["mousemove", &roll.0.to_string(), &roll.1.to_string()]);
    s.pause(300);
    s.xdotool(&["mousedown", "1"]);
    s.pause(150);
    s.glide(roll, (roll.0 + 30, roll.1 + 10), 4);
    s.pause(400);
    s.glide((roll.0 + 30, roll.1 + 10), (tx, ty + 40), 10);
    let over = target.wait(Duration::from_secs(10), |l| {
        l.enters > before.enters && l.accepted_positions > before.accepted_positions
    });
    assert!(
        over.enters > before.enters,
        "the clip drag never entered: {over:?}"
    );
    s.xdotool(&["key", "Escape"]);
    let left = target.wait(Duration::from_secs(10), |l| l.leaves > leaves_before);
    assert!(
        left.leaves > leaves_before,
        "Escape sent no XdndLeave: {left:?}"
    );
    s.xdotool(&["mouseup", "1"]);
    s.pause(800);
    let after = target.snapshot();
    assert_eq!(
        after.drops, drops_before,
        "a cancelled drag dropped: {after:?}"
    );
    xs::assert_no_grab(&s.display);
    let exported = mids_in(&dir);
    assert_eq!(
        exported.len(),
        3,
        "the cancelled drag's file stays: {exported:?}"
    );
    let clip_file = exported
        .iter()
        .find(|p| p.to_string_lossy().ends_with("-all.mid"))
        .expect("the whole clip was exported for the drag");
    assert_midi(clip_file, 2);

    // 4. Copy the clip from the roll's context menu; another client reads the clipboard.
    s.xdotool(&["mousemove", &roll.0.to_string(), &roll.1.to_string()]);
    s.pause(300);
    s.xdotool(&["click", "3"]);
    s.pause(600);
    s.xdotool(&[
        "mousemove",
        &(roll.0 + 24).to_string(),
        &(roll.1 + 14).to_string(),
    ]);
    s.pause(300);
    s.xdotool(&["click", "1"]);
    let board = xs::read_clipboard(&s.display, Duration::from_secs(10))
        .unwrap_or_else(|| panic!("nothing on the clipboard; standalone log:\n{}", s.log()));
    for ty in ["TARGETS", "text/uri-list", "x-special/gnome-copied-files"] {
        assert!(board.targets.iter().any(|t| t == ty), "{ty}: {board:?}");
    }
    let copied = uri_path(board.uri_list.trim_end());
    assert!(
        copied.to_string_lossy().ends_with("-all-2.mid"),
        "a new export of the clip: {}",
        copied.display()
    );
    assert_midi(&copied, 2);
    assert_eq!(
        board.gnome,
        format!("copy\n{}", board.uri_list.trim_end()),
        "gnome-copied-files"
    );
}
