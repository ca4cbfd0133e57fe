import type { components } from "./schema";

type Schemas = components["schemas"];

export type Appointment = Schemas["Appointment"];
export type Availability = Schemas["Availability"];
export type DaySlots = Schemas["DaySlots"];
export type Slot = Schemas["Slot"];
export type DoctorListing = Schemas["DoctorListing"];
export type NextFree = Schemas["NextFree"];
export type Specialty = Schemas["Specialty"];
export type DoctorHours = Schemas["DoctorHours"];
export type HoursSpan = Schemas["HoursSpan"];
export type DayName = Schemas["DayName"];
export type Profile = Schemas["Profile"];
export type Notification = Schemas["Notification"];
export type NotificationStatus = Schemas["NotificationStatus"];
export type Summary = Schemas["Summary"];
export type Daily = Schemas["Daily"];
export type Problem = Schemas["Problem"];
export type Priority = Schemas["Priority"];
export type AppointmentStatus = Schemas["AppointmentStatus"];
export type Role = Schemas["Role"];
export type BookBody = Schemas["BookBody"];
export type NewUserBody = Schemas["NewUserBody"];
export type PatchBody = Schemas["PatchBody"];
export type DoctorLoad = Schemas["DoctorLoad"];
