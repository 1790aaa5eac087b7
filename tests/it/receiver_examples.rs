//! The signature checks docs/webhooks.md shows receivers, in Python,
//! JavaScript and Rust, each with its Standard Webhooks library, run
//! against a message Livreur really sent (the worker, over HTTP, signed
//! now): each accepts it and refuses it changed by one byte. The Rust
//! example is compiled here (`receiver_examples/rust_example.rs`) and the
//! document must show it as it is.

use crate::common::hooks::*;
use crate::common::*;
use livreur::server::clock::Clock;
use livreur::server::webhooks::run_once;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "receiver_examples/rust_example.rs"]
mod rust_example;

const DOC: &str = include_str!("../../docs/webhooks.md");

/// The first fenced block of `lang` in the document.
fn block(lang: &str) -> String {
    let fence = format!("```{lang}\n");
    let start = DOC
        .find(&fence)
        .unwrap_or_else(|| panic!("no {lang} example"))
        + fence.len();
    let end = start + DOC[start..].find("```").unwrap();
    DOC[start..end].to_owned()
}

fn end2end() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("end2end")
}

/// Runs `program` with `input` on its standard input; its standard output.
fn run(mut command: Command, input: &str) -> String {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the example's interpreter");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the example's program failed");
    String::from_utf8(out.stdout).unwrap()
}

const PYTHON_CHECK: &str = r#"
import json, sys
m = json.load(sys.stdin)
print(verified_event(m["secret"], m["body"].encode(), m["headers"])["type"])
try:
    verified_event(m["secret"], (m["body"] + " ").encode(), m["headers"])
    print("changed body accepted")
except Exception:
    print("changed body refused")
"#;

const JS_CHECK: &str = r#"
import { readFileSync } from "node:fs";
const m = JSON.parse(readFileSync(0, "utf8"));
console.log(verifiedEvent(m.secret, m.body, m.headers).type);
try {
  verifiedEvent(m.secret, m.body + " ", m.headers);
  console.log("changed body accepted");
} catch {
  console.log("changed body refused");
}
"#;

async fn the_documented_receivers_verify_real_messages(t: &TestDb) {
    let mut w = hooks_world(t, "0", 5, 120).await;
    // Signed now: the libraries refuse a timestamp far from their clock.
    w.state.clock = Clock::system();
    let (r, base) = receiver().await;
    let (_, secret) = endpoint(&w, &format!("{base}/h"), None, &["*"]).await;
    job(&w, "DOC-1").await;
    assert_eq!(run_once(&w.state).await.unwrap(), 1);
    let message = r.got().remove(0);
    assert!(verifies(&secret, &message));
    let body = String::from_utf8(message.body.to_vec()).unwrap();
    let headers: serde_json::Map<String, serde_json::Value> =
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
            .iter()
            .map(|h| ((*h).to_owned(), message.header(h).into()))
            .collect();
    let input = serde_json::json!({"secret": secret, "body": body, "headers": headers}).to_string();
    let expected = "job.created\nchanged body refused\n";

    let mut python = Command::new(end2end().join(".venv/bin/python3"));
    python
        .arg("-c")
        .arg(format!("{}\n{PYTHON_CHECK}", block("python")));
    assert_eq!(run(python, &input), expected, "Python");

    let mut node = Command::new("node");
    node.current_dir(end2end())
        .args(["--input-type=module", "-e"])
        .arg(format!("{}\n{JS_CHECK}", block("js")));
    assert_eq!(run(node, &input), expected, "JavaScript");

    let shown = block("rust");
    let compiled = include_str!("receiver_examples/rust_example.rs");
    assert_eq!(
        shown.trim(),
        compiled.trim(),
        "docs/webhooks.md shows the Rust example as compiled"
    );
    let event = rust_example::verified_event(&secret, &message.body, &message.headers).unwrap();
    assert_eq!(event["type"], "job.created");
    let mut changed = message.body.to_vec();
    changed.push(b' ');
    assert!(rust_example::verified_event(&secret, &changed, &message.headers).is_err());
}
db_test!(the_documented_receivers_verify_real_messages);
