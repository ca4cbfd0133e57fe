//! What the template deploys cannot, at its defaults, open more PostgreSQL connections than
//! the budget it states: every instance of a function that uses a database holds up to
//! `POOL_SIZE` connections, and reserved concurrency caps its instances (README, "Guardrails").

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use serde_yaml_ng::Value;

fn template() -> Value {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let text = std::fs::read_to_string(format!("{root}/infra/template.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

/// A number in the template, or the default of the parameter a `!Ref` names.
fn number(template: &Value, value: &Value) -> u64 {
    if let Value::Tagged(tagged) = value {
        assert_eq!(tagged.tag, "Ref", "{value:?}");
        let parameter = tagged.value.as_str().unwrap();
        return number(template, &template["Parameters"][parameter]["Default"]);
    }
    value
        .as_u64()
        .unwrap_or_else(|| panic!("{value:?} is no number"))
}

/// Every function's reserved concurrency, and whether it reaches a database.
fn functions(template: &Value) -> Vec<(String, Option<u64>, bool)> {
    let global = &template["Globals"]["Function"];
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, resource)| resource["Type"] == "AWS::Serverless::Function")
        .map(|(name, resource)| {
            let properties = &resource["Properties"];
            let reserved = properties
                .get("ReservedConcurrentExecutions")
                .or_else(|| global.get("ReservedConcurrentExecutions"))
                .map(|value| number(template, value));
            let database = properties["Environment"]["Variables"]
                .as_mapping()
                .into_iter()
                .flat_map(|variables| variables.keys())
                .any(|key| key.as_str().unwrap().ends_with("_DATABASE_SECRET_ARN"));
            (name.as_str().unwrap().to_owned(), reserved, database)
        })
        .collect()
}

#[test]
fn every_function_has_a_reserved_concurrency() {
    let template = template();
    let unbounded: Vec<String> = functions(&template)
        .into_iter()
        .filter(|(_, reserved, _)| reserved.is_none())
        .map(|(name, ..)| name)
        .collect();
    assert!(
        unbounded.is_empty(),
        "no reserved concurrency: {unbounded:?}"
    );
}

#[test]
fn the_functions_together_stay_within_the_database_connection_budget() {
    let template = template();
    let budget = number(
        &template,
        &template["Parameters"]["DatabaseConnectionBudget"]["Default"],
    );
    let database_functions: Vec<(String, u64)> = functions(&template)
        .into_iter()
        .filter(|(_, _, database)| *database)
        .map(|(name, reserved, _)| (name, reserved.unwrap_or(u64::MAX)))
        .collect();
    assert!(database_functions.len() > 15, "{database_functions:?}");

    let connections: u64 = database_functions
        .iter()
        .map(|(_, reserved)| reserved.saturating_mul(u64::from(carebook_outbox::POOL_SIZE)))
        .fold(0, u64::saturating_add);

    assert!(
        connections <= budget,
        "{connections} connections at most, over the budget of {budget}: {database_functions:?}"
    );
}
