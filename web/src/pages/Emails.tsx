import { useQuery } from "@tanstack/react-query";

import { useApi } from "../api/ApiContext";
import { notificationQueries } from "../api/notifications";
import type { Notification, NotificationStatus } from "../api/types";
import { ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { formatDateTime } from "../time";
import { Badge, type Tone } from "../ui/Badge";
import { DataTable } from "../ui/DataTable";
import { EmptyState } from "../ui/EmptyState";
import { PageHeader } from "../ui/PageHeader";

const TONES: Record<NotificationStatus, Tone> = {
  pending: "neutral",
  sending: "info",
  sent: "success",
  failed: "danger",
  skipped: "warning",
  unknown: "warning",
};

/** The emails Carebook sent to the caller (an admin: to everyone), newest first. */
export function Emails() {
  const { client, timeZone } = useApi();
  const emails = useQuery(notificationQueries.latest(client));
  return (
    <section aria-labelledby="emails-title">
      <PageHeader id="emails-title" title={strings.emails.title} />
      {emails.isPending ? <Loading /> : null}
      {emails.error ? <ErrorNotice error={emails.error} /> : null}
      {emails.isSuccess && emails.data.items.length === 0 ? (
        <EmptyState message={strings.emails.none} />
      ) : null}
      {emails.isSuccess && emails.data.items.length > 0 ? (
        <DataTable<Notification>
          caption={strings.emails.title}
          columns={[
            {
              header: strings.emails.sent,
              cell: (email) => formatDateTime(email.created_at, timeZone),
            },
            { header: strings.emails.subject, cell: (email) => email.subject },
            {
              header: strings.emails.status,
              cell: (email) => (
                <Badge tone={TONES[email.status]}>{strings.emails.statuses[email.status]}</Badge>
              ),
            },
          ]}
          rows={emails.data.items}
          rowKey={(email) => email.id}
        />
      ) : null}
    </section>
  );
}
