//! Arbitrary bytes straight into the ONNX backend (tract, through ort-tract) the way
//! `engine/src/model/runtime.rs` loads a model that passed `model::verify`:
//! `Session::builder(env).commit_from_memory(bytes)`, then one step with zero inputs when the
//! graph has the models' `x`/`h` inputs. The engine has no public "load these bytes" entry and
//! never gives the backend bytes that fail the sha256 check, so this target documents what the
//! checksum gate protects against: tract panics on some malformed graphs, and a panic inside
//! ort-tract's `extern "C"` functions aborts the process (see docs/robustness.md). Not run in CI.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn env() -> &'static ort::environment::Environment {
    static ENV: OnceLock<ort::environment::Environment> = OnceLock::new();
    ENV.get_or_init(|| {
        ort::set_api(ort_tract::api());
        ort::environment::init().with_name("fuzz").build().expect("tract environment")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut b) = ort::session::Session::builder(env()) else { return };
    let Ok(mut session) = b.commit_from_memory(data) else { return };
    let inputs: Vec<String> = session.inputs().iter().map(|i| i.name().to_string()).collect();
    if inputs.len() == 2 && inputs.iter().any(|n| n == "x") && inputs.iter().any(|n| n == "h") {
        let (Ok(x), Ok(h)) = (
            ort::value::Tensor::from_array(([4usize], vec![0i64; 4])),
            ort::value::Tensor::from_array(([1usize, 1, 8], vec![0f32; 8])),
        ) else {
            return;
        };
        let _ = session.run(ort::inputs!["x" => x, "h" => h]);
    }
});
