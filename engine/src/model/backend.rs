//! Run-time choice of the ONNX backend behind `ort`: native ONNX Runtime when a `libonnxruntime`
//! of a supported version loads from one of Bandmate's locations (see [`native_candidates`]),
//! otherwise tract (pure Rust, through `ort-tract`). The choice is made once per process:
//! `ort::set_api` cannot be undone. [`backend_report`] says what was chosen and why.

use super::ModelError;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Which implementation runs the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// ONNX Runtime loaded from a shared library.
    Native,
    /// tract, pure Rust (compiled in with the `tract` feature).
    Tract,
}

/// What the caller wants; `Auto` prefers native and falls back to tract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendPref {
    Auto,
    Tract,
    /// Native only; with a path, exactly that library.
    Native(Option<PathBuf>),
}

pub(crate) struct Backend {
    pub kind: BackendKind,
    pub name: &'static str,
    pub env: ort::environment::Environment,
    pub report: BackendReport,
}

/// The oldest ONNX Runtime this build accepts: the release that introduced the ORT C API version
/// `ort` is compiled against (1.N provides API N).
pub const MIN_ORT_MINOR: u32 = ort_sys::ORT_API_VERSION;

/// Where a candidate ONNX Runtime library was looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeLocation {
    /// The plugin's private runtime folder beside its binary (`Bandmate/` beside the .clap,
    /// the binary folder inside the .vst3 bundle).
    PluginBundle,
    /// Beside the executable (the CLI).
    BesideExecutable,
    /// The installed plugin's runtime folder, `~/.clap/Bandmate/`.
    InstalledPlugin,
    /// The venv the set-up script makes, `target/ort-venv` above the executable.
    SetupVenv,
    /// The `ORT_DYLIB_PATH` environment variable.
    EnvVar,
    /// A path the caller asked for.
    Requested,
}

impl RuntimeLocation {
    /// Words for messages, e.g. "the plugin's runtime folder".
    pub fn describe(self) -> &'static str {
        match self {
            RuntimeLocation::PluginBundle => "inside the plugin's bundle",
            RuntimeLocation::BesideExecutable => "beside the executable",
            RuntimeLocation::InstalledPlugin => "the installed plugin's runtime folder",
            RuntimeLocation::SetupVenv => "the set-up's venv",
            RuntimeLocation::EnvVar => "ORT_DYLIB_PATH",
            RuntimeLocation::Requested => "the requested path",
        }
    }
}

/// A library path to try and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    pub location: RuntimeLocation,
}

/// What the backend choice found: the library that loaded, and every one refused with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendReport {
    pub kind: BackendKind,
    /// e.g. "onnxruntime 1.32.0 (native)".
    pub name: String,
    pub loaded: Option<Candidate>,
    pub refused: Vec<(Candidate, String)>,
    /// Set when tract was asked for (preference or `BANDMATE_MODEL_BACKEND`).
    pub forced: Option<String>,
}

impl std::fmt::Display for BackendReport {
    /// One or more lines: the backend, where it was loaded from, and what was refused.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name)?;
        match (&self.loaded, &self.forced) {
            (Some(c), _) => write!(f, " from {} ({})", c.path.display(), c.location.describe())?,
            (None, Some(why)) => write!(f, ": {why}")?,
            (None, None) if self.refused.is_empty() => write!(
                f,
                ": no ONNX Runtime found (looked beside the binary, in ~/.clap/Bandmate, in the set-up's venv and at ORT_DYLIB_PATH)"
            )?,
            (None, None) => write!(f, ": no usable ONNX Runtime")?,
        }
        for (c, why) in &self.refused {
            write!(
                f,
                "\n  refused {} ({}): {why}",
                c.path.display(),
                c.location.describe()
            )?;
        }
        Ok(())
    }
}

/// The report of the active backend (initializing it with `Auto` when needed), or why no backend
/// could start.
pub fn backend_report() -> Result<&'static BackendReport, ModelError> {
    backend().map(|b| &b.report)
}

static BACKEND: OnceLock<Result<Backend, ModelError>> = OnceLock::new();

