//! `.env` parsing that reproduces python-dotenv 1.2.4's `dotenv_values(path)`
//! exactly, so a file means the same thing to hfenv as to the Python tools
//! reading it next to us.
//!
//! The code is a hand port of python-dotenv's `parser.py` (a sequence of
//! anchored regexes), `variables.py` and `main.resolve_variables`. Each
//! regex is replaced by a scanner that accepts exactly the same text,
//! including the places where the regex engine backtracks, and the
//! whole pipeline stays linear in the input size.

use std::borrow::Cow;

/// One binding as python-dotenv's parser sees it, before interpolation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub key: String,
    pub value: Option<String>,
    /// 1-based line of the binding's first non-whitespace character.
    /// python-dotenv's own `original.line` would also count blank lines in
    /// front of it; that number is only kept for `error_lines`.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub bindings: Vec<Binding>,
    /// Lines python-dotenv would warn "could not parse statement starting at
    /// line N" for. Like python-dotenv, a statement "starts" right after the
    /// previous one ended, so blank lines before a bad line are included and
    /// N can point at an empty line above it.
    pub error_lines: Vec<usize>,
    /// The same statements, each at the line where its text starts: what a
    /// person looking for the bad line wants to be shown.
    pub bad_lines: Vec<usize>,
}

/// Decode file bytes the way Python's text-mode open() would for dotenv_values
/// (UTF-8, newline translation). Err on invalid UTF-8 with a short lowercase message.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    decode_cow(bytes).map(Cow::into_owned)
}

fn decode_cow(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    // dotenv_values() opens with encoding="utf-8", not "utf-8-sig", so a BOM
    // survives decoding; the parser drops it (see parse_with).
    looked_at(2 * bytes.len());
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("invalid utf-8 at byte {}", e.valid_up_to()))?;
    if !text.contains('\r') {
        return Ok(Cow::Borrowed(text));
    }
    // Universal newlines: "\r\n" and a lone "\r" both become "\n".
    looked_at(text.len());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if rest.starts_with('\n') {
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// python-dotenv's parse_stream() over already-decoded text, minus comments.
/// It also accepts text that still contains "\r", with parse_stream()'s own
/// line counting for it.
pub fn parse(text: &str) -> Parsed {
    // Sized once for the same reason as in values().
    let mut bindings = Vec::with_capacity(max_bindings(text));
    let errors = parse_with(text, |key, value, line| {
        bindings.push(Binding {
            key: key.to_owned(),
            value: value.map(Cow::into_owned),
            line,
        })
    });
    Parsed {
        bindings,
        error_lines: errors.iter().map(|e| e.reported).collect(),
        bad_lines: errors.iter().map(|e| e.line).collect(),
    }
}

/// python-dotenv's resolve_variables(values, override=True): returns keys in dict order with final values (None for bare keys).
///
/// `env` may be asked for any name found between `${` and `}`, including
/// empty names and names containing `=`, spaces or newlines.
pub fn interpolate(
    bindings: &[Binding],
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, Option<String>)> {
    let mut resolver = Resolver::new(bindings.len(), env);
    for b in bindings {
        resolver.add(Cow::Borrowed(&b.key), b.value.as_deref().map(Cow::Borrowed));
    }
    owned(resolver.out)
}

/// One key of the resolved dict and its value (`None` for a bare key), borrowed from the
/// file's text wherever the text holds it as it is (no escape, no interpolation).
pub type Entry<'t> = (Cow<'t, str>, Option<Cow<'t, str>>);

fn owned(entries: Vec<Entry>) -> Vec<(String, Option<String>)> {
    entries
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.map(Cow::into_owned)))
        .collect()
}

/// decode + parse + interpolate = dotenv_values(path), and the lines of the
/// statements python-dotenv skips (`Parsed::bad_lines`), to be told about.
// The signature is the CLI's contract; an alias would only hide it.
#[allow(clippy::type_complexity)]
pub fn values(
    bytes: &[u8],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Vec<(String, Option<String>)>, Vec<usize>), String> {
    // Allocation and first-touch page faults are most of the cost on large
    // files, hence: borrow the bytes when there is no "\r" to translate,
    // move parsed strings into the result instead of cloning them, and size
    // the result once. Every binding but the last ends at a line break, so
    // counting them bounds the number of keys; unused room is never touched.
    let text = decode_cow(bytes)?;
    let (entries, bad_lines) = values_in(&text, env);
    Ok((owned(entries), bad_lines))
}

