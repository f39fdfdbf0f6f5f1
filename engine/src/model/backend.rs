//! Run-time choice of the ONNX backend behind `ort`: native ONNX Runtime when `libonnxruntime.so`
//! can be loaded (beside the plugin/binary, then `ORT_DYLIB_PATH`), otherwise tract (pure Rust,
//! through `ort-tract`). The choice is made once per process: `ort::set_api` cannot be undone.

use super::ModelError;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Which implementation runs the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// ONNX Runtime loaded from a shared library.
    Native,
    /// tract, pure Rust (always available).
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
    let pref = match (
        pref,
        std::env::var("BANDMATE_MODEL_BACKEND").ok().as_deref(),
    ) {
        (BackendPref::Auto, Some("tract")) => BackendPref::Tract,
        (BackendPref::Auto, Some("native")) => BackendPref::Native(None),
        (p, _) => p,
    };
    let (kind, name) = match pref {
        BackendPref::Tract => (BackendKind::Tract, set_tract()),
        BackendPref::Native(path) => {
            let cands = match path {
                Some(p) => vec![p],
                None => native_candidates(),
            };
            let name = set_native(&cands)?;
            (BackendKind::Native, name)
        }
        BackendPref::Auto => match set_native(&native_candidates()) {
            Ok(name) => (BackendKind::Native, name),
            Err(_) => (BackendKind::Tract, set_tract()),
        },
    };
    let env = ort::environment::init()
        .with_name("bandmate")
        .build()
        .map_err(|e| ModelError::Backend {
            reason: format!("{name}: cannot create environment: {e}"),
        })?;
    Ok(Backend { kind, name, env })
}

fn set_tract() -> &'static str {
    ort::set_api(ort_tract::api());
    "tract (pure Rust)"
}

/// Places to look for the ONNX Runtime library, in order: beside the binary that contains this
/// code (the plugin .so/.clap), beside the executable, then `ORT_DYLIB_PATH`.
pub fn native_candidates() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(p) = own_binary_path() {
        if let Some(d) = p.parent() {
            dirs.push(d.to_path_buf());
        }
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(d) = exe.parent() {
            if !dirs.iter().any(|x| x == d) {
                dirs.push(d.to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        out.extend(lib_in(&d));
    }
    if let Ok(p) = std::env::var("ORT_DYLIB_PATH") {
        if !p.is_empty() {
            out.push(PathBuf::from(p));
        }
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

fn set_native(cands: &[PathBuf]) -> Result<&'static str, ModelError> {
    if cands.is_empty() {
        return Err(ModelError::Backend {
            reason: "libonnxruntime not found beside the binary and ORT_DYLIB_PATH is not set"
                .into(),
        });
    }
    let mut reasons = Vec::new();
    for p in cands {
        match load_native(p) {
            Ok(name) => return Ok(name),
            Err(e) => reasons.push(format!("{}: {e}", p.display())),
        }
    }
    Err(ModelError::Backend {
        reason: reasons.join("; "),
    })
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
    // SAFETY: base is a valid OrtApiBase from the library.
    let api = unsafe { ((*base).GetApi)(ort_sys::ORT_API_VERSION) };
    if api.is_null() {
        return Err(format!(
            "the library does not provide ORT API version {}",
            ort_sys::ORT_API_VERSION
        ));
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
