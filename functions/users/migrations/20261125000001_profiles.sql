-- A profile per Keycloak user. The id is Keycloak's user id (the token's `sub`): Keycloak owns
-- identity and credentials, this table owns what the clinic knows about the person.
create table profiles (
    id            uuid primary key,
    username      text,
    email         text,
    first_name    text,
    last_name     text,
    phone         text,
    date_of_birth date,
    gender        text constraint profiles_gender check (gender in ('female', 'male', 'other', 'undisclosed')),
    address       text,
    -- Carebook realm roles, copied from the token or set at onboarding.
    roles         text[] not null default '{}',
    specialty     text,
    version       integer not null default 1,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

-- GET /doctors pages through doctors by last name; the partial index holds only doctors.
create index profiles_doctors on profiles ((coalesce(last_name, '')), id) where 'doctor' = any (roles);
