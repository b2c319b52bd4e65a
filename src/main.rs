//! The `ouvrage` binary: parse the arguments, run, exit with 0, 1 or 2.

use clap::Parser;

fn main() {
    // clap exits with 2 on a usage error, as the contract asks.
    let cli = ouvrage::cli::Cli::parse();
    std::process::exit(ouvrage::cli::run(cli));
}
