//! The alarms and the dashboard of `infra/template.yaml` name only metrics that exist: Carebook's
//! own, as `metric::ALL` declares them (name and dimension), or AWS's, listed here with the pages
//! that document them. A misspelt name would be an alarm that never goes off and a widget that
//! stays empty; CloudFormation accepts both.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use carebook_telemetry::metric::{self, NAMESPACE};
use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;

/// AWS's metrics the template may name: namespace, metric, and the dimension sets AWS
/// publishes it with (an empty set: the account and region as a whole).
const AWS_METRICS: &[(&str, &str, &[&[&str]])] = &[
    // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
    ("AWS/Lambda", "Errors", &[&[], &["FunctionName"]]),
    ("AWS/Lambda", "Throttles", &[&[], &["FunctionName"]]),
    ("AWS/Lambda", "OffsetLag", &[&["FunctionName"]]),
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html
    ("AWS/ApiGateway", "Count", &[&["ApiId"]]),
    ("AWS/ApiGateway", "4xx", &[&["ApiId"]]),
    ("AWS/ApiGateway", "5xx", &[&["ApiId"]]),
    ("AWS/ApiGateway", "Latency", &[&["ApiId"]]),
    ("AWS/ApiGateway", "IntegrationLatency", &[&["ApiId"]]),
    // https://docs.aws.amazon.com/ses/latest/dg/reputation-monitoring-cloudwatch.html
    ("AWS/SES", "Reputation.BounceRate", &[&[]]),
    ("AWS/SES", "Reputation.ComplaintRate", &[&[]]),
];

/// A metric an alarm or a widget names, and where.
#[derive(Debug)]
struct Use {
    place: String,
    namespace: String,
    name: String,
    dimensions: BTreeSet<String>,
}

fn template() -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
    let text = std::fs::read_to_string(&path).expect("infra/template.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("infra/template.yaml is YAML")
}

fn resources(template: &Yaml) -> impl Iterator<Item = (&str, &str, &Yaml)> {
    template["Resources"]
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(name, resource)| Some((name.as_str()?, resource["Type"].as_str()?, resource)))
}

/// A string, or what `!Ref`/`!Sub` wraps: the logical id or the text to substitute into.
fn text(value: &Yaml) -> Option<&str> {
    match value {
        Yaml::String(text) => Some(text),
        Yaml::Tagged(tagged) => tagged.value.as_str(),
        _ => None,
    }
}

fn dimension_names(dimensions: &Yaml) -> BTreeSet<String> {
    dimensions
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|dimension| text(&dimension["Name"]).map(str::to_owned))
        .collect()
}

fn alarm_uses(name: &str, alarm: &Yaml) -> Vec<Use> {
    let properties = &alarm["Properties"];
    let single = properties["MetricName"]
        .as_str()
        .map(|metric| (properties, metric));
    let stats = properties["Metrics"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|query| {
            let metric = &query["MetricStat"]["Metric"];
            metric["MetricName"].as_str().map(|name| (metric, name))
        });
    single
        .into_iter()
        .chain(stats)
        .map(|(metric, metric_name)| Use {
            place: format!("alarm {name}"),
            namespace: text(&metric["Namespace"]).unwrap_or_default().to_owned(),
            name: metric_name.to_owned(),
            dimensions: dimension_names(&metric["Dimensions"]),
        })
        .collect()
}

/// The dashboard's body as CloudWatch reads it, with every `${Name}` of its `!Sub` left as
/// `<Name>`.
fn dashboard_body(dashboard: &Yaml) -> Json {
    let mut body = text(&dashboard["Properties"]["DashboardBody"])
        .expect("the dashboard's body is a string")
        .to_owned();
    while let Some(start) = body.find("${") {
        let end = body[start..].find('}').expect("a closed ${...}") + start;
        let name = format!("<{}>", &body[start + 2..end]);
        body.replace_range(start..=end, &name);
    }
    serde_json::from_str(&body).expect("the dashboard's body is JSON")
}

/// `SEARCH('{Namespace,Dimension,...} MetricName="Name" ...', ...)`: the schema it searches.
fn searched(expression: &str) -> Option<(String, BTreeSet<String>, String)> {
    let schema = expression.split_once("'{")?.1.split_once('}')?.0;
    let mut parts = schema.split(',').map(|part| part.trim().trim_matches('"'));
    let namespace = parts.next()?.to_owned();
    let dimensions = parts.map(str::to_owned).collect();
    let name = expression.split_once("MetricName=\"")?.1.split_once('"')?.0;
    Some((namespace, dimensions, name.to_owned()))
}

