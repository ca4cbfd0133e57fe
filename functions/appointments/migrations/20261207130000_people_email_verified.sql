-- Whether Keycloak verified a person's address (`email_verified` of `user-events`), passed on
-- in appointment events so notifications email verified addresses only. People known from
-- before start unverified: the next `user.updated` about them (their next sign-in to the users
-- service) says otherwise.
alter table people add column email_verified boolean not null default false;
