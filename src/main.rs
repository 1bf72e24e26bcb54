fn main() -> std::process::ExitCode {
    pilotscope::cli::main()
}
