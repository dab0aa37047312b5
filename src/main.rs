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
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options (its `malloc_conf` global, read when it starts;
/// tikv-jemalloc-sys prefixes its symbols with `_rjem_`): freed pages go
/// back to the system within a second, not ten, then at once, so one
/// stage's freed room is not still held when the next stage peaks.
#[cfg(not(target_env = "msvc"))]
#[export_name = "_rjem_malloc_conf"]
static JEMALLOC_OPTIONS: Option<&'static u8> = Some(&b"dirty_decay_ms:1000,muzzy_decay_ms:0\0"[0]);

/// Hands every arena's freed pages back to the system at once, so that a
/// stage does not start on top of the room the last one freed while jemalloc
/// is still decaying it (a million articles: the clustering peak came from
/// that). Called as each pipeline stage ends.
#[cfg(not(target_env = "msvc"))]
pub(crate) fn release_freed_memory(_stage: &str) {
    // `MALLCTL_ARENAS_ALL` is 4096 in jemalloc 5; "purge" takes and gives no value.
    let name = c"arena.4096.purge";
    // SAFETY: a valid NUL-terminated name and null value pointers with zero
    // length, as jemalloc's value-less commands require.
    let status = unsafe {
        tikv_jemalloc_sys::mallctl(name.as_ptr(), std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut(), 0)
    };
    // Not fatal: the pages are still returned by decay, only later.
    debug_assert_eq!(status, 0, "jemalloc refused {name:?}");
}

/// Nothing to release with the system allocator.
#[cfg(target_env = "msvc")]
pub(crate) fn release_freed_memory(_stage: &str) {}
