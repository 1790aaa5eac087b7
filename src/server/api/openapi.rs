//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers'
//! annotations (utoipa): the paths come from the same `routes!` calls that
//! build the router, and this module adds what every operation shares
//! (authentication, the problem+json errors, the rate-limit headers).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ServerBuilder};

use serde_json::{Value, json};

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
        (name = "Events", description = "What Livreur posts to webhook endpoints: one entry per event type, signed per Standard Webhooks"),
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
    shared_parts(doc, public);
}

/// The document as served: `doc` with what utoipa's types cannot say
/// (links name their operation by `operationId`; merge-patch bodies) and
/// without what they say wrongly (property defaults).
pub fn served(doc: &OpenApi) -> Value {
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    if let Some(schemas) = value.pointer_mut("/components/schemas") {
        no_property_defaults(schemas);
    }
    if let Some(paths) = value.get_mut("paths") {
        link_creates(paths);
    }
    for (path, create, not_patched) in MERGE_PATCHES {
        merge_patch_body(&mut value, path, create, not_patched);
    }
    super::events::add_catalog(&mut value);
    value
}

/// The PATCH bodies that are JSON Merge Patches (docs/api.md): the path,
/// the schema of the create they patch, and its properties a PATCH leaves
/// alone.
const MERGE_PATCHES: &[(&str, &str, &[&str])] = &[
    ("/jobs/{job_id}", "JobIn", &["actions"]),
    ("/jobs/{job_id}/actions/{action_id}", "ActionIn", &[]),
];

/// Points the PATCH on `path` at a patch schema derived from `create`.
fn merge_patch_body(doc: &mut Value, path: &str, create: &str, not_patched: &[&str]) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    let name = patch_schema(schemas, create, not_patched);
    let pointer = format!(
        "/paths/{}/patch/requestBody/content/application~1json/schema",
        pointer_key(path)
    );
    if let Some(schema) = doc.pointer_mut(&pointer) {
        *schema = json!({ "$ref": format!("#/components/schemas/{name}") });
    }
}

/// Adds `{Base}Patch` for the object schema `name` (`JobIn` → `JobPatch`,
/// `Customer` → `CustomerPatch`): nothing required, every property may be
/// `null` (which clears it), and nested objects are patches too, since a
/// merge patch merges them member by member. Returns the new name.
fn patch_schema(schemas: &mut serde_json::Map<String, Value>, name: &str, skip: &[&str]) -> String {
    let patch_name = format!("{}Patch", name.strip_suffix("In").unwrap_or(name));
    if schemas.contains_key(&patch_name) {
        return patch_name;
    }
    let Some(mut schema) = schemas.get(name).cloned() else {
        return name.to_owned();
    };
    let Some(map) = schema.as_object_mut() else {
        return name.to_owned();
    };
    map.remove("required");
    map.insert(
        "description".into(),
        json!(format!(
            "A JSON Merge Patch (RFC 7396) of `{name}`: the members sent change, `null` clears one, nested objects merge."
        )),
    );
    // Claimed before recursing, so a schema that refers to itself ends.
    schemas.insert(patch_name.clone(), Value::Null);
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props.retain(|k, _| !skip.contains(&k.as_str()));
        for prop in props.values_mut() {
            retarget_objects(schemas, prop);
            let nullable = json!({ "anyOf": [prop.take(), { "type": "null" }] });
            *prop = nullable;
        }
    }
    schemas.insert(patch_name.clone(), schema);
    patch_name
}

/// Points every `$ref` to an object schema inside `node` at its patch.
fn retarget_objects(schemas: &mut serde_json::Map<String, Value>, node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(target) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(str::to_owned)
                && schemas
                    .get(&target)
                    .is_some_and(|s| s.get("type").and_then(Value::as_str) == Some("object"))
            {
                let patch = patch_schema(schemas, &target, &[]);
                map.insert(
                    "$ref".into(),
                    json!(format!("#/components/schemas/{patch}")),
                );
            }
            for v in map.values_mut() {
                retarget_objects(schemas, v);
            }
        }
        Value::Array(items) => {
            for v in items {
                retarget_objects(schemas, v);
            }
        }
        _ => {}
    }
}

/// No property has a default. The input types fill a missing member with
/// an empty value so that the service reports each missing field as a
/// field error (422) and each optional one as absent; utoipa prints those
/// values as defaults, but they are not promises a client may rely on, a
/// required one would fail its own schema, and generators read a default
/// as "always present". What an absent member means is in its description.
fn no_property_defaults(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for prop in props.values_mut() {
                    if let Some(prop) = prop.as_object_mut() {
                        prop.remove("default");
                    }
                }
            }
            map.values_mut().for_each(no_property_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(no_property_defaults),
        _ => {}
    }
}

/// OpenAPI links from each create (`POST /things`, answering `201` with the
/// new object) to the operations on `/things/{thing_id}`: the new object's
/// `id` fills the path parameter, so a client generator or a stateful test
/// can follow from the create to the reads and changes.
fn link_creates(paths: &mut Value) {
    let Some(map) = paths.as_object() else {
        return;
    };
    let mut links = Vec::new();
    for (path, item) in map {
        if item.pointer("/post/responses/201").is_none() {
            continue;
        }
        for (child, child_item) in map {
            let Some(rest) = child.strip_prefix(path.as_str()) else {
                continue;
            };
            let Some(param) = rest
                .strip_prefix("/{")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|p| !p.contains('/'))
            else {
                continue;
            };
            let Some(ops) = child_item.as_object() else {
                continue;
            };
            for op in ops.values() {
                let Some(operation_id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                // The create's own path parameters carry over as they were.
                let mut parameters = serde_json::Map::new();
                for p in path_params(path) {
                    parameters.insert(p.to_owned(), json!(format!("$request.path.{p}")));
                }
                parameters.insert(param.to_owned(), json!("$response.body#/id"));
                links.push((
                    path.clone(),
                    operation_id.to_owned(),
                    Value::Object(parameters),
                ));
            }
        }
    }
    for (path, operation_id, parameters) in links {
        if let Some(response) =
            paths.pointer_mut(&format!("/{}/post/responses/201", pointer_key(&path)))
            && let Some(response) = response.as_object_mut()
        {
            let entry = response.entry("links").or_insert_with(|| json!({}));
            entry[link_name(&operation_id)] =
                json!({"operationId": operation_id, "parameters": parameters});
        }
    }
}

/// A path as one JSON Pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
fn pointer_key(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

/// `{job_id}` and the like, in order.
fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

/// `get_job` → `GetJob`: link names are keys of a map.
fn link_name(operation_id: &str) -> String {
    operation_id
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn shared_parts(doc: &mut OpenApi, public: &[&str]) {
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
