-- The transactional outbox (SPEC §4, crate carebook-outbox): an event is written in the same
-- transaction as its change and published afterwards, by the handler or the relay.
create table outbox (
    seq          bigint generated always as identity primary key,
    id           uuid not null constraint outbox_id_key unique,
    topic        text not null,
    key          text not null,
    payload      jsonb not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz
);

-- The relay and the handlers read only what is unpublished, per key, in order.
create index outbox_pending on outbox (key, seq) where published_at is null;
