-- check_doctor_free as before, but finding the time off by its start too, so that the index on
-- (doctor_id, starts_at) narrows the scan a booking makes while it holds its locks: rows of
-- past time off are never deleted, and a range test alone cannot use that index.
create or replace function check_doctor_free(doctor uuid, starts timestamptz, ends timestamptz) returns boolean
language plpgsql volatile
as $$
declare
    closure time_off;
begin
    perform pg_advisory_xact_lock_shared(time_off_lock(null));
    perform pg_advisory_xact_lock_shared(time_off_lock(doctor));
    select * into closure from time_off
    where (doctor_id = doctor or doctor_id is null)
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
