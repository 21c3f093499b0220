//! The confbook command: parse arguments, run one command, print errors, exit.

mod check_cmd;
mod cli;
mod commands;
mod handouts_cmd;
mod watch_cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            // Library errors already quote their cause; print only what is new.
            let mut said = err.to_string();
            for cause in err.chain().skip(1).map(|c| c.to_string()) {
                if !said.contains(&cause) {
                    eprintln!("  caused by: {cause}");
                }
                said = cause;
            }
            ExitCode::from(check_cmd::exit_code(&err))
        }
    }
}
