//! One drag as an XDND source (protocol version 5, down to 3 for older targets).
//!
//! The pointer is followed by polling (the plugin window holds the button's implicit grab, so
//! another connection cannot grab the pointer); the keyboard is grabbed for Escape. The drag
//! ends when the buttons are released: with XdndDrop over a window that accepted, else with
//! XdndLeave. `bandmate-desktop` thread.

use super::link::X;
use super::Outcome;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, GrabMode, GrabStatus,
    KeyButMask, Window,
};

/// The XDND version this source speaks.
pub const VERSION: u32 = 5;
/// The oldest target version it talks to.
const MIN_VERSION: u32 = 3;
/// How deep the window tree is searched for an XdndAware window.
const MAX_DEPTH: usize = 32;
/// How long a release waits for the target's answer to the last position.
const STATUS_WAIT: Duration = Duration::from_secs(1);
/// How long a drop waits for XdndFinished.
const FINISH_WAIT: Duration = Duration::from_secs(5);

/// What a tick decided.
pub enum Step {
    Continue,
    Done(Outcome),
}

/// A window that speaks XDND, and where its messages go (itself or its XdndProxy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    window: Window,
    deliver_to: Window,
    version: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Moving,
    /// Buttons released; waiting for the status of the last position.
    Released(Instant),
    /// XdndDrop sent; waiting for XdndFinished.
    Dropped(Instant),
}

pub struct Drag {
    file: PathBuf,
    time: u32,
    keyboard: bool,
    phase: Phase,
    target: Option<Target>,
    /// The pointer (root coordinates) as last seen and as last sent.
    seen: Option<(i16, i16)>,
    sent: Option<(i16, i16)>,
    awaiting_status: bool,
    accepted: bool,
}

impl Drag {
    /// Starts a drag of `file` (whose selection is owned since `time`); `None` if the server
    /// refused the keyboard grab for a reason other than another grab.
    pub fn start(x: &X, file: PathBuf, time: u32) -> Result<Option<Drag>, ReplyError> {
        let grab = x
            .conn
            .grab_keyboard(false, x.root, time, GrabMode::ASYNC, GrabMode::ASYNC)?
            .reply()?;
        // Another client's grab only costs Escape; the drag still works.
        let keyboard = grab.status == GrabStatus::SUCCESS;
        if !keyboard && grab.status != GrabStatus::ALREADY_GRABBED {
            return Ok(None);
        }
        Ok(Some(Drag {
            file,
            time,
            keyboard,
            phase: Phase::Moving,
            target: None,
            seen: None,
            sent: None,
            awaiting_status: false,
            accepted: false,
        }))
    }

    /// Follows the pointer; called every few milliseconds.
    pub fn tick(&mut self, x: &X) -> Result<Step, ReplyError> {
        match self.phase {
            Phase::Moving => {
                let p = x.conn.query_pointer(x.root)?.reply()?;
                let buttons = KeyButMask::BUTTON1
                    | KeyButMask::BUTTON2
                    | KeyButMask::BUTTON3
                    | KeyButMask::BUTTON4
                    | KeyButMask::BUTTON5;
                self.follow(x, (p.root_x, p.root_y))?;
                if !p.mask.intersects(buttons) {
                    if self.target.is_none() {
                        return Ok(Step::Done(Outcome::Refused(self.file.clone())));
                    }
                    self.phase = Phase::Released(Instant::now());
                    return self.try_drop(x);
                }
                Ok(Step::Continue)
            }
            Phase::Released(since) => {
                if !self.awaiting_status {
                    return self.try_drop(x);
                }
                if since.elapsed() < STATUS_WAIT {
                    return Ok(Step::Continue);
                }
                // No answer: do not drop on a target that may not want it.
                self.leave(x)?;
                Ok(Step::Done(Outcome::Refused(self.file.clone())))
            }
            Phase::Dropped(since) => {
                if since.elapsed() < FINISH_WAIT {
                    return Ok(Step::Continue);
                }
                // The target took the data but never said it finished.
                Ok(Step::Done(self.dropped(false)))
            }
        }
    }

    /// After the release: drop if the target accepted the last position, else leave.
    fn try_drop(&mut self, x: &X) -> Result<Step, ReplyError> {
        // The target's answer must be about where the pointer was released.
        self.send_position(x)?;
        if self.awaiting_status {
            return Ok(Step::Continue);
        }
        match self.target {
            Some(t) if self.accepted => {
                let data = [x.window, 0, self.time, 0, 0];
                send(x, &t, x.atoms.XdndDrop, data)?;
                self.phase = Phase::Dropped(Instant::now());
                Ok(Step::Continue)
            }
            _ => {
                self.leave(x)?;
                Ok(Step::Done(Outcome::Refused(self.file.clone())))
            }
        }
    }

    /// Looks for the target under `pos`, enters and leaves targets, sends positions (one at a
    /// time: the next after the status of the last).
    fn follow(&mut self, x: &X, pos: (i16, i16)) -> Result<(), ReplyError> {
        if self.seen != Some(pos) {
            self.seen = Some(pos);
            let found = find_target(x, pos)?;
            if found.map(|t| t.window) != self.target.map(|t| t.window) {
                self.leave(x)?;
                if let Some(t) = found {
                    let types = super::selection::drag_types(&x.atoms);
                    let more = u32::from(types.len() > 3);
                    let mut data = [x.window, (t.version << 24) | more, 0, 0, 0];
                    for (slot, ty) in data.iter_mut().skip(2).zip(types) {
                        *slot = ty;
                    }
                    send(x, &t, x.atoms.XdndEnter, data)?;
                    self.target = Some(t);
                }
            }
        }
        self.send_position(x)
    }

