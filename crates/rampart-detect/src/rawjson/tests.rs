//! Differential tests: every read of a parsed [`RawJson`] against the same read of the
//! `serde_json::Value` of the same text.

use super::*;

/// Compares `a` (tape) and `b` (Value) recursively through the public API.
fn same(a: JsonRef<'_>, b: &Value) {
    let vb = JsonRef::from(b);
    assert_eq!(a.kind(), vb.kind());
    assert_eq!(a.as_str(), b.as_str());
    assert_eq!(a.as_bool(), b.as_bool());
    assert_eq!(a.as_number(), b.as_number().cloned());
    assert_eq!(a.text(), vb.text());
    assert_eq!(a.to_value(), *b);
    assert_eq!(a.items().count(), b.as_array().map_or(0, Vec::len));
    for (x, y) in a.items().zip(b.as_array().into_iter().flatten()) {
        same(x, y);
    }
    let ea = a.entries();
    let eb = vb.entries();
    assert_eq!(
        ea.iter().map(|e| e.0).collect::<Vec<_>>(),
        eb.iter().map(|e| e.0).collect::<Vec<_>>()
    );
    for ((k, x), (_, y)) in ea.iter().zip(&eb) {
        same(*x, &y.to_value());
        assert_eq!(a.get(k).map(JsonRef::to_value), b.get(*k).cloned());
        let ptr = format!("/{}", k.replace('~', "~0").replace('/', "~1"));
        assert_eq!(
            a.pointer(&ptr).map(JsonRef::to_value),
            b.pointer(&ptr).cloned()
        );
    }
    assert!(a.get("no such key").is_none());
    for p in ["", "/0", "/1", "/00", "/+1", "x"] {
        assert_eq!(
            a.pointer(p).map(JsonRef::to_value),
            b.pointer(p).cloned(),
            "{p}"
        );
    }
}

fn check(text: &str) {
    let want: Result<Value, _> = serde_json::from_str(text);
    let got = RawJson::parse(text);
    match (&got, &want) {
        (Ok(g), Ok(w)) => {
            same(g.root(), w);
            assert_eq!(g.to_value(), *w);
        }
        (Err(g), Err(w)) => assert_eq!(g.to_string(), w.to_string()),
        _ => panic!("{text}: {:?} vs {want:?}", got.map(|g| g.to_value())),
    }
}

#[test]
fn same_reads_as_serde_json() {
    for text in [
        r#"{"b":1,"a":[1,2,{"c":"x\"y\\z\u00e9\ud83d\ude00","d":null}],"a":"dup","e":true,"f":false}"#,
        r#"{"n":[0,-1,18446744073709551615,-9223372036854775808,1.5,-0,-0.0,1e3,1E-2,123456789012345678901234]}"#,
        r#"{"k/~":{"x.y":{"z":"1"}},"":"empty","esc\nkey":"v","esc\nkey":"w"}"#,
        r#"[]"#,
        // A root with enough members for the member table: repeated keys (plain and
        // escaped spellings of one key), escaped keys, every kind of value.
        r#"{"a":1,"b":2,"c":3,"d\u0041":4,"e":5,"a":{"x":1},"f":[1],"g":"h","dA":"dup","h":null,"esc\nkey":1,"i":true,"":0}"#,
        // Objects and arrays printed whole: every escape, nesting, repeated keys, numbers.
        r#"{"o":{"k\u0001":1,"s":"a\u001fb\u007f\b\f\n\r\t\"\\\/é😀","z":[1,-0.5,1e2,"x",{"y":null,"b":true}],"k\u0001":2},"e":[],"f":{}}"#,
        r#"{"m1":1,"m2":2,"m3":3,"m4":4,"m5":5,"m6":6,"m7":7,"m8":{"m1":"inner"}}"#,
        r#"[]"#,
        r#"  "plain"  "#,
        r#"{"a":{},"b":[],"c":[[]],"d":[{}]}"#,
        r#"{"lone":"\ud800"}"#,
        r#"{"bad":1,}"#,
        r#"{"bad":01}"#,
        r#"{"big":1e400}"#,
        "{\"ctl\":\"a\u{1}\"}",
        r#"{"a":1} trailing"#,
        "",
        "[1,2",
    ] {
        check(text);
    }
    let deep = format!("{}{}", "[".repeat(120), "]".repeat(120));
    check(&deep);
    let too_deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    check(&too_deep);
}

#[test]
fn split_documents_share_the_tape() {
    let raw = RawJson::parse(r#"{"Records":[{"eventName":"A"},{"eventName":"B"}]}"#).expect("json");
    let recs = raw.take_array("Records").expect("records");
    assert_eq!(recs.len(), 2);
    assert_eq!(
        recs[1].root().get("eventName").and_then(JsonRef::as_str),
        Some("B")
    );
    assert_eq!(recs[0].to_value(), serde_json::json!({"eventName": "A"}));
    let raw = RawJson::parse(r#"{"Records":{}}"#).expect("json");
    assert!(raw.take_array("Records").is_err());
    let v = RawJson::from(serde_json::json!({"Records": [1, 2]}));
    assert_eq!(v.take_array("Records").expect("array").len(), 2);
}
