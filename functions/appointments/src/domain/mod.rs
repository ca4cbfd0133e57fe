//! Requests as the appointments service accepts them, and the clinic's rules. Raw bodies and
//! query strings are parsed once into these types, every field error collected into one 400;
//! past this point nothing is re-checked. The rules decide what to write or why not, without
//! a database: the API reads what they need and writes what they return.

mod appointment;
mod availability;
mod booking;
mod caller;
mod changes;
mod fields;
mod hours;
mod refusal;
mod requests;
mod rules;
mod time_off;

pub use appointment::{Appointment, Change, DoctorListing, NewRow, Parties, Person};
pub use availability::{Span, WEEK, WeeklyHours, WorkingHours, first_free_slot, free_slots};
pub use booking::{Booker, book};
pub use caller::Caller;
pub use changes::{cancel, complete, reschedule};
pub use fields::{DurationMinutes, IdempotencyKey, Reason};
pub use hours::{AvailabilityQuery, DayName, DayRange, HoursBody, HoursSpan, NextFreeQuery};
pub use refusal::Refusal;
pub use requests::{
    BookBody, CancelBody, Cancellation, ListFilter, ListQuery, NewAppointment, Reschedule,
    RescheduleBody,
};
pub use rules::BookingRules;
pub use time_off::{NewTimeOff, TimeOff, TimeOffBody};
