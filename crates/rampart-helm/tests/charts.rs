//! Renders the Helm charts of Trivy's integration fixtures (`../shared/corpus`) and charts
//! written here, and checks the manifests as `helm template` would produce them.

use rampart_helm::{Chart, HelmError, RenderOptions, Rendered, render};
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/trivy-integration-golden/fixtures/repo");
    if p.is_dir() {
        Some(p)
    } else if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing (CI=true): the corpus is required",
            p.display()
        );
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

fn yaml_docs(text: &str) -> Vec<serde_yaml::Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde_yaml::Value::deserialize(d).expect("rendered YAML parses"))
        .filter(|v| !v.is_null())
        .collect()
}

fn find<'a>(out: &'a [Rendered], path: &str) -> &'a Rendered {
    out.iter().find(|r| r.path == path).unwrap_or_else(|| {
        panic!(
            "{path} not rendered; got {:?}",
            out.iter().map(|r| &r.path).collect::<Vec<_>>()
        )
    })
}

#[test]
fn helm_create_chart_renders_like_helm_template() {
    let Some(repo) = corpus() else { return };
    let chart = Chart::from_dir(&repo.join("helm_testchart")).unwrap();
    let out = render(&chart, &RenderOptions::default()).unwrap();
    let paths: Vec<&str> = out.iter().map(|r| r.path.as_str()).collect();
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("_helpers") || p.ends_with("NOTES.txt")),
        "{paths:?}"
    );

    let dep = yaml_docs(&find(&out, "templates/deployment.yaml").text);
    assert_eq!(dep.len(), 1);
    let d = &dep[0];
    assert_eq!(d["kind"], "Deployment");
    assert_eq!(d["metadata"]["name"], "release-name-testchart");
    assert_eq!(
        d["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "Helm"
    );
    assert_eq!(d["metadata"]["labels"]["helm.sh/chart"], "testchart-0.1.0");
    assert_eq!(d["spec"]["replicas"], 1);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["name"], "testchart");
    assert_eq!(c["image"], "nginx:1.16.0");
    assert_eq!(c["securityContext"]["runAsUser"], 10001);
    assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL");
    assert_eq!(c["resources"]["limits"]["memory"], "128Mi");
    assert_eq!(
        d["spec"]["template"]["spec"]["serviceAccountName"],
        "release-name-testchart"
    );

    // Disabled by values: nothing but whitespace.
    for off in ["templates/hpa.yaml", "templates/ingress.yaml"] {
        assert!(
            yaml_docs(&find(&out, off).text).is_empty(),
            "{off} should be empty"
        );
    }
    let svc = yaml_docs(&find(&out, "templates/service.yaml").text);
    assert_eq!(svc[0]["spec"]["ports"][0]["port"], 80);
    assert!(
        !paths.contains(&"templates/tests/test-connection.yaml"),
        "{paths:?}"
    );
    let with_tests = RenderOptions {
        skip_tests: false,
        ..RenderOptions::default()
    };
    let out = render(&chart, &with_tests).unwrap();
    let test = yaml_docs(&find(&out, "templates/tests/test-connection.yaml").text);
    assert_eq!(test[0]["metadata"]["annotations"]["helm.sh/hook"], "test");
}

#[test]
fn values_files_and_set_override_like_helm() {
    let Some(repo) = corpus() else { return };
    let chart = Chart::from_dir(&repo.join("helm_testchart")).unwrap();
    let overrides = std::fs::read_to_string(repo.join("helm_values/values.yaml")).unwrap();
    let opts = RenderOptions {
        values_files: vec![("values.yaml".into(), overrides)],
        set: vec!["autoscaling.enabled=true,ingress.enabled=true".into()],
        ..RenderOptions::default()
    };
    let out = render(&chart, &opts).unwrap();
    let d = &yaml_docs(&find(&out, "templates/deployment.yaml").text)[0];
    let sc = &d["spec"]["template"]["spec"]["containers"][0]["securityContext"];
    // Maps merge: the override's runAsUser wins, the chart's other settings stay.
    assert_eq!(sc["runAsUser"], 0);
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    // autoscaling on: no replicas, and the HPA renders (API version chosen by capabilities).
    assert!(d["spec"].get("replicas").is_none());
    let hpa = yaml_docs(&find(&out, "templates/hpa.yaml").text);
    assert_eq!(hpa[0]["kind"], "HorizontalPodAutoscaler");
    assert_eq!(hpa[0]["spec"]["maxReplicas"], 100);
    let ing = yaml_docs(&find(&out, "templates/ingress.yaml").text);
    assert_eq!(ing[0]["kind"], "Ingress");
    assert_eq!(ing[0]["spec"]["rules"][0]["host"], "chart-example.local");
}

