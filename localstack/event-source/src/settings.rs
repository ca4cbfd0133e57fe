use std::time::Duration;

use serde_yaml_ng::Value;

/// Where a new consumer group starts reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartingPosition {
    /// `TRIM_HORIZON`: the oldest record kept.
    Earliest,
    /// `LATEST`: only records produced from now on.
    Latest,
}

/// One MSK event source of a function: one topic, as in AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The handler binary (`Metadata.BuildProperties.Binary`).
    pub function: String,
    pub topic: String,
    /// `ConsumerGroupId`; AWS picks a random one when absent, we use `<function>-<topic>`.
    pub consumer_group: String,
    /// `BatchSize`, default 100.
    pub batch_size: usize,
    /// `MaximumBatchingWindowInSeconds`; AWS's default for MSK is 500 ms.
    pub batching_window: Duration,
    pub starting_position: StartingPosition,
    /// `MaximumRetryAttempts`; `None` (AWS: -1) retries until the batch succeeds.
    pub max_retries: Option<u32>,
    /// `BisectBatchOnFunctionError`.
    pub bisect_on_error: bool,
    /// `FunctionResponseTypes: [ReportBatchItemFailures]`.
    pub report_batch_item_failures: bool,
    /// The topic of `DestinationConfig.OnFailure.Destination` (`kafka://<topic>`).
    pub on_failure_topic: Option<String>,
}

/// A function invoked on a schedule (`Schedule` / `ScheduleV2` events, `rate(...)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub function: String,
    pub every: Duration,
}

/// Everything the local event source runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub mappings: Vec<Mapping>,
    pub schedules: Vec<Schedule>,
}

/// The template cannot be read as the event sources it must describe.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the template is not YAML")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("{function}: event {event}: {problem}")]
    Event {
        function: String,
        event: String,
        problem: String,
    },
}

/// The template's `AWS::Serverless::Function`s: each one's binary (`Metadata.BuildProperties.
/// Binary`, when set) and its `Events`.
pub(crate) fn serverless_functions(
    template: &Value,
) -> impl Iterator<Item = (Option<&str>, Option<&serde_yaml_ng::Mapping>)> {
    let resources = template.get("Resources").and_then(Value::as_mapping);
    resources
        .into_iter()
        .flat_map(|resources| resources.values())
        .filter(|resource| {
            resource.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::Function")
        })
        .map(|resource| {
            let binary = resource
                .get("Metadata")
                .and_then(|m| m.get("BuildProperties"))
                .and_then(|b| b.get("Binary"))
                .and_then(Value::as_str);
            let events = resource
                .get("Properties")
                .and_then(|p| p.get("Events"))
                .and_then(Value::as_mapping);
            (binary, events)
        })
}

impl Settings {
    /// The MSK event sources and schedules of the SAM template `yaml`.
    pub fn from_template(yaml: &str) -> Result<Self, SettingsError> {
        let template: Value = serde_yaml_ng::from_str(yaml)?;
        let mut settings = Settings::default();
        for (function, events) in serverless_functions(&template) {
            let Some(function) = function else {
                continue;
            };
            for (name, event) in events.into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                let properties = event.get("Properties").cloned().unwrap_or(Value::Null);
                let problem = |problem: &str| SettingsError::Event {
                    function: function.to_owned(),
                    event: name.to_owned(),
                    problem: problem.to_owned(),
                };
                match event.get("Type").and_then(Value::as_str) {
                    Some("MSK") => {
                        let mapping = mapping(function, &properties).map_err(problem)?;
                        if let Some(missing) = provisioned_mode_missing(&mapping, &properties) {
                            return Err(problem(missing.as_str()));
                        }
                        settings.mappings.push(mapping);
                    }
                    Some("Schedule" | "ScheduleV2") => {
                        let expression = properties
                            .get("ScheduleExpression")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        settings.schedules.push(Schedule {
                            function: function.to_owned(),
                            every: rate(expression).map_err(problem)?,
                        });
                    }
                    _ => {}
                }
            }
        }
        Ok(settings)
    }
}

