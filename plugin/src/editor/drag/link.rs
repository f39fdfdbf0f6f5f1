//! The X connection and its thread: one unmapped InputOnly window and the event loop that runs
//! drags and serves the clipboard. [`Link`]'s methods run on the GUI thread, the loop on the
//! `bandmate-desktop` thread; the GUI wakes the loop with a client message to the window.

use super::selection::{self, Board, Offer};
use super::xdnd::{Drag, Step};
use super::{Outcome, Payload, Unavailable};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use x11rb::connection::Connection;
use x11rb::errors::{ConnectionError, ReplyError};
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, PropMode,
    Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

x11rb::atom_manager! {
    /// The atoms the drag source and the clipboard owner use.
    pub(super) Atoms: AtomsCookie {
        XdndAware,
        XdndProxy,
        XdndEnter,
        XdndPosition,
        XdndStatus,
        XdndLeave,
        XdndDrop,
        XdndFinished,
        XdndSelection,
        XdndTypeList,
        XdndActionCopy,
        CLIPBOARD,
        TARGETS,
        TIMESTAMP,
        URI_LIST: b"text/uri-list",
        X_MIDI: b"application/x-midi",
        AUDIO_MIDI: b"audio/midi",
        GNOME_COPIED_FILES: b"x-special/gnome-copied-files",
        WAKE: b"_BANDMATE_WAKE",
        STAMP: b"_BANDMATE_STAMP",
    }
}

/// How often a drag looks at the pointer.
const DRAG_POLL: Duration = Duration::from_millis(8);
/// XDND's keysym for Escape.
const XK_ESCAPE: u32 = 0xff1b;

/// What the GUI asks of the loop.
pub(super) enum Command {
    Drag(Payload),
    Copy(Payload),
    Quit,
}

/// The connection, its atoms, the root window and the loop's own window (shared with [`Drag`]
/// and [`selection`]).
pub(super) struct X {
    pub conn: Arc<RustConnection>,
    pub atoms: Atoms,
    pub root: Window,
    pub window: Window,
}

/// The GUI side: sends commands and wakes the loop.
pub(super) struct Link {
    conn: Arc<RustConnection>,
    window: Window,
    wake: Atom,
    tx: Sender<Command>,
    thread: Option<JoinHandle<()>>,
}

impl Link {
    /// Connects to `display` and starts the loop; it reports outcomes into `last`.
    pub fn open(
        display: Option<&str>,
        last: Arc<Mutex<Option<Outcome>>>,
    ) -> Result<Link, Unavailable> {
        let display = display.ok_or(Unavailable::NoDisplay)?;
        let fail = |reason: String| Unavailable::Connect {
            display: display.to_owned(),
            reason,
        };
        let (conn, screen) =
            RustConnection::connect(Some(display)).map_err(|e| fail(e.to_string()))?;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .ok_or_else(|| fail(format!("no screen {screen}")))?
            .root;
        let atoms = Atoms::new(&conn)
            .map_err(|e| fail(e.to_string()))?
            .reply()
            .map_err(|e| fail(e.to_string()))?;
        let window = create_window(&conn, root, &atoms).map_err(fail)?;
        let escape = escape_keycodes(&conn).map_err(|e| fail(e.to_string()))?;
        let conn = Arc::new(conn);
        let (tx, rx) = mpsc::channel();
        let x = X {
            conn: conn.clone(),
            atoms,
            root,
            window,
        };
        let thread = std::thread::Builder::new()
            .name("bandmate-desktop".into())
            .spawn(move || {
                Loop {
                    x,
                    escape,
                    rx,
                    last,
                    pending: VecDeque::new(),
                    drag: None,
                    drag_offer: None,
                    clipboard: None,
                }
                .run()
            })
            .map_err(|e| fail(e.to_string()))?;
        Ok(Link {
            conn,
            window,
            wake: atoms.WAKE,
            tx,
            thread: Some(thread),
        })
    }

    /// Queues `cmd` and wakes the loop.
    pub fn send(&self, cmd: Command) -> Result<(), Unavailable> {
        self.tx
            .send(cmd)
            .map_err(|_| Unavailable::Lost("the desktop thread stopped".into()))?;
        self.wake()
    }

