//! The floor under `portico validate`: what reading the catalog files and saphyr's event
//! parse alone cost on every core, with nothing built from the events and nothing checked.
//! No validator that reads the files and parses them with saphyr can be faster than this.
//!
//!   cargo bench --bench validate_floor -- FILE_LIST
//!
//! FILE_LIST names one file per line (tests/bench/validate.sh writes it). Prints the median of
//! 5 rounds of each part, in seconds, as `read S parse S` on the last line.

use rayon::prelude::*;
use saphyr_parser::{Event, Parser};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; the list is the first other argument.
    let Some(list) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        eprintln!("usage: cargo bench --bench validate_floor -- FILE_LIST");
        std::process::exit(2);
    };
    let list = std::fs::read_to_string(&list).expect("the file list can be read");
    let paths: Vec<&str> = list.lines().filter(|l| !l.is_empty()).collect();
    let (mut reads, mut parses) = (vec![], vec![]);
    let mut events = 0;
    let mut bytes = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let texts: Vec<String> = paths
            .par_iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect();
        reads.push(t.elapsed().as_secs_f64());
        bytes = texts.iter().map(String::len).sum::<usize>();
        let t = Instant::now();
        events = texts
            .par_iter()
            .map(|s| {
                let mut n = 0usize;
                for ev in Parser::new_from_str(s) {
                    match ev {
                        Ok((Event::StreamEnd, _)) | Err(_) => break,
                        Ok(_) => n += 1,
                    }
                }
                n
            })
            .sum::<usize>();
        parses.push(t.elapsed().as_secs_f64());
    }
    let (read, parse) = (median(reads), median(parses));
    eprintln!(
        "floor: {} files, {:.1} MB, {events} YAML events, {} threads: read {read:.3} s, saphyr events {parse:.3} s ({:.0} MB/s)",
        paths.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads(),
        bytes as f64 / parse / 1e6
    );
    println!("read {read:.4} parse {parse:.4}");
}
