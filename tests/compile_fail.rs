//! Every misuse is a compile error at the user's own span that says what to do. The cases
//! are grouped by topic under tests/ui/: the attribute, the body, `yield_from!`, the
//! protocol, coroutines, asyncio, and soundness (code that must not compile).

#[test]
#[cfg_attr(miri, ignore = "trybuild runs rustc; not a runtime test")]
fn misuse_is_a_compile_error_at_the_users_span() {
    trybuild::TestCases::new().compile_fail("tests/ui/*/*.rs");
}
