//! The OpenAPI 3.1 document of Carebook's HTTP API, assembled from each service's operations
//! (their `utoipa::path` attributes and request and response types), so it cannot drift from
//! the code: `openapi.yaml` beside this crate is checked in, and a test fails when it differs
//! from [`document`] (regenerate with `UPDATE_OPENAPI=1 cargo test -p carebook-openapi`).
//!
//! What every operation shares is added here once: the Keycloak security scheme, and the 401,
//! 500 and 503 problems any authenticated operation can answer.

use carebook_http::Health;
use carebook_http::openapi::{
    BodyTooLarge, Forbidden, Internal, Invalid, NotFound, Unauthenticated, Unavailable,
    UnsupportedMediaType,
};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{OpenIdConnect, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr,
    ResponseBuilder, ServerBuilder,
};
use utoipa::{OpenApi as _, PartialSchema, ToResponse, ToSchema};

/// The security scheme every operation names: a Keycloak access token as a bearer token.
pub const SECURITY_SCHEME: &str = "keycloak";

/// The local realm's discovery document; deployed, it is the `KeycloakIssuer` parameter's.
const DISCOVERY_URL: &str =
    "http://127.0.0.1:8080/realms/carebook/.well-known/openid-configuration";

const SERVICES: [(&str, &str); 4] = [
    (
        "users",
        "Profiles, the doctor directory, people search and onboarding",
    ),
    (
        "appointments",
        "Booking, schedules, availability and working hours",
    ),
    ("analytics", "The clinic's figures, for admins"),
    ("notifications", "The emails sent, and their status"),
];

/// The whole document.
pub fn document() -> OpenApi {
    let mut document = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Carebook HTTP API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Clinic appointment booking (SPEC §3). Every error is \
                     `application/problem+json` (RFC 9457) whose `type` is \
                     `urn:carebook:problem:<slug>`; each response lists the slugs it carries. \
                     Lists page by keyset: pass `next_cursor` back as `?cursor=`.",
                ))
                .build(),
        )
        .servers(Some([ServerBuilder::new()
            .url("http://127.0.0.1:9000")
            .description(Some(
                "`make dev`; deployed, the stack's `ApiUrl` output (`make deploy` prints it)",
            ))
            .build()]))
        .tags(Some(SERVICES.map(|(name, description)| {
            TagBuilder::new()
                .name(name)
                .description(Some(description))
                .build()
        })))
        .build();
    document.merge(users::api::ApiDoc::openapi());
    document.merge(appointments::ApiDoc::openapi());
    document.merge(analytics::api::ApiDoc::openapi());
    document.merge(notifications::api::ApiDoc::openapi());
    add_health_checks(&mut document);
    add_shared_responses(&mut document);

    let components = document.components.get_or_insert_with(Default::default);
    let shared = ComponentsBuilder::new()
        .schema(Health::name(), Health::schema())
        .schema("Problem", carebook_http::Problem::schema())
        .response_from::<Invalid>()
        .response_from::<Unauthenticated>()
        .response_from::<Forbidden>()
        .response_from::<NotFound>()
        .response_from::<BodyTooLarge>()
        .response_from::<UnsupportedMediaType>()
        .response_from::<Internal>()
        .response_from::<Unavailable>()
        .security_scheme(
            SECURITY_SCHEME,
            SecurityScheme::OpenIdConnect(OpenIdConnect::with_description(
                DISCOVERY_URL,
                "A Keycloak access token of realm `carebook` as `Authorization: Bearer <token>` \
                 (clients `carebook-web`, Authorization Code with PKCE, and `carebook-cli`).",
            )),
        )
        .build();
    components.schemas.extend(shared.schemas);
    components.responses.extend(shared.responses);
    add_authorizer_answer(components);
    components.security_schemes.extend(shared.security_schemes);
    document
}

/// The document as the YAML checked in as `openapi.yaml`.
pub fn yaml() -> String {
    serde_yaml_ng::to_string(&document()).unwrap_or_default()
}

/// `GET /health/<service>`: unauthenticated, for load balancers and `make dev`.
fn add_health_checks(document: &mut OpenApi) {
    for (service, _) in SERVICES {
        let ok = ResponseBuilder::new()
            .description("The service answers")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(Health::name())))
                    .build(),
            )
            .build();
        let operation = OperationBuilder::new()
            .operation_id(Some(format!("{service}_health")))
            .summary(Some(format!("Whether the {service} service answers")))
            .tag(service)
            .response("200", ok)
            .build();
        document.paths.paths.insert(
            format!("/health/{service}"),
            PathItem::new(HttpMethod::Get, operation),
        );
    }
}

/// Deployed, the HttpApi's JWT authorizer checks the token before any handler and answers a
/// refusal itself, as `{"message": "Unauthorized"}`: a second form of the 401.
fn add_authorizer_answer(components: &mut utoipa::openapi::Components) {
    let Some(RefOr::T(unauthenticated)) =
        components.responses.get_mut(Unauthenticated::response().0)
    else {
        return;
    };
    let message = ObjectBuilder::new()
        .description(Some("API Gateway's own answer (deployed only)"))
        .property("message", ObjectBuilder::new().schema_type(Type::String))
        .required("message");
    unauthenticated.content.insert(
        "application/json".to_owned(),
        ContentBuilder::new().schema(Some(message)).build(),
    );
}

/// 401 and 503 on every operation that needs a token, 500 on every operation.
fn add_shared_responses(document: &mut OpenApi) {
    let reference = |name: &str| RefOr::Ref(Ref::from_response_name(name));
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let responses = &mut operation.responses.responses;
            if secured {
                responses.insert("401".to_owned(), reference(Unauthenticated::response().0));
                responses.insert("503".to_owned(), reference(Unavailable::response().0));
            }
            responses.insert("500".to_owned(), reference(Internal::response().0));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const CHECKED_IN: &str = include_str!("../openapi.yaml");

    #[test]
    fn the_checked_in_document_is_what_the_code_describes() {
        let generated = yaml();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.yaml");
            std::fs::write(path, &generated).unwrap();
            return;
        }
        assert!(
            generated == CHECKED_IN,
            "infra/openapi/openapi.yaml is out of date: run UPDATE_OPENAPI=1 cargo test -p carebook-openapi"
        );
    }
}
