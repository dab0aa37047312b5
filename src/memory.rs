//! Handing freed memory back to the system between the large structures
//! of a batch.
//!
//! The binary allocates with jemalloc (`src/main.rs`, the `jemalloc`
//! feature, on by default), which keeps freed pages for reuse a while
//! before returning them. A stage that frees one large structure and then
//! builds another would peak on top of the room the first one left;
//! [`release_freed`] returns it at once.

/// Hands every jemalloc arena's freed pages back to the system; costs
/// little where it holds nothing freed. Does nothing without the
/// `jemalloc` feature.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
pub fn release_freed() {
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

/// Nothing to release without jemalloc.
#[cfg(not(all(feature = "jemalloc", not(target_env = "msvc"))))]
pub fn release_freed() {}
