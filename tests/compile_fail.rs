#[test]
fn misuse_is_a_compile_error_at_the_users_span() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
