//! The metrics Carebook's handlers emit, as CloudWatch Embedded Metric Format documents on
//! stdout (CloudWatch turns them into metrics with no API call at run time): every name, unit
//! and dimension in one place, for the code that records them and for the template's alarms
//! and dashboard. <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>

use metrics::Unit;

/// The CloudWatch namespace of every Carebook metric.
pub const NAMESPACE: &str = "Carebook";

/// How a metric is recorded: counted, or a value per occurrence (CloudWatch keeps both as
/// statistics of the values an EMF document lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One metric: its CloudWatch name, unit, the dimension it is split by (if any) and meaning.
#[derive(Clone, Copy, Debug)]
pub struct Metric {
    pub name: &'static str,
    pub kind: Kind,
    pub unit: Unit,
    pub dimension: Option<&'static str>,
    pub meaning: &'static str,
}

/// Appointments changed, by `Change`: `booked`, `rescheduled`, `cancelled`, `completed`.
pub const APPOINTMENTS: Metric = Metric {
    name: "Appointments",
    kind: Kind::Counter,
    unit: Unit::Count,
    dimension: Some("Change"),
    meaning: "appointments booked, rescheduled, cancelled and completed",
};

/// Bookings and moves refused because the slot was taken (409 slot-taken).
pub const SLOT_CLASHES: Metric = Metric {
    name: "SlotClashes",
    kind: Kind::Counter,
    unit: Unit::Count,
    dimension: None,
    meaning: "bookings and moves refused because the slot is taken",
};

/// Requests refused for their credentials, by `Reason` (the problem code, e.g. `token-expired`;
/// `keys-unavailable` when the issuer's keys cannot be fetched).
pub const TOKEN_REFUSALS: Metric = Metric {
    name: "TokenRefusals",
    kind: Kind::Counter,
    unit: Unit::Count,
    dimension: Some("Reason"),
    meaning: "requests refused for their token or roles",
};

/// How old an event is when a consumer processes it, from its CloudEvents `time`.
pub const EVENT_AGE: Metric = Metric {
    name: "EventAge",
    kind: Kind::Histogram,
    unit: Unit::Milliseconds,
    dimension: Some("Consumer"),
    meaning: "time from an event's commit to a consumer processing it",
};

/// Records a consumer gave up on, by `Consumer`.
pub const DEAD_LETTERS: Metric = Metric {
    name: "DeadLetters",
    kind: Kind::Counter,
    unit: Unit::Count,
    dimension: Some("Consumer"),
    meaning: "records sent to a dead-letter topic",
};

/// Emails, by `Outcome`: `sent`, `failed` (SES refused or was unavailable), `skipped`
/// (the address is not verified).
pub const EMAILS: Metric = Metric {
    name: "Emails",
    kind: Kind::Counter,
    unit: Unit::Count,
    dimension: Some("Outcome"),
    meaning: "emails sent, failed and skipped",
};

/// Time from an event's commit to the brokers' acknowledgement of its publish, by
/// `Publisher`: `handler` (after its answer) or `relay` (what handlers left).
pub const OUTBOX_PUBLISH_LATENCY: Metric = Metric {
    name: "OutboxPublishLatency",
    kind: Kind::Histogram,
    unit: Unit::Milliseconds,
    dimension: Some("Publisher"),
    meaning: "time from an event's commit to the brokers acknowledging it",
};

/// Events waiting in an outbox after a relay run, by `Service`.
pub const OUTBOX_PENDING: Metric = Metric {
    name: "OutboxPending",
    kind: Kind::Gauge,
    unit: Unit::Count,
    dimension: Some("Service"),
    meaning: "events waiting to be published after a relay run",
};

/// Age of the oldest event waiting in an outbox after a relay run, by `Service`; 0 when none
/// waits.
pub const OUTBOX_OLDEST_AGE: Metric = Metric {
    name: "OutboxOldestAge",
    kind: Kind::Gauge,
    unit: Unit::Seconds,
    dimension: Some("Service"),
    meaning: "age of the oldest event waiting to be published after a relay run",
};

/// Lambda execution environments started, by `Function`.
pub const COLD_STARTS: Metric = Metric {
    name: "ColdStarts",
    kind: Kind::Counter,
    unit: Unit::Count,
    dimension: Some("Function"),
    meaning: "execution environments started",
};

/// Every metric Carebook emits.
pub const ALL: [Metric; 10] = [
    APPOINTMENTS,
    SLOT_CLASHES,
    TOKEN_REFUSALS,
    EVENT_AGE,
    DEAD_LETTERS,
    EMAILS,
    OUTBOX_PUBLISH_LATENCY,
    OUTBOX_PENDING,
    OUTBOX_OLDEST_AGE,
    COLD_STARTS,
];

impl Metric {
    /// Counts one occurrence, split by `value` of the metric's dimension, if it has one.
    pub fn count(&self, value: Option<&'static str>) {
        match (self.dimension, value) {
            (Some(dimension), Some(value)) => {
                metrics::counter!(self.name, dimension => value).increment(1);
            }
            _ => metrics::counter!(self.name).increment(1),
        }
    }

    /// Sets the metric to `amount`, split by `value` of the metric's dimension, if it has one.
    pub fn set(&self, amount: f64, value: Option<&'static str>) {
        match (self.dimension, value) {
            (Some(dimension), Some(value)) => {
                metrics::gauge!(self.name, dimension => value).set(amount);
            }
            _ => metrics::gauge!(self.name).set(amount),
        }
    }

    /// Records one value, split by `value` of the metric's dimension, if it has one.
    pub fn record(&self, amount: f64, value: Option<&'static str>) {
        match (self.dimension, value) {
            (Some(dimension), Some(value)) => {
                metrics::histogram!(self.name, dimension => value).record(amount);
            }
            _ => metrics::histogram!(self.name).record(amount),
        }
    }
}

/// Tells the installed recorder every metric's unit.
pub(crate) fn describe_all() {
    for metric in ALL {
        match metric.kind {
            Kind::Counter => metrics::describe_counter!(metric.name, metric.unit, metric.meaning),
            Kind::Gauge => metrics::describe_gauge!(metric.name, metric.unit, metric.meaning),
            Kind::Histogram => {
                metrics::describe_histogram!(metric.name, metric.unit, metric.meaning);
            }
        }
    }
}
