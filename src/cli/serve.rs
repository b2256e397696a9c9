//! `portico serve [PATH...]`

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub paths: Vec<PathBuf>,
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("portico serve: not implemented yet");
    super::exit(super::EXIT_USAGE)
}
