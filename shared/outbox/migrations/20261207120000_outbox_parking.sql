-- An event the brokers refuse for good (too large, topic missing, not authorized) is tried a few
-- times, then parked with the reason, so that it no longer holds back its key (crate
-- carebook-outbox). `outbox_pending` still serves the relay: parked rows are few.
alter table outbox
    add column attempts   integer not null default 0,
    add column last_error text,
    add column parked_at  timestamptz;

-- The relay counts parked rows on every run.
create index outbox_parked on outbox (seq) where parked_at is not null;
