//! Unit tests of the engine on hand-built catalogs (the YAML loaders are tested in
//! tests/score.rs, through real files).
