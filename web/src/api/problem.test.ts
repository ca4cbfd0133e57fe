import { describe, expect, it } from "vitest";

import { fieldErrors } from "./fieldErrors";
import { ApiProblem, unwrap } from "./problem";

describe("unwrap", () => {
  it("turns a problem+json into an ApiProblem with its slug, fields and extensions", () => {
    const error = {
      type: "urn:carebook:problem:stale-version",
      title: "The appointment changed since you read it",
      status: 412,
      detail: "you sent version 1; it is now version 2: read it again",
      current_version: 2,
    };

    const thrown = (() => {
      try {
        unwrap({ error, response: new Response(null, { status: 412 }) });
      } catch (caught) {
        return caught;
      }
    })();

    expect(thrown).toBeInstanceOf(ApiProblem);
    const problem = thrown as ApiProblem;
    expect(problem.slug).toBe("stale-version");
    expect(problem.status).toBe(412);
    expect(problem.extension("current_version")).toBe(2);
    expect(problem.message).toMatch(/read it again/);
  });

  it("stands in for an answer that is not a problem, such as API Gateway's own", () => {
    expect(() =>
      unwrap({
        error: { message: "Unauthorized" },
        response: new Response(null, { status: 401, statusText: "Unauthorized" }),
      }),
    ).toThrow("Unauthorized");
  });
});

describe("fieldErrors", () => {
  it("splits a 400's field errors from problems that name no field", () => {
    const validation = new ApiProblem(400, {
      type: "urn:carebook:problem:validation",
      title: "The request is invalid",
      status: 400,
      errors: { phone: "must be an E.164 number" },
    });
    const conflict = new ApiProblem(409, {
      type: "urn:carebook:problem:email-taken",
      title: "A user with this email exists",
      status: 409,
    });

    expect(fieldErrors(validation)).toEqual({ fields: { phone: "must be an E.164 number" } });
    expect(fieldErrors(conflict)).toEqual({ fields: {}, form: "A user with this email exists" });
    expect(fieldErrors(null)).toEqual({ fields: {} });
  });
});
