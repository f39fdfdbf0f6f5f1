//! A small XDND target (version 5) on its own connection and thread: a mapped window that
//! accepts every position with XdndActionCopy (painting itself green while a drag is over it;
//! a refusing target declines them and paints itself red), and on drop asks for
//! `text/uri-list`, then `application/x-midi`, records both and finishes.

use super::x::{atom, atom_name};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ChangeGCAux, ClientMessageEvent, ConnectionExt as _, CreateGCAux, CreateWindowAux,
    EventMask, PropMode, Rectangle, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// What the target saw.
#[derive(Debug, Clone, Default)]
pub struct Log {
    pub enters: u32,
    pub version: u32,
    pub types: Vec<String>,
    pub accepted_positions: u32,
    pub refused_positions: u32,
    pub leaves: u32,
    pub drops: u32,
    pub uri: Option<String>,
    pub midi: Option<Vec<u8>>,
    pub finished: bool,
}

pub struct DropTarget {
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pos: (i16, i16),
    size: (u16, u16),
}

impl DropTarget {
    /// Opens the target window at `pos` (root coordinates) with `size`; `accept`: whether it
    /// accepts drops.
    pub fn open(display: &str, pos: (i16, i16), size: (u16, u16), accept: bool) -> DropTarget {
        let (c, screen) = RustConnection::connect(Some(display)).expect("connect");
        let scr = &c.setup().roots[screen];
        let (root, white, black) = (scr.root, scr.white_pixel, scr.black_pixel);
        let w = c.generate_id().expect("id");
        c.create_window(
            0,
            w,
            root,
            pos.0,
            pos.1,
            size.0,
            size.1,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new()
                .background_pixel(white)
                .override_redirect(1)
                .event_mask(EventMask::EXPOSURE | EventMask::STRUCTURE_NOTIFY),
        )
        .expect("request");
        c.change_property32(
            PropMode::REPLACE,
            w,
            atom(&c, "XdndAware"),
            AtomEnum::ATOM,
            &[5],
        )
        .expect("request");
        c.change_property8(
            PropMode::REPLACE,
            w,
            AtomEnum::WM_NAME,
            AtomEnum::STRING,
            b"drop target",
        )
        .expect("request");
        c.map_window(w).expect("request");
        c.flush().expect("flush");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match c.poll_for_event().expect("events") {
                Some(Event::MapNotify(m)) if m.window == w => break,
                _ if Instant::now() > deadline => panic!("the target window was not mapped"),
                Some(_) => {}
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let gc = c.generate_id().expect("id");
        c.create_gc(gc, w, &CreateGCAux::new().foreground(black))
            .expect("request");
        let log = Arc::new(Mutex::new(Log::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (log, stop) = (log.clone(), stop.clone());
            std::thread::spawn(move || serve(c, w, gc, size, accept, &log, &stop))
        };
        DropTarget {
            log,
            stop,
            thread: Some(thread),
            pos,
            size,
        }
    }

    /// The window's centre, root coordinates.
    pub fn center(&self) -> (i32, i32) {
        (
            i32::from(self.pos.0) + i32::from(self.size.0) / 2,
            i32::from(self.pos.1) + i32::from(self.size.1) / 2,
        )
    }

    pub fn snapshot(&self) -> Log {
        self.log.lock().expect("log").clone()
    }

    /// Waits until `done` holds for the log (at most `wait`) and returns the log either way.
    pub fn wait(&self, wait: Duration, done: impl Fn(&Log) -> bool) -> Log {
        let deadline = Instant::now() + wait;
        loop {
            let log = self.snapshot();
            if done(&log) || Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for DropTarget {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    c: RustConnection,
    w: Window,
    gc: u32,
    size: (u16, u16),
    accept: bool,
    log: &Mutex<Log>,
    stop: &AtomicBool,
) {
    let a = |n: &str| atom(&c, n);
    let (enter, position, status, leave, drop, finished) = (
        a("XdndEnter"),
        a("XdndPosition"),
        a("XdndStatus"),
        a("XdndLeave"),
        a("XdndDrop"),
        a("XdndFinished"),
    );
    let (selection, copy, uri_list, midi, prop) = (
        a("XdndSelection"),
        a("XdndActionCopy"),
        a("text/uri-list"),
        a("application/x-midi"),
        a("BANDMATE_TEST_DROP"),
    );
    let mut source = x11rb::NONE;
    let paint = |color: u32| {
        let _ = c.change_gc(gc, &ChangeGCAux::new().foreground(color));
        let r = Rectangle {
            x: 0,
            y: 0,
            width: size.0,
            height: size.1,
        };
        let _ = c.poly_fill_rectangle(w, gc, &[r]);
        let _ = c.flush();
    };
    let send = |to: Window, ty: u32, data: [u32; 5]| {
        let ev = ClientMessageEvent::new(32, w, ty, data);
        let _ = c.send_event(false, to, EventMask::NO_EVENT, ev);
        let _ = c.flush();
    };
    while !stop.load(Ordering::Relaxed) {
        let ev = match c.poll_for_event() {
            Ok(Some(ev)) => ev,
            Ok(None) => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(_) => return,
        };
        match ev {
            Event::ClientMessage(m) => {
                let d = m.data.as_data32();
                if m.type_ == enter {
                    source = d[0];
                    let mut l = log.lock().expect("log");
                    l.enters += 1;
                    l.version = d[1] >> 24;
                    l.types = d[2..5]
                        .iter()
                        .filter(|&&t| t != x11rb::NONE)
                        .map(|&t| atom_name(&c, t))
                        .collect();
                } else if m.type_ == position && d[0] == source {
                    if accept {
                        paint(0x0040_c060);
                        send(source, status, [w, 1 | 2, 0, 0, copy]);
                        log.lock().expect("log").accepted_positions += 1;
                    } else {
                        paint(0x00d0_4040);
                        send(source, status, [w, 2, 0, 0, x11rb::NONE]);
                        log.lock().expect("log").refused_positions += 1;
                    }
                } else if m.type_ == leave && d[0] == source {
                    paint(0x00ff_ffff);
                    log.lock().expect("log").leaves += 1;
                } else if m.type_ == drop && d[0] == source {
                    log.lock().expect("log").drops += 1;
                    let _ = c.convert_selection(w, selection, uri_list, prop, d[2]);
                    let _ = c.flush();
                }
            }
            Event::SelectionNotify(n) if n.requestor == w => {
                let value = (n.property != x11rb::NONE)
                    .then(|| {
                        c.get_property(true, w, prop, AtomEnum::ANY, 0, 1 << 20)
                            .ok()
                            .and_then(|r| r.reply().ok())
                            .map(|r| r.value)
                    })
                    .flatten();
                if n.target == uri_list {
                    log.lock().expect("log").uri =
                        value.map(|v| String::from_utf8_lossy(&v).into_owned());
                    let _ = c.convert_selection(w, selection, midi, prop, n.time);
                    let _ = c.flush();
                } else if n.target == midi {
                    paint(0x00ff_ffff);
                    let ok = value.is_some();
                    {
                        let mut l = log.lock().expect("log");
                        l.midi = value;
                        l.finished = true;
                    }
                    send(source, finished, [w, u32::from(ok), copy, 0, 0]);
                }
            }
            _ => {}
        }
    }
}