fn mapping(function: &str, properties: &Value) -> Result<Mapping, &'static str> {
    let get = |name: &str| properties.get(name);
    let topics: Vec<&str> = get("Topics")
        .and_then(Value::as_sequence)
        .map(|topics| topics.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let [topic] = topics.as_slice() else {
        return Err("an MSK event source names exactly one topic");
    };
    let starting_position = match get("StartingPosition").and_then(Value::as_str) {
        Some("TRIM_HORIZON") => StartingPosition::Earliest,
        Some("LATEST") => StartingPosition::Latest,
        _ => return Err("StartingPosition must be TRIM_HORIZON or LATEST"),
    };
    let number = |name: &str| get(name).and_then(Value::as_i64);
    let batch_size = number("BatchSize").unwrap_or(100);
    let batch_size = usize::try_from(batch_size)
        .ok()
        .filter(|size| (1..=10_000).contains(size))
        .ok_or("BatchSize must be 1 to 10000")?;
    let batching_window = match get("MaximumBatchingWindowInSeconds") {
        None => Duration::from_millis(500),
        Some(value) => value
            .as_u64()
            .filter(|seconds| *seconds <= 300)
            .map(Duration::from_secs)
            .ok_or("MaximumBatchingWindowInSeconds must be 0 to 300")?,
    };
    let max_retries = match number("MaximumRetryAttempts") {
        None | Some(-1) => None,
        Some(n) => Some(u32::try_from(n).map_err(|_| "MaximumRetryAttempts must be -1 or more")?),
    };
    let on_failure_topic = match get("DestinationConfig")
        .and_then(|d| d.get("OnFailure"))
        .and_then(|o| o.get("Destination"))
    {
        None => None,
        Some(destination) => Some(
            destination
                .as_str()
                .and_then(|d| d.strip_prefix("kafka://"))
                .ok_or("locally, an OnFailure destination must be a kafka:// topic")?
                .to_owned(),
        ),
    };
    let report_batch_item_failures = get("FunctionResponseTypes")
        .and_then(Value::as_sequence)
        .is_some_and(|types| {
            types
                .iter()
                .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
        });
    Ok(Mapping {
        function: function.to_owned(),
        topic: (*topic).to_owned(),
        consumer_group: get("ConsumerGroupId")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{function}-{topic}"), str::to_owned),
        batch_size,
        batching_window,
        starting_position,
        max_retries,
        bisect_on_error: get("BisectBatchOnFunctionError")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        report_batch_item_failures,
        on_failure_topic,
    })
}

/// Why an MSK event source asks for error handling it would not get in AWS: retries, record
/// age, bisecting, partial batch responses and Kafka on-failure destinations are provisioned
/// mode's (`ProvisionedPollerConfig`), "Under Event poller configuration, select provisioned
/// mode to configure error handling controls"
/// (<https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html>,
/// <https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html>).
fn provisioned_mode_missing(mapping: &Mapping, properties: &Value) -> Option<String> {
    if properties.get("ProvisionedPollerConfig").is_some() {
        return None;
    }
    let asked: Vec<&str> = [
        ("MaximumRetryAttempts", mapping.max_retries.is_some()),
        (
            "MaximumRecordAgeInSeconds",
            properties.get("MaximumRecordAgeInSeconds").is_some(),
        ),
        ("BisectBatchOnFunctionError", mapping.bisect_on_error),
        (
            "ReportBatchItemFailures",
            mapping.report_batch_item_failures,
        ),
        (
            "a kafka:// OnFailure destination",
            mapping.on_failure_topic.is_some(),
        ),
    ]
    .into_iter()
    .filter_map(|(control, set)| set.then_some(control))
    .collect();
    (!asked.is_empty()).then(|| {
        format!(
            "{} need provisioned mode, which this event source lacks: set ProvisionedPollerConfig \
             (deployed without it, Lambda would not apply them)",
            asked.join(", ")
        )
    })
}

