import { Link } from "react-router";

import { PageHeader } from "../ui/PageHeader";
import { strings } from "../strings";

/** An address no page answers: say so, and lead back to where the person starts. */
export function NotFound() {
  return (
    <section aria-labelledby="not-found-title">
      <PageHeader
        id="not-found-title"
        title={strings.notFoundPage.title}
        lead={strings.notFoundPage.lead}
      />
      <Link className="button" to="/">
        {strings.notFoundPage.back}
      </Link>
    </section>
  );
}
