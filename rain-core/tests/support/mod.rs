//! What the tests that speak raw HTTP to a server share.

/// The body of an HTTP/1.1 answer whose head is `headers`, its chunks joined when it was sent
/// `transfer-encoding: chunked`.
pub(crate) fn dechunk(headers: &str, body: &str) -> String {
    if !headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}
