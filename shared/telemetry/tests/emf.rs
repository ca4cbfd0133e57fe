//! The EMF documents a handler writes after an invocation, read as CloudWatch reads them
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>).
//! A test binary of its own: the metrics recorder is global to the process.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use carebook_telemetry::Telemetry;
use carebook_telemetry::metric::{self, NAMESPACE};
use serde_json::Value;

/// The documents that report `name`, with that metric's definition in each.
fn reporting<'a>(documents: &'a [Value], name: &str) -> Vec<(&'a Value, &'a Value)> {
    documents
        .iter()
        .filter_map(|document| {
            let directive = &document["_aws"]["CloudWatchMetrics"][0];
            let definition = directive["Metrics"]
                .as_array()?
                .iter()
                .find(|metric| metric["Name"] == name)?;
            Some((document, definition))
        })
        .collect()
}

#[test]
fn an_invocations_metrics_are_emf_documents_cloudwatch_accepts() {
    // Arrange: a handler's start, then what one booking records.
    let telemetry = Telemetry::init("book-appointment");
    metric::APPOINTMENTS.count(Some("booked"));
    metric::EVENT_AGE.record(250.0, Some("analytics"));
    metric::EVENT_AGE.record(750.0, Some("analytics"));

    // Act
    let mut output = Vec::new();
    telemetry.write_metrics(&mut output).unwrap();

    // Assert: JSON lines, each in the Carebook namespace with a timestamp.
    let documents: Vec<Value> = String::from_utf8(output)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(!documents.is_empty());
    for document in &documents {
        let directive = &document["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert!(document["_aws"]["Timestamp"].as_u64().unwrap() > 1_700_000_000_000);
    }

    let booked = reporting(&documents, "Appointments");
    assert_eq!(booked.len(), 1);
    let (document, definition) = booked[0];
    assert_eq!(definition["Unit"], "Count");
    assert_eq!(
        document["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        serde_json::json!([["Change"]])
    );
    assert_eq!(document["Change"], "booked");
    assert_eq!(document["Appointments"], 1);

    let ages = reporting(&documents, "EventAge");
    assert_eq!(ages.len(), 1);
    let (document, definition) = ages[0];
    assert_eq!(definition["Unit"], "Milliseconds");
    assert_eq!(document["Consumer"], "analytics");
    assert_eq!(document["EventAge"], serde_json::json!([250.0, 750.0]));

    let cold = reporting(&documents, "ColdStarts");
    assert_eq!(cold.len(), 1, "the start counts as a cold start");
    assert_eq!(cold[0].0["Function"], "book-appointment");

    // A second invocation that records nothing writes nothing: counters were reset.
    let mut again = Vec::new();
    telemetry.write_metrics(&mut again).unwrap();
    assert!(again.is_empty(), "{}", String::from_utf8_lossy(&again));
}