/// [`decode`] for a buffer the caller gives up: the text is the same bytes, not a copy, unless
/// it holds a "\r" to translate.
pub fn decode_into(bytes: Vec<u8>) -> Result<String, String> {
    if let Cow::Owned(translated) = decode_cow(&bytes)? {
        return Ok(translated);
    }
    Ok(String::from_utf8(bytes).expect("checked by decode_cow"))
}

/// [`values`] over decoded text, borrowing each key, and each value the text holds as it is,
/// from `text`: a large `.env` then costs no allocation per variable.
pub fn values_in<'t>(
    text: &'t str,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Entry<'t>>, Vec<usize>) {
    let mut resolver = Resolver::new(max_bindings(text), env);
    let errors = parse_with(text, |key, value, _| {
        resolver.add(Cow::Borrowed(key), value)
    });
    (resolver.out, errors.iter().map(|e| e.line).collect())
}

fn max_bindings(text: &str) -> usize {
    // A lone "\r" ends a statement too when parse() gets raw text.
    count_line_breaks(text.as_bytes()) + 1
}

// Bytes the scanners below have looked at, counted in tests only: that the reading stays
// linear is proven by counting its work, which no machine's speed or load changes, never by
// timing it (timing is `bench/run.sh`'s). Every loop over the text reports here.
#[cfg(test)]
thread_local!(static LOOKED_AT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });

#[inline(always)]
fn looked_at(_bytes: usize) {
    #[cfg(test)]
    LOOKED_AT.with(|n| n.set(n.get() + _bytes));
}

/// Bytes that are "\n" or "\r".
fn count_line_breaks(bytes: &[u8]) -> usize {
    looked_at(bytes.len());
    // u8 lanes over blocks of at most 255 bytes vectorize far better than
    // `filter().count()`, which widens every byte to usize.
    bytes
        .chunks(255)
        .map(|block| {
            usize::from(
                block
                    .iter()
                    .fold(0u8, |n, &b| n + u8::from(b == b'\n' || b == b'\r')),
            )
        })
        .sum()
}

/// A statement python-dotenv could not parse.
struct BadStatement {
    /// The line python-dotenv's warning names (see `Parsed::error_lines`).
    reported: usize,
    /// The line its first non-whitespace character is on.
    line: usize,
}

/// Feeds (key, value, line) to `emit` so values() can skip building a
/// Vec<Binding>; returns the statements it could not parse.
fn parse_with<'t>(
    text: &'t str,
    mut emit: impl FnMut(&'t str, Option<Cow<'t, str>>, usize),
) -> Vec<BadStatement> {
    // 1.2.4's Reader drops one leading U+FEFF (`removeprefix`); 1.2.2 glued
    // it to the first key. It is no line break, so line numbers stay put.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    looked_at(text.len());
    let mut r = Reader {
        s: text,
        pos: 0,
        line: 1,
        has_cr: text.contains('\r'),
    };
    let mut error_lines = Vec::new();
    while r.pos < text.len() {
        let mark_line = r.line;
        r.advance_to(r.skip(r.pos, is_space));
        if r.pos >= text.len() {
            break;
        }
        let line = r.line;
        match parse_statement(&mut r) {
            Ok(Some((key, value))) => emit(key, value, line),
            Ok(None) => {}
            Err(Unparsable) => {
                // `[^\r\n]*(?:\r|\n|\r\n)?`: the "\r" alternative wins, so a
                // "\r\n" is split and its "\n" is counted again by the next
                // statement. Only reachable when parse() is given raw text.
                let mut end = r.line_end(r.pos);
                if end < text.len() {
                    end += 1;
                }
                r.advance_to(end);
                error_lines.push(BadStatement {
                    reported: mark_line,
                    line,
                });
            }
        }
    }
    error_lines
}

/// resolve_variables() state: the dict built so far.
struct Resolver<'t, 'e> {
    out: Vec<Entry<'t>>,
    // Python dict semantics: a repeated key keeps its first position.
    index: KeyIndex,
    env: &'e dyn Fn(&str) -> Option<String>,
}

impl<'t, 'e> Resolver<'t, 'e> {
    fn new(capacity: usize, env: &'e dyn Fn(&str) -> Option<String>) -> Self {
        Resolver {
            out: Vec::with_capacity(capacity),
            index: KeyIndex::with_capacity(capacity),
            env,
        }
    }

