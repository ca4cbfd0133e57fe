//! The handlers, the SAM template and the local router must describe the same system: every
//! handler binary of `functions/*` is a function in `infra/template.yaml`, every function
//! there is a binary, and every HTTP route of the template is served by the same binary in
//! `cargo lambda watch`'s router (`[workspace.metadata.lambda.watch.router]`), and back.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;
use serde_yaml_ng::Value;

use crate::SettingsError;
use crate::settings::serverless_functions;

/// An HTTP route: method and path, as `GET /appointments/{id}`.
pub type Route = (String, String);

/// Routes by function binary.
pub type Routes = BTreeMap<String, BTreeSet<Route>>;

/// Functions of the template by binary, with their HTTP routes.
pub fn template_functions(yaml: &str) -> Result<Routes, SettingsError> {
    let template: Value = serde_yaml_ng::from_str(yaml)?;
    let mut functions = BTreeMap::new();
    for (binary, events) in serverless_functions(&template) {
        let routes: BTreeSet<Route> = events
            .into_iter()
            .flat_map(|events| events.values())
            .filter(|event| event.get("Type").and_then(Value::as_str) == Some("HttpApi"))
            .filter_map(|event| {
                let properties = event.get("Properties")?;
                Some((
                    properties.get("Method")?.as_str()?.to_uppercase(),
                    properties.get("Path")?.as_str()?.to_owned(),
                ))
            })
            .collect();
        functions.insert(binary.unwrap_or_default().to_owned(), routes);
    }
    Ok(functions)
}

/// From `cargo metadata --no-deps --format-version 1`: the handler binaries (binaries of the
/// packages under `functions/`) and the watch router, by binary.
pub fn workspace(metadata: &Json) -> (BTreeSet<String>, Routes) {
    let binaries = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|package| {
            package["manifest_path"]
                .as_str()
                .is_some_and(|p| p.contains("/functions/"))
        })
        .flat_map(|package| package["targets"].as_array().cloned().unwrap_or_default())
        .filter(|target| {
            target["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bin"))
        })
        .filter_map(|target| target["name"].as_str().map(str::to_owned))
        .collect();
    let mut router = Routes::new();
    let routes = metadata["metadata"]["lambda"]["watch"]["router"].as_object();
    for (path, entries) in routes.into_iter().flatten() {
        for entry in entries.as_array().into_iter().flatten() {
            if let (Some(method), Some(function)) =
                (entry["method"].as_str(), entry["function"].as_str())
            {
                router
                    .entry(function.to_owned())
                    .or_default()
                    .insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    (binaries, router)
}

/// Every way the three disagree; empty when they describe the same system.
pub fn disagreements(
    binaries: &BTreeSet<String>,
    template: &Routes,
    router: &Routes,
) -> Vec<String> {
    let mut problems = Vec::new();
    for binary in binaries {
        if !template.contains_key(binary) {
            problems.push(format!(
                "binary {binary} has no function in infra/template.yaml"
            ));
        }
    }
    for (function, routes) in template {
        if !binaries.contains(function) {
            problems.push(format!(
                "function {function:?} of infra/template.yaml has no binary"
            ));
        }
        let local = router.get(function).cloned().unwrap_or_default();
        for (method, path) in routes.difference(&local) {
            problems.push(format!(
                "{method} {path} ({function}) is in the template but not in watch's router"
            ));
        }
        for (method, path) in local.difference(routes) {
            problems.push(format!(
                "{method} {path} ({function}) is in watch's router but not in the template"
            ));
        }
    }
    for function in router.keys().filter(|f| !template.contains_key(*f)) {
        problems.push(format!(
            "watch's router serves {function}, which the template does not deploy"
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(list: &[(&str, &str)]) -> BTreeSet<Route> {
        list.iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect()
    }

    fn system() -> (BTreeSet<String>, Routes, Routes) {
        let binaries = ["book-appointment", "relay-outbox"]
            .map(String::from)
            .into();
        let template = BTreeMap::from([
            (
                "book-appointment".to_owned(),
                routes(&[("POST", "/appointments")]),
            ),
            ("relay-outbox".to_owned(), routes(&[])),
        ]);
        let router = BTreeMap::from([(
            "book-appointment".to_owned(),
            routes(&[("POST", "/appointments")]),
        )]);
        (binaries, template, router)
    }

    #[test]
    fn a_consistent_system_has_no_disagreement() {
        let (binaries, template, router) = system();

        assert!(disagreements(&binaries, &template, &router).is_empty());
    }

    #[test]
    fn a_binary_removed_from_the_template_is_reported() {
        let (binaries, mut template, router) = system();
        template.remove("relay-outbox");

        assert_eq!(
            disagreements(&binaries, &template, &router),
            ["binary relay-outbox has no function in infra/template.yaml"]
        );
    }

    #[test]
    fn a_function_whose_binary_was_removed_is_reported_with_its_route() {
        let (mut binaries, template, mut router) = system();
        binaries.remove("book-appointment");
        router.clear();

        let problems = disagreements(&binaries, &template, &router);

        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("has no binary"));
        assert!(problems[1].contains("not in watch's router"));
    }

    #[test]
    fn a_route_only_served_locally_is_reported() {
        let (binaries, template, mut router) = system();
        router
            .entry("book-appointment".into())
            .or_default()
            .insert(("GET".into(), "/appointments".into()));

        assert_eq!(
            disagreements(&binaries, &template, &router),
            ["GET /appointments (book-appointment) is in watch's router but not in the template"]
        );
    }
}
