//! Requests as the appointments service accepts them. Raw bodies and query strings are parsed
//! once into these types, every field error collected into one 400; past this point nothing
//! is re-checked.

mod availability;
mod fields;
mod requests;

pub use availability::{WorkingHours, free_slots};
pub use fields::{DurationMinutes, FieldErrors, IdempotencyKey, Reason};
pub use requests::{
    BookBody, CancelBody, Cancellation, ListFilter, NewAppointment, Reschedule, RescheduleBody,
};