    fn wake(&self) -> Result<(), Unavailable> {
        let lost = |e: ConnectionError| Unavailable::Lost(e.to_string());
        let ev = ClientMessageEvent::new(32, self.window, self.wake, [0u32; 5]);
        self.conn
            .send_event(false, self.window, EventMask::NO_EVENT, ev)
            .map_err(lost)?;
        self.conn.flush().map_err(lost)
    }

    /// Stops the loop and waits for it (it destroys its window and closes the connection).
    pub fn close(mut self) {
        let _ = self.tx.send(Command::Quit);
        let _ = self.wake();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The loop's window: unmapped, InputOnly, with the drag's type list.
fn create_window(conn: &RustConnection, root: Window, atoms: &Atoms) -> Result<Window, String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    let window = conn.generate_id().map_err(|e| text(&e))?;
    conn.create_window(
        0,
        window,
        root,
        -100,
        -100,
        1,
        1,
        0,
        WindowClass::INPUT_ONLY,
        0,
        &CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE),
    )
    .map_err(|e| text(&e))?
    .check()
    .map_err(|e| text(&e))?;
    conn.change_property32(
        PropMode::REPLACE,
        window,
        atoms.XdndTypeList,
        AtomEnum::ATOM,
        &selection::drag_types(atoms),
    )
    .map_err(|e| text(&e))?
    .check()
    .map_err(|e| text(&e))?;
    Ok(window)
}

/// The keycodes that produce Escape.
fn escape_keycodes(conn: &RustConnection) -> Result<Vec<u8>, ReplyError> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let map = conn
        .get_keyboard_mapping(min, max.saturating_sub(min).saturating_add(1))?
        .reply()?;
    let per = usize::from(map.keysyms_per_keycode).max(1);
    Ok(map
        .keysyms
        .chunks(per)
        .zip(min..=max)
        .filter(|(syms, _)| syms.contains(&XK_ESCAPE))
        .map(|(_, code)| code)
        .collect())
}

/// The event loop's state. `bandmate-desktop` thread.
struct Loop {
    x: X,
    escape: Vec<u8>,
    rx: Receiver<Command>,
    last: Arc<Mutex<Option<Outcome>>>,
    /// Events read while waiting for a server timestamp.
    pending: VecDeque<Event>,
    drag: Option<Drag>,
    /// What the drag selection serves (kept after the drag ends, for late requests).
    drag_offer: Option<Offer>,
    clipboard: Option<Offer>,
}

impl Loop {
    fn run(mut self) {
        if let Err(e) = self.serve() {
            self.report(Outcome::Failed(format!("X connection: {e}")));
        }
        if let Some(mut d) = self.drag.take() {
            let _ = d.cancel(&self.x);
        }
        let _ = self.x.conn.destroy_window(self.x.window);
        let _ = self.x.conn.flush();
    }

    fn report(&self, outcome: Outcome) {
        *self.last.lock() = Some(outcome);
    }

    fn serve(&mut self) -> Result<(), ConnectionError> {
        loop {
            loop {
                match self.rx.try_recv() {
                    Ok(Command::Drag(p)) => self.start_drag(p)?,
                    Ok(Command::Copy(p)) => self.copy(p)?,
                    Ok(Command::Quit) | Err(TryRecvError::Disconnected) => return Ok(()),
                    Err(TryRecvError::Empty) => break,
                }
            }
            if self.drag.is_none() && self.pending.is_empty() {
                let ev = self.x.conn.wait_for_event()?;
                self.handle(ev)?;
            }
            while let Some(ev) = self.next_event()? {
                self.handle(ev)?;
            }
            if let Some(d) = self.drag.as_mut() {
                match local(d.tick(&self.x))? {
                    Some(Step::Continue) | None => std::thread::sleep(DRAG_POLL),
                    Some(Step::Done(outcome)) => self.end_drag(outcome)?,
                }
            }
        }
    }

    fn next_event(&mut self) -> Result<Option<Event>, ConnectionError> {
        match self.pending.pop_front() {
            Some(ev) => Ok(Some(ev)),
            None => self.x.conn.poll_for_event(),
        }
    }

