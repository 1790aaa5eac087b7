//! JSON Merge Patch (RFC 7396): PATCH bodies are merged onto the current
//! fields, and the result is checked like a create, so the rules live in
//! one place.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::AppError;

/// Applies a JSON Merge Patch (RFC 7396) to `target`: members set to
/// `null` are removed, objects merge member by member, anything else
/// replaces. PATCH bodies are merged onto the current fields this way and
/// the result is checked like a create, so the rules live in one place.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Value::Object(map) = target {
        for (k, v) in patch {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// Merges a JSON Merge Patch body onto `current` (the editable fields as
/// a client would send them back) and reads the result as `T`: a body that
/// is not an object, an unknown field or a wrong type is refused (400), as
/// on create.
pub fn patched<T: Serialize + DeserializeOwned>(current: &T, patch: &Value) -> Result<T, AppError> {
    if !patch.is_object() {
        return Err(AppError::Request {
            detail: "The body must be a JSON object.".into(),
        });
    }
    let mut doc = serde_json::to_value(current).unwrap_or(Value::Null);
    merge_patch(&mut doc, patch);
    serde_json::from_value(doc).map_err(|e| AppError::Request {
        detail: format!("The body is not valid for this request: {e}."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
        let mut doc = json!({"a": [1]});
        merge_patch(&mut doc, &json!({"a": [2, 3], "b": {"c": 1}}));
        assert_eq!(doc, json!({"a": [2, 3], "b": {"c": 1}}));
    }
}
