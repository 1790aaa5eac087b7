//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers'
//! annotations (utoipa): the paths come from the same `routes!` calls that
//! build the router, and this module adds what every operation shares
//! (authentication, the problem+json errors, the rate-limit headers).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ServerBuilder};

use super::problem::PROBLEM_JSON;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Livreur API",
        version = "1",
        description = "Jobs and actions for merchants; the organization, API access and the \
            audit log for administrators. Authenticate with HTTP Basic: your API Account ID \
            as the user name, your API Auth Key as the password. A merchant credential \
            reaches only the jobs its user created; every other endpoint answers 403 to it."
    ),
    components(schemas(super::problem::Problem, super::problem::FieldProblem)),
    tags(
        (name = "Jobs", description = "Deliveries, pickups and service visits"),
        (name = "Actions", description = "The line items of a job"),
        (name = "Account", description = "Who the credential belongs to"),
        (name = "Organization", description = "Administrators only: name, default language, time zone"),
        (name = "Locations", description = "Administrators only"),
        (name = "Merchants", description = "Administrators only"),
        (name = "Users", description = "Administrators only"),
        (name = "Audit", description = "Administrators only"),
        (name = "Webhooks", description = "Administrators only: endpoints, test sends, deliveries"),
    )
)]
pub struct ApiDoc;

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
                .build(),
        )
        .build()
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// Adds the shared parts to every operation of `doc`; `public` paths need
/// no credentials.
pub fn complete(doc: &mut OpenApi, public: &[&str]) {
    doc.servers = Some(vec![ServerBuilder::new().url("/api/v1").build()]);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "basic",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Basic)
                .description(Some(
                    "API Account ID as user name, API Auth Key as password",
                ))
                .build(),
        ),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        let is_public = public.contains(&path.as_str());
        for op in operations(item) {
            let responses = &mut op.responses.responses;
            let mut add = |code: &str, text: &str| {
                responses
                    .entry(code.to_owned())
                    .or_insert_with(|| RefOr::T(problem(text)));
            };
            if is_public {
                op.security = Some(vec![SecurityRequirement::default()]);
                continue;
            }
            op.security = Some(vec![SecurityRequirement::new::<_, _, &str>("basic", [])]);
            add(
                "400",
                "Malformed request: bad JSON, unknown field or parameter",
            );
            add("401", "Missing or invalid credentials");
            add("403", "Not allowed for this credential");
            add("404", "No such object, or not yours");
            add("405", "Method not allowed");
            add("409", "Conflicts with the current state (`code` says how)");
            add("412", "`If-Match` does not match the current ETag");
            add("413", "Body over 1 MiB");
            add("415", "Body is not JSON");
            add(
                "422",
                "Invalid fields (`errors`), or an Idempotency-Key reused",
            );
            add(
                "429",
                "Rate limit exceeded; see `Retry-After` and `RateLimit`",
            );
        }
    }
}
