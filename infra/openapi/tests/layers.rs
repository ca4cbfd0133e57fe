//! Crates in `shared/` are what the services stand on; a crate that needs the services (this
//! one, which assembles their operations into one document) lives beside what deploys them.
//! A shared crate that depended on a service would make every service build on the others.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[test]
fn no_shared_crate_depends_on_a_service_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap();
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let (shared, functions) = (root.join("shared"), root.join("functions"));

    let offences: Vec<String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|package| {
            Path::new(package["manifest_path"].as_str().unwrap()).starts_with(&shared)
        })
        .flat_map(|package| {
            package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| {
                    dependency["path"]
                        .as_str()
                        .is_some_and(|path| Path::new(path).starts_with(&functions))
                })
                .map(|dependency| format!("{} -> {}", package["name"], dependency["name"]))
        })
        .collect();

    assert!(
        offences.is_empty(),
        "shared crates depend on services: {offences:?}"
    );
}
