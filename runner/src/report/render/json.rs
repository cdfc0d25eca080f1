//! The JSON renderer: every table as an object of its title, rows (header -> value, numbers as
//! numbers rounded to their decimals, missing as null) and notes.

use crate::report::table::{Table, Value};

/// Every table, as one pretty-printed JSON document `{ "tables": [...] }`.
pub(super) fn render(tables: &[Table]) -> String {
    let list: Vec<serde_json::Value> = tables.iter().map(table).collect();
    serde_json::to_string_pretty(&serde_json::json!({ "tables": list })).expect("json renders") + "\n"
}

fn table(table: &Table) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = table
        .rows
        .iter()
        .map(|r| {
            let object: serde_json::Map<String, serde_json::Value> =
                table.header.iter().zip(r).map(|(h, v)| (h.to_string(), value(v))).collect();
            serde_json::Value::Object(object)
        })
        .collect();
    serde_json::json!({ "title": table.title, "rows": rows, "notes": table.notes })
}

fn value(v: &Value) -> serde_json::Value {
    match v {
        Value::Num(v, d) => {
            let scale = 10f64.powi(*d as i32);
            serde_json::json!((v * scale).round() / scale)
        }
        Value::Text(t) => serde_json::json!(t),
        Value::Missing => serde_json::Value::Null,
    }
}
