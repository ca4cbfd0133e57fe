-- The clinic's limit on a patient's open appointments (scheduled and not yet started), checked
-- by the booking statement before it inserts, and decided by the database under any
-- concurrency. Two bookings of one patient at one below the limit must not both pass, and a
-- count inside the booking statement alone cannot see the other's row: under READ COMMITTED a
-- statement keeps the snapshot it started with, even after waiting for a lock. So this
-- function first locks the patient's directory row (`for no key update`: bookings of one
-- patient queue here, while the foreign keys' `for key share` of other bookings pass), then
-- counts with a fresh snapshot, which a VOLATILE function's every statement takes: a booking
-- committed while this one waited is counted.
--
-- `max_open` null means no limit (an admin booking for a patient); the lock is taken all the
-- same, so a patient's own booking racing an admin's still counts it. Over the limit it
-- raises a check violation naming `appointments_patient_open_limit`, which rolls the whole
-- booking back (its idempotency key included); otherwise it returns true.
create function check_open_appointments(patient uuid, max_open integer) returns boolean
language plpgsql volatile
as $$
declare
    open bigint;
begin
    perform 1 from people where id = patient for no key update;
    select count(*) into open from appointments
    where patient_id = patient and status = 'scheduled' and starts_at > now();
    if open >= max_open then
        raise exception 'the patient has % open appointments; the limit is %', open, max_open
            using errcode = 'check_violation', constraint = 'appointments_patient_open_limit';
    end if;
    return true;
end
$$;
