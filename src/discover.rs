//! Stage 1: inputs (repositories, directories of repositories, files) → catalog files to
//! read, grouped by the repository they belong to.
//!
//! A parallel walk with `ignore` (.gitignore honoured, hidden directories not skipped),
//! plus files named on the command line and the globs from `portico.yaml`. `kind: Location`
//! targets are followed later by `follow_locations`, once the files are parsed.

use crate::config::Config;
use crate::diag::Problem;
use std::path::PathBuf;

/// A catalog file to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceFile {
    /// Where to read it.
    pub path: PathBuf,
    /// How to show it: as the user named it (relative to the working directory when the input
    /// was relative), `/`-separated, no leading `./`. Problems use this.
    pub display: String,
    /// The repository it belongs to: the nearest ancestor holding `.git`, else the input
    /// directory it was found under. `$text` placeholders may not leave it.
    pub repo: PathBuf,
}

/// The output of discovery: every file once, sorted by `display` (deterministic order).
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub files: Vec<SourceFile>,
    pub problems: Vec<Problem>,
}

/// Finds catalog files under the inputs. Stub until discovery lands.
pub fn discover(_inputs: &[PathBuf], _config: &Config) -> Discovered {
    Discovered::default()
}
