//! The `portico` command line. Argument parsing only; the work is in the library.

use clap::{Parser, Subcommand};
use portico::cli;
use std::process::ExitCode;

/// Parsing and validation allocate many small strings from several threads; mimalloc is
/// markedly cheaper than the system allocator there (about a fifth of the CPU time).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns an organisation's repositories into a static developer portal.
#[derive(Parser)]
#[command(name = "portico", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check catalog files as Backstage would, reporting every problem at file:line:col.
    Validate(cli::validate::Args),
    /// Validate, then write the static portal.
    Build(cli::build::Args),
    /// Build, serve on 127.0.0.1, rebuild on change and reload the page.
    Serve(cli::serve::Args),
    /// Compute scorecards for every entity.
    Score(cli::score::Args),
    /// Fail (exit 1) when an entity is below a scorecard level.
    Gate(cli::score::GateArgs),
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors; everything else is "could not run".
            return if e.use_stderr() {
                ExitCode::from(cli::EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Validate(args) => cli::validate::run(args),
        Command::Build(args) => cli::build::run(args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Score(args) => cli::score::run(args),
        Command::Gate(args) => cli::score::gate(args),
    }
}

/// Turns transparent huge pages off for this process. mimalloc asks for them; on the
/// 2-core VMs CI runs on, faulting in 2 MiB pages (compaction, then zeroing) cost more than
/// it saved: `validate` of 10,000 files went from 0.71 to 0.45 s of system time right after
/// another large process had run (whole process, median of 3).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
