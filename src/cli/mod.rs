//! Subcommands. `main.rs` only parses arguments; each command lives in its own module.

pub mod build;
pub mod score;
pub mod serve;
pub mod validate;

use std::process::ExitCode;

/// Exit codes shared by all commands.
pub const EXIT_OK: u8 = 0;
/// Problems that fail the run were found (or a gate was not met).
pub const EXIT_PROBLEMS: u8 = 1;
/// The command could not run: bad flag, unreadable path, broken config.
pub const EXIT_USAGE: u8 = 2;

pub fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}
