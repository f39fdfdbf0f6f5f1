//! Handing exported .mid files to other applications: an X11 drag source (XDND version 5) and a
//! CLIPBOARD owner, which also serve Wayland desktops through XWayland.
//!
//! The editor calls [`Desktop`] on the GUI thread; the X work runs on one background thread
//! with its own X connection and a small unmapped window (never the audio thread), started on
//! first use and joined by [`Desktop::shutdown`]. The file is written by the editor before the
//! drag starts (same naming and provenance as export) and stays in the export folder whatever
//! happens to the drag.
//!
//! - [`link`]: the connection, its thread and event loop;
//! - [`xdnd`]: one drag, as the XDND source;
//! - [`selection`]: answers to "convert the selection" (the drag's and the clipboard's).

mod link;
mod selection;
mod xdnd;

use parking_lot::Mutex;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why drag and copy cannot reach other applications; `Display` is the message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error("drag and copy need an X11 display (XWayland on Wayland), and DISPLAY is not set")]
    NoDisplay,
    #[error("could not connect to the X display {display:?}: {reason}")]
    Connect { display: String, reason: String },
    #[error("the connection to the X display was lost: {0}")]
    Lost(String),
}

/// A file offered to other applications: its path and its bytes (for targets that ask for the
/// MIDI data rather than a file name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl Payload {
    /// Reads the file at `path` (absolute, as the URI must be).
    pub fn read(path: &Path) -> std::io::Result<Payload> {
        let path = std::path::absolute(path)?;
        let bytes = std::fs::read(&path)?;
        Ok(Payload { path, bytes })
    }
}

/// What became of the last drag or copy, for the editor's status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The drag is in progress.
    Dragging(PathBuf),
    /// Dropped on a window that took the file (`finished`: it said so with XdndFinished).
    Dropped {
        file: PathBuf,
        target: u32,
        finished: bool,
    },
    /// Released where nothing accepts a file, or over a window that declined it.
    Refused(PathBuf),
    /// Escape (or a newer drag) ended the drag.
    Cancelled(PathBuf),
    /// The file is on the clipboard.
    Copied(PathBuf),
    /// Another application took the clipboard.
    ClipboardTaken(PathBuf),
    /// The drag could not start or broke off.
    Failed(String),
}

impl Outcome {
    /// The message for the user.
    pub fn message(&self) -> String {
        let name = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        match self {
            Outcome::Dragging(p) => {
                format!("Dragging {}: release over a track (Esc cancels)", name(p))
            }
            Outcome::Dropped { file, target, .. } => {
                format!("Dropped {} on window 0x{target:x}", name(file))
            }
            Outcome::Refused(p) => format!(
                "Not dropped: nothing there took {}; it stays in the export folder",
                name(p)
            ),
            Outcome::Cancelled(p) => {
                format!("Drag cancelled; {} stays in the export folder", name(p))
            }
            Outcome::Copied(p) => format!("Copied {}: paste it onto a track", name(p)),
            Outcome::ClipboardTaken(p) => {
                format!(
                    "{} is no longer on the clipboard (something else was copied)",
                    name(p)
                )
            }
            Outcome::Failed(e) => format!("Drag failed: {e}"),
        }
    }
}

/// The plugin instance's link to the desktop. GUI thread (the work runs on its own thread).
pub struct Desktop {
    /// The X display to use (`DISPLAY`); `None`: there is none.
    display: Option<String>,
    link: Mutex<Option<Result<link::Link, Unavailable>>>,
    last: Arc<Mutex<Option<Outcome>>>,
}

impl Default for Desktop {
    fn default() -> Desktop {
        Desktop::for_display(
            std::env::var("DISPLAY")
                .ok()
                .filter(|d| !d.trim().is_empty()),
        )
    }
}

impl Desktop {
    /// The desktop of the display in `DISPLAY`.
    pub fn new() -> Desktop {
        Desktop::default()
    }

    /// The desktop of `display` (e.g. `":0"`); `None`: no X display.
    pub fn for_display(display: Option<String>) -> Desktop {
        Desktop {
            display,
            link: Mutex::new(None),
            last: Arc::new(Mutex::new(None)),
        }
    }

    /// Whether drag and copy can work here (connects on first call).
    pub fn available(&self) -> Result<(), Unavailable> {
        self.with_link(|_| Ok(()))
    }