/// Initializes the backend once (first caller's preference wins) and returns what is active.
/// `BANDMATE_MODEL_BACKEND=tract|native` overrides `Auto`.
pub fn init_backend(pref: BackendPref) -> Result<BackendKind, ModelError> {
    let b = backend_with(pref.clone())?;
    match (&pref, b.kind) {
        (BackendPref::Tract, BackendKind::Native)
        | (BackendPref::Native(_), BackendKind::Tract) => Err(ModelError::BackendMismatch {
            wanted: format!("{pref:?}"),
            active: b.name.to_string(),
        }),
        _ => Ok(b.kind),
    }
}

/// Opens an ONNX session for model `model` on the active backend (one intra-op thread on native
/// ONNX Runtime, so a model call never competes with the host's threads).
pub(crate) fn open_session(
    model: &'static str,
    onnx: &[u8],
) -> Result<ort::session::Session, ModelError> {
    let b = backend()?;
    let load_err = |e: String| ModelError::Load {
        model,
        backend: b.name,
        reason: e,
    };
    let mut builder =
        ort::session::Session::builder(&b.env).map_err(|e| load_err(e.to_string()))?;
    if b.kind == BackendKind::Native {
        builder = builder
            .with_intra_threads(1)
            .map_err(|e| load_err(e.to_string()))?;
    }
    let session = builder
        .commit_from_memory(onnx)
        .map_err(|e| load_err(e.to_string()))?;
    Ok(session)
}

pub(crate) fn backend() -> Result<&'static Backend, ModelError> {
    backend_with(BackendPref::Auto)
}

fn backend_with(pref: BackendPref) -> Result<&'static Backend, ModelError> {
    BACKEND
        .get_or_init(|| init(pref))
        .as_ref()
        .map_err(Clone::clone)
}

/// Name of the active backend, e.g. "onnxruntime 1.32.0 (native)" or "tract (pure Rust)";
/// initializes it (Auto) when needed, "unavailable" when no backend could start.
pub fn backend_name() -> &'static str {
    match backend() {
        Ok(b) => b.name,
        Err(_) => "unavailable",
    }
}

fn init(pref: BackendPref) -> Result<Backend, ModelError> {
    let env_choice = std::env::var("BANDMATE_MODEL_BACKEND").ok();
    let pref = match (pref, env_choice.as_deref()) {
        (BackendPref::Auto, Some("tract")) => BackendPref::Tract,
        (BackendPref::Auto, Some("native")) => BackendPref::Native(None),
        (p, _) => p,
    };
    let mut report = BackendReport {
        kind: BackendKind::Tract,
        name: String::new(),
        loaded: None,
        refused: Vec::new(),
        forced: None,
    };
    let name = match pref {
        BackendPref::Tract => {
            report.forced = Some(if env_choice.as_deref() == Some("tract") {
                "chosen by BANDMATE_MODEL_BACKEND=tract".into()
            } else {
                "requested".into()
            });
            set_tract().ok_or_else(|| ModelError::Backend {
                reason: NO_TRACT.into(),
            })?
        }
        BackendPref::Native(path) => {
            let cands = match path {
                Some(p) => vec![Candidate {
                    path: p,
                    location: RuntimeLocation::Requested,
                }],
                None => native_candidates(),
            };
            match set_native(&cands, &mut report) {
                Some(name) => name,
                None => {
                    return Err(ModelError::Backend {
                        reason: report.to_string(),
                    })
                }
            }
        }
        BackendPref::Auto => match set_native(&native_candidates(), &mut report) {
            Some(name) => name,
            None => match set_tract() {
                Some(name) => name,
                None => {
                    report.name = "no backend".into();
                    return Err(ModelError::Backend {
                        reason: format!("{report}; {NO_TRACT}"),
                    });
                }
            },
        },
    };
    report.kind = if report.loaded.is_some() {
        BackendKind::Native
    } else {
        BackendKind::Tract
    };
    report.name = name.to_string();
    let env = ort::environment::init()
        .with_name("bandmate")
        .build()
        .map_err(|e| ModelError::Backend {
            reason: format!("{name}: cannot create environment: {e}"),
        })?;
    Ok(Backend {
        kind: report.kind,
        name,
        env,
        report,
    })
}

