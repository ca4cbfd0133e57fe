-- Whether Keycloak verified the profile's address: the token's `email_verified`, taken on
-- every sign-in to this service together with the address. Profiles from before start
-- unverified until their owner's next call.
alter table profiles add column email_verified boolean not null default false;
