import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { useApi } from "./ApiContext";
import type { ApiClient } from "./client";
import { doctorKeys } from "./doctors";
import { unwrap } from "./problem";
import type { NewUserBody, PatchBody, Role } from "./types";

const all = ["users"] as const;

/** Query keys of people: the caller's profile and the searches an admin runs. */
export const userKeys = {
  me: () => [...all, "me"] as const,
  person: (id: string) => [...all, "person", id] as const,
  /** Every search: what a newly onboarded person may join. */
  searches: () => [...all, "search"] as const,
  search: (role: Role, q: string) => [...all, "search", { role, q }] as const,
};

export const userQueries = {
  /** The caller's own profile. */
  me: (client: ApiClient) =>
    queryOptions({
      queryKey: userKeys.me(),
      queryFn: async () => unwrap(await client.GET("/users/me")),
    }),
  /** Anyone's profile, for an admin (another person's answers 404 to anyone else). */
  person: (client: ApiClient, id: string) =>
    queryOptions({
      queryKey: userKeys.person(id),
      queryFn: async () => unwrap(await client.GET("/users/{id}", { params: { path: { id } } })),
    }),
  /** The first ten people of `role` whose name or email matches `q`. */
  search: (client: ApiClient, role: Role, q: string) =>
    queryOptions({
      queryKey: userKeys.search(role, q),
      queryFn: async () =>
        unwrap(await client.GET("/users", { params: { query: { role, q, limit: 10 } } })),
    }),
};

/** Changes the caller's profile as a JSON merge patch: `null` clears a field. */
export function useUpdateProfile() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (patch: PatchBody) =>
      unwrap(await client.PATCH("/users/me", { body: patch })),
    onSuccess: async (saved) => {
      queryClient.setQueryData(userKeys.me(), saved);
      // A doctor's name or specialty is in the directory and its list of specialties.
      if (saved.roles.includes("doctor")) {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: doctorKeys.directories() }),
          queryClient.invalidateQueries({ queryKey: doctorKeys.specialties() }),
        ]);
      }
    },
  });
}

/** An admin creates a doctor or a patient, in Keycloak and in Carebook. */
export function useCreateUser() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (user: NewUserBody) => unwrap(await client.POST("/users", { body: user })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: userKeys.searches() }),
        queryClient.invalidateQueries({ queryKey: doctorKeys.directories() }),
        queryClient.invalidateQueries({ queryKey: doctorKeys.specialties() }),
      ]),
  });
}
