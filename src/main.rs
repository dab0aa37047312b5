//! The `newsdedup` binary: a thin shell around the library.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`newsdedup run --out - | head`) is not an error.
            if err
                .chain()
                .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
            {
                return ExitCode::from(cli::EXIT_OK);
            }
            match err.downcast_ref::<cli::Failure>() {
                Some(failure) => {
                    eprintln!("newsdedup: {failure}");
                    ExitCode::from(failure.code)
                }
                None => {
                    eprintln!("newsdedup: {err:#}");
                    ExitCode::from(cli::EXIT_INTERNAL)
                }
            }
        }
    }
}

/// jemalloc rather than the system allocator: the stages build and free
/// large structures one after another from two threads, and the system
/// allocator kept much of the freed room (a million articles: peak 2,572
/// MiB against 2,333, and 3% slower; docs/benchmarks.md).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options (its `malloc_conf` global, read when it starts;
/// tikv-jemalloc-sys prefixes its symbols with `_rjem_`): freed pages go
/// back to the system within a second, not ten, then at once; the stages
/// also return them as they end and after their largest frees
/// (`newsdedup::memory`), so that one structure's freed room is not still
/// held when the next one peaks.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[export_name = "_rjem_malloc_conf"]
static JEMALLOC_OPTIONS: Option<&'static u8> = Some(&b"dirty_decay_ms:1000,muzzy_decay_ms:0\0"[0]);
