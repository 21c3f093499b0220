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
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(check_cmd::exit_code(&err))
        }
    }
}
