//! The CLAP test host for Bandmate: loads the bundled `.clap` through the real CLAP ABI
//! (clack-host) and drives it block by block. Used by the integration tests in `tests/tests/`
//! and by `cargo xtask eval plugin`.

mod host;

pub use clack_host::prelude::PluginEntry;
pub use host::*;
