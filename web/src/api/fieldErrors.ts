import { strings } from "../strings";
import { ApiProblem } from "./problem";

/** The field errors of a failed mutation (`errors` of a 400), keyed by request field; what
 * names no field goes to `form`. */
export function fieldErrors(error: unknown): { fields: Record<string, string>; form?: string } {
  if (!error) return { fields: {} };
  if (!(error instanceof ApiProblem)) return { fields: {}, form: strings.errors.generic };
  const fields = error.fieldErrors;
  return Object.keys(fields).length > 0 ? { fields } : { fields, form: error.message };
}
