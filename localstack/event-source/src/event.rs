use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// A record as read from Kafka.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumed {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// `CREATE_TIME` or `LOG_APPEND_TIME`.
    pub timestamp_type: &'static str,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// The event Lambda's MSK event source sends for `records`: records grouped under
/// `<topic>-<partition>` in the order given, key and value base64-encoded, each header a
/// one-entry object whose value is its bytes as (signed, Java) byte numbers.
pub fn msk_event(records: &[Consumed], event_source_arn: &str, bootstrap_servers: &str) -> Value {
    let mut grouped: Map<String, Value> = Map::new();
    for record in records {
        let mut entry = Map::new();
        entry.insert("topic".into(), json!(record.topic));
        entry.insert("partition".into(), json!(record.partition));
        entry.insert("offset".into(), json!(record.offset));
        entry.insert("timestamp".into(), json!(record.timestamp));
        entry.insert("timestampType".into(), json!(record.timestamp_type));
        if let Some(key) = &record.key {
            entry.insert("key".into(), json!(STANDARD.encode(key)));
        }
        if let Some(value) = &record.value {
            entry.insert("value".into(), json!(STANDARD.encode(value)));
        }
        let headers: Vec<Value> = record
            .headers
            .iter()
            .map(|(name, bytes)| {
                let signed: Vec<i8> = bytes.iter().map(|b| i8::from_ne_bytes([*b])).collect();
                json!({ name: signed })
            })
            .collect();
        entry.insert("headers".into(), json!(headers));
        let key = format!("{}-{}", record.topic, record.partition);
        match grouped.get_mut(&key).and_then(Value::as_array_mut) {
            Some(list) => list.push(Value::Object(entry)),
            None => {
                grouped.insert(key, json!([entry]));
            }
        }
    }
    json!({
        "eventSource": "aws:kafka",
        "eventSourceArn": event_source_arn,
        "bootstrapServers": bootstrap_servers,
        "records": grouped,
    })
}
