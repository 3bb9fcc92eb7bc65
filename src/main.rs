// hfenv runs at every directory change, so its start-up is most of what a user waits for. std's
// runtime start-up reads and parses `/proc/self/maps` to place a stack guard and sets up a
// signal stack: a tenth of a run. `no_main` skips it; `hfenv::run` does the parts hfenv needs
// (SIGPIPE ignored, standard descriptors kept open), and `process::exit` flushes standard output
// as returning from std's `main` would. Arguments still reach `std::env::args_os` (glibc hands
// them to std's initialiser).
// (Under `cargo test` the test harness brings its own `main`.)
#![cfg_attr(not(test), no_main)]

#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    std::process::exit(hfenv::run())
}
