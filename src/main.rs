//! The `jiban` binary.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Exit quietly when a pipe reader (`jiban cases | head`) goes away, as Unix tools do.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Stores, logs, drafts and backups hold citizens' names and phones: everything jiban creates
    // is readable by its owner only (the server's socket is opened to its group explicitly).
    // SAFETY: umask only changes this process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    // Failpoints from `FAILPOINTS` (they act only in test builds); a malformed value is reported,
    // not a crash.
    let _failpoints = std::env::var_os("FAILPOINTS").and_then(|_| {
        std::panic::catch_unwind(fail::FailScenario::setup)
            .map_err(|_| {
                use std::io::Write as _;
                let _ = writeln!(std::io::stderr(), "jiban: FAILPOINTS is malformed; ignored");
            })
            .ok()
    });
    let cli = jiban::cli::Cli::parse();
    match jiban::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = e.downcast_ref::<jiban::cli::Exit>().map_or(1, |x| x.code);
            // A terminal that hung up (a dropped SSH session) makes stderr fail; that must not
            // turn a clean exit into a panic.
            use std::io::Write as _;
            let message = jiban::text::clean_block(&jiban::text::error_chain(&e)).into_owned();
            let _ = writeln!(std::io::stderr(), "jiban: {message}");
            ExitCode::from(code)
        }
    }
}
