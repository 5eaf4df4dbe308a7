//! Kubernetes pod context for containers: the kubelet's pod list (`GET /pods`, a `PodList`)
//! parsed into an index from container id and pod IP to pod name, namespace and labels,
//! and applied to events (`k8s.pod.name`, `k8s.ns.name`, `k8s.pod.label[...]`). Owns the
//! parser and the lookup; fetching the list (HTTP) is the caller's.
//!
//! ```
//! let list = r#"{"kind":"PodList","items":[{"metadata":{"name":"web-1","namespace":"shop",
//!   "labels":{"app":"web"}},"status":{"podIP":"10.1.0.7","containerStatuses":[
//!   {"name":"web","containerID":"containerd://0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"}]}}]}"#;
//! let pods = rampart_sensor::pods::PodIndex::parse("kubelet /pods", list).unwrap();
//! let pod = pods.by_container("0a1b2c3d4e5f").unwrap();
//! assert_eq!((pod.namespace.as_str(), pod.name.as_str()), ("shop", "web-1"));
//! assert_eq!(pod.labels["app"], "web");
//! ```

use crate::container::short_id;
use rampart_detect::event::{Event, K8s};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

/// One pod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pod {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
}

/// A pod list that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct PodsError {
    /// Where the list came from (a URL or file).
    pub origin: String,
    /// What is wrong.
    pub reason: String,
}

/// Pods by container id (short form) and by pod IP.
#[derive(Debug, Default, Clone)]
pub struct PodIndex {
    by_container: HashMap<String, Arc<Pod>>,
    by_ip: HashMap<IpAddr, Arc<Pod>>,
    pods: usize,
}

fn str_at<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