    fn add(&mut self, key: Cow<'t, str>, value: Option<Cow<'t, str>>) {
        let (out, index, env) = (&self.out, &self.index, self.env);
        let resolved = value.map(|v| {
            let substituted = resolve(&v, &mut |name, default, buf| {
                // override=True: keys defined earlier in the file shadow the
                // environment, and a bare key (None) resolves to "", not to
                // the default.
                if let Ok(i) = index.find(out, name) {
                    buf.push_str(out[i].1.as_deref().unwrap_or(""));
                } else if let Some(found) = env(name) {
                    buf.push_str(&found);
                } else {
                    buf.push_str(default.unwrap_or(""));
                }
            });
            substituted.map_or(v, Cow::Owned)
        });
        match self.index.find(&self.out, &key) {
            Ok(i) => self.out[i].1 = resolved,
            Err(slot) => {
                self.out.push((key, resolved));
                self.index.insert(slot, &self.out);
            }
        }
    }
}

/// Open-addressing map from key to its position in the output vector. It
/// stores only positions and compares against the keys already in the
/// output, so no key is cloned just to be indexed.
struct KeyIndex {
    /// The key's hash (high half) and its position + 1 (low half); 0 is an
    /// empty slot. The hash is compared first: with 100,000 keys the table
    /// and the keys outgrow the caches, and following a colliding slot to
    /// its key was most of a lookup. `insert` checks the position's bound.
    slots: Vec<u64>,
}

impl KeyIndex {
    fn with_capacity(n: usize) -> Self {
        KeyIndex {
            slots: vec![0; (n * 2).next_power_of_two().max(64)],
        }
    }

    fn hash(key: &str) -> usize {
        // FxHash-style, eight bytes per multiply: keys are short and come
        // from a local file, so flooding resistance does not matter, but a
        // byte-at-a-time hash showed up in profiles.
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = key.len() as u64;
        let mut words = key.as_bytes().chunks_exact(8);
        for word in &mut words {
            let mut w = [0; 8];
            w.copy_from_slice(word);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            let mut w = [0; 8];
            w[..tail.len()].copy_from_slice(tail);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        // The multiplies only push entropy upwards and the table masks low
        // bits, so finish with murmur3's avalanche step.
        h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        (h ^ (h >> 33)) as usize
    }

    /// The slot's hash tag for a hash: its high bits (the low ones pick the slot).
    fn tag(hash: usize) -> u64 {
        (hash as u64) & 0xffff_ffff_0000_0000
    }

    /// Ok(position in `out`), or Err(free slot to insert at).
    fn find(&self, out: &[Entry], key: &str) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let hash = Self::hash(key);
        let tag = Self::tag(hash);
        let mut slot = hash & mask;
        loop {
            looked_at(key.len() + 1);
            let entry = self.slots[slot];
            if entry == 0 {
                return Err(slot);
            }
            let i = (entry & 0xffff_ffff) as usize - 1;
            if entry & 0xffff_ffff_0000_0000 == tag && out[i].0 == key {
                return Ok(i);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Records the last entry of `out`, at a slot `find` just returned.
    fn insert(&mut self, slot: usize, out: &[Entry]) {
        let position = u64::from(u32::try_from(out.len()).expect("more than 4 billion keys"));
        let key = &out.last().expect("just pushed").0;
        self.slots[slot] = Self::tag(Self::hash(key)) | position;
        // Keep the load at most 1/2 so probe runs stay short.
        if out.len() * 2 <= self.slots.len() {
            return;
        }
        self.slots = vec![0; self.slots.len() * 2];
        looked_at(out.len());
        let mask = self.slots.len() - 1;
        for (i, (key, _)) in out.iter().enumerate() {
            let hash = Self::hash(key);
            let mut slot = hash & mask;
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = Self::tag(hash) | (i + 1) as u64;
        }
    }
}

/// Python's `\s` and `str.isspace()` (identical sets in CPython 3.11). Wider
/// than `char::is_whitespace`: it includes the ASCII separators U+001C..U+001F.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// `[^\S\r\n]`: the parser's "horizontal" whitespace, which still includes
/// vertical tab, form feed, U+0085 and U+2028.
fn is_hspace(c: char) -> bool {
    c != '\r' && c != '\n' && is_space(c)
}

struct Unparsable;

struct Reader<'a> {
    s: &'a str,
    pos: usize,
    line: usize,
    // decode() never leaves a "\r"; without one, line counting can skip
    // python's "\r\n counts once" rule and just count bytes.
    has_cr: bool,
}

impl Reader<'_> {
    /// First index at or after `from` whose char fails `keep`.
    fn skip(&self, from: usize, keep: impl Fn(char) -> bool) -> usize {
        let b = self.s.as_bytes();
        let mut i = from;
        while i < b.len() {
            if b[i] < 0x80 {
                if !keep(char::from(b[i])) {
                    looked_at(i - from);
                    return i;
                }
                i += 1;
                continue;
            }
            // Only multi-byte sequences pay for decoding.
            let c = self.s[i..].chars().next().unwrap_or_default();
            if !keep(c) {
                looked_at(i - from);
                return i;
            }
            i += c.len_utf8();
        }
        looked_at(b.len() - from);
        b.len()
    }

    /// `[^\r\n]*`; both delimiters are ASCII, so a byte scan is exact.
    fn line_end(&self, from: usize) -> usize {
        let end = self.s.as_bytes()[from..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(self.s.len(), |i| from + i);
        looked_at(end - from);
        end
    }

    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    /// Line counting mirrors Position.advance: `\r\n|\n|\r` matches are
    /// counted per consumed chunk, so a "\r\n" split between two chunks
    /// counts twice, as it does in python-dotenv.
    #[inline]
    fn advance_to(&mut self, end: usize) {
        let chunk = &self.s.as_bytes()[self.pos..end];
        self.pos = end;
        if !self.has_cr {
            self.line += match chunk {
                [] => 0,
                [b] => usize::from(*b == b'\n'),
                _ => count_line_breaks(chunk),
            };
            return;
        }
        looked_at(chunk.len());
        for (i, &b) in chunk.iter().enumerate() {
            if b == b'\r' || (b == b'\n' && (i == 0 || chunk[i - 1] != b'\r')) {
                self.line += 1;
            }
        }
    }

    /// Consume a chunk that its regex keeps free of "\r" and "\n".
    fn jump(&mut self, end: usize) {
        debug_assert!(!self.s[self.pos..end].contains(['\r', '\n']));
        self.pos = end;
    }
}

type Statement<'t> = Option<(&'t str, Option<Cow<'t, str>>)>;

/// parse_binding() after its leading `\s*`; Ok(None) is a comment.
fn parse_statement<'t>(r: &mut Reader<'t>) -> Result<Statement<'t>, Unparsable> {
    let s = r.s;
    // `(?:export[^\S\r\n]+)?`
    if s[r.pos..].starts_with("export") {
        let end = r.skip(r.pos + 6, is_hspace);
        if end > r.pos + 6 {
            r.jump(end);
        }
    }

