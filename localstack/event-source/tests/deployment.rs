//! The real workspace, template and router agree (see `deployment`'s unit tests for the
//! failures it reports).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::Command;

use carebook_event_source::deployment::{disagreements, template_functions, workspace};

#[test]
fn every_handler_binary_is_deployed_and_served_locally_on_the_same_routes() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(output.status.success());
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let template = std::fs::read_to_string(format!("{root}/infra/template.yaml")).unwrap();

    let (binaries, router) = workspace(&metadata);
    let functions = template_functions(&template).unwrap();

    assert!(binaries.len() > 20, "{binaries:?}");
    let problems = disagreements(&binaries, &functions, &router);
    assert!(problems.is_empty(), "{problems:#?}");
}