#[test]
fn packaged_chart_renders() {
    let Some(repo) = corpus() else { return };
    let tgz = repo.join("helm/testchart.tar.gz");
    assert!(rampart_helm::is_chart_archive(&tgz));
    let chart = Chart::from_archive(&tgz).unwrap();
    let out = render(&chart, &RenderOptions::default()).unwrap();
    assert_eq!(chart.name, "my-chart");
    let pod = yaml_docs(&find(&out, "templates/pod.yaml").text);
    assert_eq!(pod[0]["kind"], "Deployment");
    assert_eq!(
        pod[0]["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.14.2"
    );
}

#[test]
fn chart_without_templates_renders_nothing() {
    let Some(repo) = corpus() else { return };
    let chart = Chart::from_dir(&repo.join("helm_badname")).unwrap();
    assert!(
        render(&chart, &RenderOptions::default())
            .unwrap()
            .is_empty()
    );
}

fn write_chart(dir: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn subcharts_get_their_section_and_globals_and_respect_conditions() {
    let tmp = tempfile::tempdir().unwrap();
    write_chart(
        tmp.path(),
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: db\n  condition: db.enabled\n- name: off\n  condition: off.enabled\n",
            ),
            (
                "values.yaml",
                "global: {env: prod}\ndb: {enabled: true, port: 5432}\noff: {enabled: false}\n",
            ),
            (
                "templates/a.yaml",
                "kind: ConfigMap\nmetadata: {name: {{ .Chart.Name }}}\n",
            ),
            (
                "charts/db/Chart.yaml",
                "apiVersion: v2\nname: db\nversion: 0.1.0\n",
            ),
            ("charts/db/values.yaml", "port: 1\nuser: admin\n"),
            (
                "charts/db/templates/s.yaml",
                "kind: Service\nmetadata: {name: {{ .Chart.Name }}-{{ .Values.global.env }}}\nspec: {ports: [{port: {{ .Values.port }}}]}\nuser: {{ .Values.user }}\n",
            ),
            (
                "charts/off/Chart.yaml",
                "apiVersion: v2\nname: off\nversion: 0.1.0\n",
            ),
            ("charts/off/templates/x.yaml", "kind: Secret\n"),
        ],
    );
    let chart = Chart::from_dir(tmp.path()).unwrap();
    let out = render(&chart, &RenderOptions::default()).unwrap();
    let s = &yaml_docs(&find(&out, "charts/db/templates/s.yaml").text)[0];
    assert_eq!(s["metadata"]["name"], "db-prod");
    assert_eq!(s["spec"]["ports"][0]["port"], 5432);
    assert_eq!(s["user"], "admin");
    assert!(out.iter().all(|r| !r.path.starts_with("charts/off/")));
}

#[test]
fn bad_charts_fail_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    write_chart(
        tmp.path(),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: bad\nversion: 1.0.0\n"),
            (
                "templates/a.yaml",
                "kind: Pod\nmetadata:\n  name: {{ .Values.name\n",
            ),
        ],
    );
    let chart = Chart::from_dir(tmp.path()).unwrap();
    let e = render(&chart, &RenderOptions::default()).unwrap_err();
    assert!(matches!(e, HelmError::Parse { line: 3, .. }), "{e}");
    assert!(e.to_string().contains("templates/a.yaml:3"), "{e}");

    write_chart(
        tmp.path(),
        &[(
            "templates/a.yaml",
            "x: {{ required \"set .Values.name\" .Values.name }}\n",
        )],
    );
    let chart = Chart::from_dir(tmp.path()).unwrap();
    let e = render(&chart, &RenderOptions::default()).unwrap_err();
    assert!(e.to_string().contains("set .Values.name"), "{e}");
    let ok = RenderOptions {
        set: vec!["name=x".into()],
        ..RenderOptions::default()
    };
    assert_eq!(render(&chart, &ok).unwrap()[0].text, "x: x\n");

    write_chart(tmp.path(), &[("values.yaml", "a: [unclosed\n")]);
    let chart = Chart::from_dir(tmp.path()).unwrap();
    let e = render(&chart, &RenderOptions::default()).unwrap_err();
    assert!(
        matches!(e, HelmError::Yaml { .. }) && e.to_string().contains("values.yaml"),
        "{e}"
    );

    let none = tempfile::tempdir().unwrap();
    assert!(
        Chart::from_dir(none.path())
            .unwrap_err()
            .to_string()
            .contains("no Chart.yaml")
    );
}

#[test]
fn archives_cannot_escape_or_explode() {
    use flate2::{Compression, write::GzEncoder};
    let tmp = tempfile::tempdir().unwrap();
    // An entry with `..` is refused.
    let path = tmp.path().join("evil.tgz");
    {
        let f = std::fs::File::create(&path).unwrap();
        let mut b = tar::Builder::new(GzEncoder::new(f, Compression::fast()));
        let mut h = tar::Header::new_gnu();
        let data = b"apiVersion: v2\nname: x\nversion: 1\n";
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        // `set_path` refuses `..`, so write the name bytes directly.
        h.as_gnu_mut().unwrap().name[..22].copy_from_slice(b"x/../../etc/Chart.yaml");
        h.set_cksum();
        b.append(&h, &data[..]).unwrap();
        b.into_inner().unwrap().finish().unwrap();
    }
    let e = Chart::from_archive(&path).unwrap_err();
    assert!(e.to_string().contains("escapes"), "{e}");
    // A bomb: 100 MiB of zeros compresses to ~100 KiB and is refused past the limit.
    let bomb = tmp.path().join("bomb.tgz");
    {
        let f = std::fs::File::create(&bomb).unwrap();
        let mut b = tar::Builder::new(GzEncoder::new(f, Compression::best()));
        let zeros = vec![0u8; 100 << 20];
        let mut h = tar::Header::new_gnu();
        h.set_size(zeros.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "x/templates/big.yaml", &zeros[..])
            .unwrap();
        b.into_inner().unwrap().finish().unwrap();
    }
    let e = Chart::from_archive(&bomb).unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");
}
