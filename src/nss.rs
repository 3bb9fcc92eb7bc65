//! Name lookups in a statically linked build (`.cargo/config.toml` links glibc statically on
//! Linux). Static glibc has the `files` and `dns` NSS services built in, but for any other
//! service named in /etc/nsswitch.conf (`mdns4_minimal`, `resolve`, `myhostname`, `systemd`,
//! `sss`) it would `dlopen` the distribution's `libnss_*.so`, which needs the very glibc version
//! hfenv was linked against: on another distribution that fails or, worse, loads a second,
//! mismatched libc into the process. So a static hfenv looks names up with the built-in
//! services only: `/etc/hosts`, then DNS through `/etc/resolv.conf` (which also reaches
//! systemd-resolved through its stub at 127.0.0.53), and users from `/etc/passwd` (only
//! needed when `HOME` is unset).

/// Restricts NSS to its built-in services, once, before the first lookup (a Hub request, or a home
/// directory from /etc/passwd when `HOME` is unset): glibc reads /etc/nsswitch.conf on this call,
/// so commands that look nothing up do not pay for it. A no-op in a dynamically linked build,
/// which uses the system's own NSS configuration as any other program does.
pub(crate) fn pin_builtin_services() {
    #[cfg(all(target_os = "linux", target_env = "gnu", target_feature = "crt-static"))]
    static ONCE: std::sync::Once = std::sync::Once::new();
    #[cfg(all(target_os = "linux", target_env = "gnu", target_feature = "crt-static"))]
    ONCE.call_once(|| {
        use std::os::raw::{c_char, c_int};
        extern "C" {
            fn __nss_configure_lookup(db: *const c_char, service_line: *const c_char) -> c_int;
        }
        // SAFETY: NUL-terminated static strings; glibc takes its NSS lock for the change.
        unsafe {
            __nss_configure_lookup(c"hosts".as_ptr(), c"files dns".as_ptr());
            __nss_configure_lookup(c"passwd".as_ptr(), c"files".as_ptr());
            __nss_configure_lookup(c"group".as_ptr(), c"files".as_ptr());
        }
    });
}