impl PodIndex {
    /// Parses a `PodList` (`{"items": [pod, ...]}`). `origin` names the source in errors.
    /// Pods without a name are skipped; containers not started yet (no `containerID`)
    /// are left out; host-network pods are not indexed by IP (their IP is the node's).
    pub fn parse(origin: &str, text: &str) -> Result<PodIndex, PodsError> {
        let err = |reason: String| PodsError {
            origin: origin.to_string(),
            reason,
        };
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| err(format!("not JSON: {e}")))?;
        let items = v
            .get("items")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| err("not a PodList: no `items` array".into()))?;
        let mut idx = PodIndex::default();
        for (i, item) in items.iter().enumerate() {
            let Some(name) = str_at(item, &["metadata", "name"]) else {
                continue;
            };
            let mut labels = BTreeMap::new();
            if let Some(l) = item.pointer("/metadata/labels") {
                let map = l
                    .as_object()
                    .ok_or_else(|| err(format!("items[{i}].metadata.labels is not a map")))?;
                for (k, val) in map {
                    let s = val.as_str().ok_or_else(|| {
                        err(format!("items[{i}].metadata.labels.{k} is not a string"))
                    })?;
                    labels.insert(k.clone(), s.to_string());
                }
            }
            let pod = Arc::new(Pod {
                namespace: str_at(item, &["metadata", "namespace"])
                    .unwrap_or("default")
                    .to_string(),
                name: name.to_string(),
                labels,
            });
            idx.pods += 1;
            for list in [
                "containerStatuses",
                "initContainerStatuses",
                "ephemeralContainerStatuses",
            ] {
                let statuses = item
                    .pointer(&format!("/status/{list}"))
                    .and_then(serde_json::Value::as_array);
                for s in statuses.into_iter().flatten() {
                    let Some(id) = s.get("containerID").and_then(serde_json::Value::as_str) else {
                        continue;
                    };
                    // `containerd://<id>`, `docker://<id>`, `cri-o://<id>`.
                    let id = id.split_once("://").map_or(id, |(_, id)| id);
                    if !id.is_empty() {
                        idx.by_container
                            .insert(short_id(id).to_string(), Arc::clone(&pod));
                    }
                }
            }
            let host_network = item
                .pointer("/spec/hostNetwork")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            if !host_network {
                let mut ips: Vec<&str> = str_at(item, &["status", "podIP"]).into_iter().collect();
                if let Some(list) = item
                    .pointer("/status/podIPs")
                    .and_then(serde_json::Value::as_array)
                {
                    ips.extend(list.iter().filter_map(|p| str_at(p, &["ip"])));
                }
                for ip in ips {
                    if let Ok(ip) = ip.parse::<IpAddr>() {
                        idx.by_ip.insert(ip, Arc::clone(&pod));
                    }
                }
            }
        }
        Ok(idx)
    }

    /// Pods in the list.
    pub fn len(&self) -> usize {
        self.pods
    }

    /// No pods.
    pub fn is_empty(&self) -> bool {
        self.pods == 0
    }

    /// The pod running container `id` (full or short form).
    pub fn by_container(&self, id: &str) -> Option<&Pod> {
        self.by_container.get(short_id(id)).map(|p| &**p)
    }

    /// The pod with IP `ip`.
    pub fn by_ip(&self, ip: IpAddr) -> Option<&Pod> {
        self.by_ip.get(&ip).map(|p| &**p)
    }

    /// Fills `ev.k8s` from the pod of its container; false when the container is unknown
    /// (or the event has none).
    pub fn enrich(&self, ev: &mut Event) -> bool {
        let Some(pod) = ev.container.as_ref().and_then(|c| self.by_container(&c.id)) else {
            return false;
        };
        ev.k8s = Some(K8s {
            ns_name: pod.namespace.clone(),
            pod_name: pod.name.clone(),
            pod_labels: pod.labels.clone(),
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_detect::event::Container;

    const LIST: &str = r#"{
      "kind": "PodList", "apiVersion": "v1",
      "items": [
        {"metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web", "tier": "front"}},
         "spec": {},
         "status": {"podIP": "10.1.0.7", "podIPs": [{"ip": "10.1.0.7"}, {"ip": "fd00::7"}],
           "containerStatuses": [
             {"name": "web", "containerID": "containerd://0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"},
             {"name": "pending"}],
           "initContainerStatuses": [
             {"name": "init", "containerID": "docker://f9e8d7c6b5a4938271605f4e3d2c1b0af9e8d7c6b5a4938271605f4e3d2c1b0a"}]}},
        {"metadata": {"name": "node-agent", "namespace": "kube-system"},
         "spec": {"hostNetwork": true},
         "status": {"podIP": "192.168.1.10",
           "containerStatuses": [{"containerID": "cri-o://5a5b5c5d5e5f505152535455565758595a5b5c5d5e5f50515253545556575859"}]}},
        {"metadata": {}}
      ]}"#;

    #[test]
    fn pod_list_indexes_containers_and_ips() {
        let idx = PodIndex::parse("http://127.0.0.1:10255/pods", LIST).expect("parses");
        assert_eq!(idx.len(), 2);
        let web = idx.by_container("0a1b2c3d4e5f").expect("containerd id");
        assert_eq!(
            (web.namespace.as_str(), web.name.as_str()),
            ("shop", "web-1")
        );
        assert_eq!(web.labels.get("tier").map(String::as_str), Some("front"));
        assert_eq!(
            idx.by_container("f9e8d7c6b5a4938271605f4e3d2c1b0af9e8d7c6b5a4938271605f4e3d2c1b0a")
                .map(|p| p.name.as_str()),
            Some("web-1")
        );
        assert_eq!(
            idx.by_container("5a5b5c5d5e5f").map(|p| p.name.as_str()),
            Some("node-agent")
        );
        assert_eq!(
            idx.by_ip("fd00::7".parse().expect("ip"))
                .map(|p| p.name.as_str()),
            Some("web-1")
        );
        assert!(idx.by_ip("192.168.1.10".parse().expect("ip")).is_none());

        let mut ev = Event {
            container: Some(Container {
                id: "0a1b2c3d4e5f".into(),
                ..Container::default()
            }),
            ..Event::default()
        };
        assert!(idx.enrich(&mut ev));
        let k = ev.k8s.expect("k8s");
        assert_eq!((k.ns_name.as_str(), k.pod_name.as_str()), ("shop", "web-1"));
        assert_eq!(k.pod_labels["app"], "web");
        let mut host = Event::default();
        assert!(!idx.enrich(&mut host));
        assert!(host.k8s.is_none());
    }

    #[test]
    fn bad_pod_lists_name_their_source() {
        let e = PodIndex::parse("http://127.0.0.1:1/pods", "{not json").expect_err("bad");
        assert!(
            e.to_string()
                .starts_with("http://127.0.0.1:1/pods: not JSON"),
            "{e}"
        );
        let e = PodIndex::parse("kubelet", r#"{"kind":"Status"}"#).expect_err("bad");
        assert_eq!(e.to_string(), "kubelet: not a PodList: no `items` array");
        let e = PodIndex::parse(
            "kubelet",
            r#"{"items":[{"metadata":{"name":"a","labels":{"x":1}}}]}"#,
        )
        .expect_err("bad");
        assert_eq!(
            e.to_string(),
            "kubelet: items[0].metadata.labels.x is not a string"
        );
    }
}
