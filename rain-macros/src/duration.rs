//! Durations written in attribute arguments: a whole number and a unit, `500ms`, `30s`, `2m`,
//! `1h`. A pure function, for any argument that takes a duration (`idle_timeout = "10m"`).

use std::time::Duration;

/// The accepted forms, for error messages.
pub(crate) const FORMS: &str =
    "a whole number and a unit (`ms`, `s`, `m` or `h`), such as `500ms`, `30s`, `2m` or `1h`";

/// The units, each with its length in milliseconds.
const UNITS: [(&str, u64); 4] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)];

/// Reads `text` as a duration; `None` when it is not one of the [`FORMS`] or is too long to
/// count in milliseconds.
pub(crate) fn parse(text: &str) -> Option<Duration> {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (number, unit) = text.split_at(digits);
    if number.is_empty() {
        return None;
    }
    let per = UNITS.iter().find(|(name, _)| *name == unit)?.1;
    let ms = number.parse::<u64>().ok()?.checked_mul(per)?;
    Some(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_whole_number_and_a_unit() {
        assert_eq!(parse("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Some(Duration::from_secs(3_600)));
        assert_eq!(parse("0s"), Some(Duration::ZERO));
        assert_eq!(parse("007m"), Some(Duration::from_secs(420)));
    }

    #[test]
    fn refuses_anything_else() {
        for text in [
            "",
            "10",
            "m",
            "10 minutes",
            "10 m",
            " 10m",
            "10m ",
            "5x",
            "1.5h",
            "-1s",
            "+1s",
            "1H",
            "1d",
            "10min",
            "1h30m",
            "١s",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn refuses_what_milliseconds_cannot_count() {
        assert_eq!(parse("99999999999999999999ms"), None);
        assert_eq!(parse(&format!("{}h", u64::MAX / 3_600_000 + 1)), None);
        assert!(parse(&format!("{}h", u64::MAX / 3_600_000)).is_some());
    }
}
