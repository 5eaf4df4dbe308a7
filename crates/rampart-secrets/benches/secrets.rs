//! Secret scanner throughput (filled in with the engine).
fn main() {}
