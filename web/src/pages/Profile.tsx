import { useQuery } from "@tanstack/react-query";
import { type SyntheticEvent, useState } from "react";

import { useApi } from "../api/ApiContext";
import { fieldErrors } from "../api/fieldErrors";
import { useUpdateProfile, userQueries } from "../api/users";
import { describedBy, ErrorNotice, Field, Loading } from "../components/Feedback";
import { strings } from "../strings";
import { Alert } from "../ui/Alert";
import { PageHeader } from "../ui/PageHeader";

interface Draft {
  first_name: string;
  last_name: string;
  phone: string;
}

/** The caller's profile: names and phone. */
export function Profile() {
  const { client } = useApi();
  const profile = useQuery(userQueries.me(client));
  const [draft, setDraft] = useState<Draft | null>(null);
  const current: Draft = draft ?? {
    first_name: profile.data?.first_name ?? "",
    last_name: profile.data?.last_name ?? "",
    phone: profile.data?.phone ?? "",
  };
  const save = useUpdateProfile();
  const { fields, form } = fieldErrors(save.error);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    save.mutate(
      {
        first_name: current.first_name,
        last_name: current.last_name,
        phone: current.phone.trim() ? current.phone.trim() : null,
      },
      {
        onSuccess: () => {
          setDraft(null);
        },
      },
    );
  };
  const input = (name: keyof Draft, label: string, hint?: string) => (
    <Field id={name} label={label} hint={hint} error={fields[name]}>
      <input
        id={name}
        value={current[name]}
        onChange={(event) => {
          setDraft({ ...current, [name]: event.target.value });
        }}
        {...describedBy(name, fields[name], hint)}
      />
    </Field>
  );

  if (profile.isPending) return <Loading />;
  if (profile.error) return <ErrorNotice error={profile.error} />;
  return (
    <form className="form" onSubmit={submit} aria-labelledby="profile-title" noValidate>
      <PageHeader id="profile-title" title={strings.profile.title} lead={profile.data.email} />
      {input("first_name", strings.profile.firstName)}
      {input("last_name", strings.profile.lastName)}
      {input("phone", strings.profile.phone, strings.profile.phoneHint)}
      {form ? <Alert tone="danger">{form}</Alert> : null}
      {save.isSuccess ? (
        <Alert tone="success" announce>
          {strings.profile.saved}
        </Alert>
      ) : null}
      <button type="submit" disabled={save.isPending}>
        {strings.profile.save}
      </button>
    </form>
  );
}
