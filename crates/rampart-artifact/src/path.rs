//! Normalisation of paths found in archives: relative, `/`-separated, no `.` or `..`.

/// What a raw archive path became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Normalized {
    /// A path below the root, like `usr/bin/sh`.
    Path(String),
    /// The root itself (`.`, `/`, `./`).
    Root,
    /// A path that climbs above the root with `..`.
    Escapes,
}

/// Makes `raw` relative to the root: drops leading `/` and `./`, empty and `.` components,
/// and resolves `..` lexically; a `..` that would leave the root makes the path
/// [`Normalized::Escapes`].
pub(crate) fn normalize(raw: &str) -> Normalized {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Normalized::Escapes;
                }
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        Normalized::Root
    } else {
        Normalized::Path(parts.join("/"))
    }
}

/// Splits `path` into its parent directory (`""` for the root) and its last component.
pub(crate) fn split_parent(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Joins a parent (maybe `""`) and a name.
pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Normalized {
        Normalized::Path(s.to_string())
    }

    #[test]
    fn normalizes_relative_and_absolute() {
        assert_eq!(normalize("./etc/passwd"), p("etc/passwd"));
        assert_eq!(normalize("/etc//passwd"), p("etc/passwd"));
        assert_eq!(normalize("usr/lib/"), p("usr/lib"));
        assert_eq!(normalize("a/./b/../c"), p("a/c"));
        assert_eq!(normalize("./"), Normalized::Root);
        assert_eq!(normalize("/"), Normalized::Root);
        assert_eq!(normalize(""), Normalized::Root);
    }

    #[test]
    fn dotdot_escapes_are_refused() {
        assert_eq!(normalize("../etc/passwd"), Normalized::Escapes);
        assert_eq!(normalize("a/../../etc"), Normalized::Escapes);
        assert_eq!(normalize("/../x"), Normalized::Escapes);
    }

    #[test]
    fn splits_parent() {
        assert_eq!(split_parent("a/b/c"), ("a/b", "c"));
        assert_eq!(split_parent("c"), ("", "c"));
        assert_eq!(join("", "c"), "c");
        assert_eq!(join("a/b", "c"), "a/b/c");
    }
}
