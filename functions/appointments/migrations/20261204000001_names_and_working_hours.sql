-- How an appointment names its doctor and patient, in answers and in events alike: their full
-- name, else their user name. One definition, so the API and the emails never disagree.
create function display_name(person people) returns text
language sql immutable parallel safe
return coalesce(nullif(concat_ws(' ', person.first_name, person.last_name), ''), person.username, 'Carebook user');

-- A doctor who set their own working hours; without a row here the clinic's default applies.
-- An empty week (a row here, no hours below) means the doctor takes no bookings.
create table doctor_schedules (
    doctor_id  uuid primary key references people (id),
    version    integer not null default 1,
    updated_by uuid not null,
    updated_at timestamptz not null default now()
);

-- A doctor's weekly hours in the clinic's time zone: any number of spans per ISO weekday
-- (1 = Monday), never overlapping, so a lunch break is two spans.
create table working_hours (
    doctor_id uuid not null references doctor_schedules (doctor_id) on delete cascade,
    weekday   smallint not null constraint working_hours_weekday check (weekday between 1 and 7),
    opens     time not null,
    closes    time not null,
    constraint working_hours_span check (closes > opens),
    constraint working_hours_no_overlap exclude using gist (
        doctor_id with =, weekday with =,
        tsrange('2000-01-01'::date + opens, '2000-01-01'::date + closes, '[)') with &&
    )
);
