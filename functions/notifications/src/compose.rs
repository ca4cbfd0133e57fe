//! What each event tells whom, rendered from the templates in `templates/`.

use askama::Template;
use carebook_events::{AppointmentSnapshot, Event, Participant, Priority, Slot};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

/// An email to one recipient about one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub recipient_id: Uuid,
    pub to: String,
    /// Whether Keycloak verified `to`: the clinic emails verified addresses only.
    pub verified: bool,
    /// Which message this is (`booking-confirmation`, `new-booking`, ...).
    pub template: &'static str,
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "email.html")]
struct Html<'a> {
    subject: &'a str,
    name: &'a str,
    lead: &'a str,
    details: &'a [(&'a str, String)],
    closing: &'a str,
}

#[derive(Template)]
#[template(path = "email.txt")]
struct Text<'a> {
    name: &'a str,
    lead: &'a str,
    details: &'a [(&'a str, String)],
    closing: &'a str,
}

/// One message before rendering.
struct Draft {
    to: Participant,
    template: &'static str,
    subject: String,
    lead: String,
    details: Vec<(&'static str, String)>,
    closing: &'static str,
}

/// The emails `event` calls for, with times shown in `time_zone`; none for event types
/// that need no email, and none to someone without an address. Fails (for good) when a
/// template does not render.
pub fn compose(event: &Event, time_zone: Tz) -> Result<Vec<Email>, &'static str> {
    let when = |slot: Slot| format_slot(slot, time_zone);
    let drafts = match event {
        Event::AppointmentCreated(event) => {
            let a = &event.appointment;
            vec![
                Draft {
                    to: a.patient.clone(),
                    template: "booking-confirmation",
                    subject: "Your appointment is booked".to_owned(),
                    lead: format!("Your appointment with {} is booked.", a.doctor.name),
                    details: details(a, &when),
                    closing: "If you cannot come, please cancel it in Carebook so someone else can have the slot.",
                },
                Draft {
                    to: a.doctor.clone(),
                    template: "new-booking",
                    subject: with_priority(a, "New appointment"),
                    lead: format!("{} booked an appointment with you.", a.patient.name),
                    details: details(a, &when),
                    closing: "It is in your schedule in Carebook.",
                },
            ]
        }
        Event::AppointmentRescheduled(event) => {
            let a = &event.appointment;
            let lead = format!(
                "The appointment of {} moved to {}.",
                when(event.previous),
                when(slot(a))
            );
            to_both(
                a,
                "rescheduled",
                "Your appointment has moved",
                &lead,
                &when,
                "See Carebook for details.",
            )
        }
        Event::AppointmentCancelled(event) => {
            let a = &event.appointment;
            let lead = format!("The appointment of {} is cancelled.", when(slot(a)));
            to_both(
                a,
                "cancelled",
                "Your appointment is cancelled",
                &lead,
                &when,
                "A new one can be booked in Carebook at any time.",
            )
        }
        Event::AppointmentCompleted(event) => {
            let a = &event.appointment;
            vec![Draft {
                to: a.patient.clone(),
                template: "completed",
                subject: "Thank you for your visit".to_owned(),
                lead: format!("Your appointment with {} is complete.", a.doctor.name),
                details: details(a, &when),
                closing: "We wish you well.",
            }]
        }
        Event::UserRegistered(event) => {
            let user = &event.user;
            let name = [user.first_name.as_deref(), user.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let name = if name.is_empty() {
                user.username
                    .clone()
                    .unwrap_or_else(|| "Carebook user".to_owned())
            } else {
                name
            };
            vec![Draft {
                to: Participant {
                    id: user.user_id,
                    name,
                    email: user.email.clone(),
                    email_verified: user.email_verified,
                },
                template: "welcome",
                subject: "Welcome to Carebook".to_owned(),
                lead: "Your Carebook account is ready.".to_owned(),
                details: Vec::new(),
                closing: "Sign in to find a doctor and book an appointment.",
            }]
        }
        // SPEC §1 emails people about their appointments; a profile change is not one.
        Event::UserUpdated(_) => Vec::new(),
    };
    drafts.into_iter().filter_map(render).collect()
}

fn to_both(
    a: &AppointmentSnapshot,
    template: &'static str,
    subject: &str,
    lead: &str,
    when: &impl Fn(Slot) -> String,
    closing: &'static str,
) -> Vec<Draft> {
    [&a.patient, &a.doctor]
        .into_iter()
        .map(|to| Draft {
            to: to.clone(),
            template,
            subject: with_priority(a, subject),
            lead: lead.to_owned(),
            details: details(a, when),
            closing,
        })
        .collect()
}

fn slot(a: &AppointmentSnapshot) -> Slot {
    Slot {
        starts_at: a.starts_at,
        ends_at: a.ends_at,
    }
}

fn with_priority(a: &AppointmentSnapshot, subject: &str) -> String {
    match a.priority {
        Priority::Emergency => format!("[Emergency] {subject}"),
        Priority::Normal => subject.to_owned(),
    }
}

fn details(a: &AppointmentSnapshot, when: &impl Fn(Slot) -> String) -> Vec<(&'static str, String)> {
    vec![
        ("When", when(slot(a))),
        ("Doctor", a.doctor.name.clone()),
        ("Patient", a.patient.name.clone()),
        ("Length", format!("{} minutes", a.duration_minutes)),
    ]
}

fn format_slot(slot: Slot, time_zone: Tz) -> String {
    let local = |time: DateTime<Utc>| time.with_timezone(&time_zone);
    format!(
        "{} to {} ({})",
        local(slot.starts_at).format("%A %-d %B %Y, %H:%M"),
        local(slot.ends_at).format("%H:%M"),
        time_zone.name()
    )
}

/// The email of `draft`, or `None` when its recipient has no address.
fn render(draft: Draft) -> Option<Result<Email, &'static str>> {
    let to = draft.to.email.clone()?;
    let html = Html {
        subject: &draft.subject,
        name: &draft.to.name,
        lead: &draft.lead,
        details: &draft.details,
        closing: draft.closing,
    }
    .render();
    let text = Text {
        name: &draft.to.name,
        lead: &draft.lead,
        details: &draft.details,
        closing: draft.closing,
    }
    .render();
    Some(match (html, text) {
        (Ok(html), Ok(text)) => Ok(Email {
            recipient_id: draft.to.id,
            to,
            verified: draft.to.email_verified,
            template: draft.template,
            subject: draft.subject,
            html,
            text,
        }),
        _ => Err("the email could not be rendered"),
    })
}

