//! The parser is only worth having if it agrees with python-dotenv 1.2.4, so
//! these tests compare it against recorded python-dotenv output
//! (corpus/<name>.json, corpus/warnings.json) and, when python-dotenv is
//! installed, against python-dotenv itself on the corpus and on a few
//! hundred generated files.
//!
//! Regenerate the recorded output with `python3 tests/dotenv/corpus/expected.py --write`.

use hfenv::dotenv;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Both sides see exactly this environment; expected.py replaces
/// os.environ with the same single variable.
fn env(name: &str) -> Option<String> {
    (name == "HFENV_TEST_ENV").then(|| "from-env".to_owned())
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dotenv/corpus")
}

fn env_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "env"))
        .collect();
    files.sort();
    files
}

type Values = Vec<(String, Option<String>)>;

fn values_of(json: &Json) -> Values {
    json.array()
        .iter()
        .map(|pair| {
            let pair = pair.array();
            assert_eq!(pair.len(), 2);
            (pair[0].string().to_owned(), pair[1].opt_string())
        })
        .collect()
}

fn lines_of(json: &Json) -> Vec<usize> {
    json.array().iter().map(Json::number).collect()
}

#[test]
fn corpus_matches_recorded_python_dotenv_output() {
    let dir = corpus_dir();
    let files = env_files(&dir);
    assert!(files.len() >= 60, "corpus has only {} files", files.len());
    let warnings = Json::parse(&std::fs::read_to_string(dir.join("warnings.json")).unwrap());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let expected = Json::parse(&std::fs::read_to_string(path.with_extension("json")).unwrap());
        let bytes = std::fs::read(path).unwrap();
        // values() streams instead of calling interpolate(); both must agree.
        if let Ok(text) = dotenv::decode(&bytes) {
            let parsed = dotenv::parse(&text);
            let staged = (
                dotenv::interpolate(&parsed.bindings, &env),
                parsed.bad_lines,
            );
            assert_eq!(
                Ok(staged),
                dotenv::values(&bytes, &env),
                "{name}: staged vs values()"
            );
        }
        match (dotenv::values(&bytes, &env), &expected) {
            (Ok((values, _)), Json::Array(_)) => {
                let errors = python_error_lines(&bytes);
                if values != values_of(&expected) {
                    failures.push(format!(
                        "{name}: values\n  got  {values:?}\n  want {:?}",
                        values_of(&expected)
                    ));
                }
                let want = lines_of(
                    warnings
                        .get(name)
                        .unwrap_or_else(|| panic!("{name} missing from warnings.json")),
                );
                if errors != want {
                    failures.push(format!("{name}: error lines {errors:?}, want {want:?}"));
                }
            }
            (Err(_), Json::Object(o)) if o.iter().any(|(k, _)| k == "error") => {}
            (got, _) => failures.push(format!("{name}: got {got:?}, want {expected:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The lines python-dotenv warns about, checked against the lines hfenv
/// names for them: the same statements, each moved down only past blank
/// lines to where its text starts.
fn python_error_lines(bytes: &[u8]) -> Vec<usize> {
    let text = dotenv::decode(bytes).unwrap();
    let parsed = dotenv::parse(&text);
    let lines: Vec<&str> = text
        .strip_prefix('\u{feff}')
        .unwrap_or(&text)
        .split('\n')
        .collect();
    assert_eq!(parsed.error_lines.len(), parsed.bad_lines.len());
    for (&reported, &shown) in parsed.error_lines.iter().zip(&parsed.bad_lines) {
        assert!(
            reported <= shown,
            "{text:?}: line {shown} before {reported}"
        );
        assert!(
            lines[reported - 1..shown - 1]
                .iter()
                // Python's `\s` also holds the separators U+001C..U+001F.
                .all(|l| l
                    .chars()
                    .all(|c| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))),
            "{text:?}: lines {reported}..{shown} are not blank"
        );
    }
    parsed.error_lines
}

/// Runs corpus/expected.py; None (after a note on stderr) when python-dotenv
/// 1.2.4 is not available, which is a failure when CI=true.
fn python_oracle(args: &[&Path]) -> Option<String> {
    let script = corpus_dir().join("expected.py");
    let unavailable = |why: String| {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but the python-dotenv oracle is unavailable: {why}");
        }
        // Straight to the stderr handle: libtest would swallow eprintln!
        // output of a passing test, and a silent skip looks like a pass.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED live python-dotenv comparison: {why} (set CI=true to make this fail)"
        );
        None
    };
    let output = match Command::new("python3").arg(&script).args(args).output() {
        Ok(output) => output,
        Err(e) => return unavailable(format!("cannot run python3: {e}")),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => Some(String::from_utf8(output.stdout).unwrap()),
        Some(3) => unavailable(stderr.trim().to_owned()),
        _ => panic!("expected.py failed ({}): {stderr}", output.status),
    }
}

/// Compares every file expected.py reported on; returns mismatch reports.
fn compare_with_oracle(dir: &Path, report: &str) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for line in report.lines() {
        let case = Json::parse(line);
        let name = case.get("file").unwrap().string();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let shown = || String::from_utf8_lossy(&bytes).into_owned();
        checked += 1;
        match dotenv::values(&bytes, &env) {
            Ok((values, _)) => {
                let errors = python_error_lines(&bytes);
                let Some(want) = case.get("values").filter(|v| !matches!(v, Json::Null)) else {
                    failures.push(format!(
                        "{name}: python failed ({:?}) but we parsed {values:?}",
                        case.get("error")
                    ));
                    continue;
                };
                let want = values_of(want);
                if values != want {
                    failures.push(format!(
                        "{name} {:?}: values\n  got  {values:?}\n  want {want:?}",
                        shown()
                    ));
                }
                let want_errors = lines_of(case.get("warnings").unwrap());
                if errors != want_errors {
                    failures.push(format!(
                        "{name} {:?}: error lines {errors:?}, want {want_errors:?}",
                        shown()
                    ));
                }
            }
            Err(e) => {
                if case.get("error").is_some_and(|e| matches!(e, Json::Null)) {
                    failures.push(format!("{name}: we failed ({e}) but python did not"));
                }
                continue;
            }
        }
        // parse() on text that still has its "\r"s, against parse_stream().
        let raw = dotenv::parse(std::str::from_utf8(&bytes).unwrap());
        let got: Vec<(String, Option<String>, usize)> = raw
            .bindings
            .into_iter()
            .map(|b| (b.key, b.value, b.line))
            .collect();
        let want: Vec<(String, Option<String>, usize)> = case
            .get("raw")
            .unwrap()
            .array()
            .iter()
            .map(|b| {
                let b = b.array();
                (b[0].string().to_owned(), b[1].opt_string(), b[2].number())
            })
            .collect();
        if got != want {
            failures.push(format!(
                "{name} {:?}: raw parse\n  got  {got:?}\n  want {want:?}",
                shown()
            ));
        }
        let want_errors = lines_of(case.get("raw_errors").unwrap());
        if raw.error_lines != want_errors {
            failures.push(format!(
                "{name} {:?}: raw error lines {:?}, want {want_errors:?}",
                shown(),
                raw.error_lines
            ));
        }
    }
    (checked, failures)
}

