#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cargo_release_evidence::run(std::env::args_os()))
}
