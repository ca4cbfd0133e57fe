-- The exclusion constraints below compare a uuid with `=` inside a GiST index, which needs
-- btree_gist (a trusted extension: the database owner may create it).
create extension if not exists btree_gist;

-- Doctors and patients as this service knows them, from `user-events` (SPEC §2: services
-- learn about each other only from events). `event_time` is the time of the latest event
-- applied, so a late or redelivered older event never overwrites a newer one.
create table people (
    id         uuid primary key,
    roles      text[] not null default '{}',
    username   text,
    email      text,
    first_name text,
    last_name  text,
    specialty  text,
    event_time timestamptz not null
);

-- Events of `user-events` already applied: a redelivery changes nothing (SPEC §5).
create table processed_events (
    event_id     uuid primary key,
    processed_at timestamptz not null default now()
);

create table appointments (
    id               uuid primary key,
    patient_id       uuid not null references people (id),
    doctor_id        uuid not null references people (id),
    starts_at        timestamptz not null,
    ends_at          timestamptz not null,
    duration_minutes smallint not null constraint appointments_duration check (duration_minutes between 5 and 240),
    reason           text not null,
    priority         text not null constraint appointments_priority check (priority in ('normal', 'emergency')),
    status           text not null default 'scheduled'
                     constraint appointments_status check (status in ('scheduled', 'cancelled', 'completed')),
    cancellation_reason text,
    -- Optimistic concurrency: clients send it back in If-Match; every change increments it.
    version          integer not null default 1,
    created_by       uuid not null,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint appointments_slot check (ends_at > starts_at),
    -- No double booking, decided by the database under any concurrency: two scheduled
    -- appointments of one doctor, or of one patient, never overlap. Half-open ranges [start,
    -- end) let one appointment end exactly when the next begins.
    constraint appointments_doctor_no_overlap exclude using gist (
        doctor_id with =, tstzrange(starts_at, ends_at, '[)') with &&
    ) where (status = 'scheduled'),
    constraint appointments_patient_no_overlap exclude using gist (
        patient_id with =, tstzrange(starts_at, ends_at, '[)') with &&
    ) where (status = 'scheduled')
);

-- Keyset pagination by (starts_at, id) for each kind of caller.
create index appointments_by_patient on appointments (patient_id, starts_at, id);
create index appointments_by_doctor on appointments (doctor_id, starts_at, id);
create index appointments_by_start on appointments (starts_at, id);

-- Idempotency-Key on POST: retries of the same request by the same caller get the booking the
-- first one made. The key is claimed first in the booking's transaction, so a concurrent retry
-- waits on it and then replays; the foreign key is checked at commit, once the booking exists.
create table idempotency_keys (
    caller         uuid not null,
    key            text not null,
    request        jsonb not null,
    appointment_id uuid not null references appointments (id) deferrable initially deferred,
    created_at     timestamptz not null default now(),
    primary key (caller, key)
);
