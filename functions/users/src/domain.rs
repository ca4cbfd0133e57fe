//! Requests as the users service accepts them: raw bodies are parsed once into these types,
//! collecting every field error, and code past this point never re-checks.

use carebook_auth::Role;
use carebook_http::{FieldErrors, Problem};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

const NAME_MAX: usize = 100;
const ADDRESS_MAX: usize = 500;
const PASSWORD_MIN: usize = 8;
const PASSWORD_MAX: usize = 128;
const EMAIL_MAX: usize = 254;

/// Gender as the clinic records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, sqlx::Type, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum Gender {
    Female,
    Male,
    Other,
    Undisclosed,
}

impl Gender {
    const ALL: [Gender; 4] = [Self::Female, Self::Male, Self::Other, Self::Undisclosed];

    /// The name clients send and read, and the database stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
            Gender::Undisclosed => "undisclosed",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|gender| gender.as_str() == value)
    }
}

/// `PATCH /users/me` as sent: a JSON merge patch, where an absent field stays as it is and
/// `null` clears an optional one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchBody {
    #[schema(min_length = 1, max_length = 100)]
    first_name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    last_name: Option<String>,
    /// E.164, e.g. `+441632960961`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable, pattern = "^\\+[1-9][0-9]{1,14}$")]
    phone: Option<Option<String>>,
    /// 1900-01-01 to today.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    date_of_birth: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Gender>, nullable)]
    gender: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 500)]
    address: Option<Option<String>>,
    /// Doctors only.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 100)]
    specialty: Option<Option<String>>,
}

/// Tells a field given as `null` (`Some(None)`) from an absent one (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A valid change to a profile; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub gender: Option<Option<Gender>>,
    pub address: Option<Option<String>>,
    pub specialty: Option<Option<String>>,
}

/// `POST /users` as sent by an admin.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    #[schema(format = Email, max_length = 254)]
    email: String,
    #[schema(min_length = 1, max_length = 100)]
    first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    last_name: String,
    #[schema(value_type = Role)]
    role: String,
    #[schema(min_length = 8, max_length = 128)]
    password: String,
    /// Keycloak makes the user choose a new password at first sign-in unless this is false.
    password_temporary: Option<bool>,
    /// Doctors only.
    #[schema(min_length = 1, max_length = 100)]
    specialty: Option<String>,
}

/// `GET /users` as sent by an admin.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Only people with this role.
    #[param(value_type = Option<Role>)]
    role: Option<String>,
    /// The start of an email, a first, last or full name; any case.
    #[param(min_length = 1, max_length = 100)]
    q: Option<String>,
}

/// A valid people search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeopleSearch {
    pub role: Option<Role>,
    /// Lower case, with LIKE's wildcards escaped.
    pub prefix: Option<String>,
}

impl TryFrom<SearchQuery> for PeopleSearch {
    type Error = Problem;

    fn try_from(query: SearchQuery) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        let role = query.role.and_then(|role| {
            errors.check(
                "role",
                role.parse::<Role>()
                    .map_err(|_| "must be patient, doctor or admin".to_owned()),
            )
        });
        let prefix = query.q.and_then(|q| {
            errors.check(
                "q",
                text(&q, NAME_MAX).map(|q| {
                    q.to_lowercase()
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                }),
            )
        });
        errors.finish()?;
        Ok(PeopleSearch { role, prefix })
    }
}

/// `GET /doctors?specialty=` as the directory filters by it: a name as a profile may hold it,
/// else a 400 on `specialty` (PostgreSQL refuses a NUL in text, and nothing stored has one).
pub(crate) fn specialty_filter(value: Option<String>) -> Result<Option<String>, Problem> {
    value
        .map(|value| {
            text(&value, NAME_MAX).map_err(|error| Problem::invalid_field("specialty", error))
        })
        .transpose()
}

/// A valid onboarding request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub password: String,
    pub password_temporary: bool,
    pub specialty: Option<String>,
}

fn text(value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        Err("must not be empty".to_owned())
    } else if value.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else if value.chars().any(char::is_control) {
        Err("must not contain control characters".to_owned())
    } else {
        Ok(value.to_owned())
    }
}

/// E.164: `+`, a country code that does not start with 0, at most 15 digits in all.
fn phone(value: &str) -> Result<String, String> {
    let digits = value.strip_prefix('+').unwrap_or_default();
    let valid = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(value.to_owned())
    } else {
        Err("must be an E.164 number such as +441632960961".to_owned())
    }
}

