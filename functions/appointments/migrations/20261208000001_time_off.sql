-- Time a doctor does not see patients (a holiday, a course, an afternoon off), and the days the
-- whole clinic is closed (a public holiday): `doctor_id` null. Instants, half-open [start, end),
-- so a whole day is its local midnight to the next. The note is for staff only.
create table time_off (
    id         uuid primary key,
    doctor_id  uuid references people (id),
    starts_at  timestamptz not null,
    ends_at    timestamptz not null,
    note       text constraint time_off_note check (char_length(note) <= 200),
    created_by uuid not null,
    created_at timestamptz not null default now(),
    constraint time_off_range check (ends_at > starts_at)
);

create index time_off_by_doctor on time_off (doctor_id, starts_at);

-- Whether `doctor` is free of time off and closures over [starts, ends), decided by the
-- database under any concurrency, as the overlap constraints decide double bookings. A booking
-- (or a move) and the time off that covers it must not both commit, and neither statement can
-- see the other's uncommitted row; so bookings take a shared lock on the doctor and on the
-- clinic, time off an exclusive one (`lock_time_off`): bookings of a doctor still run side by
-- side, and a booking and time off over it queue. The check then reads with a fresh snapshot,
-- which a VOLATILE function's every statement takes: time off committed while the booking
-- waited is seen. Raises a check violation naming `appointments_in_time_off` or
-- `appointments_in_closure`, which rolls the booking back; otherwise returns true.
create function check_doctor_free(doctor uuid, starts timestamptz, ends timestamptz) returns boolean
language plpgsql volatile
as $$
declare
    closure time_off;
begin
    perform pg_advisory_xact_lock_shared(time_off_lock(null));
    perform pg_advisory_xact_lock_shared(time_off_lock(doctor));
    select * into closure from time_off
    where (doctor_id = doctor or doctor_id is null)
      -- By start too, so that time_off_by_doctor narrows the scan a booking makes while it holds
      -- its locks: past time off is never deleted, and a range test alone cannot use it.
      and starts_at < ends and ends_at > starts
    order by doctor_id nulls first
    limit 1;
    if found then
        raise exception 'the slot is in % from % to %',
            case when closure.doctor_id is null then 'a clinic closure' else 'the doctor''s time off' end,
            closure.starts_at, closure.ends_at
            using errcode = 'check_violation',
                  constraint = case when closure.doctor_id is null then 'appointments_in_closure'
                                    else 'appointments_in_time_off' end,
                  detail = closure.id::text;
    end if;
    return true;
end
$$;

-- The advisory lock key of a doctor's time off, or of the clinic's closures (`doctor` null).
create function time_off_lock(doctor uuid) returns bigint
language sql immutable parallel safe
return hashtextextended('carebook.time_off:' || coalesce(doctor::text, 'clinic'), 0);

-- Taken by whoever records time off (exclusive): waits for the bookings of the doctor (or of
-- any doctor, for a closure) in flight, and holds new ones until it commits.
create function lock_time_off(doctor uuid) returns void
language sql volatile
return pg_advisory_xact_lock(time_off_lock(doctor));
