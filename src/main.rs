//! The `ouvrage` binary: parse the arguments, run, exit with 0, 1 or 2.

use clap::Parser;

/// Typst's compile allocates and frees millions of small objects, and
/// `watch` empties Typst's cache of a whole book before laying it out
/// again: with mimalloc a long book's compile is about a tenth faster
/// than with the C library's allocator, and emptying the cache takes
/// milliseconds instead of most of a second (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `ouvrage status | head`: a reader that stops reading ends the program
    // quietly, as it ends other Unix tools, rather than with a panic
    // message from println!.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(141); // 128 + SIGPIPE, what a shell reports
        }
        default_hook(info)
    }));
    // clap exits with 2 on a usage error, as the README says (exit codes: 2 usage, 1 book errors).
    let cli = ouvrage::cli::Cli::parse();
    // The command runs on a thread whose stack does not depend on `ulimit
    // -s` (see `pipeline::STACK_SIZE`), as do rayon's threads.
    ouvrage::pipeline::configure_threads();
    let command = std::thread::Builder::new()
        .name("ouvrage".into())
        .stack_size(ouvrage::pipeline::STACK_SIZE)
        .spawn(move || ouvrage::cli::run(cli));
    let code = match command.map(|thread| thread.join()) {
        Ok(Ok(code)) => code,
        // The panic was printed by the hook; exit as a panicking main does.
        Ok(Err(_)) => 101,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            1
        }
    };
    std::process::exit(code);
}
