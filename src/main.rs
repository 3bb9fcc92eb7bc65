fn main() -> std::process::ExitCode {
    hfenv::run()
}
