-- GET /users?q= finds people by the start of their email, first name, last name or full
-- name, case-insensitively; text_pattern_ops lets `like 'prefix%'` use these indexes.
create index profiles_email_prefix on profiles (lower(email) text_pattern_ops);
create index profiles_first_name_prefix on profiles (lower(first_name) text_pattern_ops);
create index profiles_last_name_prefix on profiles (lower(last_name) text_pattern_ops);
create index profiles_full_name_prefix on profiles (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) text_pattern_ops);
-- and pages through them by last name, like the doctor directory.
create index profiles_by_last_name on profiles ((coalesce(last_name, '')), id);