#[test]
fn corpus_matches_live_python_dotenv() {
    let dir = corpus_dir();
    let Some(report) = python_oracle(&[]) else {
        return;
    };
    let (checked, failures) = compare_with_oracle(&dir, &report);
    assert_eq!(checked, env_files(&dir).len());
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Fragments chosen to hit every branch of the port: quotes and escapes that
/// do and do not close, whitespace python treats differently from Rust,
/// comment markers, interpolation forms, and all three line endings.
const KEY_PARTS: &[&str] = &[
    "A",
    "B_1",
    "HFENV_TEST_ENV",
    "a.b",
    "x-y",
    "k:",
    "'q k'",
    "'A'",
    "'",
    "''",
    "\"K\"",
    "export",
    "export ",
    "export\t",
    "#",
    "#c",
    "=",
    "é",
    "\u{feff}",
    "K\\",
    "",
];
const SEPARATORS: &[&str] = &[
    "=",
    "=",
    "=",
    " = ",
    "\t=",
    "= ",
    ": ",
    " ",
    "",
    "=\u{a0}",
    "=\u{b}",
    "==",
    "=\u{2028}",
];
const VALUE_PARTS: &[&str] = &[
    "plain",
    "x y",
    " ",
    "  ",
    "\t",
    "#",
    " #c",
    "\t# c",
    "'",
    "\"",
    "\\",
    "\\\\",
    "\\'",
    "\\\"",
    "\\n",
    "\\t",
    "\\r",
    "\\a",
    "\\x41",
    "${A}",
    "${B_1:-d}",
    "${HFENV_TEST_ENV}",
    "${U:-}",
    "${U:-x y}",
    "${",
    "}",
    "${A",
    ":-",
    "$A",
    "$$",
    "${}",
    "\u{a0}",
    "\u{1c}",
    "\u{85}",
    "\u{2028}",
    "\u{3000}",
    "\u{b}",
    "\u{c}",
    "é",
    "😀",
    "=",
    "\0",
    "\n",
    "\r",
];
const LINE_ENDS: &[&str] = &[
    "\n", "\n", "\n", "\r\n", "\r", "", "\n\n", " \n", "\t\r\n", "\n  ",
];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

fn random_file(rng: &mut Lcg) -> String {
    let mut text = String::new();
    if rng.below(10) == 0 {
        text.push('\u{feff}');
    }
    for _ in 0..1 + rng.below(6) {
        if rng.below(4) == 0 {
            text.push_str(rng.pick(&[" ", "\t", "  ", "\u{a0}", "\n"]));
        }
        if rng.below(3) > 0 {
            text.push_str(rng.pick(KEY_PARTS));
            text.push_str(rng.pick(SEPARATORS));
        }
        let quote = rng.pick(&["", "", "'", "\""]);
        text.push_str(quote);
        for _ in 0..rng.below(5) {
            text.push_str(rng.pick(VALUE_PARTS));
        }
        if rng.below(4) > 0 {
            text.push_str(quote);
        }
        if rng.below(4) == 0 {
            text.push_str(rng.pick(&[" # tail", "#tail", " junk", "  ", "\t"]));
        }
        text.push_str(rng.pick(LINE_ENDS));
    }
    text
}

#[test]
fn generated_files_match_live_python_dotenv() {
    let dir =
        TempDir(std::env::temp_dir().join(format!("hfenv-dotenv-prop-{}", std::process::id())));
    let dir = &dir.0;
    std::fs::create_dir_all(dir).unwrap();
    // Fixed by default so failures reproduce; override for a longer hunt.
    let knob = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let mut rng = Lcg(knob("DOTENV_PROP_SEED", 0x5eed_d07e_2026));
    let count = knob("DOTENV_PROP_CASES", 600) as usize;
    for i in 0..count {
        std::fs::write(dir.join(format!("case_{i:05}.env")), random_file(&mut rng)).unwrap();
    }
    let Some(report) = python_oracle(&[dir]) else {
        return;
    };
    let (checked, failures) = compare_with_oracle(dir, &report);
    assert_eq!(checked, count);
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Removed even when an assertion panics.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Just enough JSON for expected.py's output.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut p = JsonParser {
            s: text.as_bytes(),
            i: 0,
        };
        let value = p.value();
        p.ws();
        assert_eq!(p.i, p.s.len(), "trailing data in JSON");
        value
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn array(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            other => panic!("expected array, got {other:?}"),
        }
    }

    fn string(&self) -> &str {
        match self {
            Json::String(s) => s,
            other => panic!("expected string, got {other:?}"),
        }
    }

    fn opt_string(&self) -> Option<String> {
        match self {
            Json::Null => None,
            other => Some(other.string().to_owned()),
        }
    }

    fn number(&self) -> usize {
        match self {
            Json::Number(n) => *n as usize,
            other => panic!("expected number, got {other:?}"),
        }
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && b" \t\r\n".contains(&self.s[self.i]) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        let hit = self.s[self.i..].starts_with(lit.as_bytes());
        if hit {
            self.i += lit.len();
        }
        hit
    }

    fn value(&mut self) -> Json {
        self.ws();
        if self.eat("null") {
            return Json::Null;
        }
        if self.eat("true") {
            return Json::Bool(true);
        }
        if self.eat("false") {
            return Json::Bool(false);
        }
        match self.s[self.i] {
            b'"' => Json::String(self.string()),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Json::Array(items);
                }
                loop {
                    items.push(self.value());
                    self.ws();
                    if self.eat("]") {
                        return Json::Array(items);
                    }
                    assert!(self.eat(","), "bad JSON array at {}", self.i);
                }
            }
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.eat("}") {
                    return Json::Object(fields);
                }
                loop {
                    self.ws();
                    let key = self.string();
                    self.ws();
                    assert!(self.eat(":"), "bad JSON object at {}", self.i);
                    fields.push((key, self.value()));
                    self.ws();
                    if self.eat("}") {
                        return Json::Object(fields);
                    }
                    assert!(self.eat(","), "bad JSON object at {}", self.i);
                }
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len() && b"+-.eE0123456789".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                let number = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                Json::Number(
                    number
                        .parse()
                        .unwrap_or_else(|_| panic!("bad JSON at {start}")),
                )
            }
        }
    }

    fn hex4(&mut self) -> u32 {
        let digits = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap();
        self.i += 4;
        u32::from_str_radix(digits, 16).unwrap()
    }

    fn string(&mut self) -> String {
        assert!(self.eat("\""), "expected JSON string at {}", self.i);
        let mut out = Vec::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).unwrap(),
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    let ch = match e {
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'/' => '/',
                        b'\\' => '\\',
                        b'"' => '"',
                        b'u' => {
                            let hi = self.hex4();
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                assert!(self.eat("\\u"), "lone surrogate in JSON");
                                0x10000 + ((hi - 0xd800) << 10) + (self.hex4() - 0xdc00)
                            } else {
                                hi
                            };
                            char::from_u32(code).unwrap()
                        }
                        other => panic!("bad JSON escape {}", other as char),
                    };
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }
}
