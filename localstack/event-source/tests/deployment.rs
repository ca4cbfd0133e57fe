//! The real workspace, template, router and OpenAPI document agree (see `deployment`'s unit tests for the
//! failures it reports).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::BTreeSet;
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

/// The OpenAPI document describes exactly the HTTP routes the template deploys: a new handler
/// cannot ship undocumented, nor the document promise a route nothing serves.
#[test]
fn the_openapi_document_describes_every_deployed_route_and_no_other() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let template = std::fs::read_to_string(format!("{root}/infra/template.yaml")).unwrap();
    let document: serde_yaml_ng::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(format!("{root}/infra/openapi/openapi.yaml")).unwrap(),
    )
    .unwrap();

    let deployed: BTreeSet<(String, String)> = template_functions(&template)
        .unwrap()
        .into_values()
        .flatten()
        .collect();
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_mapping()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            let path = path.as_str().unwrap().to_owned();
            item.as_mapping()
                .unwrap()
                .keys()
                .map(move |method| (method.as_str().unwrap().to_uppercase(), path.clone()))
        })
        .collect();

    assert_eq!(
        deployed.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "deployed but not documented"
    );
    assert_eq!(
        documented.difference(&deployed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented but not deployed"
    );
}

/// The CloudFront function that gives the web app's routes `index.html`, run by Node.js on
/// what CloudFront hands it: a route the browser reloads gets the app, while a file keeps its
/// path, so a missing asset is never answered with HTML.
#[test]
fn the_distribution_serves_index_html_for_app_routes_and_files_as_they_are() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let template: serde_yaml_ng::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(format!("{root}/infra/template.yaml")).unwrap(),
    )
    .unwrap();
    let code = template["Resources"]["WebSpaFallback"]["Properties"]["FunctionCode"]
        .as_str()
        .unwrap();
    let paths = [
        "/",
        "/appointments/7f1c4cbb-4a4e-4c8e-9d59-2f1b0f0d9a11",
        "/doctors/3d0e2c7a-9b1f-4f57-8a57-5b8a3e6c2d10/book",
        "/callback",
        "/assets/index-4f2a9c.js",
        "/assets/missing.css",
        "/config.json",
    ];
    let script = format!(
        "{code}\nfor (const uri of {paths:?}) console.log(handler({{ request: {{ uri }} }}).uri);"
    );
    let output = Command::new("node").args(["-e", &script]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let served: Vec<&str> = std::str::from_utf8(&output.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(
        served,
        [
            "/index.html",
            "/index.html",
            "/index.html",
            "/index.html",
            "/assets/index-4f2a9c.js",
            "/assets/missing.css",
            "/config.json",
        ]
    );
}
