//! The Helm renderer over arbitrary template text: the Go template lexer and parser, then
//! rendering with a fixed set of values (every function, nesting and output limit in play).
#![no_main]
use rampart_helm::{Chart, RenderOptions, Value, render};
use std::collections::BTreeMap;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    files.insert(
        "values.yaml".to_string(),
        b"image: {repository: nginx, tag: ''}\nlist: [1, two, {k: v}]\nenabled: true\n".to_vec(),
    );
    files.insert("templates/t.yaml".to_string(), data.to_vec());
    let chart = Chart {
        name: "fuzz".into(),
        origin: "fuzz".into(),
        metadata: Value::Map(BTreeMap::from([("name".to_string(), Value::Str("fuzz".into()))])),
        files,
        subcharts: Vec::new(),
    };
    let _ = render(&chart, &RenderOptions::default());
});
