//! Container ids from cgroup paths, and cgroup ids (what the kernel side reports) resolved
//! to cgroup paths. Owns the layouts of docker, containerd (CRI), cri-o and podman; leaves
//! names, images and pods to the container runtime.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where the cgroup v2 hierarchy is mounted on unified hosts.
pub const CGROUP_ROOT: &str = "/sys/fs/cgroup";

/// The mount point of the cgroup v2 hierarchy (`/sys/fs/cgroup` on unified hosts,
/// `/sys/fs/cgroup/unified` on hybrid ones), from `/proc/self/mounts`.
pub fn cgroup2_root() -> PathBuf {
    std::fs::read_to_string("/proc/self/mounts")
        .ok()
        .and_then(|m| {
            m.lines().find_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.get(2) == Some(&"cgroup2")).then(|| PathBuf::from(f[1]))
            })
        })
        .unwrap_or_else(|| PathBuf::from(CGROUP_ROOT))
}

/// The container id named by any hierarchy in a `/proc/<pid>/cgroup` text (v2 `0::/path`
/// and v1 `N:controllers:/path` lines alike).
pub fn id_from_proc_cgroup(text: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.splitn(3, ':').nth(2))
        .find_map(container_id)
        .map(str::to_string)
}

fn is_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The container id (64 hex digits) a cgroup path names, if any.
///
/// Recognized, at any depth (the deepest match wins, so nested cgroups of a container
/// resolve to it):
/// - docker with cgroupfs: `/docker/<id>`; Kubernetes cgroupfs pods: `/kubepods/…/pod<uid>/<id>`
/// - systemd-managed scopes: `docker-<id>.scope`, `cri-containerd-<id>.scope`,
///   `crio-<id>.scope`, `libpod-<id>.scope`
/// - containerd without systemd: `…/cri-containerd-<id>` or `<namespace>/<id>`
pub fn container_id(cgroup_path: &str) -> Option<&str> {
    let mut found = None;
    let mut in_pod_or_docker = false;
    for seg in cgroup_path.split('/').filter(|s| !s.is_empty()) {
        let core = seg.strip_suffix(".scope").unwrap_or(seg);
        let id = [
            "docker-",
            "cri-containerd-",
            "crio-",
            "libpod-",
            "containerd-",
        ]
        .iter()
        .find_map(|p| core.strip_prefix(p))
        .filter(|id| is_id(id));
        if let Some(id) = id {
            found = Some(id);
        } else if is_id(seg) && (in_pod_or_docker || found.is_none()) {
            found = Some(seg);
        }
        if seg == "docker" || seg.starts_with("kubepods") || seg.starts_with("pod") {
            in_pod_or_docker = true;
        }
    }
    found
}

/// The short form Falco uses for `container.id`: the first 12 digits.
pub fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// cgroup id → cgroup path, learned by walking the cgroup v2 tree (a cgroup's id is the
/// inode number of its directory).
#[derive(Debug, Default)]
pub struct CgroupPaths {
    root: PathBuf,
    known: HashMap<u64, String>,
    walks: u64,
}

impl CgroupPaths {
    /// Resolves ids below `root` (normally [`CGROUP_ROOT`]).
    pub fn new(root: impl Into<PathBuf>) -> CgroupPaths {
        CgroupPaths {
            root: root.into(),
            known: HashMap::new(),
            walks: 0,
        }
    }

    /// How many times the tree was walked.
    pub fn walks(&self) -> u64 {
        self.walks
    }

    /// Records that `id` is `path` (learned elsewhere, e.g. from `/proc/<pid>/cgroup`).
    pub fn insert(&mut self, id: u64, path: String) {
        self.known.insert(id, path);
    }

    /// The path of cgroup `id`, walking the tree again when it is new.
    pub fn path(&mut self, id: u64) -> Option<&str> {
        if !self.known.contains_key(&id) {
            self.walk();
            // Remember misses too, so an id that vanished does not cost a walk per event.
            self.known.entry(id).or_default();
        }
        self.known
            .get(&id)
            .map(String::as_str)
            .filter(|p| !p.is_empty())
    }

