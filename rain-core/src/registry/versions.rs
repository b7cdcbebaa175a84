//! Versions side by side: which of a component's registered versions a version fragment names,
//! by RAIN's rule, in one function ([`resolve`]) that pages, the page manifest's table of
//! references, the bindings and [`Registry::resolve`](crate::Registry::resolve) all call.
//!
//! A version is two or three dot-separated numbers (`1.0`, `2.3.1`). A fragment is empty or one
//! to three dot-separated numbers, and names the versions whose first parts it is:
//!
//! | fragment | names | resolves to |
//! |---|---|---|
//! | `1` | `1.0`, `1.2`, `1.10.3`, not `10.0` | the latest `1.x` |
//! | `1.3` | `1.3`, `1.3.0`, `1.3.7` | the latest `1.3.x` |
//! | `1.5.2` | `1.5.2` | exactly it |
//! | (empty) | every version | the latest |
//!
//! Parts are compared as numbers, as RAIN did, not as strings: `1.10` is later than `1.9`, and
//! `01` is `1` (so the fragment `1.01` names `1.1`). A version is earlier than the longer ones
//! it starts (`1.0` before `1.0.0` before `1.0.1`). Two versions of one name that are equal as
//! numbers (`1.0` and `01.0`) would make a fragment ambiguous: discovery refuses them.

use std::{cmp::Ordering, fmt};

use super::error::LINKING_HINT;

/// One part of a version as a number: its digits without leading zeros, their count first, so
/// that comparing two parts compares their values, however long.
fn number(part: &str) -> (usize, &str) {
    let digits = part.trim_start_matches('0');
    (digits.len(), digits)
}

/// Compares two versions as numbers, part by part; a version comes before the longer versions
/// it starts.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    a.split('.').map(number).cmp(b.split('.').map(number))
}

/// Whether `fragment` is one: empty, or one to three dot-separated decimal numbers.
fn is_fragment(fragment: &str) -> bool {
    fragment.is_empty()
        || fragment.split('.').count() <= 3
            && fragment
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `fragment`'s parts are the first parts of `version`, as numbers.
fn names(fragment: &str, version: &str) -> bool {
    if fragment.is_empty() {
        return true;
    }
    let mut parts = version.split('.').map(number);
    fragment
        .split('.')
        .map(number)
        .all(|part| parts.next() == Some(part))
}

/// The version of component `name` that `fragment` names, among the `registered` components'
/// `(name, version)`: the latest of the versions it names.
///
/// ```
/// use rain_core::registry::resolve;
///
/// let registered = [("chat", "1.9"), ("chat", "1.10"), ("chat", "2.0"), ("intents", "1.0")];
/// assert_eq!(resolve("chat", "1", registered), Ok("1.10"));
/// assert_eq!(resolve("chat", "", registered), Ok("2.0"));
/// assert_eq!(
///     resolve("chat", "3", registered).unwrap_err().to_string(),
///     "no version of component `chat` matches `3`; its versions: `1.9`, `1.10`, `2.0`"
/// );
/// ```
pub fn resolve<'a>(
    name: &str,
    fragment: &str,
    registered: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<&'a str, ResolveError> {
    let mut versions = Vec::new();
    let mut names_seen = Vec::new();
    for (registered_name, version) in registered {
        if registered_name == name {
            versions.push(version);
        } else {
            names_seen.push(registered_name.to_owned());
        }
    }
    if versions.is_empty() {
        names_seen.sort();
        names_seen.dedup();
        return Err(ResolveError::UnknownName {
            name: name.to_owned(),
            names: names_seen,
        });
    }
    if !is_fragment(fragment) {
        return Err(ResolveError::InvalidFragment {
            name: name.to_owned(),
            fragment: fragment.to_owned(),
        });
    }
    versions.sort_by(|a, b| compare(a, b));
    versions
        .iter()
        .rev()
        .find(|version| names(fragment, version))
        .copied()
        .ok_or_else(|| ResolveError::NoMatch {
            name: name.to_owned(),
            fragment: fragment.to_owned(),
            versions: versions.iter().map(|v| (*v).to_owned()).collect(),
        })
}

/// Every fragment that names `version`, shortest first, each part without leading zeros:
/// `1.2.3` → `1`, `1.2`, `1.2.3` (the empty fragment, which names every version, left out).
pub(crate) fn fragments(version: &str) -> impl Iterator<Item = String> + '_ {
    let parts: Vec<&str> = version.split('.').map(|part| number(part).1).collect();
    (1..=parts.len()).map(move |len| {
        parts[..len]
            .iter()
            .map(|digits| if digits.is_empty() { "0" } else { digits })
            .collect::<Vec<_>>()
            .join(".")
    })
}

/// What resolving a reference to a component by name and version fragment can find wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No component has the name.
    #[error(
        "no component is named `{name}`; components: {}; {}",
        listed(names),
        LINKING_HINT
    )]
    UnknownName {
        /// The name asked for.
        name: String,
        /// The names that exist, sorted.
        names: Vec<String>,
    },
    /// The fragment is not one to three dot-separated numbers (or, after an `@`, is empty).
    #[error(
        "invalid version fragment in `{name}@{fragment}`; expected one to three numbers \
         separated by dots, like `{name}@1`, `{name}@1.3` or `{name}@1.5.2`, or `{name}` alone \
         for its latest version"
    )]
    InvalidFragment {
        /// The component's name.
        name: String,
        /// The fragment as given.
        fragment: String,
    },
    /// No version of the component matches the fragment.
    #[error(
        "no version of component `{name}` matches `{fragment}`; its versions: {}",
        listed(versions)
    )]
    NoMatch {
        /// The component's name.
        name: String,
        /// The fragment as given.
        fragment: String,
        /// The component's versions, earliest first.
        versions: Vec<String>,
    },
}

