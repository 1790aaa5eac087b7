//! Generates the typed translation module from `locales/*.json`, and fails
//! the build when a locale lacks a key the default locale has (or has one it
//! lacks): leptos_i18n alone only warns and falls back to English.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::collections::BTreeSet;
use std::error::Error;
use std::path::{Path, PathBuf};

const DEFAULT_LOCALE: &str = "en";
const OTHER_LOCALES: [&str; 1] = ["fr"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales");
    // Migrations are embedded by `sqlx::migrate!`; rebuild when they change.
    println!("cargo::rerun-if-changed=migrations");

    check_same_keys()?;

    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?).join("i18n");
    // interpolate_display: interpolated keys can also be rendered to plain
    // strings (messages built outside a view).
    let mut cfg = Config::new(DEFAULT_LOCALE)?
        .parse_options(ParseOptions::default().interpolate_display(true));
    for locale in OTHER_LOCALES {
        cfg = cfg.add_locale(locale)?;
    }
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}

fn check_same_keys() -> Result<(), Box<dyn Error>> {
    let reference = keys_of(DEFAULT_LOCALE)?;
    let mut problems = Vec::new();
    for locale in OTHER_LOCALES {
        let keys = keys_of(locale)?;
        for missing in reference.difference(&keys) {
            problems.push(format!("locales/{locale}.json lacks the key `{missing}`"));
        }
        for extra in keys.difference(&reference) {
            problems.push(format!(
                "locales/{locale}.json has the key `{extra}`, which locales/{DEFAULT_LOCALE}.json lacks"
            ));
        }
    }
    for p in &problems {
        println!("cargo::error={p}");
    }
    Ok(())
}

fn keys_of(locale: &str) -> Result<BTreeSet<String>, Box<dyn Error>> {
    let path = Path::new("locales").join(format!("{locale}.json"));
    let text = std::fs::read_to_string(&path)?;
    let value: serde_json::Value = serde_json::from_str(&text)?;
    let mut keys = BTreeSet::new();
    flatten("", &value, &mut keys);
    Ok(keys)
}

fn flatten(prefix: &str, value: &serde_json::Value, keys: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, keys);
            }
        }
        _ => {
            keys.insert(prefix.to_owned());
        }
    }
}
