//! One synthetic valid token per rule family, built here from the provider's format, and
//! a near miss that must not fire. Values are generated so no real credential is stored.

mod common;

use common::ids;

/// A deterministic string of `n` characters from `alphabet`.
fn mk(alphabet: &str, n: usize, seed: u64) -> String {
    let a = alphabet.as_bytes();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(a[(x % a.len() as u64) as usize])
        })
        .collect()
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEXL: &str = "0123456789abcdef";
const UPNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `line` must produce exactly `rule`; `near` must produce nothing.
fn check(rule: &str, line: &str, near: &str) {
    let got = ids(line);
    assert_eq!(got, vec![rule.to_string()], "positive for {rule}: {line}");
    let got = ids(near);
    assert!(got.is_empty(), "near miss for {rule} fired {got:?}: {near}");
}

#[test]
fn github() {
    let t = mk(ALNUM, 36, 1);
    check(
        "secret-github-pat",
        &format!("token: ghp_{t}"),
        &format!("token: ghp_{}", &t[..35]),
    );
    check(
        "secret-github-oauth-token",
        &format!("x=gho_{t}"),
        &format!("x=gho_{t}Z"),
    );
    check(
        "secret-github-app-token",
        &format!("x ghs_{t} y"),
        &format!("x ghx_{t} y"),
    );
    check(
        "secret-github-refresh-token",
        &format!("ghr_{}{}", t, mk(ALNUM, 40, 2)),
        "ghr_short",
    );
    let fg = format!("github_pat_{}_{}", mk(ALNUM, 22, 3), mk(ALNUM, 59, 4));
    check("secret-github-fine-grained-pat", &fg, &fg.replace('_', "-"));
}

#[test]
fn gitlab() {
    let t = mk(B64URL, 20, 5);
    check(
        "secret-gitlab-pat",
        &format!("GITLAB_TOKEN=glpat-{t}"),
        &format!("GITLAB_TOKEN=glpat-{}", &t[..12]),
    );
    check(
        "secret-gitlab-runner-registration-token",
        &format!("GR1348941{t}"),
        &format!("GR1348940{t}"),
    );
    check(
        "secret-gitlab-pipeline-trigger-token",
        &format!("glptt-{}", mk(HEXL, 40, 6)),
        &format!("glptt-{}", mk(HEXL, 39, 6)),
    );
    check(
        "secret-gitlab-deploy-token",
        &format!("gldt-{t}"),
        "gldt-short",
    );
    check(
        "secret-gitlab-runner-auth-token",
        &format!("glrt-{t}"),
        "glrt-",
    );
}

#[test]
fn slack() {
    let bot = format!(
        "xoxb-{}-{}-{}",
        mk("0123456789", 12, 7),
        mk("0123456789", 13, 8),
        mk(ALNUM, 24, 9)
    );
    check("secret-slack-bot-token", &bot, &bot.replace("xoxb", "xoxz"));
    let user = format!(
        "xoxp-{}-{}-{}-{}",
        mk("0123456789", 12, 1),
        mk("0123456789", 12, 2),
        mk("0123456789", 12, 3),
        mk(HEXL, 32, 4)
    );
    check(
        "secret-slack-user-token",
        &user,
        &user.replace("xoxp", "xoxq"),
    );
    let hook = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        mk(UPNUM, 8, 1),
        mk(UPNUM, 8, 2),
        mk(ALNUM, 24, 3)
    );
    check(
        "secret-slack-webhook-url",
        &hook,
        "https://hooks.slack.com/services/",
    );
    let app = format!(
        "xapp-1-A{}-{}-{}",
        mk(UPNUM, 10, 1),
        mk("0123456789", 13, 2),
        mk(HEXL, 64, 3)
    );
    check("secret-slack-app-token", &app, "xapp-1");
}

