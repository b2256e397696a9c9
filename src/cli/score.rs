//! `portico score` and `portico gate`

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct GateArgs {
    pub paths: Vec<PathBuf>,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("portico score: not implemented yet");
    super::exit(super::EXIT_USAGE)
}

pub fn gate(_args: GateArgs) -> ExitCode {
    eprintln!("portico gate: not implemented yet");
    super::exit(super::EXIT_USAGE)
}
