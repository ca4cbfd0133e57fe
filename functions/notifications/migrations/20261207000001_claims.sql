-- A notification is claimed (`sending`) and the claim committed before SES is called, so a
-- crash or a failed commit after SES took the email can no longer undo the claim and let a
-- redelivery send it again (SPEC §5). `unknown`: a redelivery found a claim whose sender
-- stopped before recording SES's answer; the email may have gone, so it is not sent again.
-- `skipped`: the address is not one Keycloak verified, so it is never emailed.
alter table notifications drop constraint notifications_status;
alter table notifications add constraint notifications_status
    check (status in ('pending', 'sending', 'sent', 'failed', 'skipped', 'unknown'));
