use serde_json::Value;

/// What is wrong with `event` measured against the checked-in JSON Schema of its `type`
/// (formats such as `uuid` and `date-time` included); empty when it is valid.
pub fn schema_violations(event: &Value) -> Vec<String> {
    let Some(event_type) = event["type"].as_str() else {
        return vec!["the event has no type".to_owned()];
    };
    let Some(schema) = carebook_events::schema(event_type) else {
        return vec![format!("no checked-in schema for type {event_type:?}")];
    };
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("checked-in schemas are valid JSON Schema");
    validator
        .iter_errors(event)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}
