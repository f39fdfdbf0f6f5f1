//! The `bandmate` command's argument handling and subcommands, as a library so tests and fuzz
//! targets can drive them.

pub mod analyze;
pub mod args;
pub mod groove;
pub mod live;
pub mod personal;
pub mod prompt;
