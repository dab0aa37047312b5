//! Progress bars on stderr (`indicatif`), one per long stage. Hidden with
//! `quiet`, and by indicatif itself when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Creates progress bars for the stages of a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    quiet: bool,
}

impl Progress {
    /// Progress shown on stderr (when it is a terminal).
    pub fn stderr() -> Progress {
        Progress { quiet: false }
    }

    /// No progress output at all.
    pub fn hidden() -> Progress {
        Progress { quiet: true }
    }

    /// A bar for a stage that handles `len` items.
    pub fn stage(&self, name: &str, len: u64) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {per_sec} {elapsed}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(name.to_string());
        bar
    }
}
