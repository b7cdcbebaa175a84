//! Reading `RAIN_*` environment variables: one rule for every layer that has settings.
//!
//! A variable is read through a lookup ([`process`] in an app, a map in tests), trimmed, and
//! parsed; an unset variable leaves the setting as it was, and a value that does not parse is an
//! [`EnvError`] naming the variable, the value and what was expected.

use std::{fmt, str::FromStr};

/// A `RAIN_*` variable set to a value Rain cannot use.
///
/// Its message names the variable and says what it needs:
/// ``RAIN_EVENT_RATE=`fast` is not a whole number``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    name: &'static str,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// The value is shown: it is not secret.
    NotA {
        value: String,
        expected: &'static str,
    },
    /// The value is not shown (a secret); the reason says what is wrong with it.
    Refused(String),
}

impl EnvError {
    /// `name` is set to `value`, which is not `expected` (`"a whole number"`).
    pub(crate) fn not_a(name: &'static str, value: &str, expected: &'static str) -> Self {
        Self {
            name,
            problem: Problem::NotA {
                value: value.to_owned(),
                expected,
            },
        }
    }

    /// `name` is set to a value that `reason` refuses, without repeating the value.
    pub(crate) fn refused(name: &'static str, reason: impl fmt::Display) -> Self {
        Self {
            name,
            problem: Problem::Refused(reason.to_string()),
        }
    }

    /// The variable, e.g. `RAIN_EVENT_RATE`.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            Problem::NotA { value, expected } => {
                write!(f, "{}=`{value}` is not {expected}", self.name)
            }
            Problem::Refused(reason) => write!(f, "{}: {reason}", self.name),
        }
    }
}

impl std::error::Error for EnvError {}

/// The process environment.
pub(crate) fn process(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Parses `name`, when it is set, as a `T` (whitespace around it ignored): `Ok(None)` when it is
/// not set, an error saying the value is not `expected` when it does not parse.
pub(crate) fn parse<T: FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    expected: &'static str,
) -> Result<Option<T>, EnvError> {
    lookup(name)
        .map(|value| {
            value
                .trim()
                .parse()
                .map_err(|_| EnvError::not_a(name, &value, expected))
        })
        .transpose()
}

/// Overwrites `value` with `name`'s, when it is set, parsed as a `T`.
pub(crate) fn read<T: FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    expected: &'static str,
    value: &mut T,
) -> Result<(), EnvError> {
    if let Some(found) = parse(lookup, name, expected)? {
        *value = found;
    }
    Ok(())
}

/// Reads `name`, when it is set, as a flag: `1`/`true`/`yes` or `0`/`false`/`no`/empty.
pub(crate) fn flag(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<bool>, EnvError> {
    lookup(name)
        .map(|value| match value.trim() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" | "" => Ok(false),
            _ => Err(EnvError::not_a(name, &value, "`1`/`true` or `0`/`false`")),
        })
        .transpose()
}

/// A lookup over fixed `(name, value)` pairs, for tests of the settings that read variables.
#[cfg(test)]
pub(crate) fn vars(
    pairs: &'static [(&'static str, &'static str)],
) -> impl Fn(&str) -> Option<String> {
    |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_keeps_set_trims_and_bad_names_the_variable() {
        let lookup = vars(&[("RAIN_A", " 7 "), ("RAIN_B", "seven")]);
        let mut a = 1u32;
        read(&lookup, "RAIN_A", "a whole number", &mut a).unwrap();
        assert_eq!(a, 7);
        let mut unset = 3u32;
        read(&lookup, "RAIN_UNSET", "a whole number", &mut unset).unwrap();
        assert_eq!(unset, 3);
        let error = parse::<u32>(&lookup, "RAIN_B", "a whole number").unwrap_err();
        assert_eq!(error.to_string(), "RAIN_B=`seven` is not a whole number");
        assert_eq!(error.name(), "RAIN_B");
    }

    #[test]
    fn flags_and_refusals() {
        let lookup = vars(&[("RAIN_ON", "yes"), ("RAIN_OFF", ""), ("RAIN_ODD", "maybe")]);
        assert_eq!(flag(&lookup, "RAIN_ON"), Ok(Some(true)));
        assert_eq!(flag(&lookup, "RAIN_OFF"), Ok(Some(false)));
        assert_eq!(flag(&lookup, "RAIN_NONE"), Ok(None));
        assert_eq!(
            flag(&lookup, "RAIN_ODD").unwrap_err().to_string(),
            "RAIN_ODD=`maybe` is not `1`/`true` or `0`/`false`"
        );
        assert_eq!(
            EnvError::refused("RAIN_SECRET", "too short").to_string(),
            "RAIN_SECRET: too short"
        );
    }
}
