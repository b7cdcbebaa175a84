//! The browser runtime as served: its modules without comments and indentation.
//!
//! The readable sources in `src/client/` keep their comments and JSDoc (`runtime.d.ts` types the
//! runtime for users); browsers need neither. Removing them, rather than minifying, keeps the
//! served code the same code, line for line, so stack traces still read. It also fits the
//! runtime in 10 KB gzipped without a JavaScript build step.
//!
//! This is a lexer, not a parser: it knows strings, template literals (with nested `${}`),
//! regular expression literals and comments, which is what telling a comment from code takes.
//! Whether a `/` starts a regular expression or divides is decided by the token before it, as
//! JavaScript minifiers without a parser do; the runtime's own sources are tested to come out
//! with nothing changed but comments and whitespace.
//!
//! Written here rather than taken from a crate: the JavaScript minifiers on crates.io (swc, oxc,
//! minify-js) parse and rewrite the whole program, a compiler's worth of dependencies and a
//! changed program, where removing comments from the runtime's own files is all that is needed.

/// Whitespace seen since the last token, the strongest kind wins.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    Newline,
}

/// Words after which a `/` starts a regular expression rather than a division.
const BEFORE_EXPRESSION: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

/// `source` without comments, blank lines, indentation and trailing spaces; runs of spaces within
/// a line become one. Line breaks between tokens stay (automatic semicolon insertion depends on
/// them), and strings, template literals and regular expressions are copied as they are.
pub(crate) fn strip(source: &str) -> String {
    let mut lexer = Lexer {
        text: source.as_bytes(),
        at: 0,
        out: Vec::with_capacity(source.len()),
        gap: Gap::None,
        regex_allowed: true,
        templates: Vec::new(),
    };
    lexer.run();
    if !lexer.out.is_empty() {
        lexer.out.push(b'\n');
    }
    // Only ASCII bytes are ever dropped or added, and whole characters are copied otherwise.
    String::from_utf8(lexer.out).expect("stripping keeps UTF-8 intact")
}

struct Lexer<'a> {
    text: &'a [u8],
    at: usize,
    out: Vec<u8>,
    gap: Gap,
    /// Whether a `/` here would start a regular expression literal.
    regex_allowed: bool,
    /// Open template literals around the code being read: for each, the `{` opened inside its
    /// current `${ ... }` and not yet closed.
    templates: Vec<usize>,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.text.get(self.at + ahead).copied()
    }

    fn run(&mut self) {
        while let Some(byte) = self.peek(0) {
            match byte {
                b'\n' | b'\r' => {
                    self.gap = Gap::Newline;
                    self.at += 1;
                }
                b' ' | b'\t' | 0x0b | 0x0c => {
                    self.gap = self.gap.max(Gap::Space);
                    self.at += 1;
                }
                b'/' if self.peek(1) == Some(b'/') => {
                    // Up to the line break, which stays as the gap.
                    while self.peek(0).is_some_and(|b| b != b'\n' && b != b'\r') {
                        self.at += 1;
                    }
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    let body = self.at + 2;
                    let end = find(self.text, body, b"*/").map_or(self.text.len(), |e| e + 2);
                    let crosses_lines = self.text[body..end]
                        .iter()
                        .any(|b| matches!(b, b'\n' | b'\r'));
                    // A comment across lines is a line break for semicolon insertion.
                    let gap = if crosses_lines {
                        Gap::Newline
                    } else {
                        Gap::Space
                    };
                    self.gap = self.gap.max(gap);
                    self.at = end;
                }
                b'/' if self.regex_allowed => {
                    self.flush_gap();
                    self.regex();
                    self.regex_allowed = false;
                }
                b'\'' | b'"' => {
                    self.flush_gap();
                    self.string(byte);
                    self.regex_allowed = false;
                }
                b'`' => {
                    self.flush_gap();
                    self.copy(1);
                    self.template();
                }
                b'{' => {
                    self.flush_gap();
                    if let Some(open) = self.templates.last_mut() {
                        *open += 1;
                    }
                    self.copy(1);
                    self.regex_allowed = true;
                }
                b'}' => {
                    self.flush_gap();
                    self.copy(1);
                    match self.templates.last_mut() {
                        Some(0) => {
                            // The end of a `${ ... }`: back inside its template literal.
                            self.templates.pop();
                            self.template();
                        }
                        Some(open) => {
                            *open -= 1;
                            self.regex_allowed = true;
                        }
                        None => self.regex_allowed = true,
                    }
                }
                _ if is_word(byte) => {
                    self.flush_gap();
                    let start = self.at;
                    while self.peek(0).is_some_and(is_word) {
                        self.at += 1;
                    }
                    let word = &self.text[start..self.at];
                    self.out.extend_from_slice(word);
                    self.regex_allowed = BEFORE_EXPRESSION.iter().any(|w| w.as_bytes() == word);
                }
                _ => {
                    self.flush_gap();
                    self.copy(1);
                    self.regex_allowed = !matches!(byte, b')' | b']');
                }
            }
        }
    }

    /// Writes the whitespace before a token: none at the start, one line break or one space.
    fn flush_gap(&mut self) {
        if !self.out.is_empty() {
            match self.gap {
                Gap::None => {}
                Gap::Space => self.out.push(b' '),
                Gap::Newline => self.out.push(b'\n'),
            }
        }
        self.gap = Gap::None;
    }

    fn copy(&mut self, count: usize) {
        let end = (self.at + count).min(self.text.len());
        self.out.extend_from_slice(&self.text[self.at..end]);
        self.at = end;
    }

    /// A string literal, from its opening quote through its closing one.
    fn string(&mut self, quote: u8) {
        self.copy(1);
        while let Some(byte) = self.peek(0) {
            match byte {
                b'\\' => self.copy(2),
                b'\n' | b'\r' => return,
                _ => {
                    self.copy(1);
                    if byte == quote {
                        return;
                    }
                }
            }
        }
    }

    /// The text of a template literal after its opening backtick or a `}`: through its closing
    /// backtick, or through the next `${`, leaving the code inside to [`Lexer::run`].
    fn template(&mut self) {
        while let Some(byte) = self.peek(0) {
            match byte {
                b'\\' => self.copy(2),
                b'`' => {
                    self.copy(1);
                    self.regex_allowed = false;
                    return;
                }
                b'$' if self.peek(1) == Some(b'{') => {
                    self.copy(2);
                    self.templates.push(0);
                    self.regex_allowed = true;
                    return;
                }
                _ => self.copy(1),
            }
        }
    }

    /// A regular expression literal, from its opening `/` through its closing one (its flags
    /// follow as a word).
    fn regex(&mut self) {
        self.copy(1);
        let mut in_class = false;
        while let Some(byte) = self.peek(0) {
            match byte {
                b'\\' => self.copy(2),
                b'\n' | b'\r' => return,
                b'[' => {
                    in_class = true;
                    self.copy(1);
                }
                b']' => {
                    in_class = false;
                    self.copy(1);
                }
                b'/' if !in_class => {
                    self.copy(1);
                    return;
                }
                _ => self.copy(1),
            }
        }
    }
}

