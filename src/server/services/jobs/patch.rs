//! JSON Merge Patch (RFC 7396): PATCH bodies are merged onto the current
//! fields, and the result is checked like a create, so the rules live in
//! one place.

/// Applies a JSON Merge Patch (RFC 7396) to `target`: members set to
/// `null` are removed, objects merge member by member, anything else
/// replaces. PATCH bodies are merged onto the current fields this way and
/// the result is checked like a create, so the rules live in one place.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
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