fn date_of_birth(value: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| "must be a date as YYYY-MM-DD".to_owned())?;
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if date > Utc::now().date_naive() || date < earliest {
        return Err("must be between 1900-01-01 and today".to_owned());
    }
    Ok(date)
}

fn email(value: &str) -> Result<String, String> {
    let value = value.trim().to_lowercase();
    let valid = value.len() <= EMAIL_MAX
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(value)
    } else {
        Err("must be an email address".to_owned())
    }
}

fn optional<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<Option<String>>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<Option<T>> {
    match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(value)) => errors.check(field, parse(&value)).map(Some),
    }
}

impl TryFrom<PatchBody> for ProfilePatch {
    type Error = Problem;

    fn try_from(body: PatchBody) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        let first_name = body
            .first_name
            .and_then(|name| errors.check("first_name", text(&name, NAME_MAX)));
        let last_name = body
            .last_name
            .and_then(|name| errors.check("last_name", text(&name, NAME_MAX)));
        let phone = optional(&mut errors, "phone", body.phone, phone);
        let date_of_birth = optional(
            &mut errors,
            "date_of_birth",
            body.date_of_birth,
            date_of_birth,
        );
        let gender = optional(&mut errors, "gender", body.gender, |value| {
            Gender::parse(value)
                .ok_or_else(|| "must be female, male, other or undisclosed".to_owned())
        });
        let address = optional(&mut errors, "address", body.address, |v| {
            text(v, ADDRESS_MAX)
        });
        let specialty = optional(&mut errors, "specialty", body.specialty, |v| {
            text(v, NAME_MAX)
        });
        errors.finish()?;
        Ok(ProfilePatch {
            first_name,
            last_name,
            phone,
            date_of_birth,
            gender,
            address,
            specialty,
        })
    }
}

impl TryFrom<NewUserBody> for NewUser {
    type Error = Problem;

