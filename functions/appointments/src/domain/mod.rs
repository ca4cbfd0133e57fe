//! Requests as the appointments service accepts them. Raw bodies and query strings are parsed
//! once into these types, every field error collected into one 400; past this point nothing
//! is re-checked.

mod availability;
mod fields;
mod hours;
mod requests;
mod rules;

pub use availability::{Span, WEEK, WeeklyHours, WorkingHours, free_slots};
pub use fields::{DurationMinutes, FieldErrors, IdempotencyKey, Reason};
pub use hours::{AvailabilityQuery, DayName, DayRange, HoursBody, HoursSpan};
pub use requests::{
    BookBody, CancelBody, Cancellation, ListFilter, ListQuery, NewAppointment, Reschedule,
    RescheduleBody,
};
pub use rules::BookingRules;
