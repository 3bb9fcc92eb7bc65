//! Tokens from a real Secret Service through the hook in real interactive shells: read when the
//! profile becomes active, never again at a steady prompt or a `cd` within it; a locked store
//! exports nothing of the profile and says so once.

use super::*;
use crate::keychain::{add_stored, SecretService};

const LOCK: &str = "dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null";

fn stored_profile_with_rule(s: &mut Sandbox) -> Option<SecretService> {
    let ss = SecretService::start(s)?;
    add_stored(s, "work", TOKEN_WORK);
    s.write_config(&format!(
        "[settings]\ntoken_command_timeout = 5\n\n{}env = {{ HF_HOME = \"/data/work\" }}\n",
        s.config()
    ));
    dir_rule(s, "work", "work");
    s.mkdir("work/sub");
    Some(ss)
}

#[test]
fn hooked_shells_read_the_store_once_per_activation() {
    each_shell(&[Sh::Bash, Sh::Zsh, Sh::Fish, Sh::Elvish], |sh| {
        let mut s = Sandbox::new();
        let Some(_ss) = stored_profile_with_rule(&mut s) else {
            return;
        };
        let mut ses = Session::new(&s, sh);
        ses.show("HF_TOKEN", "home0")
            .cd("work")
            .show("HF_TOKEN", "work1")
            .show("HFENV_PROFILE", "profile1")
            .show("HF_HOME", "hfhome1");
        // Locked from now on: the token already read stays while the profile does.
        ses.line(LOCK)
            .line("true")
            .cd("work/sub")
            .show("HF_TOKEN", "sub")
            .cd("")
            .show("HF_TOKEN", "home1")
            .show("HF_HOME", "hfhome2");
        let o = ses.run();
        o.unset("home0");
        o.is("work1", TOKEN_WORK);
        o.is("profile1", "work");
        o.is("hfhome1", "/data/work");
        o.is("sub", TOKEN_WORK);
        o.unset("home1");
        o.unset("hfhome2");
        assert_eq!(o.count("credential store"), 0, "{}", o.transcript);
        assert_no_token(&o.transcript);
    });
}

#[test]
fn hooked_shells_export_nothing_from_a_locked_store() {
    each_shell(&[Sh::Bash, Sh::Zsh, Sh::Fish, Sh::Elvish], |sh| {
        let mut s = Sandbox::new();
        let Some(_ss) = stored_profile_with_rule(&mut s) else {
            return;
        };
        crate::keychain::lock(&s);
        let mut ses = Session::new(&s, sh);
        ses.rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .cd("work")
            .show("HF_TOKEN", "work1")
            .show("HFENV_PROFILE", "profile1")
            .show("HF_HOME", "hfhome1")
            .line("true")
            .line("true")
            .show("HF_TOKEN", "work2")
            .cd("")
            .show("HF_TOKEN", "home1");
        let o = ses.run();
        // Not the user's own token either: the directory wants `work`, and `work` is locked.
        o.unset("work1");
        o.unset("profile1");
        o.unset("hfhome1");
        o.unset("work2");
        o.is("home1", TOKEN_PERSONAL);
        assert_eq!(
            o.count("profile `work`: the credential store is locked"),
            1,
            "said once:\n{}",
            o.transcript
        );
        assert_no_token(&o.transcript);
    });
}