    let key = match r.peek() {
        Some('#') => None,
        Some('\'') => {
            // `'([^']+)'`: no escapes, may span lines, must be non-empty.
            let start = r.pos + 1;
            let close = s[start..].find('\'');
            looked_at(close.unwrap_or(s.len() - start));
            match close {
                Some(len) if len > 0 => {
                    r.advance_to(start + len + 1);
                    Some(&s[start..start + len])
                }
                _ => return Err(Unparsable),
            }
        }
        _ => {
            // `[^=\#\s]+`
            let end = r.skip(r.pos, |c| c != '=' && c != '#' && !is_space(c));
            if end == r.pos {
                return Err(Unparsable);
            }
            let key = &s[r.pos..end];
            r.jump(end);
            Some(key)
        }
    };

    r.jump(r.skip(r.pos, is_hspace));
    let value = if r.peek() == Some('=') {
        let after_sign = r.pos + 1;
        r.jump(r.skip(after_sign, is_hspace));
        // `KEY= # comment`: whitespace after `=` and then `#` is an empty
        // value and a comment; `KEY=#x` keeps `#x` as the value.
        if r.pos > after_sign && r.peek() == Some('#') {
            Some(Cow::Borrowed(""))
        } else {
            Some(parse_value(r)?)
        }
    } else {
        None
    };

    // `(?:[^\S\r\n]*#[^\r\n]*)?`
    let after_ws = r.skip(r.pos, is_hspace);
    if s[after_ws..].starts_with('#') {
        r.jump(r.line_end(after_ws));
    }

    // `[^\S\r\n]*(?:\r\n|\n|\r|$)`
    let end = r.skip(r.pos, is_hspace);
    let rest = &s[end..];
    let end = if rest.is_empty() {
        end
    } else if rest.starts_with("\r\n") {
        end + 2
    } else if rest.starts_with('\n') || rest.starts_with('\r') {
        end + 1
    } else {
        return Err(Unparsable);
    };
    r.advance_to(end);
    Ok(key.map(|k| (k, value)))
}

