import { Link } from "react-router";

import { PageHeader } from "../ui/PageHeader";
import { strings } from "../strings";

/** An address no page answers, or a thing the API does not show this person: say so, and
 * lead back to where the person starts. */
export function NotFound({
  title = strings.notFoundPage.title,
  lead = strings.notFoundPage.lead,
}: {
  title?: string;
  lead?: string;
}) {
  return (
    <section aria-labelledby="not-found-title">
      <PageHeader id="not-found-title" title={title} lead={lead} />
      <Link className="button" to="/">
        {strings.notFoundPage.back}
      </Link>
    </section>
  );
}
