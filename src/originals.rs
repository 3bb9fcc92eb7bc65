//! The values variables had before hfenv changed them, kept per shell in that shell's stamp
//! file under the state directory (0600), never in the environment. The exported marker only
//! names the file, so a shell started from this one (`exec bash`, a subshell, a tmux pane)
//! starts from the same values and can still give the user's own `HF_TOKEN` back on leaving;
//! it then writes its own file, so neither shell disturbs the other.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::apply::Op;

/// Name → value before hfenv touched it (`None`: it was unset).
pub type Originals = BTreeMap<String, Option<String>>;

pub fn load(path: &Path) -> Option<Originals> {
    let text = std::fs::read_to_string(path).ok()?;
    if text.is_empty() {
        return None;
    }
    serde_json::from_str(&text).ok()
}

/// Writes the file in place (it is this shell's own), private to the user.
pub fn store(path: &Path, originals: &Originals) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(
        serde_json::to_string(originals)
            .expect("strings serialize")
            .as_bytes(),
    )
}

/// Turns the plan's memory operations into plain sets and unsets: `Save` records the current
/// value, `Forget` drops it, `Restore` becomes the remembered value (or an unset).
pub fn resolve<'a>(
    ops: Vec<Op<'a>>,
    originals: &mut Originals,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<Op<'a>> {
    // In place: with thousands of `.env` keys a second vector of operations is megabytes of
    // fresh memory to fault in at a prompt.
    let mut ops = ops;
    ops.retain_mut(|op| match op {
        // Only values are kept: a variable that was unset is unset again on restore, which is
        // what a missing entry means (and a `.env` with thousands of new keys costs nothing).
        Op::Save(name) => {
            match env(name) {
                Some(value) => {
                    originals.insert(name.to_string(), Some(value));
                }
                None => {
                    originals.remove(name.as_ref());
                }
            }
            false
        }
        Op::Forget(name) => {
            originals.remove(name.as_ref());
            false
        }
        Op::Restore(name) => {
            let name = std::mem::take(name);
            *op = match originals.remove(name.as_ref()) {
                Some(Some(value)) => Op::Set(name, Cow::Owned(value)),
                _ => Op::Unset(name),
            };
            true
        }
        _ => true,
    });
    ops
}
