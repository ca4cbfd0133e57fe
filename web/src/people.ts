/** A person's name as the app shows it: first and last, whichever they have. */
export function fullName(person: { first_name?: string | null; last_name?: string | null }) {
  return [person.first_name, person.last_name].filter(Boolean).join(" ");
}
