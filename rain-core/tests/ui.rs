//! The typed-events API: what compiles, and how each server-side mistake is reported.
//!
//! The `.stderr` files are the messages users see; regenerate them with
//! `TRYBUILD=overwrite cargo test -p rain-core --test ui` and review them like code.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
