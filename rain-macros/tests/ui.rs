//! What the macros accept, and how they report every mistake they refuse.
//!
//! The `.stderr` files are the messages users see; regenerate them with
//! `TRYBUILD=overwrite cargo test -p rain-macros --test ui` and review them like code.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
