//! The notifications service: emails patients and doctors about their appointments through
//! Amazon SES v2. Only its health handler exists so far.
