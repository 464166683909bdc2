//! The whole mapping from engine errors to JS: an `Error` carrying `code`, `ruleId`, `field`,
//! `origin` and `line`, so callers branch on data instead of parsing messages.

use js_sys::Reflect;
use secretsift::BuildError;
use wasm_bindgen::JsValue;

fn set(err: &JsValue, key: &str, value: JsValue) {
    // Setting an own property on a fresh Error cannot fail.
    let _ = Reflect::set(err, &JsValue::from_str(key), &value);
}

/// A rule-set error: `Error` with `code` (the core's stable kind code) and the place.
pub(crate) fn build_error(e: &BuildError) -> JsValue {
    let err: JsValue = js_sys::Error::new(&e.to_string()).into();
    set(&err, "name", JsValue::from_str("SecretsiftError"));
    set(&err, "code", JsValue::from_str(e.kind().code()));
    if let Some(id) = e.rule_id() {
        set(&err, "ruleId", JsValue::from_str(id));
    }
    if let Some(f) = e.field() {
        set(&err, "field", JsValue::from_str(f));
    }
    if let Some(o) = e.origin() {
        set(&err, "origin", JsValue::from_str(o));
    }
    if let Some(l) = e.line() {
        set(&err, "line", JsValue::from_f64(l as f64));
    }
    err
}

/// A wrong argument: `TypeError` with `code: "invalid-input"`.
pub(crate) fn type_error(msg: &str) -> JsValue {
    let err: JsValue = js_sys::TypeError::new(msg).into();
    set(&err, "code", JsValue::from_str("invalid-input"));
    err
}
