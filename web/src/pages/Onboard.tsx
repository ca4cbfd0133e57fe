import { type SyntheticEvent, useState } from "react";

import { fieldErrors } from "../api/fieldErrors";
import type { Role } from "../api/types";
import { useCreateUser } from "../api/users";
import { describedBy, Field } from "../components/Feedback";
import { strings } from "../strings";
import { Alert } from "../ui/Alert";
import { PageHeader } from "../ui/PageHeader";

const EMPTY = { email: "", first_name: "", last_name: "", password: "", specialty: "" };

/** An admin creates a doctor or patient in Keycloak and Carebook (admins are made in Keycloak). */
export function Onboard() {
  const [form, setForm] = useState(EMPTY);
  const [role, setRole] = useState<Role>("doctor");
  const create = useCreateUser();
  const { fields, form: problem } = fieldErrors(create.error);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    create.mutate(
      {
        email: form.email,
        first_name: form.first_name,
        last_name: form.last_name,
        password: form.password,
        role,
        ...(role === "doctor" && form.specialty.trim() ? { specialty: form.specialty } : {}),
      },
      {
        onSuccess: () => {
          setForm(EMPTY);
        },
      },
    );
  };
  const input = (name: keyof typeof EMPTY, label: string, type = "text", hint?: string) => (
    <Field id={`onboard-${name}`} label={label} hint={hint} error={fields[name]}>
      <input
        id={`onboard-${name}`}
        type={type}
        value={form[name]}
        autoComplete="off"
        onChange={(event) => {
          setForm({ ...form, [name]: event.target.value });
        }}
        {...describedBy(`onboard-${name}`, fields[name], hint)}
      />
    </Field>
  );
  return (
    <form className="form" onSubmit={submit} aria-labelledby="onboard-title" noValidate>
      <PageHeader id="onboard-title" title={strings.onboard.title} lead={strings.onboard.lead} />
      {input("email", strings.onboard.email, "email")}
      {input("first_name", strings.onboard.firstName)}
      {input("last_name", strings.onboard.lastName)}
      <Field id="onboard-role" label={strings.onboard.role} error={fields.role}>
        <select
          id="onboard-role"
          value={role}
          onChange={(event) => {
            const value = event.target.value;
            setRole(value === "patient" ? value : "doctor");
          }}
        >
          <option value="doctor">{strings.onboard.roles.doctor}</option>
          <option value="patient">{strings.onboard.roles.patient}</option>
        </select>
      </Field>
      {role === "doctor"
        ? input("specialty", strings.onboard.specialty, "text", strings.onboard.specialtyHint)
        : null}
      {input("password", strings.onboard.password, "password", strings.onboard.passwordHint)}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      {create.isSuccess ? (
        <Alert tone="success" announce>
          {strings.onboard.created(create.data.email ?? "")}
        </Alert>
      ) : null}
      <button type="submit" disabled={create.isPending}>
        {strings.onboard.submit}
      </button>
    </form>
  );
}
