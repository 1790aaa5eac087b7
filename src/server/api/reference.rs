//! Flattens the OpenAPI document into the reference page's model: one
//! entry per operation, grouped by tag in the document's order, and each
//! schema's fields with readable types.

use serde_json::Value;

use super::policy::{Policy, policy};
use crate::model::reference::{EventRef, FieldRef, OperationRef, Reference, SchemaRef, TagRef};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn ref_name(v: &Value) -> Option<String> {
    v.get("$ref")?
        .as_str()?
        .rsplit('/')
        .next()
        .map(str::to_owned)
}

/// A schema's type, as a reader would say it.
pub fn type_name(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return name;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            let names: Vec<String> = list.iter().map(type_name).collect();
            return names.join(" | ");
        }
    }
    let one = |t: &str| -> String {
        match t {
            "array" => format!(
                "array of {}",
                schema.get("items").map_or("any".to_owned(), type_name)
            ),
            other => other.to_owned(),
        }
    };
    let base = match schema.get("type") {
        Some(Value::String(t)) => one(t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(one)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".to_owned(),
    };
    match schema.get("format").and_then(Value::as_str) {
        Some(f) if base != "null" => format!("{base} ({f})"),
        _ => base,
    }
}

/// The schema a `$ref` names in `doc`, or `schema` itself.
fn resolve<'a>(schema: &'a Value, doc: &'a Value) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| doc.pointer(pointer))
        .unwrap_or(schema)
}

/// The fields of an object schema; an `allOf` (a struct with another one
/// flattened into it, like a job's fields) gives the fields of every part,
/// followed through `$ref`s no deeper than `depth`.
fn fields(schema: &Value, doc: &Value, depth: u8) -> Vec<FieldRef> {
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        if depth == 0 {
            return Vec::new();
        }
        return parts
            .iter()
            .flat_map(|part| fields(resolve(part, doc), doc, depth - 1))
            .collect();
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, s)| FieldRef {
                    name: name.clone(),
                    kind: type_name(s),
                    required: required.contains(&name.as_str()),
                    description: text(s, "description"),
                    location: String::new(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn operation(method: &str, path: &str, op: &Value) -> OperationRef {
    let parameters = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| FieldRef {
                    name: text(p, "name"),
                    kind: p.get("schema").map_or("string".into(), type_name),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    description: text(p, "description"),
                    location: text(p, "in"),
                })
                .collect()
        })
        .unwrap_or_default();
    let body = op
        .pointer("/requestBody/content/application~1json/schema")
        .map(type_name);
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|rs| {
            rs.iter()
                .filter(|(code, _)| code.starts_with('2'))
                .map(|(code, r)| {
                    let schema = r
                        .pointer("/content/application~1json/schema")
                        .map(type_name);
                    (code.clone(), text(r, "description"), schema)
                })
                .collect()
        })
        .unwrap_or_default();
    let method = method.to_uppercase();
    let rule = axum::http::Method::from_bytes(method.as_bytes())
        .ok()
        .and_then(|m| policy(&m, path));
    OperationRef {
        admin_only: rule == Some(Policy::Admin),
        public: rule.is_none(),
        method,
        path: path.to_owned(),
        summary: text(op, "summary"),
        description: text(op, "description"),
        parameters,
        body,
        responses,
    }
}

pub fn build(doc: &Value) -> Reference {
    let mut tags: Vec<TagRef> = doc
        .get("tags")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .map(|t| TagRef {
                    name: text(t, "name"),
                    description: text(t, "description"),
                    operations: Vec::new(),
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let tag = op
                    .pointer("/tags/0")
                    .and_then(Value::as_str)
                    .unwrap_or("Other")
                    .to_owned();
                let entry = operation(method, path, op);
                match tags.iter_mut().find(|t| t.name == tag) {
                    Some(t) => t.operations.push(entry),
                    None => tags.push(TagRef {
                        name: tag,
                        description: String::new(),
                        operations: vec![entry],
                    }),
                }
            }
        }
    }
    tags.retain(|t| !t.operations.is_empty());
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|all| {
            all.iter()
                .map(|(name, s)| SchemaRef {
                    name: name.clone(),
                    description: text(s, "description"),
                    fields: fields(s, doc, 4),
                    values: s
                        .get("enum")
                        .and_then(Value::as_array)
                        .map(|v| {
                            v.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Reference {
        title: doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or("API")
            .to_owned(),
        description: doc
            .pointer("/info/description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        tags,
        schemas,
        events: events(doc),
    }
}

/// The event catalog, in the document's order.
fn events(doc: &Value) -> Vec<EventRef> {
    let Some(hooks) = doc.get("webhooks").and_then(Value::as_object) else {
        return Vec::new();
    };
    hooks
        .iter()
        .filter_map(|(name, item)| {
            let post = item.get("post")?;
            let content = post.pointer("/requestBody/content/application~1json")?;
            let data_schema = content
                .pointer("/schema/properties/data/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .unwrap_or_default()
                .to_owned();
            Some(EventRef {
                name: name.clone(),
                description: text(post, "description"),
                data_schema,
                example: content
                    .get("example")
                    .and_then(|e| serde_json::to_string_pretty(e).ok())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_read_naturally() {
        assert_eq!(
            type_name(&json!({"$ref": "#/components/schemas/Job"})),
            "Job"
        );
        assert_eq!(
            type_name(&json!({"type": ["string", "null"]})),
            "string | null"
        );
        assert_eq!(
            type_name(&json!({"type": "array", "items": {"$ref": "#/components/schemas/Action"}})),
            "array of Action"
        );
        assert_eq!(
            type_name(&json!({"oneOf": [{"type": "null"}, {"$ref": "#/x/TimeWindow"}]})),
            "null | TimeWindow"
        );
        assert_eq!(
            type_name(&json!({"type": "integer", "format": "int64"})),
            "integer (int64)"
        );
    }

    #[test]
    fn the_served_document_is_flattened_whole() {
        let doc = super::super::document().clone();
        let r = build(&doc);
        let ops: usize = r.tags.iter().map(|t| t.operations.len()).sum();
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
            .sum();
        assert_eq!(ops, documented);
        let jobs = r.tags.iter().find(|t| t.name == "Jobs").unwrap();
        let create = jobs
            .operations
            .iter()
            .find(|o| o.method == "POST" && o.path == "/jobs")
            .unwrap();
        assert!(!create.admin_only);
        assert_eq!(create.body.as_deref(), Some("JobIn"));
        let status = jobs
            .operations
            .iter()
            .find(|o| o.path.ends_with("/status"))
            .unwrap();
        assert!(status.admin_only);
        let job = r.schemas.iter().find(|s| s.name == "Job").unwrap();
        assert!(
            job.fields
                .iter()
                .any(|f| f.name == "created_by" && f.required)
        );
    }
}
