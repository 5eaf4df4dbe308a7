//! Kubernetes objects over the YAML node tree: which documents are resources, their kind,
//! name and namespace, `List` flattening (including `kubectl get -A -o json` dumps), and
//! where each workload kind keeps its pod spec. Checks live in [`crate::checks`] and
//! [`crate::pss`]; this module only finds things.

use crate::yaml::{Document, Node};

/// How deep `List`s may nest inside `List`s.
const MAX_LIST_DEPTH: usize = 8;

/// One Kubernetes object found in a file.
#[derive(Debug, Clone, Copy)]
pub struct Resource<'a> {
    /// The object's root mapping.
    pub node: &'a Node,
    /// `kind`.
    pub kind: &'a str,
    /// `apiVersion`.
    pub api_version: &'a str,
    /// `metadata.name` (or `generateName`, or empty).
    pub name: &'a str,
    /// `metadata.namespace`, when set.
    pub namespace: Option<&'a str>,
    /// 1-based line where the object starts.
    pub line: u32,
}

impl<'a> Resource<'a> {
    fn from_node(node: &'a Node) -> Option<Self> {
        let kind = node.get("kind").and_then(Node::as_str)?;
        let api_version = node.get("apiVersion").and_then(Node::as_str)?;
        let meta = node.get("metadata");
        let name = meta
            .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
            .and_then(Node::as_str)
            .unwrap_or("");
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty());
        Some(Resource {
            node,
            kind,
            api_version,
            name,
            namespace,
            line: node.line,
        })
    }

    /// `Kind/namespace/name`, or `Kind/name` when no namespace is set.
    pub fn id(&self) -> String {
        match self.namespace {
            Some(ns) => format!("{}/{}/{}", self.kind, ns, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }

    /// The pod template metadata and spec of a Pod or workload, wherever the kind keeps it.
    pub fn pod_view(&self) -> Option<PodView<'a>> {
        let n = self.node;
        let (meta, spec) = match self.kind {
            "Pod" => (n.get("metadata"), n.get("spec")?),
            "PodTemplate" => (
                n.path(&["template", "metadata"]),
                n.path(&["template", "spec"])?,
            ),
            "CronJob" => (
                n.path(&["spec", "jobTemplate", "spec", "template", "metadata"]),
                n.path(&["spec", "jobTemplate", "spec", "template", "spec"])?,
            ),
            _ => (
                n.path(&["spec", "template", "metadata"]),
                n.path(&["spec", "template", "spec"])?,
            ),
        };
        if !matches!(spec.value, crate::yaml::Value::Map(_)) {
            return None;
        }
        Some(PodView {
            meta,
            spec,
            line: spec.line,
        })
    }
}

/// Every Kubernetes object in the documents, with `List`s flattened.
pub fn resources_of(docs: &[Document]) -> Vec<Resource<'_>> {
    let mut out = Vec::new();
    for d in docs {
        collect(&d.root, 0, &mut out);
    }
    out
}

fn collect<'a>(node: &'a Node, depth: usize, out: &mut Vec<Resource<'a>>) {
    let kind = node.get("kind").and_then(Node::as_str).unwrap_or("");
    let items = node.get("items");
    if depth < MAX_LIST_DEPTH
        && kind.ends_with("List")
        && let Some(items) = items
    {
        for item in items.items() {
            collect(item, depth + 1, out);
        }
        return;
    }
    if let Some(r) = Resource::from_node(node) {
        out.push(r);
    }
}

/// A pod spec and the metadata of the pod (or pod template) that holds it.
#[derive(Debug, Clone, Copy)]
pub struct PodView<'a> {
    /// Pod (template) metadata, for annotations.
    pub meta: Option<&'a Node>,
    /// The pod spec.
    pub spec: &'a Node,
    /// Line of the pod spec.
    pub line: u32,
}

impl<'a> PodView<'a> {
    /// Every container with its kind: init containers, containers, ephemeral containers.
    pub fn containers(&self) -> impl Iterator<Item = (&'static str, &'a Node)> + 'a {
        let spec = self.spec;
        [
            ("initContainer", "initContainers"),
            ("container", "containers"),
            ("ephemeralContainer", "ephemeralContainers"),
        ]
        .into_iter()
        .flat_map(move |(kind, key)| {
            spec.get(key)
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter(|c| matches!(c.value, crate::yaml::Value::Map(_)))
                .map(move |c| (kind, c))
        })
    }

    /// The pod's volumes.
    pub fn volumes(&self) -> impl Iterator<Item = &'a Node> + 'a {
        self.spec
            .get("volumes")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
    }

    /// The pod (template) annotations.
    pub fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a Node)> + 'a {
        self.meta
            .and_then(|m| m.get("annotations"))
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| (k.as_str(), v))
    }
}