fn widget_uses(body: &Json) -> Vec<Use> {
    let mut uses = Vec::new();
    for widget in body["widgets"].as_array().into_iter().flatten() {
        let title = widget["properties"]["title"].as_str().unwrap_or_default();
        for line in widget["properties"]["metrics"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let items = line.as_array().cloned().unwrap_or_default();
            let place = format!("widget {title:?}");
            if let Some(expression) = items.first().and_then(|item| item["expression"].as_str()) {
                let (namespace, dimensions, name) = searched(expression)
                    .unwrap_or_else(|| panic!("{place}: an expression other than SEARCH"));
                uses.push(Use {
                    place,
                    namespace,
                    name,
                    dimensions,
                });
                continue;
            }
            let strings: Vec<&str> = items.iter().map_while(Json::as_str).collect();
            let [namespace, name, pairs @ ..] = strings.as_slice() else {
                panic!("{place}: a metric line without namespace and name: {line}");
            };
            uses.push(Use {
                place,
                namespace: (*namespace).to_owned(),
                name: (*name).to_owned(),
                dimensions: pairs.iter().step_by(2).map(|&d| d.to_owned()).collect(),
            });
        }
    }
    uses
}

fn all_uses(template: &Yaml) -> Vec<Use> {
    resources(template)
        .flat_map(|(name, kind, resource)| match kind {
            "AWS::CloudWatch::Alarm" => alarm_uses(name, resource),
            "AWS::CloudWatch::Dashboard" => widget_uses(&dashboard_body(resource)),
            _ => Vec::new(),
        })
        .collect()
}

