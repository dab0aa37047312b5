//! What the process has used so far, for the per-stage figures of a run
//! (`newsdedup run --verbose`, `scripts/bench.sh --verbose`): its peak
//! resident memory and its CPU time over all threads. Both read Linux's
//! `/proc/self`; elsewhere they are `None` and the figures are left out.

/// The process's peak resident set so far, in MiB (`VmHWM` in
/// `/proc/self/status`).
pub fn peak_resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// Clock ticks a second in `/proc` (Linux's `USER_HZ`, 100 on every
/// architecture it exports to user space).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds the process has spent so far, user and system, over all its
/// threads (`utime` + `stime` in `/proc/self/stat`), to 10 ms.
pub fn cpu_seconds() -> Option<f64> {
    cpu_seconds_of(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// [`cpu_seconds`] from the text of a `/proc/<pid>/stat` file.
fn cpu_seconds_of(stat: &str) -> Option<f64> {
    // The command name (field 2) is in parentheses and may hold spaces:
    // the fields are counted after its closing one, from `state` (field 3).
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_past_a_command_name_with_spaces() {
        let stat = "4242 (news dedup) R 1 4242 4242 0 -1 4194304 5120 0 0 0 1234 56 0 0 20 0 3 0 99 1000 200";
        assert_eq!(cpu_seconds_of(stat), Some(12.9));
        assert_eq!(cpu_seconds_of("4242 (x) R 1"), None);
    }

    #[test]
    fn this_process_has_used_some_cpu_and_memory() {
        if std::path::Path::new("/proc/self/stat").exists() {
            // Busy for 50 ms of wall time: five ticks of CPU time at least.
            let started = std::time::Instant::now();
            let mut spin = 0u64;
            while started.elapsed().as_millis() < 50 {
                spin = std::hint::black_box(spin.wrapping_add(1));
            }
            assert!(cpu_seconds().is_some_and(|s| s >= 0.01), "{:?} after {spin} turns", cpu_seconds());
            assert!(peak_resident_mib().is_some_and(|m| m > 0));
        }
    }
}