    /// A server timestamp (from the PropertyNotify of an empty append to our window).
    fn server_time(&mut self) -> Result<u32, ConnectionError> {
        let x = &self.x;
        x.conn.change_property8(
            PropMode::APPEND,
            x.window,
            x.atoms.STAMP,
            AtomEnum::STRING,
            &[],
        )?;
        x.conn.flush()?;
        loop {
            match x.conn.wait_for_event()? {
                Event::PropertyNotify(p) if p.window == x.window && p.atom == x.atoms.STAMP => {
                    return Ok(p.time)
                }
                other => self.pending.push_back(other),
            }
        }
    }

    /// Takes `selection` at `time`; whether the server says we own it.
    fn own(&self, selection: Atom, time: u32) -> Result<bool, ConnectionError> {
        let x = &self.x;
        x.conn.set_selection_owner(x.window, selection, time)?;
        let owner = local(x.conn.get_selection_owner(selection)?.reply())?;
        Ok(owner.is_some_and(|o| o.owner == x.window))
    }

    fn start_drag(&mut self, file: Payload) -> Result<(), ConnectionError> {
        if let Some(mut old) = self.drag.take() {
            local(old.cancel(&self.x))?;
        }
        let time = self.server_time()?;
        if !self.own(self.x.atoms.XdndSelection, time)? {
            self.report(Outcome::Failed("could not own the drag selection".into()));
            return Ok(());
        }
        let path = file.path.clone();
        self.drag_offer = Some(Offer::new(file, time));
        match local(Drag::start(&self.x, path, time))?.flatten() {
            Some(d) => self.drag = Some(d),
            None => self.report(Outcome::Failed("the X server refused the drag".into())),
        }
        Ok(())
    }

    fn end_drag(&mut self, outcome: Outcome) -> Result<(), ConnectionError> {
        if let Some(mut d) = self.drag.take() {
            local(d.release_grabs(&self.x))?;
        }
        self.report(outcome);
        Ok(())
    }

    fn copy(&mut self, file: Payload) -> Result<(), ConnectionError> {
        let time = self.server_time()?;
        let path = file.path.clone();
        if self.own(self.x.atoms.CLIPBOARD, time)? {
            self.clipboard = Some(Offer::new(file, time));
            self.report(Outcome::Copied(path));
        } else {
            self.report(Outcome::Failed(
                "another application would not give up the clipboard".into(),
            ));
        }
        Ok(())
    }

    fn handle(&mut self, ev: Event) -> Result<(), ConnectionError> {
        let a = self.x.atoms;
        match ev {
            Event::SelectionRequest(req) => {
                let (offer, board) = if req.selection == a.XdndSelection {
                    (self.drag_offer.as_ref(), Board::Drag)
                } else if req.selection == a.CLIPBOARD {
                    (self.clipboard.as_ref(), Board::Clipboard)
                } else {
                    (None, Board::Drag)
                };
                selection::answer(&self.x, offer, board, &req)?;
            }
            Event::SelectionClear(c) if c.selection == a.CLIPBOARD => {
                if let Some(o) = self.clipboard.take() {
                    let mut last = self.last.lock();
                    if matches!(&*last, Some(Outcome::Copied(p)) if *p == o.path) {
                        *last = Some(Outcome::ClipboardTaken(o.path));
                    }
                }
            }
            Event::ClientMessage(m) if m.type_ != a.WAKE => {
                if let Some(d) = self.drag.as_mut() {
                    if let Some(outcome) = local(d.on_message(&self.x, &m))?.flatten() {
                        self.end_drag(outcome)?;
                    }
                }
            }
            Event::KeyPress(k) if self.escape.contains(&k.detail) => {
                if let Some(d) = self.drag.as_mut() {
                    if let Some(outcome) = local(d.cancel(&self.x))? {
                        self.end_drag(outcome)?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// An X error in reply to one request (a window that went away, say) is that request's
/// problem: `None`; a broken connection ends the loop.
fn local<T>(r: Result<T, ReplyError>) -> Result<Option<T>, ConnectionError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(ReplyError::X11Error(_)) => Ok(None),
        Err(ReplyError::ConnectionError(e)) => Err(e),
    }
}
