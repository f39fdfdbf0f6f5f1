//! Answers to SelectionRequest: the drag's selection (XdndSelection) and the clipboard serve the
//! file as a `file://` URI (`text/uri-list`; the clipboard also as
//! `x-special/gnome-copied-files`) or as its bytes (`application/x-midi`, `audio/midi`).
//! `bandmate-desktop` thread.

use super::link::{Atoms, X};
use super::{gnome_copied_files, uri_list, Payload};
use std::path::PathBuf;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::ConnectionError;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ConnectionExt as _, EventMask, PropMode, SelectionNotifyEvent,
    SelectionRequestEvent, Window, SELECTION_NOTIFY_EVENT,
};
use x11rb::wrapper::ConnectionExt as _;

/// Which selection a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    Drag,
    Clipboard,
}

/// A file being offered, since the server time `time`.
pub struct Offer {
    pub path: PathBuf,
    bytes: Vec<u8>,
    time: u32,
}

impl Offer {
    pub fn new(file: Payload, time: u32) -> Offer {
        Offer {
            path: file.path,
            bytes: file.bytes,
            time,
        }
    }
}

/// The data types a drag offers, best first (XdndEnter's list).
pub fn drag_types(a: &Atoms) -> [Atom; 3] {
    [a.URI_LIST, a.X_MIDI, a.AUDIO_MIDI]
}

/// Everything a selection can be converted to (the TARGETS answer).
fn targets(a: &Atoms, board: Board) -> Vec<Atom> {
    let mut t = vec![a.TARGETS, a.TIMESTAMP];
    t.extend(drag_types(a));
    if board == Board::Clipboard {
        t.push(a.GNOME_COPIED_FILES);
    }
    t
}

/// Writes the requested form of `offer` into the requestor's property and notifies it; a
/// request for something else (or with nothing offered) gets a refusal.
pub fn answer(
    x: &X,
    offer: Option<&Offer>,
    board: Board,
    req: &SelectionRequestEvent,
) -> Result<(), ConnectionError> {
    // Obsolete requestors leave the property empty: use the target's name.
    let property = if req.property == x11rb::NONE {
        req.target
    } else {
        req.property
    };
    let written = match offer {
        Some(o) => write(x, o, board, req.requestor, property, req.target)?,
        None => false,
    };
    let notify = SelectionNotifyEvent {
        response_type: SELECTION_NOTIFY_EVENT,
        sequence: 0,
        time: req.time,
        requestor: req.requestor,
        selection: req.selection,
        target: req.target,
        property: if written { property } else { x11rb::NONE },
    };
    x.conn
        .send_event(false, req.requestor, EventMask::NO_EVENT, notify)?;
    x.conn.flush()
}

/// Whether `target` is a form this offer has (then written to `property` of `to`).
fn write(
    x: &X,
    o: &Offer,
    board: Board,
    to: Window,
    property: Atom,
    target: Atom,
) -> Result<bool, ConnectionError> {
    let a = &x.atoms;
    let c = &x.conn;
    if target == a.TARGETS {
        c.change_property32(
            PropMode::REPLACE,
            to,
            property,
            AtomEnum::ATOM,
            &targets(a, board),
        )?;
    } else if target == a.TIMESTAMP {
        c.change_property32(
            PropMode::REPLACE,
            to,
            property,
            AtomEnum::INTEGER,
            &[o.time],
        )?;
    } else if target == a.URI_LIST {
        let text = uri_list(&o.path);
        c.change_property8(PropMode::REPLACE, to, property, target, text.as_bytes())?;
    } else if target == a.GNOME_COPIED_FILES && board == Board::Clipboard {
        let text = gnome_copied_files(&o.path);
        c.change_property8(PropMode::REPLACE, to, property, target, text.as_bytes())?;
    } else if target == a.X_MIDI || target == a.AUDIO_MIDI {
        // Exported clips are a few kilobytes; larger data would need INCR transfers.
        if o.bytes.len().saturating_add(64) > c.maximum_request_bytes() {
            return Ok(false);
        }
        c.change_property8(PropMode::REPLACE, to, property, target, &o.bytes)?;
    } else {
        return Ok(false);
    }
    Ok(true)
}