    /// Sends the newest pointer position to the target unless an answer is still due.
    fn send_position(&mut self, x: &X) -> Result<(), ReplyError> {
        if let (Some(t), Some((px, py))) = (self.target, self.seen) {
            if !self.awaiting_status && self.sent != self.seen {
                let xy = (u32::from(px as u16) << 16) | u32::from(py as u16);
                let data = [x.window, 0, xy, self.time, x.atoms.XdndActionCopy];
                send(x, &t, x.atoms.XdndPosition, data)?;
                self.sent = self.seen;
                self.awaiting_status = true;
            }
        }
        Ok(())
    }

    /// Sends XdndLeave to the current target, if any.
    fn leave(&mut self, x: &X) -> Result<(), ReplyError> {
        if let Some(t) = self.target.take() {
            send(x, &t, x.atoms.XdndLeave, [x.window, 0, 0, 0, 0])?;
        }
        self.sent = None;
        self.awaiting_status = false;
        self.accepted = false;
        Ok(())
    }

    /// A client message for the source: XdndStatus or XdndFinished; `Some` when the drag ended.
    pub fn on_message(
        &mut self,
        x: &X,
        m: &ClientMessageEvent,
    ) -> Result<Option<Outcome>, ReplyError> {
        let data = m.data.as_data32();
        let Some(t) = self.target.filter(|t| t.window == data[0]) else {
            return Ok(None);
        };
        if m.type_ == x.atoms.XdndStatus {
            self.awaiting_status = false;
            self.accepted = data[1] & 1 == 1;
            if self.phase == Phase::Moving {
                // The newest position, if the pointer moved meanwhile.
                self.send_position(x)?;
            }
        } else if m.type_ == x.atoms.XdndFinished && matches!(self.phase, Phase::Dropped(_)) {
            // Version 5 says whether the target took the data; older targets always did.
            let took = t.version < 5 || data[1] & 1 == 1;
            self.target = None;
            return Ok(Some(if took {
                Outcome::Dropped {
                    file: self.file.clone(),
                    target: t.window,
                    finished: true,
                }
            } else {
                Outcome::Refused(self.file.clone())
            }));
        }
        Ok(None)
    }

    /// Escape (or a newer drag): leaves the target and ends the drag.
    pub fn cancel(&mut self, x: &X) -> Result<Outcome, ReplyError> {
        if matches!(self.phase, Phase::Dropped(_)) {
            // Already dropped: the target has the data; only stop waiting.
            return Ok(self.dropped(false));
        }
        self.leave(x)?;
        self.release_grabs(x)?;
        Ok(Outcome::Cancelled(self.file.clone()))
    }

    fn dropped(&self, finished: bool) -> Outcome {
        Outcome::Dropped {
            file: self.file.clone(),
            target: self.target.map_or(0, |t| t.window),
            finished,
        }
    }

    /// Gives back the keyboard (idempotent).
    pub fn release_grabs(&mut self, x: &X) -> Result<(), ReplyError> {
        if self.keyboard {
            self.keyboard = false;
            x.conn.ungrab_keyboard(self.time)?.check()?;
        }
        x.conn.flush()?;
        Ok(())
    }
}

fn send(x: &X, t: &Target, ty: Atom, data: [u32; 5]) -> Result<(), ReplyError> {
    let ev = ClientMessageEvent::new(32, t.window, ty, data);
    x.conn
        .send_event(false, t.deliver_to, EventMask::NO_EVENT, ev)?;
    x.conn.flush()?;
    Ok(())
}

/// The first XdndAware window on the way down from the root to the pointer.
fn find_target(x: &X, (px, py): (i16, i16)) -> Result<Option<Target>, ReplyError> {
    let mut w = x.root;
    for _ in 0..MAX_DEPTH {
        let child = match x.conn.translate_coordinates(x.root, w, px, py)?.reply() {
            Ok(r) => r.child,
            Err(ReplyError::X11Error(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        if child == x11rb::NONE || child == x.window {
            return Ok(None);
        }
        if let Some(version) = property32(x, child, x.atoms.XdndAware, AtomEnum::ATOM.into())? {
            if version >= MIN_VERSION {
                return Ok(Some(Target {
                    window: child,
                    deliver_to: proxy(x, child)?.unwrap_or(child),
                    version: version.min(VERSION),
                }));
            }
        }
        w = child;
    }
    Ok(None)
}

/// A window's XdndProxy, if the proxy window names itself as its proxy (the spec's check
/// against stale properties).
fn proxy(x: &X, w: Window) -> Result<Option<Window>, ReplyError> {
    let Some(p) = property32(x, w, x.atoms.XdndProxy, AtomEnum::WINDOW.into())? else {
        return Ok(None);
    };
    let again = property32(x, p, x.atoms.XdndProxy, AtomEnum::WINDOW.into())?;
    Ok((again == Some(p)).then_some(p))
}

/// The first 32-bit value of a property; `None` if absent or the window is gone.
fn property32(x: &X, w: Window, prop: Atom, ty: Atom) -> Result<Option<u32>, ReplyError> {
    match x.conn.get_property(false, w, prop, ty, 0, 1)?.reply() {
        Ok(r) => Ok(r.value32().and_then(|mut v| v.next())),
        Err(ReplyError::X11Error(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
