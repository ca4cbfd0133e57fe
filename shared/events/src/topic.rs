use std::fmt;

/// A Kafka topic Carebook publishes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// `appointment-events`, keyed by appointment id.
    AppointmentEvents,
    /// `user-events`, keyed by user id.
    UserEvents,
}

impl Topic {
    /// Every topic, as the local stack creates them.
    pub const ALL: [Topic; 2] = [Topic::AppointmentEvents, Topic::UserEvents];

    /// The topic's name on the broker.
    pub fn name(self) -> &'static str {
        match self {
            Topic::AppointmentEvents => "appointment-events",
            Topic::UserEvents => "user-events",
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
