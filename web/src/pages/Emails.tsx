import { useQuery } from "@tanstack/react-query";

import { useApi } from "../api/ApiContext";
import { notificationQueries } from "../api/notifications";
import { Empty, ErrorNotice, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { formatDateTime } from "../time";

/** The emails Carebook sent to the caller (an admin: to everyone), newest first. */
export function Emails() {
  const { client, timeZone } = useApi();
  const emails = useQuery(notificationQueries.latest(client));
  if (emails.isPending) return <Loading />;
  if (emails.error) return <ErrorNotice error={emails.error} />;
  return (
    <section aria-labelledby="emails-title">
      <h2 id="emails-title">{strings.emails.title}</h2>
      {emails.data.items.length === 0 ? <Empty /> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">{strings.emails.sent}</th>
            <th scope="col">{strings.emails.subject}</th>
            <th scope="col">{strings.emails.status}</th>
          </tr>
        </thead>
        <tbody>
          {emails.data.items.map((email) => (
            <tr key={email.id}>
              <td>{formatDateTime(email.created_at, timeZone)}</td>
              <td>{email.subject}</td>
              <td>{strings.emails.statuses[email.status]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
