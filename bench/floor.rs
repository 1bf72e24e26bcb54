//! The I/O floor of a site build: writes the same files, with the same sizes
//! and folders, as a site that was already built, and does nothing else.
//!
//!     rustc -O -o bench/out/floor bench/floor.rs
//!     bench/out/floor LIST OUT
//!
//! LIST has one line per file, `<bytes>\t<path relative to OUT>` (what
//! `find SITE -type f -printf '%s\t%P\n'` prints). OUT should be empty. The
//! folders are made first, then the files are written by one thread per core,
//! each with a single `write` of a buffer of the right size: no rendering, no
//! temporary file, no rename. Standard library only, so that `bench/run.sh`
//! can build it with plain `rustc`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: floor LIST OUT");
        std::process::exit(2);
    }
    let list = std::fs::read_to_string(&args[1]).expect("the list of files cannot be read");
    let out = PathBuf::from(&args[2]);
    let files: Vec<(usize, PathBuf)> = list
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (size, path) = l.split_once('\t').expect("each line is <bytes>\\t<path>");
            (size.parse().expect("a size in bytes"), out.join(path))
        })
        .collect();

    let mut dirs: Vec<&Path> = files.iter().filter_map(|(_, p)| p.parent()).collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        std::fs::create_dir_all(d).expect("a folder cannot be made");
    }

    let largest = files.iter().map(|f| f.0).max().unwrap_or(0);
    let buffer = vec![b'x'; largest];
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((size, path)) = files.get(i) else { break };
                    let mut f = std::fs::File::create(path).expect("a file cannot be created");
                    f.write_all(&buffer[..*size]).expect("a file cannot be written");
                }
            });
        }
    });
    let bytes: usize = files.iter().map(|f| f.0).sum();
    eprintln!("wrote {} files, {} bytes", files.len(), bytes);
}