const NO_TRACT: &str = "this build has no tract fallback (cargo feature `tract`)";

#[cfg(feature = "tract")]
fn set_tract() -> Option<&'static str> {
    ort::set_api(ort_tract::api());
    Some("tract (pure Rust)")
}

#[cfg(not(feature = "tract"))]
fn set_tract() -> Option<&'static str> {
    None
}

/// Places to look for ONNX Runtime, in order. In a plugin: its private runtime folder
/// (`Bandmate/` beside `Bandmate.clap`, or the binary folder inside `Bandmate.vst3`), then
/// `ORT_DYLIB_PATH`. In an executable (the CLI): beside it, `~/.clap/Bandmate/`, the set-up's
/// venv (`target/ort-venv` above it), then `ORT_DYLIB_PATH`. Never a loose library in a folder
/// other plugins share.
pub fn native_candidates() -> Vec<Candidate> {
    let exe = std::env::current_exe().ok();
    let own = own_binary_path();
    let in_plugin = match (&own, &exe) {
        (Some(o), Some(e)) => {
            let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            canon(o) != canon(e)
        }
        (Some(_), None) => true,
        _ => false,
    };
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let venv_roots: Vec<PathBuf> = exe
        .as_deref()
        .and_then(Path::parent)
        .map(|d| d.ancestors().take(3).map(|a| a.join("ort-venv")).collect())
        .unwrap_or_default();
    candidates_for(
        if in_plugin { own.as_deref() } else { None },
        if in_plugin { None } else { exe.as_deref() },
        home.as_deref(),
        &venv_roots,
        std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from),
    )
}

/// The search order of [`native_candidates`] for explicit inputs: the plugin binary (when
/// running inside a plugin), the executable (when not), `$HOME`, venv roots, `ORT_DYLIB_PATH`.
pub fn candidates_for(
    plugin: Option<&Path>,
    exe: Option<&Path>,
    home: Option<&Path>,
    venv_roots: &[PathBuf],
    env: Option<PathBuf>,
) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let push = |dir: &Path, location: RuntimeLocation, out: &mut Vec<Candidate>| {
        for path in lib_in(dir) {
            if !out.iter().any(|c| c.path == path) {
                out.push(Candidate { path, location });
            }
        }
    };
    if let Some(p) = plugin {
        if let Some(d) = p.parent() {
            let stem = p
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|s| !s.is_empty())
                .unwrap_or("Bandmate");
            push(&d.join(stem), RuntimeLocation::PluginBundle, &mut out);
            push(&d.join("Bandmate"), RuntimeLocation::PluginBundle, &mut out);
            if d.ancestors()
                .any(|a| a.extension().is_some_and(|e| e == "vst3"))
            {
                push(d, RuntimeLocation::PluginBundle, &mut out);
            }
        }
    }
    if let Some(e) = exe {
        if let Some(d) = e.parent() {
            push(d, RuntimeLocation::BesideExecutable, &mut out);
        }
        if let Some(h) = home {
            push(
                &h.join(".clap").join("Bandmate"),
                RuntimeLocation::InstalledPlugin,
                &mut out,
            );
        }
        for v in venv_roots {
            let Ok(rd) = std::fs::read_dir(v.join("lib")) else {
                continue;
            };
            let mut pys: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            pys.sort();
            for py in pys {
                push(
                    &py.join("site-packages/onnxruntime/capi"),
                    RuntimeLocation::SetupVenv,
                    &mut out,
                );
            }
        }
    }
    if let Some(p) = env.filter(|p| !p.as_os_str().is_empty()) {
        out.push(Candidate {
            path: p,
            location: RuntimeLocation::EnvVar,
        });
    }
    out
}

fn lib_in(dir: &Path) -> Vec<PathBuf> {
    let mut v = vec![dir.join(format!(
        "{}onnxruntime{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ))];
    if let Ok(rd) = std::fs::read_dir(dir) {
        let mut extra: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("libonnxruntime.so.1"))
            })
            .collect();
        extra.sort();
        v.extend(extra);
    }
    v.into_iter().filter(|p| p.exists()).collect()
}

