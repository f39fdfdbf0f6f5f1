//! An Xvfb display with the standalone on it, xdotool input, screenshots, and the checks that
//! use a second X client (grabs, the clipboard).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ConnectionExt as _, CreateWindowAux, EventMask, GrabMode, GrabStatus,
    ImageFormat, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// Screen size of the test display.
pub const SCREEN: (u16, u16) = (1600, 900);

/// Xvfb and the standalone, killed on drop.
pub struct Session {
    pub display: String,
    pub home: PathBuf,
    xvfb: Child,
    app: Child,
    log: PathBuf,
    conn: RustConnection,
    window: Window,
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

/// Connects to `display`, retrying until `deadline`.
fn connect(display: &str, deadline: Instant) -> Option<RustConnection> {
    loop {
        if let Ok((c, _)) = RustConnection::connect(Some(display)) {
            return Some(c);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Session {
    /// Starts Xvfb on a free display and the standalone (`--backend dummy`) on it, with HOME in
    /// a fresh folder; `None` (after saying why) where Xvfb is not installed.
    pub fn start(standalone: &str) -> Option<Session> {
        if !on_path("Xvfb") {
            eprintln!("SKIPPED: Xvfb is not installed (bash .ci/deps --test installs it)");
            return None;
        }
        assert!(
            on_path("xdotool"),
            "xdotool is not installed (bash .ci/deps --test)"
        );
        let base = 200 + std::process::id() % 300;
        let n = (base..base + 100)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("a free display number");
        let display = format!(":{n}");
        let xvfb = Command::new("Xvfb")
            .args([
                &display,
                "-screen",
                "0",
                &format!("{}x{}x24", SCREEN.0, SCREEN.1),
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let conn = connect(&display, Instant::now() + Duration::from_secs(20))
            .unwrap_or_else(|| panic!("Xvfb {display} did not come up"));
        let home =
            std::env::temp_dir().join(format!("bandmate-desktop-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).expect("temp home");
        let log = home.join("standalone.log");
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let app = Command::new(standalone)
            .args(["--backend", "dummy"])
            .env("DISPLAY", &display)
            .env("HOME", &home)
            .env_remove("BANDMATE_UI_ZOOM")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("the standalone starts");
        let mut s = Session {
            display,
            home,
            xvfb,
            app,
            log,
            conn,
            window: x11rb::NONE,
        };
        s.window = s
            .find_window("Bandmate", Duration::from_secs(90))
            .unwrap_or_else(|| panic!("the standalone's window did not appear; log:\n{}", s.log()));
        Some(s)
    }

    /// The standalone's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A top-level (or deeper) window whose WM_NAME contains `name`.
    fn find_window(&mut self, name: &str, wait: Duration) -> Option<Window> {
        let deadline = Instant::now() + wait;
        let root = self.conn.setup().roots[0].root;
        loop {
            if let Ok(Some(status)) = self.app.try_wait() {
                panic!("the standalone exited ({status}); log:\n{}", self.log());
            }
            let mut stack = vec![root];
            while let Some(w) = stack.pop() {
                let title = self
                    .conn
                    .get_property(false, w, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .map(|r| String::from_utf8_lossy(&r.value).into_owned())
                    .unwrap_or_default();
                let mapped = self
                    .conn
                    .get_window_attributes(w)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .is_some_and(|a| a.map_state == x11rb::protocol::xproto::MapState::VIEWABLE);
                if w != root && mapped && title.contains(name) {
                    return Some(w);
                }
                if let Some(tree) = self.conn.query_tree(w).ok().and_then(|c| c.reply().ok()) {
                    stack.extend(tree.children);
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The standalone window's origin on the root window.
    fn origin(&self) -> (i16, i16) {
        let root = self.conn.setup().roots[0].root;
        let t = self
            .conn
            .translate_coordinates(self.window, root, 0, 0)
            .expect("request")
            .reply()
            .expect("translate");
        (t.dst_x, t.dst_y)
    }

    /// A point inside the piano roll (the central panel below the legend), root coordinates.
    pub fn roll_point(&self) -> (i32, i32) {
        let (x, y) = self.origin();
        (i32::from(x) + 640, i32::from(y) + 330)
    }

    /// Waits until the standalone shows a solid 6×6 block of `rgb` and returns the root
    /// coordinates of the topmost one's centre.
    pub fn wait_for_color(&self, rgb: [u8; 3], wait: Duration) -> Option<(i32, i32)> {
        let deadline = Instant::now() + wait;
        loop {
            let geo = self
                .conn
                .get_geometry(self.window)
                .expect("request")
                .reply()
                .expect("geometry");
            let (w, h) = (usize::from(geo.width), usize::from(geo.height));
            let img = rgb_image(&self.conn, self.window, geo.width, geo.height);
            let at = |x: usize, y: usize| img.get((y * w + x) * 3..(y * w + x) * 3 + 3);
            for y in 0..h.saturating_sub(6) {
                for x in 0..w.saturating_sub(6) {
                    if at(x, y) == Some(&rgb[..])
                        && (0..6).all(|dy| (0..6).all(|dx| at(x + dx, y + dy) == Some(&rgb[..])))
                    {
                        let (ox, oy) = self.origin();
                        return Some((i32::from(ox) + x as i32 + 3, i32::from(oy) + y as i32 + 3));
                    }
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    pub fn xdotool(&self, args: &[&str]) {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool runs");
        assert!(
            out.status.success(),
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn pause(&self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    /// Moves the pointer from `a` to `b` in `steps` steps, 40 ms apart.
    pub fn glide(&self, a: (i32, i32), b: (i32, i32), steps: i32) {
        for i in 1..=steps {
            let x = a.0 + (b.0 - a.0) * i / steps;
            let y = a.1 + (b.1 - a.1) * i / steps;
            self.xdotool(&["mousemove", &x.to_string(), &y.to_string()]);
            self.pause(40);
        }
    }

    /// Writes the whole screen as a PNG into `$CARGO_TARGET_TMPDIR` (and
    /// `$BANDMATE_SCREENSHOT_DIR` if set); its path.
    pub fn screenshot(&self, name: &str) -> Option<PathBuf> {
        let root = self.conn.setup().roots[0].root;
        let img = rgb_image(&self.conn, root, SCREEN.0, SCREEN.1);
        let png = super::png::encode(u32::from(SCREEN.0), u32::from(SCREEN.1), &img);
        if let Some(dir) = std::env::var_os("BANDMATE_SCREENSHOT_DIR") {
            let _ = std::fs::write(Path::new(&dir).join(name), &png);
        }
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&path, &png).ok().map(|()| path)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.app.kill();
        let _ = self.app.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// A window's pixels as RGB bytes (24-bit TrueColor, as Xvfb's screen here).
fn rgb_image(conn: &RustConnection, w: Window, width: u16, height: u16) -> Vec<u8> {
    let reply = conn
        .get_image(ImageFormat::Z_PIXMAP, w, 0, 0, width, height, !0)
        .expect("request")
        .reply()
        .expect("GetImage");
    let visual = conn.setup().roots[0].root_visual;
    let depth = conn.setup().roots[0]
        .allowed_depths
        .iter()
        .flat_map(|d| d.visuals.iter())
        .find(|v| v.visual_id == visual)
        .expect("root visual");
    assert_eq!(
        (depth.red_mask, depth.green_mask, depth.blue_mask),
        (0xff0000, 0xff00, 0xff),
        "a 24-bit BGRX screen"
    );
    let n = usize::from(width) * usize::from(height);
    assert!(reply.data.len() >= n * 4, "32 bits per pixel");
    reply
        .data
        .chunks_exact(4)
        .take(n)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect()
}

/// Another client can grab the pointer and the keyboard (nothing was left grabbed).
pub fn assert_no_grab(display: &str) {
    let (c, screen) = RustConnection::connect(Some(display)).expect("connect");
    let root = c.setup().roots[screen].root;
    let p = c
        .grab_pointer(
            false,
            root,
            EventMask::NO_EVENT,
            GrabMode::ASYNC,
            GrabMode::ASYNC,
            x11rb::NONE,
            x11rb::NONE,
            x11rb::CURRENT_TIME,
        )
        .expect("request")
        .reply()
        .expect("GrabPointer");
    let k = c
        .grab_keyboard(
            false,
            root,
            x11rb::CURRENT_TIME,
            GrabMode::ASYNC,
            GrabMode::ASYNC,
        )
        .expect("request")
        .reply()
        .expect("GrabKeyboard");
    assert_eq!(
        p.status,
        GrabStatus::SUCCESS,
        "the pointer is still grabbed"
    );
    assert_eq!(
        k.status,
        GrabStatus::SUCCESS,
        "the keyboard is still grabbed"
    );
    let _ = c.ungrab_pointer(x11rb::CURRENT_TIME);
    let _ = c.ungrab_keyboard(x11rb::CURRENT_TIME);
    let _ = c.flush();
}

pub fn atom(c: &RustConnection, name: &str) -> Atom {
    c.intern_atom(false, name.as_bytes())
        .expect("request")
        .reply()
        .expect("atom")
        .atom
}

pub fn atom_name(c: &RustConnection, a: Atom) -> String {
    c.get_atom_name(a)
        .ok()
        .and_then(|r| r.reply().ok())
        .map(|r| String::from_utf8_lossy(&r.name).into_owned())
        .unwrap_or_default()
}

/// What the clipboard offered.
#[derive(Debug)]
pub struct Clipboard {
    pub targets: Vec<String>,
    pub uri_list: String,
    pub gnome: String,
}

/// Reads CLIPBOARD as another application would, once it has an owner (waits up to `wait`).
pub fn read_clipboard(display: &str, wait: Duration) -> Option<Clipboard> {
    let (c, screen) = RustConnection::connect(Some(display)).expect("connect");
    let root = c.setup().roots[screen].root;
    let clipboard = atom(&c, "CLIPBOARD");
    let deadline = Instant::now() + wait;
    while c.get_selection_owner(clipboard).ok()?.reply().ok()?.owner == x11rb::NONE {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let w = c.generate_id().expect("id");
    c.create_window(
        0,
        w,
        root,
        0,
        0,
        1,
        1,
        0,
        WindowClass::INPUT_ONLY,
        0,
        &CreateWindowAux::new(),
    )
    .expect("request");
    let prop = atom(&c, "BANDMATE_TEST_PASTE");
    let get = |target: &str| -> Option<Vec<u8>> {
        let t = atom(&c, target);
        c.convert_selection(w, clipboard, t, prop, x11rb::CURRENT_TIME)
            .ok()?;
        c.flush().ok()?;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match c.poll_for_event().ok()? {
                Some(Event::SelectionNotify(n)) if n.target == t => {
                    if n.property == x11rb::NONE {
                        return None;
                    }
                    let r = c
                        .get_property(true, w, prop, AtomEnum::ANY, 0, 1 << 20)
                        .ok()?
                        .reply()
                        .ok()?;
                    return Some(r.value);
                }
                Some(_) => {}
                None if Instant::now() > deadline => return None,
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    };
    let targets_raw = get("TARGETS")?;
    let uri_list = String::from_utf8(get("text/uri-list")?).ok()?;
    let gnome = String::from_utf8(get("x-special/gnome-copied-files")?).ok()?;
    let targets = targets_raw
        .chunks_exact(4)
        .map(|b| atom_name(&c, u32::from_ne_bytes([b[0], b[1], b[2], b[3]])))
        .collect();
    Some(Clipboard {
        targets,
        uri_list,
        gnome,
    })
}
