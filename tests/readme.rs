//! The README's "Using it from Rust" example is `examples/00_readme.rs`, byte for byte,
//! so CI (which runs that example) runs exactly what the README shows.

#[test]
fn the_readme_example_is_examples_00_readme() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("## Using it from Rust")
        .nth(1)
        .expect("the README has a section \"Using it from Rust\"");
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("the section has a ```rust block");
    // The example's `//!` header (its crate docs) is not in the README.
    let example: String = include_str!("../examples/00_readme.rs")
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        format!("{block}\n"),
        example,
        "the README's Rust example and examples/00_readme.rs differ: copy one to the other"
    );
}
