//! Property tests for the two readers of hostile or hand-written text: the `.env` reader and
//! the config loader. Any input gives values or a clear error, never a panic (and, since the
//! run ends, never a hang). Inputs come from a small seeded generator that glues together the
//! fragments these formats are made of, plus random bytes; no extra dependency.

use std::path::Path;

// The generator the integration tests use too (one copy, not a library API).
#[path = "../tests/shared/xorshift.rs"]
pub(crate) mod xorshift;
use xorshift::Rng;

fn generate(rng: &mut Rng, fragments: &[&str], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(len) {
        match rng.below(8) {
            // A raw byte, valid UTF-8 or not.
            0 => out.push(rng.next() as u8),
            // A multi-byte character, sometimes cut short.
            1 => {
                let c = "é🤗日\u{feff}\u{2028}".chars().nth(rng.below(5)).unwrap();
                let mut buf = [0; 4];
                let bytes = c.encode_utf8(&mut buf).as_bytes();
                out.extend_from_slice(&bytes[..1 + rng.below(bytes.len())]);
            }
            _ => out.extend_from_slice(fragments[rng.below(fragments.len())].as_bytes()),
        }
    }
    out
}

const DOTENV: &[&str] = &[
    "A",
    "KEY",
    "export ",
    "=",
    "'",
    "\"",
    "\\",
    "\\'",
    "\\\"",
    "\\n",
    "$",
    "${",
    "}",
    "${A}",
    "${A:-",
    ":-",
    "#",
    " #",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "x",
    "é",
    "\u{feff}",
    "=\"",
    "='",
    "\"\n",
    "'\n",
    "$A",
    "${A:-${B:-c}}",
    "A=1\n",
];

const CONFIG: &[&str] = &[
    "[profiles.",
    "work",
    "]\n",
    "[settings]\n",
    "[dirs]\n",
    "token = ",
    "token_command = ",
    "token_env = ",
    "hf_stored = ",
    "env = {",
    "}",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "hf_abc",
    "\n",
    "=",
    " ",
    "[",
    "]",
    "{",
    ",",
    "\\u0000",
    "\\",
    "1e400",
    "nan",
    "inf",
    "-0",
    "token_command_timeout = ",
    "dotenv = ",
    "true",
    "dotenv_files = [",
    "dotenv_search = ",
    "\"home\"",
    "\"~/acme\" = \"work\"\n",
    "[profiles.work.env]\n",
    "HF_TOKEN = \"x\"\n",
    "__HFENV_PATH = \"x\"\n",
    "#",
    "é",
    "[[profiles]]\n",
];

#[test]
fn any_dotenv_gives_values_or_an_error() {
    let env = |k: &str| (k == "A").then(|| "from-env".to_string());
    let mut rng = Rng(0x5eed_d07e_4e11_0001);
    for _ in 0..20_000 {
        let input = generate(&mut rng, DOTENV, 40);
        if let Err(e) = crate::dotenv::values(&input, &env) {
            assert!(!e.is_empty(), "an error says what: {input:?}");
        }
    }
}

#[test]
fn any_config_gives_a_config_or_an_error_with_a_place() {
    let mut rng = Rng(0x5eed_c0f1_6000_0002);
    for _ in 0..20_000 {
        let bytes = generate(&mut rng, CONFIG, 24);
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if let Err(e) = crate::config::parse(Path::new("c.toml"), &text) {
            assert!(
                e.message.starts_with("c.toml:"),
                "no file:line:col for {text:?}: {}",
                e.message
            );
        }
    }
}