#[cfg(unix)]
fn own_binary_path() -> Option<PathBuf> {
    use std::ffi::{c_char, c_int, c_void, CStr};
    #[repr(C)]
    struct DlInfo {
        dli_fname: *const c_char,
        dli_fbase: *mut c_void,
        dli_sname: *const c_char,
        dli_saddr: *mut c_void,
    }
    extern "C" {
        fn dladdr(addr: *const c_void, info: *mut DlInfo) -> c_int;
    }
    let mut info = DlInfo {
        dli_fname: std::ptr::null(),
        dli_fbase: std::ptr::null_mut(),
        dli_sname: std::ptr::null(),
        dli_saddr: std::ptr::null_mut(),
    };
    // SAFETY: dladdr only reads the address and fills `info`; the returned name is owned by the loader.
    let ok = unsafe { dladdr(own_binary_path as *const c_void, &mut info) };
    if ok == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: non-null, NUL-terminated string from the dynamic loader.
    let s = unsafe { CStr::from_ptr(info.dli_fname) }.to_str().ok()?;
    Some(PathBuf::from(s))
}

#[cfg(not(unix))]
fn own_binary_path() -> Option<PathBuf> {
    None
}

/// Tries each candidate in order; the first that loads wins. Refusals go into the report.
fn set_native(cands: &[Candidate], report: &mut BackendReport) -> Option<&'static str> {
    for c in cands {
        match load_native(&c.path) {
            Ok(name) => {
                report.loaded = Some(c.clone());
                return Some(name);
            }
            Err(e) => report.refused.push((c.clone(), e)),
        }
    }
    None
}

/// `Ok` when an ONNX Runtime version string ("1.32.0") is one this build can use.
pub fn check_version(version: &str) -> Result<(), String> {
    let mut it = version.trim().split('.');
    let major = it.next().and_then(|m| m.parse::<u32>().ok());
    let minor = it.next().and_then(|m| m.parse::<u32>().ok());
    match (major, minor) {
        (Some(1), Some(minor)) if minor >= MIN_ORT_MINOR => Ok(()),
        (Some(1), Some(_)) => Err(format!(
            "ONNX Runtime {version} is too old: Bandmate needs 1.{MIN_ORT_MINOR} or newer"
        )),
        (Some(_), Some(_)) => Err(format!(
            "ONNX Runtime {version} is not a 1.x release this build was made for (1.{MIN_ORT_MINOR} or newer)"
        )),
        _ => Err(format!("unreadable ONNX Runtime version {version:?}")),
    }
}

fn load_native(path: &Path) -> Result<&'static str, String> {
    type GetApiBase = unsafe extern "C" fn() -> *const ort_sys::OrtApiBase;
    // SAFETY: loading ONNX Runtime runs its initializers; it is a well-behaved C library.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
    // SAFETY: the symbol has this signature in every ONNX Runtime release.
    let get: libloading::Symbol<GetApiBase> =
        unsafe { lib.get(b"OrtGetApiBase\0") }.map_err(|e| e.to_string())?;
    // SAFETY: calling the C entry point; checked for null below.
    let base = unsafe { get() };
    if base.is_null() {
        return Err("OrtGetApiBase returned null".into());
    }
    // SAFETY: base is valid; the version string is static in the library.
    let version = unsafe {
        let v = ((*base).GetVersionString)();
        if v.is_null() {
            "?".to_string()
        } else {
            std::ffi::CStr::from_ptr(v).to_string_lossy().into_owned()
        }
    };
    check_version(&version)?;
    // SAFETY: base is a valid OrtApiBase from the library.
    let api = unsafe { ((*base).GetApi)(ort_sys::ORT_API_VERSION) };
    if api.is_null() {
        return Err(format!(
            "the library does not provide ORT API version {}",
            ort_sys::ORT_API_VERSION
        ));
    }
    // SAFETY: api points to a complete OrtApi table that lives as long as the library, which we
    // keep loaded for the rest of the process (leaked below).
    let table = unsafe { std::ptr::read(api) };
    if !ort::set_api(table) {
        return Err("an ONNX backend was already set in this process".into());
    }
    std::mem::forget(lib);
    Ok(Box::leak(
        format!("onnxruntime {version} (native)").into_boxed_str(),
    ))
}
