-- Events applied, so a redelivered or replayed event counts once (SPEC §5). Written in the
-- same transaction as the event's effect.
create table processed_events (
    event_id     uuid primary key,
    processed_at timestamptz not null default now()
);

-- Each appointment as its latest event describes it. `version` orders events of one
-- appointment: an older event arriving late never overwrites a newer state.
create table appointments (
    id          uuid primary key,
    doctor_id   uuid not null,
    doctor_name text not null,
    patient_id  uuid not null,
    priority    text not null,
    status      text not null,
    starts_at   timestamptz not null,
    ends_at     timestamptz not null,
    version     integer not null,
    booked_at   timestamptz,
    updated_at  timestamptz not null
);

create index appointments_by_doctor on appointments (doctor_id);
create index appointments_latest on appointments (booked_at desc nulls last, id);

-- Per-day counts of what happened, by the day (UTC) of the event.
create table daily_counts (
    day         date primary key,
    created     integer not null default 0,
    rescheduled integer not null default 0,
    cancelled   integer not null default 0,
    completed   integer not null default 0
);

-- Who registered, with which roles.
create table registrations (
    user_id       uuid primary key,
    roles         text[] not null,
    registered_at timestamptz not null
);