/// What is wrong with each use: an unknown metric, or one split by dimensions it lacks.
fn mistakes(uses: &[Use]) -> Vec<String> {
    uses.iter()
        .filter_map(|using| {
            let known: Vec<BTreeSet<String>> = if using.namespace == NAMESPACE {
                metric::ALL
                    .iter()
                    .filter(|metric| metric.name == using.name)
                    .map(|metric| metric.dimension.iter().map(|&d| d.to_owned()).collect())
                    .collect()
            } else {
                AWS_METRICS
                    .iter()
                    .filter(|(namespace, name, _)| {
                        *namespace == using.namespace && *name == using.name
                    })
                    .flat_map(|(_, _, sets)| sets.iter())
                    .map(|set| set.iter().map(|&d| d.to_owned()).collect())
                    .collect()
            };
            let what = format!("{}: {}/{}", using.place, using.namespace, using.name);
            if known.is_empty() {
                Some(format!("{what} is a metric neither Carebook nor AWS emits"))
            } else if !known.contains(&using.dimensions) {
                Some(format!(
                    "{what} by {:?}, which it is not published by ({known:?})",
                    using.dimensions
                ))
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn alarms_and_widgets_name_only_metrics_carebook_or_aws_emits() {
    let uses = all_uses(&template());
    assert!(
        uses.len() > 40,
        "the alarms and the dashboard were read: {uses:?}"
    );
    assert_eq!(mistakes(&uses), Vec::<String>::new());
}

#[test]
fn a_misspelt_metric_or_a_missing_dimension_is_reported() {
    let alarms: Yaml = serde_yaml_ng::from_str(
        "Resources:
          Typo:
            Type: AWS::CloudWatch::Alarm
            Properties: {Namespace: Carebook, MetricName: DeadLetter, Dimensions: [{Name: Consumer, Value: analytics}]}
          Unsplit:
            Type: AWS::CloudWatch::Alarm
            Properties: {Namespace: Carebook, MetricName: DeadLetters}
          WrongDimension:
            Type: AWS::CloudWatch::Alarm
            Properties: {Namespace: AWS/Lambda, MetricName: OffsetLag, Dimensions: [{Name: Function, Value: x}]}",
    )
    .expect("YAML");
    let found = mistakes(&all_uses(&alarms));
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0].contains("Typo") && found[0].contains("neither"),
        "{found:?}"
    );
}

#[test]
fn the_dashboard_shows_every_metric_carebook_emits() {
    let template = template();
    let (_, _, dashboard) = resources(&template)
        .find(|(_, kind, _)| *kind == "AWS::CloudWatch::Dashboard")
        .expect("a dashboard");
    let shown: BTreeSet<String> = widget_uses(&dashboard_body(dashboard))
        .into_iter()
        .filter(|using| using.namespace == NAMESPACE)
        .map(|using| using.name)
        .collect();
    let missing: Vec<&str> = metric::ALL
        .iter()
        .map(|metric| metric.name)
        .filter(|name| !shown.contains(*name))
        .collect();
    assert_eq!(missing, Vec::<&str>::new(), "metrics no widget shows");
}

#[test]
fn every_kafka_triggered_function_has_a_lag_alarm() {
    let template = template();
    let lag_alarmed: BTreeSet<&str> = resources(&template)
        .filter(|(_, kind, alarm)| {
            *kind == "AWS::CloudWatch::Alarm" && alarm["Properties"]["MetricName"] == "OffsetLag"
        })
        .flat_map(|(_, _, alarm)| {
            alarm["Properties"]["Dimensions"]
                .as_sequence()
                .into_iter()
                .flatten()
        })
        .filter_map(|dimension| text(&dimension["Value"]))
        .collect();
    let kafka_triggered: BTreeSet<&str> = resources(&template)
        .filter(|(_, _, function)| {
            function["Properties"]["Events"]
                .as_mapping()
                .into_iter()
                .flatten()
                .any(|(_, event)| event["Type"] == "MSK")
        })
        .map(|(name, _, _)| name)
        .collect();
    assert!(!kafka_triggered.is_empty());
    assert_eq!(lag_alarmed, kafka_triggered);
}

#[test]
fn every_function_may_export_its_spans() {
    let template = template();
    let roles: BTreeSet<String> = resources(&template)
        .find(|(name, _, _)| *name == "TraceExportPolicy")
        .expect("TraceExportPolicy")
        .2["Properties"]["Roles"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|role| text(role).map(str::to_owned))
        .collect();
    let functions: BTreeSet<String> = resources(&template)
        .filter(|(_, kind, _)| *kind == "AWS::Serverless::Function")
        .map(|(name, _, _)| format!("{name}Role"))
        .collect();
    assert_eq!(roles, functions);
}

/// `docs/dashboard.md`: the dashboard's widgets and what each shows, for readers without an
/// AWS account (regenerate with `UPDATE_DASHBOARD=1 cargo test -p carebook-telemetry`).
#[test]
fn the_dashboard_listing_is_up_to_date() {
    let template = template();
    let (_, _, dashboard) = resources(&template)
        .find(|(_, kind, _)| *kind == "AWS::CloudWatch::Dashboard")
        .expect("a dashboard");
    let listing = listing(&dashboard_body(dashboard));
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/dashboard.md");
    if std::env::var_os("UPDATE_DASHBOARD").is_some() {
        std::fs::write(&path, &listing).expect("docs/dashboard.md written");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == listing,
        "docs/dashboard.md is out of date: run UPDATE_DASHBOARD=1 cargo test -p carebook-telemetry"
    );
}

fn listing(body: &Json) -> String {
    let mut out = String::from(
        "# The CloudWatch dashboard\n\nGenerated from `infra/template.yaml` by \
         `shared/telemetry/tests/template.rs`; the grid is CloudWatch's, 24 columns wide.\n",
    );
    let mut rows: BTreeMap<(i64, i64), &Json> = BTreeMap::new();
    for widget in body["widgets"].as_array().into_iter().flatten() {
        rows.insert(
            (
                widget["y"].as_i64().unwrap_or_default(),
                widget["x"].as_i64().unwrap_or_default(),
            ),
            widget,
        );
    }
    for ((y, x), widget) in rows {
        let properties = &widget["properties"];
        let width = widget["width"].as_i64().unwrap_or_default();
        match widget["type"].as_str() {
            Some("text") => {}
            Some("alarm") => {
                let alarms = properties["alarms"].as_array().map_or(0, Vec::len);
                let _ = write!(
                    out,
                    "\n## Alarms (row {y}, full width)\n\nThe state of all {alarms} alarms.\n"
                );
            }
            _ => {
                let title = properties["title"].as_str().unwrap_or_default();
                let stat = properties["stat"].as_str().unwrap_or_default();
                let period = properties["period"].as_i64().unwrap_or_default();
                let _ = write!(
                    out,
                    "\n## {title} (row {y}, column {x}, {width} wide)\n\n{stat} over {period} s unless a line says otherwise.\n\n"
                );
                for line in properties["metrics"].as_array().into_iter().flatten() {
                    let items = line.as_array().cloned().unwrap_or_default();
                    let options = items.iter().find(|item| item.is_object());
                    let shown = match options.and_then(|o| o["expression"].as_str()) {
                        Some(expression) => format!("`{expression}`"),
                        None => {
                            let strings: Vec<&str> =
                                items.iter().filter_map(Json::as_str).collect();
                            let dimensions: Vec<String> =
                                strings[2..].chunks(2).map(|pair| pair.join("=")).collect();
                            format!("{} {} {}", strings[0], strings[1], dimensions.join(" "))
                        }
                    };
                    let label = options
                        .and_then(|o| o["label"].as_str())
                        .filter(|label| !label.is_empty())
                        .map(|label| format!("{label}: "))
                        .unwrap_or_default();
                    let stat = options
                        .and_then(|o| o["stat"].as_str())
                        .map(|stat| format!(" ({stat})"))
                        .unwrap_or_default();
                    let _ = writeln!(out, "- {label}{}{stat}", shown.trim_end());
                }
            }
        }
    }
    out
}
