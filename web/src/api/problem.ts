import { strings } from "../strings";
import type { Problem } from "./types";

/** A refused request: the API's problem+json, or what stood for it when there was none. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title);
    this.status = status;
    this.problem = problem;
  }

  /** The slug of `type`, e.g. `slot-taken`. */
  get slug(): string {
    return this.problem.type.replace("urn:carebook:problem:", "");
  }

  /** Request field -> what is wrong with it. */
  get fieldErrors(): Record<string, string> {
    return this.problem.errors ?? {};
  }

  /** An extension member such as `clashing_slot` or `current_version`. */
  extension(name: string): unknown {
    return (this.problem as Record<string, unknown>)[name];
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.type === "string" && typeof record.title === "string";
}

/** The data of an openapi-fetch result, or an {@link ApiProblem} thrown for its error. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const { data, error, response } = result;
  if (error === undefined && data !== undefined) return data;
  const problem: Problem = isProblem(error)
    ? error
    : {
        type: "urn:carebook:problem:unexpected",
        title: response.statusText || strings.errors.requestFailed,
        status: response.status,
      };
  throw new ApiProblem(response.status, problem);
}