#[test]
fn aws() {
    let id = format!("AKIA{}", mk("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 11));
    check(
        "secret-aws-access-key-id",
        &format!("key={id}"),
        &format!("key={}", &id[..19]),
    );
    let secret = mk(B64, 40, 12);
    check(
        "secret-aws-secret-access-key",
        &format!("aws_secret_key = \"{secret}\""),
        &format!("aws_secret_key = \"{}\"", "a".repeat(40)),
    );
    // Both in one file: the secret is reported as a pair.
    let both = format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n");
    assert_eq!(
        ids(&both),
        vec!["secret-aws-access-key-id", "secret-aws-access-key-pair"]
    );
}

#[test]
fn cloud_and_saas() {
    check(
        "secret-gcp-api-key",
        &format!("key=AIza{}", mk(B64URL, 35, 13)),
        &format!("key=AIzb{}", mk(B64URL, 35, 13)),
    );
    let acct = format!(
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={}==;EndpointSuffix=core.windows.net",
        mk(B64, 86, 14)
    );
    check(
        "secret-azure-storage-account-key",
        &acct,
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2hvcnQ=;EndpointSuffix=core.windows.net",
    );
    check(
        "secret-stripe-secret-key",
        &format!("sk_live_{}", mk(ALNUM, 24, 15)),
        &format!("sk_live_{}", mk(ALNUM, 10, 15)),
    );
    check(
        "secret-twilio-api-key",
        &format!("SK{}", mk(HEXL, 32, 16)),
        &format!("SK{}", mk(HEXL, 31, 16)),
    );
    let sg = format!("SG.{}.{}", mk(B64URL, 22, 17), mk(B64URL, 43, 18));
    check("secret-sendgrid-api-key", &sg, &sg.replace("SG.", "SG-"));
    check(
        "secret-npm-access-token",
        &format!("npm_{}", mk(ALNUM, 36, 19)),
        &format!("npm_{}", mk(ALNUM, 30, 19)),
    );
    check(
        "secret-pypi-upload-token",
        &format!("pypi-AgEIcHlwaS5vcmc{}", mk(B64URL, 60, 20)),
        &format!("pypi-AgEIcHlwaS5vcmc{}", mk(B64URL, 10, 20)),
    );
    check(
        "secret-dockerhub-pat",
        &format!("dckr_pat_{}", mk(B64URL, 27, 21)),
        &format!("dckr_pat_{}", mk(B64URL, 20, 21)),
    );
    check(
        "secret-vault-service-token",
        &format!("hvs.{}", mk(B64URL, 90, 22)),
        "hvs.short",
    );
    check(
        "secret-shopify-access-token",
        &format!("shpat_{}", mk(HEXL, 32, 23)),
        &format!("shpat_{}", mk(HEXL, 31, 23)),
    );
    check(
        "secret-atlassian-api-token",
        &format!("ATATT3{}", mk(B64URL, 186, 24)),
        &format!("ATATT3{}", mk(B64URL, 100, 24)),
    );
    check(
        "secret-mailgun-api-key",
        &format!("key-{}", mk(HEXL, 32, 25)),
        &format!("key-{}", mk(HEXL, 31, 25)),
    );
    check(
        "secret-mailchimp-api-key",
        &format!("{}-us12", mk(HEXL, 32, 26)),
        &format!("{}-uk12", mk(HEXL, 32, 26)),
    );
    check(
        "secret-newrelic-user-api-key",
        &format!("NRAK-{}", mk(UPNUM, 27, 27)),
        &format!("NRAK-{}", mk(UPNUM, 20, 27)),
    );
    check(
        "secret-sentry-user-token",
        &format!("sntryu_{}", mk(HEXL, 64, 28)),
        &format!("sntryu_{}", mk(HEXL, 60, 28)),
    );
    check(
        "secret-heroku-api-key",
        &format!("HRKU-AA{}", mk(B64URL, 58, 29)),
        &format!("HRKU-AB{}", mk(B64URL, 58, 29)),
    );
    check(
        "secret-digitalocean-pat",
        &format!("dop_v1_{}", mk(HEXL, 64, 30)),
        &format!("dop_v2_{}", mk(HEXL, 64, 30)),
    );
    check(
        "secret-linear-api-key",
        &format!("lin_api_{}", mk(ALNUM, 40, 31)),
        &format!("lin_api_{}", mk(ALNUM, 39, 31)),
    );
    check(
        "secret-notion-integration-token",
        &format!("ntn_{}{}", mk("0123456789", 11, 32), mk(ALNUM, 35, 33)),
        "ntn_123",
    );
    let oa = format!(
        "sk-proj-{}T3BlbkFJ{}",
        mk(B64URL, 74, 34),
        mk(B64URL, 74, 35)
    );
    check(
        "secret-openai-api-key",
        &oa,
        &oa.replace("T3BlbkFJ", "T3BlbkFK"),
    );
    check(
        "secret-anthropic-api-key",
        &format!("sk-ant-api03-{}AA", mk(B64URL, 93, 36)),
        "sk-ant-api03-short",
    );
    check(
        "secret-huggingface-access-token",
        &format!("hf_{}", mk(LETTERS, 34, 37)),
        &format!("hf_{}", mk(LETTERS, 30, 37)),
    );
    check(
        "secret-postman-api-key",
        &format!("PMAK-{}-{}", mk(HEXL, 24, 38), mk(HEXL, 34, 39)),
        &format!("PMAK-{}", mk(HEXL, 24, 38)),
    );
    check(
        "secret-doppler-token",
        &format!("dp.st.{}", mk(ALNUM, 43, 40)),
        &format!("dp.xx.{}", mk(ALNUM, 43, 40)),
    );
    check(
        "secret-pulumi-access-token",
        &format!("pul-{}", mk(HEXL, 40, 41)),
        &format!("pul-{}", mk(HEXL, 39, 41)),
    );
    check(
        "secret-terraform-cloud-token",
        &format!("{}.atlasv1.{}", mk(ALNUM, 14, 42), mk(B64URL, 67, 43)),
        &format!("{}.atlasv2.{}", mk(ALNUM, 14, 42), mk(B64URL, 67, 43)),
    );
    check(
        "secret-grafana-service-account-token",
        &format!("glsa_{}_{}", mk(ALNUM, 32, 44), mk(HEXL, 8, 45)),
        "glsa_abc",
    );
    check(
        "secret-databricks-pat",
        &format!("dapi{}", mk(HEXL, 32, 46)),
        &format!("dapi{}", mk(HEXL, 31, 46)),
    );
    check(
        "secret-dynatrace-token",
        &format!("dt0c01.{}.{}", mk(UPNUM, 24, 47), mk(UPNUM, 64, 48)),
        &format!("dt0c01.{}", mk(UPNUM, 24, 47)),
    );
    check(
        "secret-datadog-api-key",
        &format!("DD_API_KEY={}", mk(HEXL, 32, 49)),
        &format!("DD_API_KEY={}", mk(HEXL, 31, 49)),
    );
}

#[test]
fn private_keys_and_files() {
    let body: String = (0..8)
        .map(|i| format!("{}\n", mk(B64, 64, 100 + i)))
        .collect();
    for (kind, id) in [
        ("RSA PRIVATE KEY", "secret-private-key-rsa"),
        ("EC PRIVATE KEY", "secret-private-key-ec"),
        ("PRIVATE KEY", "secret-private-key-pkcs8"),
        (
            "ENCRYPTED PRIVATE KEY",
            "secret-private-key-pkcs8-encrypted",
        ),
        ("OPENSSH PRIVATE KEY", "secret-private-key-openssh"),
        ("DSA PRIVATE KEY", "secret-private-key-dsa"),
    ] {
        let pem = format!("-----BEGIN {kind}-----\n{body}-----END {kind}-----\n");
        check(
            id,
            &pem,
            &format!("-----BEGIN {kind}-----\n-----END {kind}-----\n"),
        );
    }
    let pgp = format!(
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{body}=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n"
    );
    check(
        "secret-private-key-pgp",
        &pgp,
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n",
    );
    let jwt = format!(
        "eyJ{}.eyJ{}.{}",
        mk(B64URL, 20, 50),
        mk(B64URL, 40, 51),
        mk(B64URL, 43, 52)
    );
    check(
        "secret-jwt",
        &format!("Cookie: {jwt}"),
        &format!("Cookie: {}", jwt.replace('.', "")),
    );
    let pw = mk(ALNUM, 16, 53);
    check(
        "secret-postgres-url-password",
        &format!("postgres://app:{pw}@db.internal:5432/app"),
        "postgres://app:${DB_PASSWORD}@db.internal/app",
    );
    check(
        "secret-mongodb-url-password",
        &format!("mongodb+srv://app:{pw}@cluster0.mongodb.net/x"),
        "mongodb+srv://app@cluster0.mongodb.net/x",
    );
    check(
        "secret-redis-url-password",
        &format!("redis://:{pw}@cache:6379/0"),
        "redis://cache:6379/0",
    );
    check(
        "secret-amqp-url-password",
        &format!("amqp://guest:{pw}@mq:5672/"),
        "amqp://guest:<password>@mq:5672/",
    );
    check(
        "secret-mysql-url-password",
        &format!("mysql://root:{pw}@localhost/db"),
        "mysql://root:changeme@localhost/db",
    );
    let auth = mk(B64, 40, 54);
    check(
        "secret-docker-config-auth",
        &format!("{{\"auths\": {{\"registry.internal\": {{\"auth\": \"{auth}=\"}}}}}}"),
        &format!("{{\"credsStore\": \"desktop\", \"auth\": \"{auth}\"}}"),
    );
    check(
        "secret-netrc-password",
        &format!("machine git.internal\n  login deploy\n  password {pw}\n"),
        "machine git.internal\n  login deploy\n  password ${NETRC_PASSWORD}\n",
    );
    check(
        "secret-npmrc-auth-token",
        &format!("//registry.internal/:_authToken={}", mk(ALNUM, 36, 55)),
        "//registry.internal/:_authToken=${NPM_TOKEN}",
    );
    check(
        "secret-pypirc-password",
        &format!("[distutils]\nindex-servers = pypi\n[pypi]\nusername = me\npassword = {pw}\n"),
        "[pypi]\nusername = me\npassword = <your password>\n",
    );
    let key_data = mk(B64, 120, 56);
    check(
        "secret-kubeconfig-client-key",
        &format!("users:\n- name: admin\n  user:\n    client-key-data: {key_data}=\n"),
        "users:\n- name: admin\n  user:\n    client-key-file: /etc/k8s/admin.key\n",
    );
}

#[test]
fn generic_assignments() {
    let pw = "Zq8mR2vL9xKt4Np7";
    check(
        "secret-generic-password",
        &format!("db_password = \"{pw}\""),
        "db_password = \"changeme\"",
    );
    check(
        "secret-generic-password",
        &format!("'password': '{pw}',"),
        "'password': os.environ['DB_PASSWORD'],",
    );
    check(
        "secret-generic-secret",
        &format!("CLIENT_SECRET={}", mk(ALNUM, 32, 60)),
        "CLIENT_SECRET=${CLIENT_SECRET}",
    );
    check(
        "secret-generic-api-key",
        &format!("api_key: {}", mk(ALNUM, 32, 61)),
        "api_key: <your-api-key-here>",
    );
    for placeholder in [
        "password = \"xxxxxxxx\"",
        "password: \"{{ vault_password }}\"",
        "password = \"example123\"",
    ] {
        assert!(ids(placeholder).is_empty(), "{placeholder}");
    }
}

/// Issue 6: a Terraform variable's `default =` on a line below its name.
#[test]
fn issue_6_name_and_value_on_different_lines() {
    let okta = format!("00{}", mk(ALNUM, 40, 70));
    check(
        "secret-okta-api-token",
        &format!("variable \"corp_okta_api_token\" {{\n  default = \"{okta}\"\n}}\n"),
        &format!("variable \"corp_okta_api_token\" {{\n  type = string\n}}\nother = \"{okta}\"\n"),
    );
    let pw = "Zq8mR2vL9xKt4Np7";
    check(
        "secret-generic-password",
        &format!(
            "variable \"db_password\" {{\n  description = \"x\"\n  type = string\n  default = \"{pw}\"\n}}\n"
        ),
        "variable \"db_password\" {\n  sensitive = true\n}\n",
    );
}

/// Issue 6: Gradle `buildConfigField` compiles a key into the app.
#[test]
fn issue_6_gradle_build_config_field() {
    let key = mk(HEXL, 32, 71);
    check(
        "secret-gradle-build-config-field",
        &format!("buildConfigField 'String' , 'API_KEY' , '\"{key}\"'"),
        &format!("buildConfigField 'String' , 'BASE_URL' , '\"{key}\"'"),
    );
    check(
        "secret-gradle-build-config-field",
        &format!("buildConfigField(\"String\", \"MAPS_TOKEN\", \"\\\"{key}\\\"\")"),
        "buildConfigField(\"String\", \"MAPS_TOKEN\", \"\\\"${mapsToken}\\\"\")",
    );
}

/// Issue 6: backquoted values, `PASS =`, aligned `=>`, escaped quotes.
#[test]
fn issue_6_password_shapes() {
    for line in [
        "password = '`123QWERasdf'",
        "PASS = '`123QWERasdf'",
        "db_pass = \"Zq8mR2vL9x\"",
        "userPass: \"Zq8mR2vL9x\"",
        ":password       => '4ian1234',",
        "`Zq8mR2vL9x` is not it; password = `Zq8mR2vL9x`",
        "$password = \\\"Zq8mR2vL9x\\\";",
    ] {
        assert_eq!(ids(line), ["secret-generic-password"], "{line}");
    }
    for near in [
        "bypass = \"Zq8mR2vL9x\"",
        "compass = \"Zq8mR2vL9x\"",
        "    pass\n",
        "PASS = ''",
        "password = \"${PASSWORD}\"",
    ] {
        assert!(ids(near).is_empty(), "{near}");
    }
}

/// Issue 6: a known-weak password in an assignment is a finding; stopwords only drop
/// stand-ins.
#[test]
fn issue_6_weak_passwords_are_findings() {
    for line in [
        "password = 'abuser123456'",
        "password = \"qwerty123\"",
        "password: \"letmein99\"",
    ] {
        assert_eq!(ids(line), ["secret-generic-password"], "{line}");
    }
    for stand_in in [
        "password = \"changeme\"",
        "password = \"your_password\"",
        "api_key = \"0123456789abcdef0123456789abcdef\"",
        "client_secret = \"OOzkR1+hF+1ABCsIFDJMEUtqmtnZ1234567890\"",
    ] {
        assert!(ids(stand_in).is_empty(), "{stand_in}");
    }
}

/// Issue 6: connection strings split over concatenated literals; the C false positive.
#[test]
fn issue_6_connection_strings_and_c_fields() {
    check(
        "secret-odbc-connection-string-password",
        "adoConn.Open(\"Provider=SQLOLEDB.1;User ID=app_user; \" & \"Password =Zq8mR2vL9x;Initial Catalog=Prod;\")",
        "adoConn.Open(\"Provider=SQLOLEDB.1;User ID=app_user; \" & \"Password =\" & pw & \";\")",
    );
    check(
        "secret-odbc-connection-string-password",
        "conn = \"Driver={SQL Server};Server=db;Uid=sa;\" + \"Pwd=Zq8mR2vL9x;\"",
        "conn = \"Driver={SQL Server};Server=db;Uid=sa;\" + \"Pwd=#{password};\"",
    );
    // Anonymous FTP takes an e-mail address as its password (RFC 1635).
    let c = "server = xmalloc(sizeof(*server));\nserver->user = \"anonymous\";\nserver->password = \"busybox@\";\n";
    assert!(ids(c).is_empty(), "{c}");
    assert!(ids("ftp_password = \"ops@example.org\"").is_empty());
    assert_eq!(
        ids("server->password = \"Zq8mR2vL9x@\";"),
        ["secret-generic-password"]
    );
}

#[test]
fn inline_ignore_and_allowlists() {
    let t = format!("ghp_{}", mk(ALNUM, 36, 70));
    assert!(ids(&format!("x = \"{t}\" # rampart:ignore")).is_empty());
    assert!(ids(&format!("x = \"{t}\" # rampart:ignore secret-github-pat")).is_empty());
    assert_eq!(
        ids(&format!("x = \"{t}\" # rampart:ignore secret-jwt")),
        vec!["secret-github-pat"]
    );
    let hash = rampart_secrets::sha256_hex(t.as_bytes());
    let cfg = rampart_secrets::Config::from_toml(&format!(
        "[allowlist]\npaths = [\"**/fixtures/**\"]\nvalues_sha256 = [\"{}\"]\n",
        &hash[..12]
    ))
    .unwrap();
    let scanner = rampart_secrets::Scanner::new(&cfg).unwrap();
    let mut out = Vec::new();
    let mut stats = rampart_secrets::Stats::default();
    let other = format!("ghp_{}", mk(ALNUM, 36, 71));
    let text = format!("{t}\n{other}\n");
    scanner.scan("src/a.txt", text.as_bytes(), &mut out, &mut stats);
    scanner.scan(
        "tests/fixtures/a.txt",
        text.as_bytes(),
        &mut out,
        &mut stats,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].line, 2);
    assert_eq!(stats.suppressed_value, 1);
    assert_eq!(stats.skipped_path_allowlist, 1);
    let cfg = rampart_secrets::Config::from_toml("[allowlist]\nrules = [\"secret-github-pat\"]\n")
        .unwrap();
    let scanner = rampart_secrets::Scanner::new(&cfg).unwrap();
    let mut out = Vec::new();
    scanner.scan("a", text.as_bytes(), &mut out, &mut stats);
    assert!(out.is_empty());
}

#[test]
fn line_and_column() {
    let t = format!("glpat-{}", mk(B64URL, 20, 80));
    let text = format!("first\n\n  token = \"{t}\"\n");
    let f = common::scan("cfg.toml", text.as_bytes());
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].line, f[0].column), (3, 12));
    assert!(
        f[0].redacted.starts_with("glpa…sha256:"),
        "{}",
        f[0].redacted
    );
    assert!(f[0].fingerprint.starts_with("secret-gitlab-pat:cfg.toml:"));
}