/// `a`, `b` in backticks, comma-separated; `none` for no item.
fn listed(items: &[String]) -> Listed<'_> {
    Listed(items)
}

struct Listed<'a>(&'a [String]);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{item}`")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAT: [(&str, &str); 6] = [
        ("chat", "1.0"),
        ("chat", "1.9"),
        ("chat", "1.10"),
        ("chat", "1.10.2"),
        ("chat", "2.0"),
        ("intents-example", "3.0"),
    ];

    fn of(fragment: &str) -> Result<&'static str, ResolveError> {
        resolve("chat", fragment, CHAT)
    }

    #[test]
    fn parts_compare_as_numbers() {
        assert_eq!(compare("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare("1.9", "10.0"), Ordering::Less);
        assert_eq!(compare("01.0", "1.0"), Ordering::Equal);
        assert_eq!(compare("1.0", "1.0.0"), Ordering::Less);
        assert_eq!(compare("1.0.0", "1.0.1"), Ordering::Less);
        assert_eq!(
            compare("99999999999999999999999.0", "99999999999999999999998.0"),
            Ordering::Greater
        );
        assert_eq!(of("1"), Ok("1.10.2"));
        assert_eq!(
            resolve("chat", "1", [("chat", "1.9"), ("chat", "1.10")]),
            Ok("1.10")
        );
    }

    #[test]
    fn a_prefix_names_the_latest_version_it_starts() {
        assert_eq!(of("1.10"), Ok("1.10.2"));
        assert_eq!(of("1.9"), Ok("1.9"));
        assert_eq!(of("2"), Ok("2.0"));
        assert_eq!(of("2.0"), Ok("2.0"));
        // Numbers, not strings: `1.01` is `1.1`, which no version starts; `01` is `1`.
        assert_eq!(of("01"), Ok("1.10.2"));
        assert!(of("1.01").is_err());
        // `1` does not name `10.0`.
        assert_eq!(
            resolve("chat", "1", [("chat", "10.0"), ("chat", "1.2")]),
            Ok("1.2")
        );
    }

    #[test]
    fn three_parts_name_one_version_exactly() {
        assert_eq!(of("1.10.2"), Ok("1.10.2"));
        assert_eq!(
            of("1.10.3").unwrap_err(),
            ResolveError::NoMatch {
                name: "chat".to_owned(),
                fragment: "1.10.3".to_owned(),
                versions: ["1.0", "1.9", "1.10", "1.10.2", "2.0"]
                    .map(str::to_owned)
                    .to_vec(),
            }
        );
    }

    #[test]
    fn the_empty_fragment_names_the_latest_version() {
        assert_eq!(of(""), Ok("2.0"));
        assert_eq!(resolve("intents-example", "", CHAT), Ok("3.0"));
    }

    #[test]
    fn no_match_names_the_component_the_fragment_and_its_versions() {
        assert_eq!(
            of("3").unwrap_err().to_string(),
            "no version of component `chat` matches `3`; its versions: `1.0`, `1.9`, `1.10`, \
             `1.10.2`, `2.0`"
        );
        assert_eq!(
            of("1.2").unwrap_err().to_string(),
            "no version of component `chat` matches `1.2`; its versions: `1.0`, `1.9`, `1.10`, \
             `1.10.2`, `2.0`"
        );
    }

    #[test]
    fn an_unknown_name_lists_the_names() {
        assert_eq!(
            resolve("chta", "1", CHAT).unwrap_err().to_string(),
            format!(
                "no component is named `chta`; components: `chat`, `intents-example`; {LINKING_HINT}"
            )
        );
        assert_eq!(
            resolve("chat", "1", []).unwrap_err().to_string(),
            format!("no component is named `chat`; components: none; {LINKING_HINT}")
        );
    }

    #[test]
    fn a_fragment_is_one_to_three_numbers() {
        for bad in [
            "1.x", "1.", ".1", "1..0", "1.0.0.0", "v1", "latest", " 1", "1-beta",
        ] {
            assert_eq!(
                of(bad),
                Err(ResolveError::InvalidFragment {
                    name: "chat".to_owned(),
                    fragment: bad.to_owned(),
                }),
                "{bad}"
            );
        }
        assert_eq!(
            of("1.x").unwrap_err().to_string(),
            "invalid version fragment in `chat@1.x`; expected one to three numbers separated by \
             dots, like `chat@1`, `chat@1.3` or `chat@1.5.2`, or `chat` alone for its latest \
             version"
        );
    }

    #[test]
    fn every_prefix_of_a_version_is_a_fragment_that_names_it() {
        assert_eq!(
            fragments("1.2.3").collect::<Vec<_>>(),
            ["1", "1.2", "1.2.3"]
        );
        assert_eq!(fragments("01.00").collect::<Vec<_>>(), ["1", "1.0"]);
        for (_, version) in CHAT {
            for fragment in fragments(version) {
                assert!(names(&fragment, version), "{fragment} names {version}");
                assert!(is_fragment(&fragment), "{fragment}");
            }
        }
    }
}
