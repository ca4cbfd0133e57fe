-- One row per (event, recipient): the unique constraint is what makes a redelivered event
-- send no second email (SPEC §5). `pending` rows are being sent or will be retried; `failed`
-- rows were refused by SES for good and are not retried.
create table notifications (
    id              uuid primary key,
    event_id        uuid not null,
    event_type      text not null,
    recipient_id    uuid not null,
    recipient_email text not null,
    template        text not null,
    subject         text not null,
    status          text not null default 'pending'
                    constraint notifications_status check (status in ('pending', 'sent', 'failed')),
    ses_message_id  text,
    failure         text,
    attempts        integer not null default 0,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint notifications_once unique (event_id, recipient_id)
);

create index notifications_by_recipient on notifications (recipient_id, created_at desc, id);
create index notifications_latest on notifications (created_at desc, id);