#[test]
fn config_from_yaml_and_bad_glob() {
    let cfg: rampart_secrets::Config = serde_yaml::from_str(
        "max_file_size: 1024\nallowlist:\n  paths: ['vendor/**']\n  rules: [secret-jwt]\n",
    )
    .unwrap();
    assert_eq!(cfg.max_file_size, 1024);
    assert_eq!(cfg.allowlist.paths, ["vendor/**"]);
    let scanner = rampart_secrets::Scanner::new(&cfg).unwrap();
    assert_eq!(scanner.rule_count(), rampart_secrets::rules().len() - 1);
    let unknown = serde_yaml::from_str::<rampart_secrets::Config>("allowlist:\n  pathz: []\n");
    assert!(unknown.is_err());
}

/// Matches whose start is a keyword each rule now lists: found with no other keyword on
/// the line (before, an `smtps://` URL, a `pat…` variable and a `secret.access.key` name
/// were only found when some other keyword happened to share the line).
#[test]
fn keywords_cover_every_match_start() {
    let pw = mk(ALNUM, 14, 71);
    check(
        "secret-url-basic-auth",
        &format!("relay smtps://mailer:{pw}@mail.example.org:465"),
        "relay smtps://mail.example.org:465",
    );
    let ado = mk("abcdefghijklmnopqrstuvwxyz234567", 52, 72);
    check(
        "secret-azure-devops-pat-legacy",
        &format!("pat_value = \"{ado}\""),
        &format!("pat_value = \"{}\"", &ado[..40]),
    );
    let key = mk(B64, 40, 73);
    check(
        "secret-aws-secret-access-key",
        &format!("secret.access.key = {key}"),
        &format!("secret.access.key = {}", &key[..12]),
    );
}