    fn walk(&mut self) {
        use std::os::unix::fs::MetadataExt;
        self.walks += 1;
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(md) = std::fs::metadata(&dir) else {
                continue;
            };
            let rel = rel_path(&self.root, &dir);
            self.known.insert(md.ino(), rel);
            let Ok(rd) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(e.path());
                }
            }
        }
    }
}

fn rel_path(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(r) if r.as_os_str().is_empty() => "/".to_string(),
        Ok(r) => format!("/{}", r.display()),
        Err(_) => dir.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f4e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

    #[test]
    fn docker_cgroupfs() {
        assert_eq!(container_id(&format!("/docker/{ID}")), Some(ID));
        assert_eq!(container_id(&format!("/docker/{ID}/init")), Some(ID));
    }

    #[test]
    fn docker_systemd_scope() {
        assert_eq!(
            container_id(&format!("/system.slice/docker-{ID}.scope")),
            Some(ID)
        );
    }

    #[test]
    fn containerd_cri_scope_in_kubepods() {
        let p = format!(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b4c5a2e_6f1d_4a57_9c1e_2b3d4f5a6b7c.slice/cri-containerd-{ID}.scope"
        );
        assert_eq!(container_id(&p), Some(ID));
    }

    #[test]
    fn crio_and_podman_scopes() {
        let p = format!(
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/crio-{ID}.scope"
        );
        assert_eq!(container_id(&p), Some(ID));
        let p = format!("/machine.slice/libpod-{ID}.scope/container");
        assert_eq!(container_id(&p), Some(ID));
    }

    #[test]
    fn kubepods_cgroupfs() {
        let p = format!("/kubepods/burstable/pod0b4c5a2e-6f1d-4a57-9c1e-2b3d4f5a6b7c/{ID}");
        assert_eq!(container_id(&p), Some(ID));
    }

    #[test]
    fn host_paths_have_no_container() {
        for p in [
            "/",
            "/init.scope",
            "/system.slice/sshd.service",
            "/user.slice/user-0.slice/session-3.scope",
            "/system.slice/docker.service",
            "/kubepods.slice/kubepods-besteffort.slice",
            // Not 64 hex digits.
            "/docker/3f4e2a1b9c8d",
            "/system.slice/docker-3F4E2A1B9C8D7E6F5A4B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F.scope",
        ] {
            assert_eq!(container_id(p), None, "{p}");
        }
    }

    #[test]
    fn hybrid_proc_cgroup_files() {
        let text = format!(
            "12:pids:/docker/{ID}\n11:memory:/docker/{ID}\n1:name=systemd:/docker/{ID}\n0::/\n"
        );
        assert_eq!(id_from_proc_cgroup(&text).as_deref(), Some(ID));
        let host =
            "12:pids:/user.slice/user-0.slice\n0::/user.slice/user-0.slice/session-1.scope\n";
        assert_eq!(id_from_proc_cgroup(host), None);
        let v2 = format!("0::/system.slice/docker-{ID}.scope\n");
        assert_eq!(id_from_proc_cgroup(&v2).as_deref(), Some(ID));
    }

    #[test]
    fn short_id_is_twelve_digits() {
        assert_eq!(short_id(ID), "3f4e2a1b9c8d");
    }

    #[test]
    fn walks_a_tree_by_inode() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let leaf = dir
            .path()
            .join("system.slice")
            .join(format!("docker-{ID}.scope"));
        std::fs::create_dir_all(&leaf).expect("mkdir");
        let ino = std::fs::metadata(&leaf).expect("stat").ino();
        let mut paths = CgroupPaths::new(dir.path());
        let p = paths.path(ino).expect("found").to_string();
        assert_eq!(p, format!("/system.slice/docker-{ID}.scope"));
        assert_eq!(container_id(&p), Some(ID));
        assert_eq!(paths.path(u64::MAX), None);
        assert_eq!(paths.walks(), 2);
        // Known ids do not walk again.
        paths.path(ino);
        assert_eq!(paths.walks(), 2);
    }
}
