//! The `acdsim` binary: the command line lives in [`acdsim::cli`].

fn main() -> std::process::ExitCode {
    acdsim::cli::main()
}
