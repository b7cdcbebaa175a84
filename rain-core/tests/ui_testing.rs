//! The typed test client: what does not compile, and the message it gets (the `testing`
//! feature; `tests/ui.rs` builds without it, so these cases live in their own folder).
//!
//! Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p rain-core --features testing --test ui_testing`.

#[test]
fn ui_testing() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/testing/*.rs");
}