/// Letters, digits, `_`, `$` and anything not ASCII: the bytes of identifiers, keywords and
/// numbers.
fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'$') || !byte.is_ascii()
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_indentation_go() {
        let source = "// header\n\n/** Doc. */\nexport function f(a) {\n    /* inline */ return a; // trailing\n}\n";
        assert_eq!(strip(source), "export function f(a) {\nreturn a;\n}\n");
    }

    #[test]
    fn comment_markers_inside_strings_stay() {
        for code in [
            r#"const a = "http://x/*y*/";"#,
            r#"const a = 'it\'s // not a comment';"#,
            r#"const a = "\"//\"";"#,
            r#"const a = `//${"/*"}*/`;"#,
        ] {
            assert_eq!(strip(code), format!("{code}\n"));
        }
    }

    #[test]
    fn regular_expressions_stay_and_divisions_divide() {
        for code in [
            r"const a = /\/\/[/*]x/g.test(s);",
            r"if (/^[56]/.test(String(text))) throw x;",
            r#"return uri.replace(/^http/, "ws");"#,
            r"const a = typeof /a/;",
        ] {
            assert_eq!(strip(code), format!("{code}\n"));
        }
        // A division, not a regular expression: the comment after it goes.
        assert_eq!(
            strip("x = a / b; // c / d\ny = (a) / 2 / 3;"),
            "x = a / b;\ny = (a) / 2 / 3;\n"
        );
        assert_eq!(strip("x = a[1] / b /* c */ / d;"), "x = a[1] / b / d;\n");
    }

    #[test]
    fn template_literals_keep_their_text_and_nesting() {
        let code = "const t = `line\n    indented // kept\n${ { a: `in ${ {b: 1}.b } // kept` }.a } /* kept */`; // gone";
        assert_eq!(
            strip(code),
            "const t = `line\n    indented // kept\n${ { a: `in ${ {b: 1}.b } // kept` }.a } /* kept */`;\n"
        );
        // Code inside `${ }` is code: its comments go.
        assert_eq!(strip("`${a /* x */ + b}`"), "`${a + b}`\n");
    }

    #[test]
    fn line_breaks_stay_for_semicolon_insertion() {
        assert_eq!(strip("return /* a\n b */ x"), "return\nx\n");
        assert_eq!(strip("a\n\n\n   b"), "a\nb\n");
        assert_eq!(strip("a/**/b"), "a b\n");
        assert_eq!(strip(""), "");
        assert_eq!(strip("// only a comment\n"), "");
    }

    #[test]
    fn non_ascii_text_is_kept() {
        let code = "const é = \"ü — 雨\"; // ☔";
        assert_eq!(strip(code), "const é = \"ü — 雨\";\n");
    }
}
