//! `portico build [PATH...] --out DIR`

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repositories, directories of repositories, or files (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Where to write the site.
    #[arg(long, short, default_value = "site")]
    pub out: PathBuf,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("portico build: not implemented yet");
    super::exit(super::EXIT_USAGE)
}
