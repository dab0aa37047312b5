//! The `newsdedup` binary: a thin shell around the library.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`newsdedup run --out - | head`) is not an error.
            if err.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)) {
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
