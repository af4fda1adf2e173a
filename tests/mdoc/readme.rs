//! README.md stays true: every error code is in its table with its number.

#[test]
fn readme_lists_every_error_code() {
    let readme = include_str!("../../README.md");
    for code in kakunin::ErrorCode::ALL {
        let row = format!("| {} | `{}` |", code.number(), code.as_str());
        assert!(readme.contains(&row), "README lacks the row for {code}");
    }
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme = include_str!("../../README.md");
    let head: String = readme.lines().take(6).collect::<Vec<_>>().join("\n");
    assert!(head.contains("cargo run --release --example verify"));
    assert!(head.contains("cargo test"));
}