#[cfg(test)]
mod tests {
    use carebook_events::{AppointmentCreated, AppointmentStatus};

    use super::*;

    fn booking(patient_email: Option<&str>) -> Event {
        let starts_at = DateTime::parse_from_rfc3339("2030-03-04T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        Event::AppointmentCreated(AppointmentCreated {
            appointment: AppointmentSnapshot {
                appointment_id: Uuid::nil(),
                patient: Participant {
                    id: Uuid::from_u128(1),
                    name: "Ada <Lovelace>".into(),
                    email: patient_email.map(str::to_owned),
                    email_verified: true,
                },
                doctor: Participant {
                    id: Uuid::from_u128(2),
                    name: "Grace House".into(),
                    email: Some("grace@carebook.test".into()),
                    email_verified: true,
                },
                starts_at,
                ends_at: starts_at + chrono::Duration::minutes(30),
                duration_minutes: 30,
                priority: Priority::Emergency,
                status: AppointmentStatus::Scheduled,
                version: 1,
            },
        })
    }

    #[test]
    fn a_booking_emails_the_patient_and_the_doctor_in_the_clinic_time_zone() {
        let emails = compose(
            &booking(Some("ada@carebook.test")),
            chrono_tz::Europe::Berlin,
        )
        .unwrap();

        assert_eq!(emails.len(), 2);
        assert_eq!(
            (emails[0].template, emails[0].to.as_str()),
            ("booking-confirmation", "ada@carebook.test")
        );
        assert_eq!(emails[1].subject, "[Emergency] New appointment");
        assert!(
            emails[0]
                .text
                .contains("Monday 4 March 2030, 10:00 to 10:30 (Europe/Berlin)"),
            "{}",
            emails[0].text
        );
    }

    #[test]
    fn names_are_escaped_in_html_and_plain_in_text() {
        let emails = compose(&booking(Some("ada@carebook.test")), Tz::UTC).unwrap();

        assert!(
            emails[0].html.contains("Dear Ada &#60;Lovelace&#62;")
                || emails[0].html.contains("Dear Ada &lt;Lovelace&gt;"),
            "{}",
            emails[0].html
        );
        assert!(emails[0].text.contains("Dear Ada <Lovelace>"));
    }

    #[test]
    fn nobody_without_an_address_is_emailed() {
        let emails = compose(&booking(None), Tz::UTC).unwrap();

        assert_eq!(emails.len(), 1);
        assert_eq!(emails[0].template, "new-booking");
    }
}