fn parse_value<'t>(r: &mut Reader<'t>) -> Result<Cow<'t, str>, Unparsable> {
    match r.peek() {
        Some(q @ ('\'' | '"')) => {
            let body = quoted_body(r, q)?;
            Ok(decode_escapes(body, q == '"'))
        }
        None | Some('\n' | '\r') => Ok(Cow::Borrowed("")),
        Some(_) => {
            // `[^\r\n]*`, then `re.sub(r"\s+#.*", "", part).rstrip()`: the
            // first whitespace run directly followed by `#` starts a comment
            // that runs to the end of the line; a `#` glued to the value is
            // kept. One byte scan does both, as values are mostly short.
            let (s, start) = (r.s, r.pos);
            let b = s.as_bytes();
            let mut cut = None;
            let mut end = start;
            while end < b.len() && b[end] != b'\n' && b[end] != b'\r' {
                if b[end] == b'#' && cut.is_none() {
                    let before = s[start..end].trim_end_matches(is_space);
                    looked_at(end - start - before.len());
                    if before.len() < end - start {
                        cut = Some(start + before.len());
                    }
                }
                end += 1;
            }
            looked_at(2 * (end - start));
            r.jump(end);
            Ok(Cow::Borrowed(
                s[start..cut.unwrap_or(end)].trim_end_matches(is_space),
            ))
        }
    }
}

/// Body of `'((?:\\.|[^'\\])*)'` (or the `"` twin, both DOTALL) starting at
/// the opening quote: a backslash always takes the next character with it,
/// whatever it is, so the value ends at the first quote that is not the
/// second half of such a pair, across lines. No closing quote (or a
/// backslash as the very last character) means no match.
fn quoted_body<'a>(r: &mut Reader<'a>, q: char) -> Result<&'a str, Unparsable> {
    let s = r.s;
    let b = s.as_bytes();
    let start = r.pos + 1;
    let q = q as u8;
    let mut i = start;
    // Both delimiters are ASCII and UTF-8 continuation bytes never are, so
    // stepping over one byte after a backslash is stepping over the char.
    let close = loop {
        let found = b[i..].iter().position(|&c| c == q || c == b'\\');
        looked_at(found.map_or(b.len() - i, |off| off + 1));
        match found {
            Some(off) if b[i + off] == q => break i + off,
            Some(off) if i + off + 1 < b.len() => i += off + 2,
            _ => return Err(Unparsable),
        }
    };
    r.advance_to(close + 1);
    Ok(&s[start..close])
}