    /// Starts dragging `file` from where the pointer is now; the user's button must be held
    /// (the drag follows the pointer until it is released).
    pub fn start_drag(&self, file: Payload) -> Result<(), Unavailable> {
        self.with_link(|l| {
            *self.last.lock() = Some(Outcome::Dragging(file.path.clone()));
            l.send(link::Command::Drag(file))
        })
    }

    /// Puts `file` on the clipboard (kept while this plugin instance exists, or until something
    /// else is copied).
    pub fn copy(&self, file: Payload) -> Result<(), Unavailable> {
        self.with_link(|l| l.send(link::Command::Copy(file)))
    }

    /// What became of the last drag or copy.
    pub fn last(&self) -> Option<Outcome> {
        self.last.lock().clone()
    }

    /// Stops the thread and closes the connection (the clipboard is given up). Main thread.
    pub fn shutdown(&self) {
        if let Some(Ok(l)) = self.link.lock().take() {
            l.close();
        }
    }

    fn with_link(
        &self,
        f: impl FnOnce(&link::Link) -> Result<(), Unavailable>,
    ) -> Result<(), Unavailable> {
        let mut slot = self.link.lock();
        if slot.is_none() {
            *slot = Some(link::Link::open(self.display.as_deref(), self.last.clone()));
        }
        match slot.as_ref() {
            Some(Ok(l)) => {
                let r = f(l);
                if let Err(e) = &r {
                    // A lost connection is reopened on the next use.
                    if matches!(e, Unavailable::Lost(_)) {
                        if let Some(Ok(l)) = slot.take() {
                            l.close();
                        }
                    }
                }
                r
            }
            Some(Err(e)) => Err(e.clone()),
            None => Err(Unavailable::NoDisplay),
        }
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The `file://` URI of an absolute path, every byte outside RFC 3986's unreserved set and `/`
/// percent-encoded.
pub fn file_uri(path: &Path) -> String {
    use std::fmt::Write;
    let mut uri = String::from("file://");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            uri.push(char::from(b));
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri
}

/// The `text/uri-list` of one file (RFC 2483: CRLF-terminated lines).
pub fn uri_list(path: &Path) -> String {
    format!("{}\r\n", file_uri(path))
}

/// The `x-special/gnome-copied-files` of one file (file managers' "copy").
pub fn gnome_copied_files(path: &Path) -> String {
    format!("copy\n{}", file_uri(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_percent_encode_everything_but_unreserved_and_slashes() {
        let p = Path::new("/home/me/Music/Bandmate/bandmate-f#-dorian seed 7 ü.mid");
        assert_eq!(
            file_uri(p),
            "file:///home/me/Music/Bandmate/bandmate-f%23-dorian%20seed%207%20%C3%BC.mid"
        );
        assert_eq!(uri_list(Path::new("/a b")), "file:///a%20b\r\n");
        assert_eq!(
            gnome_copied_files(Path::new("/x.mid")),
            "copy\nfile:///x.mid"
        );
    }

    #[test]
    fn without_a_display_drag_and_copy_say_why() {
        let desktop = Desktop::for_display(None);
        assert_eq!(desktop.available(), Err(Unavailable::NoDisplay));
        let file = Payload {
            path: "/x.mid".into(),
            bytes: vec![],
        };
        let err = desktop.copy(file.clone()).expect_err("no display");
        assert!(err.to_string().contains("DISPLAY is not set"), "{err}");
        assert_eq!(desktop.start_drag(file), Err(Unavailable::NoDisplay));
        // A display nobody serves: the reason names it.
        let desktop = Desktop::for_display(Some(":9731".into()));
        match desktop.available() {
            Err(Unavailable::Connect { display, .. }) => assert_eq!(display, ":9731"),
            other => panic!("expected a connect error, got {other:?}"),
        }
    }

    #[test]
    fn outcome_messages_name_the_file() {
        let f = PathBuf::from("/m/bandmate-a-minor-all.mid");
        for o in [
            Outcome::Dragging(f.clone()),
            Outcome::Refused(f.clone()),
            Outcome::Cancelled(f.clone()),
            Outcome::Copied(f.clone()),
            Outcome::Dropped {
                file: f.clone(),
                target: 0x2a,
                finished: true,
            },
        ] {
            assert!(o.message().contains("bandmate-a-minor-all.mid"), "{o:?}");
        }
    }
}