/// `rate(5 minutes)` as a duration.
fn rate(expression: &str) -> Result<Duration, &'static str> {
    let invalid = "ScheduleExpression must be rate(<n> <unit>)";
    let inner = expression
        .strip_prefix("rate(")
        .and_then(|e| e.strip_suffix(')'))
        .ok_or(invalid)?;
    let (count, unit) = inner.trim().split_once(' ').ok_or(invalid)?;
    let count: u64 = count.parse().map_err(|_| invalid)?;
    let seconds = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        _ => return Err(invalid),
    };
    Ok(Duration::from_secs(count * seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Ingest:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: ingest-events } }
    Properties:
      Events:
        Appointments:
          Type: MSK
          Properties:
            Stream: !Ref MskClusterArn
            Topics: [appointment-events]
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumBatchingWindowInSeconds: 2
            MaximumRetryAttempts: 3
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            DestinationConfig: { OnFailure: { Destination: kafka://appointment-events.analytics.dlq } }
            ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 }
  Relay:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: relay-outbox } }
    Properties:
      Events:
        Timer: { Type: ScheduleV2, Properties: { ScheduleExpression: rate(1 minute) } }
"#;

    #[test]
    fn msk_sources_and_schedules_are_read_with_aws_defaults_where_unset() {
        let settings = Settings::from_template(TEMPLATE).unwrap();

        assert_eq!(
            settings.mappings,
            [Mapping {
                function: "ingest-events".into(),
                topic: "appointment-events".into(),
                consumer_group: "ingest-events-appointment-events".into(),
                batch_size: 10,
                batching_window: Duration::from_secs(2),
                starting_position: StartingPosition::Earliest,
                max_retries: Some(3),
                bisect_on_error: true,
                report_batch_item_failures: true,
                on_failure_topic: Some("appointment-events.analytics.dlq".into()),
            }]
        );
        assert_eq!(
            settings.schedules,
            [Schedule {
                function: "relay-outbox".into(),
                every: Duration::from_secs(60)
            }]
        );
    }

    #[test]
    fn an_event_source_with_two_topics_is_refused_as_aws_refuses_it() {
        let template =
            TEMPLATE.replace("[appointment-events]", "[appointment-events, user-events]");

        let error = Settings::from_template(&template).unwrap_err();

        assert!(error.to_string().contains("exactly one topic"), "{error}");
    }

    #[test]
    fn an_event_source_asking_for_error_handling_without_provisioned_mode_is_refused() {
        let template = TEMPLATE.replace(
            "            ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 }\n",
            "",
        );

        let error = Settings::from_template(&template).unwrap_err();

        assert_eq!(
            error.to_string(),
            "ingest-events: event Appointments: MaximumRetryAttempts, BisectBatchOnFunctionError, \
             ReportBatchItemFailures, a kafka:// OnFailure destination need provisioned mode, which \
             this event source lacks: set ProvisionedPollerConfig (deployed without it, Lambda \
             would not apply them)"
        );
    }

    #[test]
    fn the_project_template_maps_every_kafka_triggered_handler() {
        let settings =
            Settings::from_template(include_str!("../../../infra/template.yaml")).unwrap();

        let mut mapped: Vec<(&str, &str)> = settings
            .mappings
            .iter()
            .map(|m| (m.function.as_str(), m.topic.as_str()))
            .collect();
        mapped.sort_unstable();
        assert_eq!(
            mapped,
            [
                ("ingest-events", "appointment-events"),
                ("ingest-events", "user-events"),
                ("send-notifications", "appointment-events"),
                ("send-notifications", "user-events"),
                ("sync-directory", "user-events"),
            ]
        );
        assert!(settings.mappings.iter().all(|m| {
            m.on_failure_topic.as_deref()
                == Some(
                    format!(
                        "{}.{}.dlq",
                        m.topic,
                        m.consumer_group.split('-').next().unwrap_or_default()
                    )
                    .as_str(),
                )
        }));
        assert_eq!(settings.schedules.len(), 2);
    }
}