/// Single quotes decode only `\\` and `\'`; double quotes also `\"` and the
/// C escapes `\a \b \f \n \r \t \v`. Anything else (`\x41`, `\u00e9`, `\0`,
/// a trailing `\`) stays literal, because python-dotenv runs unicode-escape
/// on each matched two-character escape only.
fn decode_escapes(body: &str, double: bool) -> Cow<'_, str> {
    looked_at(2 * body.len());
    if !body.contains('\\') {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.clone().next() {
            Some(e @ ('\\' | '\'')) => Some(e),
            Some('"') if double => Some('"'),
            Some('a') if double => Some('\u{7}'),
            Some('b') if double => Some('\u{8}'),
            Some('f') if double => Some('\u{c}'),
            Some('n') if double => Some('\n'),
            Some('r') if double => Some('\r'),
            Some('t') if double => Some('\t'),
            Some('v') if double => Some('\u{b}'),
            _ => None,
        };
        match decoded {
            Some(d) => {
                out.push(d);
                chars.next();
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// variables.py: substitute every `\$\{([^}:]*)(?::-([^}]*))?\}` match;
/// `$VAR`, `$$` and anything unmatched stay literal.
/// None when nothing matched, so the caller can reuse the original string.
fn resolve(value: &str, lookup: &mut dyn FnMut(&str, Option<&str>, &mut String)) -> Option<String> {
    let b = value.as_bytes();
    let n = b.len();
    let mut out = String::new();
    let mut cursor = 0;
    let mut p = 0;
    // Attempts only move right, so the "next `}` or `:`" and "next `}`"
    // positions can be cached in pointers that also only move right; a
    // rescan per `${` would be quadratic on values like "${${${${".
    let mut stop = 0;
    let mut close = 0;
    while p + 1 < n {
        // A byte scan: `str::find` sets up a searcher per call, and most values are short.
        let dollar = b[p..].iter().position(|&c| c == b'$');
        looked_at(dollar.map_or(n - p, |off| off + 1));
        match dollar {
            Some(off) if b.get(p + off + 1) == Some(&b'{') => p += off,
            Some(off) => {
                p += off + 1;
                continue;
            }
            None => break,
        }
        let name_start = p + 2;
        stop = stop.max(name_start);
        while stop < n && b[stop] != b'}' && b[stop] != b':' {
            stop += 1;
            looked_at(1);
        }
        let matched = if stop >= n {
            None
        } else if b[stop] == b'}' {
            Some((None, stop + 1))
        } else if b.get(stop + 1) == Some(&b'-') {
            let default_start = stop + 2;
            close = close.max(default_start);
            while close < n && b[close] != b'}' {
                close += 1;
                looked_at(1);
            }
            (close < n).then(|| (Some(&value[default_start..close]), close + 1))
        } else {
            None
        };
        match matched {
            Some((default, end)) => {
                out.push_str(&value[cursor..p]);
                lookup(&value[name_start..stop], default, &mut out);
                cursor = end;
                p = end;
            }
            None => p += 1,
        }
    }
    if cursor == 0 {
        return None;
    }
    out.push_str(&value[cursor..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HFENV_TEST_ENV" => Some("from-env".to_owned()),
            "EMPTY_ENV" => Some(String::new()),
            _ => None,
        }
    }

    fn vals(text: &str) -> Vec<(String, Option<String>)> {
        values(text.as_bytes(), &env).unwrap().0
    }

    fn one(text: &str) -> Option<String> {
        let v = vals(text);
        assert_eq!(v.len(), 1, "{text:?} gave {v:?}");
        v.into_iter().next().unwrap().1
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_owned())
    }

    fn errors(text: &str) -> Vec<usize> {
        parse(text).error_lines
    }

    #[test]
    fn decode_keeps_bom_and_translates_newlines() {
        assert_eq!(decode(b"\xef\xbb\xbfA=1").unwrap(), "\u{feff}A=1");
        assert_eq!(decode(b"a\r\nb\rc\n\r\r\n").unwrap(), "a\nb\nc\n\n\n");
        assert_eq!(decode(b"A=\xff").unwrap_err(), "invalid utf-8 at byte 2");
        // Only one BOM goes; a second is part of the key.
        assert_eq!(vals("\u{feff}A=1"), vec![("A".to_owned(), s("1"))]);
        assert_eq!(
            vals("\u{feff}\u{feff}A=1"),
            vec![("\u{feff}A".to_owned(), s("1"))]
        );
        assert_eq!(parse("\u{feff}\n\nA=1").bindings[0].line, 3);
    }

    #[test]
    fn unquoted_values() {
        assert_eq!(one("A=b c  \n"), s("b c"));
        assert_eq!(one("A = b # c"), s("b"));
        assert_eq!(one("A=b#c"), s("b#c"));
        assert_eq!(one("A=b\t#c #d"), s("b"));
        assert_eq!(one("A=b \u{a0}"), s("b"));
        assert_eq!(one("A=b\u{1f}"), s("b"));
        assert_eq!(one("A=#c"), s("#c"));
        assert_eq!(one("A="), s(""));
        // Whitespace after `=`, then `#`: an empty value and a comment.
        assert_eq!(one("A= # c"), s(""));
        assert_eq!(one("A=\t#"), s(""));
        assert_eq!(one("A =\u{a0}#c d"), s(""));
        assert_eq!(one("A=#c"), s("#c"));
        assert_eq!(one("A=   \n"), s(""));
        assert_eq!(one("A=x\\"), s("x\\"));
        assert_eq!(one("A=\"x\" #y"), s("x"));
        assert_eq!(vals("A=\"x\" y"), vec![]);
    }

    #[test]
    fn quoted_values_and_escapes() {
        assert_eq!(
            one(r#"A="\\ \' \" \a \b \f \n \r \t \v \x \0 \u00e9""#),
            s("\\ ' \" \u{7} \u{8} \u{c} \n \r \t \u{b} \\x \\0 \\u00e9")
        );
        assert_eq!(one(r"A='\\ \' \n \t \x'"), s("\\ ' \\n \\t \\x"));
        assert_eq!(one("A=\"a\nb\""), s("a\nb"));
        assert_eq!(one("A='a\n\nb'"), s("a\n\nb"));
        assert_eq!(one("A='x' # c"), s("x"));
        assert_eq!(one("A=\"x\"#c"), s("x"));
        // An escaped backslash before the closing quote (1.2.4).
        assert_eq!(one(r#"A="C:\\Users\\""#), s("C:\\Users\\"));
        assert_eq!(one(r"A='C:\\Users\\'"), s("C:\\Users\\"));
        assert_eq!(one(r#"A="x\"y\"z""#), s("x\"y\"z"));
        // No closing quote is no value at all, and an error line.
        assert_eq!(vals(r#"A="x\"y\""#), vec![]);
        assert_eq!(errors(r#"A="x\"y\""#), vec![1]);
        assert_eq!(vals(r"A='x\'"), vec![]);
        assert_eq!(vals("A=\"x\\"), vec![]);
        // `\\'` is an escaped backslash, then the closing quote.
        assert_eq!(vals(r"A='a\\'b'"), vec![]);
        assert_eq!(one(r"A='a\\' # b'"), s("a\\"));
        // A backslash takes a line break with it.
        assert_eq!(one("A=\"a\\\nb\""), s("a\\\nb"));
    }

    #[test]
    fn keys() {
        assert_eq!(
            vals("export A=1\nexport\nexport=2\nexport\tB"),
            vec![
                ("A".to_owned(), s("1")),
                ("export".to_owned(), s("2")),
                ("B".to_owned(), None),
            ]
        );
        assert_eq!(
            vals("'a b'=1\n'x\ny' = 2\nA.b-c:d=3\n\"q\"=4"),
            vec![
                ("a b".to_owned(), s("1")),
                ("x\ny".to_owned(), s("2")),
                ("A.b-c:d".to_owned(), s("3")),
                ("\"q\"".to_owned(), s("4")),
            ]
        );
        assert_eq!(
            vals("A#b=1\nB # c"),
            vec![("A".to_owned(), None), ("B".to_owned(), None)]
        );
        assert_eq!(vals("#A=1\n  # x\n#=2"), vec![]);
    }

    #[test]
    fn error_lines_and_recovery() {
        assert_eq!(errors("A=1\n\n\nB C\nD=2\n"), vec![2]);
        // python-dotenv names the blank line after `A=1`; people are shown `B C`.
        assert_eq!(parse("A=1\n\n\nB C\nD=2\n").bad_lines, vec![4]);
        assert_eq!(values(b"A=1\n \n\t'k\nB C", &env).unwrap().1, vec![3, 4]);
        assert_eq!(vals("A: b\nC=1"), vec![("C".to_owned(), s("1"))]);
        assert_eq!(
            errors("=x\n''=y\n'k\nA=\"u\nB=1\nexport \n"),
            vec![1, 2, 3, 4, 6]
        );
        let p = parse("A=\"u\nB=1\n'k");
        assert_eq!(p.error_lines, vec![1, 3]);
        assert_eq!(
            p.bindings,
            vec![Binding {
                key: "B".into(),
                value: s("1"),
                line: 2
            }]
        );
        assert_eq!(errors("A=\"x\" junk\nB='y'z\nC=1"), vec![1, 2]);
    }

    #[test]
    fn raw_carriage_returns_count_like_python() {
        let p = parse("A=1\r\nB=\"x\ry\"\rbad line\r\nC=2\r\n");
        assert_eq!(p.error_lines, vec![4]);
        // The error recovery eats only the "\r" of "\r\n", so C is on line 6.
        assert_eq!(
            p.bindings.iter().map(|b| b.line).collect::<Vec<_>>(),
            vec![1, 2, 6]
        );
        assert_eq!(p.bindings[1].value, s("x\ry"));
    }

    #[test]
    fn binding_line_skips_leading_blank_lines() {
        let p = parse("\n\n  A=1\n# c\nB='x\ny'\nC");
        let lines: Vec<_> = p.bindings.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![3, 5, 7]);
    }

    #[test]
    fn interpolation() {
        assert_eq!(one("A=${HFENV_TEST_ENV}"), s("from-env"));
        assert_eq!(one("A='${HFENV_TEST_ENV}'"), s("from-env"));
        assert_eq!(one("A=$HFENV_TEST_ENV $$ ${}"), s("$HFENV_TEST_ENV $$ "));
        assert_eq!(one("A=${NOPE:-dflt}/${NOPE:-}/${NOPE}"), s("dflt//"));
        assert_eq!(one("A=${EMPTY_ENV:-dflt}"), s(""));
        assert_eq!(one("A=${X:y}${NOPE:-a:b}"), s("${X:y}a:b"));
        assert_eq!(one("A=${NOPE:-${HFENV_TEST_ENV}}"), s("${HFENV_TEST_ENV}"));
        assert_eq!(one("A=${a${b}c}"), s("c}"));
        assert_eq!(one("A=${${${${"), s("${${${${"));
        assert_eq!(one("A=${HFENV_TEST_ENV"), s("${HFENV_TEST_ENV"));
        assert_eq!(
            vals("HFENV_TEST_ENV=file\nB\nC=${HFENV_TEST_ENV}${B:-dflt}${C:-self}"),
            vec![
                ("HFENV_TEST_ENV".to_owned(), s("file")),
                ("B".to_owned(), None),
                ("C".to_owned(), s("fileself")),
            ]
        );
        assert_eq!(
            vals("A=1\nB=2\nA=${A}${A}\nB"),
            vec![("A".to_owned(), s("11")), ("B".to_owned(), None)]
        );
    }

    #[test]
    fn ten_thousand_lines_parse_fast() {
        let mut text = String::new();
        for i in 0..10_000 {
            text.push_str(&match i % 5 {
                0 => format!("KEY_{i}=plain value {i} # comment\n"),
                1 => format!("export KEY_{i}=\"double \\n quoted ${{KEY_{}}}\"\n", i - 1),
                2 => format!("KEY_{i}='single ${{HFENV_TEST_ENV:-x}}'\n"),
                3 => "# a comment line\n\n".to_owned(),
                _ => format!("KEY_{i}\n"),
            });
        }
        let (out, errors) = values(text.as_bytes(), &env).unwrap();
        assert_eq!(out.len(), 8000);
        assert!(errors.is_empty());
        assert_eq!(out[1].1.as_deref(), Some("double \n quoted plain value 0"));
        let looked = work(&text);
        assert!(
            looked <= WORK_PER_BYTE * text.len(),
            "{looked} for {} bytes",
            text.len()
        );
    }

    /// The key index against a plain model of python's dict (a list searched from the start):
    /// 16,000 statements over 6,000 keys, repeated far apart, each value naming keys defined
    /// before and after it, give the same keys, order and values.
    #[test]
    fn a_large_file_with_repeated_keys_matches_a_plain_dict() {
        let mut text = String::new();
        for i in 0..16_000u64 {
            let key = (i * 7_919) % 6_000;
            let earlier = (i * 31) % 6_000;
            text.push_str(&match i % 4 {
                0 => format!("K{key}=v{i}\n"),
                1 => format!("K{key}=\"${{K{earlier}}}-{i}\"\n"),
                2 => format!("K{key}\n"),
                _ => format!("K{key}=${{K{earlier}:-d}}${{HFENV_TEST_ENV}}\n"),
            });
        }
        let (out, errors) = values(text.as_bytes(), &env).unwrap();
        assert!(errors.is_empty());
        let mut model: Vec<(String, Option<String>)> = Vec::new();
        for b in parse(&text).bindings {
            let value = b.value.map(|v| {
                resolve(
                    &v,
                    &mut |name, default, buf| match model.iter().find(|(k, _)| k == name) {
                        Some((_, v)) => buf.push_str(v.as_deref().unwrap_or("")),
                        None => match env(name) {
                            Some(found) => buf.push_str(&found),
                            None => buf.push_str(default.unwrap_or("")),
                        },
                    },
                )
                .unwrap_or(v)
            });
            match model.iter_mut().find(|(k, _)| *k == b.key) {
                Some(entry) => entry.1 = value,
                None => model.push((b.key, value)),
            }
        }
        assert_eq!(out.len(), 6_000);
        assert_eq!(out, model);
    }

    /// The bytes the scanners look at to read `text` (see `looked_at`).
    fn work(text: &str) -> usize {
        LOOKED_AT.with(|n| n.set(0));
        let _ = values(text.as_bytes(), &env);
        LOOKED_AT.with(|n| n.get())
    }

    /// How often a linear reading may look at each byte: a handful of passes (decode, line
    /// counts, the scan, escapes, the key index), never a number that grows with the input.
    const WORK_PER_BYTE: usize = 12;

    #[test]
    fn pathological_inputs_stay_linear() {
        let shapes: [fn(usize) -> String; 8] = [
            |n| format!("A={}", "${".repeat(n)),
            |n| format!("A={}", "${x:-".repeat(n)),
            |n| format!("A=\"{}", "\\\"".repeat(n)),
            |n| "A=\"x\n".repeat(n),
            |n| "'\n".repeat(n),
            |n| format!("A={}#", " ".repeat(n)),
            |n| format!("A=x{}", " #".repeat(n)),
            |n| "K=${K}${K}\n".repeat(n),
        ];
        for shape in shapes {
            // Counted, not timed: quadratic work at this size is 10^10 looks, linear a few per
            // byte, and both numbers are the same on every machine.
            let (small, large) = (shape(20_000), shape(200_000));
            // The small size first, so that a quadratic reading fails in a second rather than
            // counting to 10^10.
            let small_work = work(&small);
            assert!(
                small_work <= WORK_PER_BYTE * small.len(),
                "{small_work} looks for {} bytes of {:?}",
                small.len(),
                &small[..20]
            );
            let large_work = work(&large);
            assert!(
                large_work <= WORK_PER_BYTE * large.len(),
                "{large_work} looks for {} bytes of {:?}",
                large.len(),
                &large[..20]
            );
            // Ten times the input is about ten times the work, not a hundred.
            assert!(
                large_work <= 11 * small_work,
                "{small_work} looks for {:?}, then {large_work} for ten times as much",
                &small[..20]
            );
        }
    }
}
