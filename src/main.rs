// mimalloc rather than the system allocator: a build makes and frees
// millions of small values (template values, parsed answers); with glibc's
// malloc that was a fifth of all instructions. See ARCHITECTURE.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    pilotscope::cli::main()
}
