//! The analytics service: consumes appointment and user events into reporting tables and
//! serves the clinic's figures. Only its health handler exists so far.