    fn try_from(body: NewUserBody) -> Result<Self, Problem> {
        let mut errors = FieldErrors::default();
        let email = errors.check("email", email(&body.email));
        let first_name = errors.check("first_name", text(&body.first_name, NAME_MAX));
        let last_name = errors.check("last_name", text(&body.last_name, NAME_MAX));
        let role = errors.check(
            "role",
            match body.role.parse::<Role>() {
                // The service account may map patient and doctor alone (fine-grained admin
                // permissions): an API that mints admins is one stolen admin token away from
                // minting many. Admins are made in Keycloak by its administrators (README).
                Ok(Role::Admin) => Err(
                    "must be patient or doctor: admins are created in Keycloak by its administrators"
                        .to_owned(),
                ),
                Ok(role) => Ok(role),
                Err(_) => Err("must be patient or doctor".to_owned()),
            },
        );
        let length = body.password.chars().count();
        if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&length) {
            errors.add(
                "password",
                format!("must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"),
            );
        }
        let specialty = match (&body.specialty, role) {
            (Some(_), Some(role)) if role != Role::Doctor => {
                errors.add("specialty", "only doctors have a specialty");
                None
            }
            (Some(value), _) => errors.check("specialty", text(value, NAME_MAX)),
            (None, _) => None,
        };
        errors.finish()?;
        match (email, first_name, last_name, role) {
            (Some(email), Some(first_name), Some(last_name), Some(role)) => Ok(NewUser {
                email,
                first_name,
                last_name,
                role,
                password: body.password,
                password_temporary: body.password_temporary.unwrap_or(true),
                specialty,
            }),
            _ => Err(Problem::internal()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> Result<ProfilePatch, Problem> {
        ProfilePatch::try_from(serde_json::from_str::<PatchBody>(json).unwrap())
    }

    fn new_user(json: serde_json::Value) -> Result<NewUser, Problem> {
        NewUser::try_from(serde_json::from_value::<NewUserBody>(json).unwrap())
    }

    fn onboarding() -> serde_json::Value {
        serde_json::json!({
            "email": " New.Doctor@Clinic.Example ", "first_name": "Ada", "last_name": "Lovelace",
            "role": "doctor", "password": "s3cret-pass", "specialty": "cardiology"
        })
    }

    #[test]
    fn absent_fields_stay_and_null_fields_clear() {
        let patch = patch(r#"{"first_name":" Ada ","phone":null}"#).unwrap();

        assert_eq!(patch.first_name.as_deref(), Some("Ada"));
        assert_eq!(patch.phone, Some(None));
        assert_eq!(patch.address, None);
    }

    #[test]
    fn every_invalid_field_is_named_at_once() {
        let problem = patch(
            r#"{"first_name":"","phone":"0044 1632","date_of_birth":"1990-02-30","gender":"x","address":""}"#,
        )
        .unwrap_err();

        let fields: Vec<&str> = problem.errors().keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["address", "date_of_birth", "first_name", "gender", "phone"]
        );
    }

    #[test]
    fn a_gender_is_read_and_written_by_the_same_name() {
        for gender in Gender::ALL {
            let name = gender.as_str();

            assert_eq!(serde_json::to_value(gender).unwrap(), name);
            assert_eq!(Gender::parse(name), Some(gender));
        }
        assert_eq!(Gender::parse("Female"), None);
    }

    #[test]
    fn a_phone_number_must_be_e164() {
        assert!(phone("+441632960961").is_ok());
        for bad in [
            "441632960961",
            "+0441632960961",
            "+1",
            "+4416329609610000",
            "+44 1632",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_date_of_birth_in_the_future_is_rejected() {
        let tomorrow = Utc::now().date_naive() + chrono::Days::new(1);

        assert!(date_of_birth(&tomorrow.to_string()).is_err());
        assert!(date_of_birth("1899-12-31").is_err());
        assert!(date_of_birth("1985-07-14").is_ok());
    }

    #[test]
    fn a_name_longer_than_the_limit_is_rejected() {
        let long = "x".repeat(NAME_MAX + 1);

        let problem = patch(&format!(r#"{{"last_name":"{long}"}}"#)).unwrap_err();

        assert!(problem.errors().contains_key("last_name"));
    }

    #[test]
    fn onboarding_normalises_the_email_and_defaults_to_a_temporary_password() {
        let user = new_user(onboarding()).unwrap();

        assert_eq!(user.email, "new.doctor@clinic.example");
        assert_eq!(user.role, Role::Doctor);
        assert!(user.password_temporary);
    }

    #[test]
    fn only_doctors_have_a_specialty() {
        let mut body = onboarding();
        body["role"] = "patient".into();

        let problem = new_user(body).unwrap_err();

        assert!(problem.errors().contains_key("specialty"));
    }

    #[test]
    fn an_unknown_role_a_bad_email_and_a_short_password_are_all_named() {
        let mut body = onboarding();
        body["role"] = "nurse".into();
        body["email"] = "not-an-email".into();
        body["password"] = "short".into();

        let problem = new_user(body).unwrap_err();

        let fields: Vec<&str> = problem.errors().keys().map(String::as_str).collect();
        assert_eq!(fields, ["email", "password", "role"]);
    }

    #[test]
    fn admins_are_not_onboarded_through_the_api() {
        let mut body = onboarding();
        body["role"] = "admin".into();
        body["specialty"] = serde_json::Value::Null;

        let problem = new_user(body).unwrap_err();

        assert!(
            problem.errors()["role"].contains("admins are created in Keycloak"),
            "{:?}",
            problem.errors()
        );
    }

    #[test]
    fn a_search_lowers_its_prefix_escapes_wildcards_and_names_bad_fields() {
        let search = |role: Option<&str>, q: Option<&str>| {
            PeopleSearch::try_from(SearchQuery {
                role: role.map(str::to_owned),
                q: q.map(str::to_owned),
            })
        };

        let found = search(Some("doctor"), Some(" Ada_100% ")).unwrap();
        let problem = search(Some("nurse"), Some("\u{7}")).unwrap_err();

        assert_eq!(found.role, Some(Role::Doctor));
        assert_eq!(found.prefix.as_deref(), Some("ada\\_100\\%"));
        let fields: Vec<&str> = problem.errors().keys().map(String::as_str).collect();
        assert_eq!(fields, ["q", "role"]);
    }

    #[test]
    fn a_specialty_filter_with_a_nul_or_too_long_is_a_400_on_specialty() {
        for value in ["card\0iology", &"a".repeat(101)] {
            let problem = specialty_filter(Some(value.to_owned())).unwrap_err();
            assert!(problem.errors().contains_key("specialty"), "{value:?}");
        }
        assert_eq!(
            specialty_filter(Some(" Cardiology ".to_owned())).unwrap(),
            Some("Cardiology".to_owned())
        );
    }
}
