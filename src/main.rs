//! The `kaohe` command: parse arguments, run, exit with the command's code.

use clap::Parser;

/// At national scale evaluation allocates and frees many column-sized
/// vectors; mimalloc reuses them where the system allocator returns them to
/// the kernel and faults them back in page by page.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = kaohe::cli::Cli::parse();
    std::process::exit(kaohe::cli::run(cli));
}
