//! The API reference page's view of the OpenAPI document: operations by
//! tag and the schemas, flattened for reading. Built on the server from the
//! same document `/api/v1/openapi.json` serves.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub title: String,
    pub description: String,
    pub tags: Vec<TagRef>,
    pub schemas: Vec<SchemaRef>,
    /// The webhook event catalog (the document's `webhooks`).
    #[serde(default)]
    pub events: Vec<EventRef>,
}

/// A webhook event type: what it means, the schema of its `data`, and an
/// example payload (pretty JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub name: String,
    pub description: String,
    pub data_schema: String,
    pub example: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagRef {
    pub name: String,
    pub description: String,
    pub operations: Vec<OperationRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationRef {
    /// Upper case: `GET`, `POST`, …
    pub method: String,
    /// Relative to `/api/v1`.
    pub path: String,
    pub summary: String,
    pub description: String,
    /// False for operations a merchant credential may call.
    pub admin_only: bool,
    pub public: bool,
    pub parameters: Vec<FieldRef>,
    /// The name of the request body's schema.
    pub body: Option<String>,
    /// (status, description, schema name) of the success responses.
    pub responses: Vec<(String, String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaRef {
    pub name: String,
    pub description: String,
    pub fields: Vec<FieldRef>,
    /// For enumerations: the allowed values.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRef {
    pub name: String,
    /// `string`, `integer`, `Customer`, `array of Action`, …; `| null` when
    /// it may be null.
    pub kind: String,
    pub required: bool,
    pub description: String,
    /// `path`, `query` or `header` for parameters; empty for fields.
    pub location: String,
}
