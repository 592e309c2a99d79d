//! The `jiban` binary.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = jiban::cli::Cli::parse();
    match jiban::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = e.downcast_ref::<jiban::cli::Exit>().map_or(1, |x| x.code);
            eprintln!("jiban: {e:#}");
            ExitCode::from(code)
        }
    }
}
