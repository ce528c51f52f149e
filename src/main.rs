//! The `kaohe` command: parse arguments, run, exit with the command's code.

use clap::Parser;

fn main() {
    let cli = kaohe::cli::Cli::parse();
    std::process::exit(kaohe::cli::run(cli));
}
