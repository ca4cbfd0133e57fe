//! The appointments service: booking, rescheduling, cancelling and completing appointments,
//! with no double booking and every change published through a transactional outbox.
//! Only its health handler exists so far.
