use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambda_http::{Request, RequestExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::Problem;

/// The UUID in path parameter `name` (`/appointments/{id}`); 400 naming it when it is not one.
pub fn path_id(request: &Request, name: &str) -> Result<Uuid, Problem> {
    let parameters = request.path_parameters();
    let value = parameters.first(name).unwrap_or_default();
    Uuid::parse_str(value).map_err(|_| Problem::invalid_field(name, "must be a UUID"))
}

/// The query parameter `name`, when given and not empty.
pub fn query_param(request: &Request, name: &str) -> Option<String> {
    request
        .query_string_parameters()
        .first(name)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// The query string as `T` (a struct of optional strings, parsed further by the service);
/// empty values count as absent, unknown names are ignored, a repeated name takes its first.
pub fn query<T: DeserializeOwned>(request: &Request) -> Result<T, Problem> {
    let parameters = request.query_string_parameters();
    let fields: serde_json::Map<String, serde_json::Value> = parameters
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name.to_owned(), value.into()))
        .collect();
    serde_path_to_error::deserialize(serde_json::Value::Object(fields)).map_err(|error| {
        Problem::invalid_field(&error.path().to_string(), error.inner().to_string())
    })
}

/// `?limit=&cursor=` of a keyset-paginated list, as the OpenAPI document describes them; read
/// with [`limit`] and [`cursor`].
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// Page size bounds of list endpoints: `?limit=` 1..=100, 20 when absent.
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// `?limit=`, within 1..=[`MAX_LIMIT`].
pub fn limit(request: &Request) -> Result<i64, Problem> {
    match query_param(request, "limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(value) => value
            .parse()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| Problem::invalid_field("limit", format!("must be 1 to {MAX_LIMIT}"))),
    }
}

/// A page of a keyset-paginated list: pass `next_cursor` back as `?cursor=` for the next page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// At most `limit` items, in the list's order.
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page for `items` fetched with `limit + 1` rows: the extra row only says that more
    /// follow, and `key` of the last item shown becomes the cursor.
    pub fn from_overfetch<K: Serialize>(
        mut items: Vec<T>,
        limit: i64,
        key: impl Fn(&T) -> K,
    ) -> Self {
        let more = usize::try_from(limit).is_ok_and(|limit| items.len() > limit);
        if more {
            items.pop();
        }
        let next_cursor = more
            .then(|| items.last().map(|last| encode_cursor(&key(last))))
            .flatten();
        Self { items, next_cursor }
    }
}

/// An opaque cursor for `key`: base64url of its JSON.
pub fn encode_cursor(key: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// `?cursor=` decoded into the key it was made from; 400 when it was not made by us.
pub fn cursor<K: DeserializeOwned>(request: &Request) -> Result<Option<K>, Problem> {
    let Some(value) = query_param(request, "cursor") else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(value)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| Problem::invalid_field("cursor", "is not a cursor this API returned"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use lambda_http::Body;

    use super::*;

    fn request(query: &[(&str, &str)]) -> Request {
        let query: HashMap<String, String> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Request::new(Body::Empty).with_query_string_parameters(query)
    }

    #[test]
    fn a_limit_outside_its_range_is_a_field_error() {
        for bad in ["0", "101", "-1", "ten"] {
            let problem = limit(&request(&[("limit", bad)])).unwrap_err();
            assert!(problem.errors().contains_key("limit"), "{bad}");
        }
        assert_eq!(limit(&request(&[])).unwrap(), DEFAULT_LIMIT);
    }

    #[test]
    fn a_cursor_reads_back_as_the_key_it_was_made_from() {
        let key = ("House".to_owned(), Uuid::nil());
        let encoded = encode_cursor(&key);

        let decoded: Option<(String, Uuid)> = cursor(&request(&[("cursor", &encoded)])).unwrap();

        assert_eq!(decoded, Some(key));
        assert!(cursor::<(String, Uuid)>(&request(&[("cursor", "%%%")])).is_err());
    }

    #[test]
    fn an_overfetched_page_drops_the_extra_row_and_points_past_the_last_shown() {
        let page = Page::from_overfetch(vec![1, 2, 3], 2, |n| *n);

        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next_cursor, Some(encode_cursor(&2)));
        assert!(
            Page::from_overfetch(vec![1, 2], 2, |n| *n)
                .next_cursor
                .is_none()
        );
    }

    #[test]
    fn a_path_id_that_is_not_a_uuid_names_the_parameter() {
        let request = Request::new(Body::Empty)
            .with_path_parameters(HashMap::from([("id".to_owned(), "42".to_owned())]));

        let problem = path_id(&request, "id").unwrap_err();

        assert_eq!(problem.errors()["id"], "must be a UUID");
    }
}
