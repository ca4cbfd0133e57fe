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
        .map(|(_, reserved)| reserved.saturating_mul(u64::from(carebook_backends::POOL_SIZE)))
        .fold(0, u64::saturating_add);

    assert!(
        connections <= budget,
        "{connections} connections at most, over the budget of {budget}: {database_functions:?}"
    );
}

/// Every `!Ref` under `value`.
fn refs(value: &Value) -> Vec<String> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged
            .value
            .as_str()
            .map(str::to_owned)
            .into_iter()
            .collect(),
        Value::Tagged(tagged) => refs(&tagged.value),
        Value::Sequence(items) => items.iter().flat_map(refs).collect(),
        Value::Mapping(mapping) => mapping.values().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

/// The topics (`…:topic/<cluster>/<name>`) a policy's statements allow `action` on.
fn topics_allowed(template: &Value, policy: &str, action: &str) -> Vec<String> {
    fn statements(value: &Value) -> Vec<&Value> {
        match value {
            Value::Mapping(mapping) if mapping.contains_key("Effect") => vec![value],
            Value::Tagged(tagged) => statements(&tagged.value),
            Value::Sequence(items) => items.iter().flat_map(statements).collect(),
            _ => Vec::new(),
        }
    }
    fn strings(value: &Value) -> Vec<&str> {
        match value {
            Value::String(text) => vec![text],
            Value::Tagged(tagged) => strings(&tagged.value),
            Value::Sequence(items) => items.iter().flat_map(strings).collect(),
            Value::Mapping(mapping) => mapping.values().flat_map(strings).collect(),
            _ => Vec::new(),
        }
    }
    let document = &template["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"];
    statements(document)
        .into_iter()
        .filter(|statement| strings(&statement["Action"]).contains(&action))
        .flat_map(|statement| strings(&statement["Resource"]))
        .filter_map(|arn| arn.split_once(":topic/${Cluster}/"))
        .map(|(_, topic)| topic.to_owned())
        .collect()
}

/// Kafka rights by binary: what each function publishes or consumes, and no more (issue 21:
/// read-only handlers get no Kafka write; consumers write only their dead-letter topics).
#[test]
fn each_function_may_write_only_the_topics_it_writes() {
    let template = template();
    let expected = |binary: &str| -> &[&str] {
        match binary {
            "get-profile" | "update-profile" | "create-user" | "relay-users-outbox" => {
                &["UserEventsWriterPolicy"]
            }
            "book-appointment"
            | "reschedule-appointment"
            | "cancel-appointment"
            | "complete-appointment"
            | "relay-appointments-outbox" => &["AppointmentEventsWriterPolicy"],
            "sync-directory" => &["DirectoryConsumerPolicy"],
            "ingest-events" => &["AnalyticsConsumerPolicy"],
            "send-notifications" => &["NotificationsConsumerPolicy"],
            _ => &[],
        }
    };
    let mut wrong = Vec::new();
    for resource in template["Resources"].as_mapping().unwrap().values() {
        if resource["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap();
        let kafka: Vec<String> = refs(&resource["Properties"]["Policies"])
            .into_iter()
            .filter(|name| name.ends_with("WriterPolicy") || name.ends_with("ConsumerPolicy"))
            .collect();
        if kafka != expected(binary) {
            wrong.push(format!("{binary}: {kafka:?}"));
        }
    }
    assert!(wrong.is_empty(), "Kafka rights: {wrong:?}");

    let written = |policy| topics_allowed(&template, policy, "kafka-cluster:WriteData");
    assert_eq!(written("UserEventsWriterPolicy"), ["user-events"]);
    assert_eq!(
        written("AppointmentEventsWriterPolicy"),
        ["appointment-events"]
    );
    for (policy, consumer) in [
        ("DirectoryConsumerPolicy", "appointments"),
        ("AnalyticsConsumerPolicy", "analytics"),
        ("NotificationsConsumerPolicy", "notifications"),
    ] {
        let topics = written(policy);
        assert!(
            !topics.is_empty()
                && topics
                    .iter()
                    .all(|topic| topic.ends_with(&format!(".{consumer}.dlq"))),
            "{policy} writes {topics:?}"
        );
    }
}

#[test]
fn deployed_defaults_are_the_safe_ones() {
    let template = template();
    let parameters = &template["Parameters"];
    assert_eq!(parameters["KafkaAuthentication"]["Default"], "IAM");
    for url in ["KeycloakIssuer", "KeycloakAdminUrl"] {
        let pattern = parameters[url]["AllowedPattern"].as_str().unwrap();
        assert!(
            pattern.contains("https://") && !pattern.contains("https?"),
            "{url} allows {pattern}"
        );
    }
    let throttling = &template["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"];
    assert_eq!(
        refs(throttling),
        ["ApiThrottlingRateLimit", "ApiThrottlingBurstLimit"],
        "{throttling:?}"
    );
}
