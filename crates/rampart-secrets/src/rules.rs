//! The built-in secret rules: one static table, each credential type declared once.
//!
//! Patterns are written from the providers' published token formats (prefixes, lengths,
//! alphabets, checksums-by-shape); each entry's `format` says which. Order matters: when
//! two rules match the same bytes, the earlier one wins, so provider-specific rules come
//! first and the keyword-gated generic rules last. Matching lives in [`crate::engine`].

use crate::rule::SecretRule;
use rampart_core::Severity;

const CRIT: Severity = Severity::Critical;
const HIGH: Severity = Severity::High;
const MED: Severity = Severity::Medium;
const LOW: Severity = Severity::Low;

/// A value assigned to a name that contains `$name` (case-insensitive), such as
/// `TWILIO_AUTH_TOKEN = "..."` or `"twilio_secret": "..."`.
macro_rules! gated {
    ($name:literal, $val:literal) => {
        concat!(
            r"(?i:",
            $name,
            r")[\w.\-]{0,40}?(?:[\x22'\x60]?[ \t]{0,30}(?:=>|:=|=|:)|",
            tf_default!(),
            r")[ \t]{0,30}[\x22'\x60]?(",
            $val,
            r")(?:[^A-Za-z0-9_\-]|(?m:$))"
        )
    };
}

/// The name of a Terraform variable and the `default =` of its block, which may be on a
/// later line: `variable "okta_api_token" {` / `  type = string` / `  default = "..."`.
/// Used as an alternative to the `=`/`:` separator after a name; the engine extends a
/// keyword's window over the block when its line ends with `{`.
macro_rules! tf_default {
    () => {
        r"\x22[ \t]*\{[^{}]{0,300}?\bdefault[ \t]*="
    };
}

/// A prefixed token: `$body` preceded by a non-word byte (or the start). The engine
/// checks that a non-word byte (or the end) follows, without consuming it, so two
/// tokens one byte apart are both found (see [`TOKEN_PREFIX`]).
macro_rules! token {
    ($body:literal) => {
        concat!(r"(?:^|[^A-Za-z0-9_\-])(", $body, r")")
    };
}

/// How every `token!` pattern starts; the engine requires a token boundary after the
/// secret of such rules.
pub(crate) const TOKEN_PREFIX: &str = r"(?:^|[^A-Za-z0-9_\-])(";

static RULES: &[SecretRule] = &[
    // ---------------------------------------------------------------- cloud providers
    SecretRule::new(
        "secret-aws-access-key-id",
        "AWS access key ID",
        CRIT,
        &["akia", "asia", "abia", "acca", "a3t", "agpa", "aida", "aroa", "aipa", "anpa", "anva"],
        token!(r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}"),
        "4-letter type prefix (AKIA long-term, ASIA temporary, ...) then 16 upper-case base-32 characters.",
    )
    .refs(&["https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html"]),
    SecretRule::new(
        "secret-aws-secret-access-key",
        "AWS secret access key",
        CRIT,
        &["aws", "secret_access", "secretaccess", "secret-access", "secret.access"],
        r#"(?i:aws[\w.\-]{0,20}(?:secret|access)[\w.\-]{0,20}|secret[_\-.]?access[_\-.]?key)[\x22'\x60]?\s{0,30}(?:=>|:=|=|:)\s{0,30}[\x22'\x60]?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|(?m:$))"#,
        "40 characters of base64 (A-Z, a-z, 0-9, + and /), issued with an access key ID.",
    )
    .entropy(3.5)
    .refs(&["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"]),
    SecretRule::new(
        "secret-aws-access-key-pair",
        "AWS access key ID with its secret access key",
        CRIT,
        &[],
        r"(?:AKIA|ASIA)[A-Z0-9]{16}",
        "An access key ID and a secret access key in the same file: a complete, usable credential. \
         Reported in place of the lone secret access key.",
    ),
    SecretRule::new(
        "secret-aws-session-token",
        "AWS session token",
        HIGH,
        &["session"],
        r#"(?i:aws.?session.?token|aws.?session|security.?token)[\x22'\x60]?\s{0,30}(?:=>|:=|=|:)\s{0,30}[\x22'\x60]?([A-Za-z0-9/+=._\-]{100,2000})(?:[^A-Za-z0-9/+=._\-]|$)"#,
        "Long base64 blob (IQoJb3JpZ2lu... for STS) issued with temporary credentials.",
    )
    .entropy(4.0),
    SecretRule::new(
        "secret-aws-mws-auth-token",
        "Amazon MWS auth token",
        HIGH,
        &["amzn.mws."],
        r"(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
        "`amzn.mws.` followed by a lower-case UUID.",
    ),
    SecretRule::new(
        "secret-aws-appsync-api-key",
        "AWS AppSync API key",
        MED,
        &["da2-"],
        token!(r"da2-[a-z0-9]{26}"),
        "`da2-` followed by 26 lower-case alphanumerics.",
    ),
    SecretRule::new(
        "secret-aws-bedrock-api-key",
        "Amazon Bedrock API key",
        HIGH,
        &["absk"],
        token!(r"ABSK[A-Za-z0-9+/]{100,300}={0,2}"),
        "`ABSK` followed by a base64-encoded long-term key.",
    ),
    SecretRule::new(
        "secret-gcp-service-account-key",
        "Google Cloud service-account key file",
        CRIT,
        &["\"private_key\""],
        r#""private_key"\s*:\s*"(-----BEGIN (?:RSA )?PRIVATE KEY-----[A-Za-z0-9+/=\\\s]{64,}?-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)""#,
        "JSON key file with `\"type\": \"service_account\"`, a PEM `private_key` and a `client_email`.",
    )
    .block(8192)
    .requires(&["client_email"])
    .refs(&["https://cloud.google.com/iam/docs/keys-create-delete"]),
    SecretRule::new(
        "secret-gcp-api-key",
        "Google API key",
        HIGH,
        &["aiza"],
        token!(r"AIza[0-9A-Za-z_\-]{35}"),
        "`AIza` followed by 35 characters of base64url.",
    )
    .refs(&["https://cloud.google.com/docs/authentication/api-keys"]),
    SecretRule::new(
        "secret-gcp-oauth-client-secret",
        "Google OAuth client secret",
        HIGH,
        &["gocspx-"],
        token!(r"GOCSPX-[A-Za-z0-9_\-]{28}"),
        "`GOCSPX-` followed by 28 characters of base64url.",
    ),
    SecretRule::new(
        "secret-gcp-oauth-client-secret-legacy",
        "Google OAuth client secret (JSON client file)",
        HIGH,
        &["client_secret"],
        r#""client_secret"\s*:\s*"([A-Za-z0-9_\-]{24})""#,
        "24 characters of base64url in the `client_secret` field of a client_secret.json file.",
    )
    .requires(&["googleusercontent.com"]),
    SecretRule::new(
        "secret-gcp-oauth-access-token",
        "Google OAuth access token",
        HIGH,
        &["ya29."],
        token!(r"ya29\.[0-9A-Za-z_\-]{30,}"),
        "`ya29.` followed by base64url.",
    ),
    SecretRule::new(
        "secret-gcp-oauth-refresh-token",
        "Google OAuth refresh token",
        HIGH,
        &["1//0"],
        r"(?:^|[^A-Za-z0-9_\-/])(1//0[0-9A-Za-z_\-]{40,})",
        "`1//0` followed by base64url.",
    ),
    SecretRule::new(
        "secret-azure-storage-account-key",
        "Azure storage account key",
        CRIT,
        &["accountkey="],
        r"(?i:AccountKey=)([A-Za-z0-9+/]{40,100}={0,2})(?:[^A-Za-z0-9+/=]|$)",
        "64 bytes of base64 (88 characters ending in `==`) after `AccountKey=` in a connection string.",
    )
    .entropy(3.5)
    .refs(&["https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string"]),
    SecretRule::new(
        "secret-azure-shared-access-key",
        "Azure Service Bus / Event Hubs shared access key",
        CRIT,
        &["sharedaccesskey="],
        r"(?i:SharedAccessKey=)([A-Za-z0-9+/]{43}=)",
        "32 bytes of base64 after `SharedAccessKey=` in an `Endpoint=sb://` connection string.",
    ),
    SecretRule::new(
        "secret-azure-app-configuration-connection-string",
        "Azure App Configuration connection string",
        HIGH,
        &["azconfig.io"],
        r"Endpoint=https://[A-Za-z0-9\-]+\.azconfig\.io;Id=[^;\s]{4,};Secret=([A-Za-z0-9+/]{40,}=?)",
        "`Endpoint=https://<name>.azconfig.io;Id=...;Secret=<base64>`.",
    ),
    SecretRule::new(
        "secret-azure-sas-token",
        "Azure shared access signature",
        HIGH,
        &["sig="],
        r"(?:\?|&)sv=\d{4}-\d{2}-\d{2}&[A-Za-z0-9=&%:\-._]{0,300}?sig=([A-Za-z0-9%+/]{40,}(?:%3D|=){0,2})",
        "URL query with `sv=<date>` and an HMAC signature in `sig=`.",
    ),
    SecretRule::new(
        "secret-azure-ad-client-secret",
        "Microsoft Entra ID (Azure AD) client secret",
        HIGH,
        &["q~"],
        r"(?:^|[^A-Za-z0-9_~.\-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})(?:[^A-Za-z0-9_~.\-]|$)",
        "3 characters, a digit, `Q~`, then 31 to 34 characters of [A-Za-z0-9_~.-].",
    ),
    SecretRule::new(
        "secret-azure-devops-pat",
        "Azure DevOps personal access token",
        HIGH,
        &["azdo"],
        token!(r"[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}"),
        "84 characters with the fixed `AZDO` signature at offset 76.",
    ),
    SecretRule::new(
        "secret-azure-devops-pat-legacy",
        "Azure DevOps personal access token (52-character)",
        HIGH,
        &["azure", "devops", "ado_", "vsts", "pat", "token"],
        gated!(r"azure|devops|ado_|vsts|pat|token", r"[a-z0-9]{52}"),
        "52 lower-case base-32 characters, assigned to an Azure DevOps variable.",
    ),
    SecretRule::new(
        "secret-azure-function-key",
        "Azure Functions key",
        HIGH,
        &["azfu"],
        token!(r"[A-Za-z0-9_\-]{44}AzFu[A-Za-z0-9_\-]{5}[AQgw]=="),
        "Base64 key with the `AzFu` signature near its end.",
    ),
    SecretRule::new(
        "secret-alibaba-access-key-id",
        "Alibaba Cloud AccessKey ID",
        HIGH,
        &["ltai"],
        token!(r"LTAI[A-Za-z0-9]{20}"),
        "`LTAI` followed by 20 alphanumerics.",
    ),
    SecretRule::new(
        "secret-tencent-secret-id",
        "Tencent Cloud SecretId",
        HIGH,
        &["akid"],
        token!(r"AKID[A-Za-z0-9]{32}"),
        "`AKID` followed by 32 alphanumerics.",
    ),
    SecretRule::new(
        "secret-yandex-api-key",
        "Yandex Cloud API key",
        HIGH,
        &["aqvn"],
        token!(r"AQVN[A-Za-z0-9_\-]{35,38}"),
        "`AQVN` followed by 35 to 38 characters of base64url.",
    ),
    SecretRule::new(
        "secret-digitalocean-pat",
        "DigitalOcean personal access token",
        HIGH,
        &["dop_v1_"],
        token!(r"dop_v1_[a-f0-9]{64}"),
        "`dop_v1_` followed by 64 hex digits.",
    ),
    SecretRule::new(
        "secret-digitalocean-oauth-token",
        "DigitalOcean OAuth access token",
        HIGH,
        &["doo_v1_"],
        token!(r"doo_v1_[a-f0-9]{64}"),
        "`doo_v1_` followed by 64 hex digits.",
    ),
    SecretRule::new(
        "secret-digitalocean-refresh-token",
        "DigitalOcean OAuth refresh token",
        HIGH,
        &["dor_v1_"],
        token!(r"dor_v1_[a-f0-9]{64}"),
        "`dor_v1_` followed by 64 hex digits.",
    ),
    SecretRule::new(
        "secret-heroku-api-key",
        "Heroku platform API key",
        HIGH,
        &["hrku-"],
        token!(r"HRKU-AA[A-Za-z0-9_\-]{58}"),
        "`HRKU-AA` followed by 58 characters of base64url.",
    ),
    SecretRule::new(
        "secret-heroku-api-key-legacy",
        "Heroku API key (UUID)",
        HIGH,
        &["heroku"],
        gated!(r"heroku", r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"),
        "A UUID assigned to a Heroku variable.",
    ),
    SecretRule::new(
        "secret-flyio-token",
        "Fly.io access token",
        HIGH,
        &["fm1r_", "fm2_", "fo1_"],
        token!(r"(?:fm1[ar]_|fm2_|fo1_)[A-Za-z0-9+/=_\-]{40,}"),
        "`fm1a_`, `fm1r_`, `fm2_` or `fo1_` macaroon tokens in base64.",
    ),
    SecretRule::new(
        "secret-scalingo-api-token",
        "Scalingo API token",
        HIGH,
        &["tk-us-"],
        token!(r"tk-us-[A-Za-z0-9_\-]{48}"),
        "`tk-us-` followed by 48 characters of base64url.",
    ),
    SecretRule::new(
        "secret-cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        HIGH,
        &["v1.0-"],
        token!(r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}"),
        "`v1.0-`, 24 hex digits, `-`, 146 hex digits.",
    ),
    SecretRule::new(
        "secret-cloudflare-api-token",
        "Cloudflare API token",
        HIGH,
        &["cloudflare", "cf_api"],
        gated!(r"cloudflare|cf_api", r"[A-Za-z0-9_\-]{40}"),
        "40 characters of base64url assigned to a Cloudflare variable.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-ibm-cloud-api-key",
        "IBM Cloud IAM API key",
        HIGH,
        &["ibm"],
        gated!(r"ibm[\w.\-]{0,20}(?:api|iam|key)", r"[A-Za-z0-9_\-]{44}"),
        "44 characters of base64url assigned to an IBM Cloud variable.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-oci-api-key-fingerprint",
        "Oracle Cloud API signing key with fingerprint",
        MED,
        &["key_file"],
        r"(?m)^\s*key_file\s*=\s*(\S*\.pem)\s*$",
        "OCI CLI config naming a PEM private key next to `fingerprint=` and `tenancy=`.",
    )
    .requires(&["tenancy=ocid1."]),
    // ------------------------------------------------------------ source hosting, CI
    SecretRule::new(
        "secret-github-pat",
        "GitHub personal access token (classic)",
        CRIT,
        &["ghp_"],
        token!(r"ghp_[A-Za-z0-9]{36}"),
        "`ghp_` followed by 36 alphanumerics (30 random characters and a CRC32 checksum).",
    )
    .refs(&["https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/"]),
    SecretRule::new(
        "secret-github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        CRIT,
        &["github_pat_"],
        token!(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"),
        "`github_pat_`, 22 alphanumerics, `_`, 59 alphanumerics.",
    ),
    SecretRule::new(
        "secret-github-oauth-token",
        "GitHub OAuth access token",
        CRIT,
        &["gho_"],
        token!(r"gho_[A-Za-z0-9]{36}"),
        "`gho_` followed by 36 alphanumerics.",
    ),
    SecretRule::new(
        "secret-github-app-token",
        "GitHub App user-to-server or installation token",
        CRIT,
        &["ghu_", "ghs_"],
        token!(r"gh[us]_[A-Za-z0-9]{36}"),
        "`ghu_` (user-to-server) or `ghs_` (server-to-server) followed by 36 alphanumerics.",
    ),
    SecretRule::new(
        "secret-github-refresh-token",
        "GitHub refresh token",
        CRIT,
        &["ghr_"],
        token!(r"ghr_[A-Za-z0-9]{36,76}"),
        "`ghr_` followed by 36 to 76 alphanumerics.",
    ),
    SecretRule::new(
        "secret-github-oauth-client-secret",
        "GitHub OAuth app client secret",
        HIGH,
        &["github"],
        gated!(r"github[\w.\-]{0,20}secret", r"[0-9a-f]{40}"),
        "40 hex digits assigned to a GitHub client-secret variable.",
    ),
    SecretRule::new(
        "secret-gitlab-pat",
        "GitLab personal access token",
        CRIT,
        &["glpat-"],
        token!(r"glpat-[A-Za-z0-9_\-.]{20,80}"),
        "`glpat-` followed by 20 characters of base64url (newer tokens are longer, with a dotted suffix).",
    )
    .refs(&["https://docs.gitlab.com/ee/security/tokens/"]),
    SecretRule::new(
        "secret-gitlab-runner-registration-token",
        "GitLab runner registration token",
        HIGH,
        &["gr1348941"],
        token!(r"GR1348941[A-Za-z0-9_\-]{20}"),
        "`GR1348941` followed by 20 characters of base64url.",
    ),
    SecretRule::new(
        "secret-gitlab-runner-auth-token",
        "GitLab runner authentication token",
        HIGH,
        &["glrt-"],
        token!(r"glrt-[A-Za-z0-9_\-.]{20,80}"),
        "`glrt-` followed by base64url.",
    ),
    SecretRule::new(
        "secret-gitlab-deploy-token",
        "GitLab deploy token",
        HIGH,
        &["gldt-"],
        token!(r"gldt-[A-Za-z0-9_\-.]{20,80}"),
        "`gldt-` followed by base64url.",
    ),
    SecretRule::new(
        "secret-gitlab-pipeline-trigger-token",
        "GitLab pipeline trigger token",
        HIGH,
        &["glptt-"],
        token!(r"glptt-[0-9a-f]{40}"),
        "`glptt-` followed by 40 hex digits.",
    ),
    SecretRule::new(
        "secret-gitlab-feed-token",
        "GitLab feed token",
        MED,
        &["glft-"],
        token!(r"glft-[A-Za-z0-9_\-.]{20,80}"),
        "`glft-` followed by base64url.",
    ),
    SecretRule::new(
        "secret-gitlab-oauth-app-secret",
        "GitLab OAuth application secret",
        HIGH,
        &["gloas-"],
        token!(r"gloas-[A-Za-z0-9_\-.]{64}"),
        "`gloas-` followed by 64 characters.",
    ),
    SecretRule::new(
        "secret-gitlab-scim-token",
        "GitLab SCIM token",
        HIGH,
        &["glsoat-"],
        token!(r"glsoat-[A-Za-z0-9_\-.]{20,80}"),
        "`glsoat-` followed by base64url.",
    ),
    SecretRule::new(
        "secret-gitlab-ci-job-token",
        "GitLab CI/CD job token",
        MED,
        &["glcbt-"],
        token!(r"glcbt-[A-Za-z0-9_\-.]{20,80}"),
        "`glcbt-` followed by base64url.",
    ),
    SecretRule::new(
        "secret-gitlab-incoming-mail-token",
        "GitLab incoming mail token",
        MED,
        &["glimt-"],
        token!(r"glimt-[A-Za-z0-9_\-]{25}"),
        "`glimt-` followed by 25 characters.",
    ),
    SecretRule::new(
        "secret-gitlab-agent-token",
        "GitLab agent for Kubernetes token",
        HIGH,
        &["glagent-"],
        token!(r"glagent-[A-Za-z0-9_\-]{50}"),
        "`glagent-` followed by 50 characters.",
    ),
    SecretRule::new(
        "secret-gitlab-feature-flag-token",
        "GitLab feature-flags client token",
        LOW,
        &["glffct-"],
        token!(r"glffct-[A-Za-z0-9_\-]{20}"),
        "`glffct-` followed by 20 characters.",
    ),
    SecretRule::new(
        "secret-atlassian-api-token",
        "Atlassian API token",
        HIGH,
        &["atatt3"],
        token!(r"ATATT3[A-Za-z0-9_\-=]{186}"),
        "`ATATT3` followed by 186 characters (with a trailing checksum).",
    )
    .refs(&["https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/"]),
    SecretRule::new(
        "secret-atlassian-legacy-api-token",
        "Atlassian API token (24-character)",
        HIGH,
        &["atlassian", "jira", "confluence"],
        gated!(r"atlassian|jira|confluence", r"[A-Za-z0-9]{24}"),
        "24 alphanumerics assigned to an Atlassian, Jira or Confluence variable.",
    )
    .entropy(3.3),
    SecretRule::new(
        "secret-bitbucket-app-password",
        "Bitbucket app password",
        HIGH,
        &["atbb"],
        token!(r"ATBB[A-Za-z0-9_=.\-]{28,32}"),
        "`ATBB` followed by 28 to 32 characters.",
    ),
    SecretRule::new(
        "secret-buildkite-token",
        "Buildkite API access token",
        HIGH,
        &["bkua_"],
        token!(r"bkua_[a-f0-9]{40}"),
        "`bkua_` followed by 40 hex digits.",
    ),
    SecretRule::new(
        "secret-circleci-pat",
        "CircleCI personal API token",
        HIGH,
        &["ccipat_"],
        token!(r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}"),
        "`CCIPAT_`, 22 alphanumerics, `_`, 40 hex digits.",
    ),
    SecretRule::new(
        "secret-sourcegraph-access-token",
        "Sourcegraph access token",
        HIGH,
        &["sgp_"],
        token!(r"sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40}"),
        "`sgp_`, an optional instance id, then 40 hex digits.",
    ),
    SecretRule::new(
        "secret-sonarqube-token",
        "SonarQube token",
        HIGH,
        &["squ_", "sqp_", "sqa_"],
        token!(r"sq[upa]_[a-f0-9]{40}"),
        "`squ_` (user), `sqp_` (project) or `sqa_` (global) followed by 40 hex digits.",
    ),
    SecretRule::new(
        "secret-teamcity-token",
        "TeamCity access token",
        HIGH,
        &["eyj0exaioiaivencwmij9"],
        token!(r"eyJ0eXAiOiAiVENWMiJ9\.[A-Za-z0-9_\-]{36}\.[A-Za-z0-9_\-]{48}"),
        "JWT-like token whose header is `{\"typ\": \"TCV2\"}`.",
    ),
    SecretRule::new(
        "secret-jfrog-api-key",
        "JFrog Artifactory API key",
        HIGH,
        &["akcp"],
        token!(r"AKCp[A-Za-z0-9]{69}"),
        "`AKCp` followed by 69 alphanumerics.",
    ),
    SecretRule::new(
        "secret-jfrog-reference-token",
        "JFrog Artifactory reference token",
        HIGH,
        &["cmvmdgtu"],
        token!(r"cmVmdGtu[A-Za-z0-9]{56}"),
        "Base64 of `reftkn:` (`cmVmdGtu`) followed by 56 alphanumerics.",
    ),
    SecretRule::new(
        "secret-octopus-deploy-api-key",
        "Octopus Deploy API key",
        HIGH,
        &["api-"],
        token!(r"API-[A-Z0-9]{26,32}"),
        "`API-` followed by 26 or more upper-case alphanumerics.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-harness-pat",
        "Harness personal access token",
        HIGH,
        &["pat."],
        token!(r"pat\.[A-Za-z0-9_\-]{22}\.[0-9a-f]{24}\.[A-Za-z0-9]{20}"),
        "`pat.<account>.<24 hex>.<20 alphanumerics>`.",
    ),
    SecretRule::new(
        "secret-dependency-track-api-key",
        "Dependency-Track API key",
        HIGH,
        &["odt_"],
        token!(r"odt_[A-Za-z0-9]{32,}"),
        "`odt_` followed by 32 or more alphanumerics.",
    ),
    // ------------------------------------------------------------ package registries
    SecretRule::new(
        "secret-npm-access-token",
        "npm access token",
        CRIT,
        &["npm_"],
        token!(r"npm_[A-Za-z0-9]{36}"),
        "`npm_` followed by 36 alphanumerics (with a CRC32 checksum).",
    )
    .refs(&["https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/"]),
    SecretRule::new(
        "secret-npmrc-auth-token",
        "npm registry credential in .npmrc",
        HIGH,
        &["_authtoken", "_auth=", "_password="],
        r#"(?i:_authToken|_auth|_password)\s*=\s*[\x22']?([^\s\x22'$]{8,})"#,
        "`//registry/:_authToken=`, `_auth=` or `_password=` lines of an .npmrc file.",
    )
    .templated(),
    SecretRule::new(
        "secret-pypi-upload-token",
        "PyPI upload token",
        CRIT,
        &["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"],
        token!(r"pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}"),
        "`pypi-` and a base64 macaroon whose location is pypi.org (or test.pypi.org).",
    ),
    SecretRule::new(
        "secret-pypirc-password",
        "Package index password in .pypirc",
        HIGH,
        &["password"],
        r"(?m)^\s*password\s*[:=]\s*(\S{4,})\s*$",
        "`password =` line of a .pypirc file (a file with an `index-servers` or `[pypi]` section).",
    )
    .requires(&["[pypi]", "[testpypi]", "index-servers", "[distutils]"])
    .templated(),
    SecretRule::new(
        "secret-rubygems-api-key",
        "RubyGems API key",
        HIGH,
        &["rubygems_"],
        token!(r"rubygems_[a-f0-9]{48}"),
        "`rubygems_` followed by 48 hex digits.",
    ),
    SecretRule::new(
        "secret-cratesio-api-token",
        "crates.io API token",
        HIGH,
        &["cio"],
        token!(r"cio[A-Za-z0-9]{32}"),
        "`cio` followed by 32 alphanumerics.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-nuget-api-key",
        "NuGet API key",
        HIGH,
        &["oy2"],
        token!(r"oy2[a-z0-9]{43}"),
        "`oy2` followed by 43 lower-case alphanumerics.",
    ),
    SecretRule::new(
        "secret-clojars-token",
        "Clojars deploy token",
        HIGH,
        &["clojars_"],
        token!(r"CLOJARS_[a-z0-9]{60}"),
        "`CLOJARS_` followed by 60 lower-case alphanumerics.",
    ),
    SecretRule::new(
        "secret-dockerhub-pat",
        "Docker Hub personal access token",
        HIGH,
        &["dckr_pat_"],
        token!(r"dckr_pat_[A-Za-z0-9_\-]{27}"),
        "`dckr_pat_` followed by 27 characters of base64url.",
    ),
    SecretRule::new(
        "secret-dockerhub-oat",
        "Docker Hub organization access token",
        HIGH,
        &["dckr_oat_"],
        token!(r"dckr_oat_[A-Za-z0-9_\-]{32}"),
        "`dckr_oat_` followed by 32 characters of base64url.",
    ),
    SecretRule::new(
        "secret-docker-config-auth",
        "Registry credential in .docker/config.json",
        HIGH,
        &["\"auth\""],
        r#""auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})""#,
        "base64 of `user:password` in an `auths` entry of a Docker client config.",
    )
    .requires(&["\"auths\""]),
    SecretRule::new(
        "secret-docker-config-identity-token",
        "Registry identity token in .docker/config.json",
        HIGH,
        &["\"identitytoken\""],
        r#""identitytoken"\s*:\s*"([^"\s]{16,})""#,
        "OAuth refresh token in an `auths` entry of a Docker client config.",
    ),
    // ------------------------------------------------------------ secrets managers, IaC
    SecretRule::new(
        "secret-vault-service-token",
        "HashiCorp Vault service token",
        CRIT,
        &["hvs."],
        token!(r"hvs\.[A-Za-z0-9_\-]{24,}"),
        "`hvs.` followed by base64url (Vault 1.10 and later).",
    )
    .refs(&["https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes"]),
    SecretRule::new(
        "secret-vault-batch-token",
        "HashiCorp Vault batch token",
        HIGH,
        &["hvb."],
        token!(r"hvb\.[A-Za-z0-9_\-]{24,}"),
        "`hvb.` followed by base64url (Vault 1.10 and later).",
    ),
    SecretRule::new(
        "secret-vault-recovery-token",
        "HashiCorp Vault recovery token",
        HIGH,
        &["hvr."],
        token!(r"hvr\.[A-Za-z0-9_\-]{24,}"),
        "`hvr.` followed by base64url (Vault 1.10 and later).",
    ),
    SecretRule::new(
        "secret-vault-legacy-token",
        "HashiCorp Vault token (before 1.10)",
        HIGH,
        &["vault"],
        r"(?i:vault)[\w.\-]{0,40}?[\x22\x27\x60]?\s{0,5}(?:=>|:=|=|:|\s)\s{0,5}[\x22\x27\x60]?([sbr]\.[A-Za-z0-9_\-]{24,})(?:[^A-Za-z0-9_\-]|$)",
        "`s.`, `b.` or `r.` followed by 24 alphanumerics, assigned to a Vault variable.",
    ),
    SecretRule::new(
        "secret-terraform-cloud-token",
        "HCP Terraform / Terraform Enterprise API token",
        CRIT,
        &["atlasv1"],
        token!(r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70}"),
        "14 alphanumerics, `.atlasv1.`, then 60 to 70 characters.",
    ),
    SecretRule::new(
        "secret-pulumi-access-token",
        "Pulumi access token",
        HIGH,
        &["pul-"],
        token!(r"pul-[a-f0-9]{40}"),
        "`pul-` followed by 40 hex digits.",
    ),
    SecretRule::new(
        "secret-doppler-token",
        "Doppler token",
        HIGH,
        &["dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."],
        token!(r"dp\.(?:pt|st|ct|sa|scim|audit)\.(?:[a-z0-9_\-]{2,35}\.)?[A-Za-z0-9]{40,44}"),
        "`dp.pt.` (personal), `dp.st.` (service), `dp.ct.` (CLI), `dp.sa.`, `dp.scim.` or `dp.audit.` followed by 40 to 44 characters.",
    ),
    SecretRule::new(
        "secret-1password-service-account-token",
        "1Password service account token",
        CRIT,
        &["ops_eyj"],
        token!(r"ops_eyJ[A-Za-z0-9+/_\-]{250,}={0,3}"),
        "`ops_` followed by base64 JSON.",
    ),
    SecretRule::new(
        "secret-1password-secret-key",
        "1Password account secret key",
        CRIT,
        &["a3-"],
        token!(r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}"),
        "`A3-` and dash-separated groups of upper-case alphanumerics.",
    ),
    SecretRule::new(
        "secret-infracost-api-token",
        "Infracost API token",
        MED,
        &["ico-"],
        token!(r"ico-[A-Za-z0-9]{32}"),
        "`ico-` followed by 32 alphanumerics.",
    ),
    SecretRule::new(
        "secret-defined-networking-api-token",
        "Defined Networking API token",
        HIGH,
        &["dnkey-"],
        token!(r"dnkey-[a-z0-9=_\-]{26}-[a-z0-9=_\-]{52}"),
        "`dnkey-`, 26 characters, `-`, 52 characters.",
    ),
    SecretRule::new(
        "secret-tailscale-key",
        "Tailscale API or auth key",
        HIGH,
        &["tskey-"],
        token!(r"tskey-[a-z]+-[A-Za-z0-9]{6,}-[A-Za-z0-9]{16,}"),
        "`tskey-<kind>-<id>-<secret>` (kinds: api, auth, client, scim, webhook).",
    ),
    SecretRule::new(
        "secret-settlemint-token",
        "SettleMint access token",
        MED,
        &["sm_pat_", "sm_aat_", "sm_sat_"],
        token!(r"sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}"),
        "`sm_pat_`, `sm_aat_` or `sm_sat_` followed by 16 alphanumerics.",
    ),
    // ------------------------------------------------------------ observability
    SecretRule::new(
        "secret-datadog-api-key",
        "Datadog API key",
        HIGH,
        &["datadog", "dd_api", "dd-api"],
        gated!(r"datadog|dd_api|dd-api", r"[a-f0-9]{32}"),
        "32 hex digits assigned to a Datadog (`DD_API_KEY`) variable.",
    ),
    SecretRule::new(
        "secret-datadog-app-key",
        "Datadog application key",
        HIGH,
        &["datadog", "dd_app", "dd-app"],
        gated!(r"datadog|dd_app|dd-app", r"[a-f0-9]{40}"),
        "40 hex digits assigned to a Datadog (`DD_APP_KEY`) variable.",
    ),
    SecretRule::new(
        "secret-newrelic-user-api-key",
        "New Relic user API key",
        HIGH,
        &["nrak-"],
        token!(r"NRAK-[A-Z0-9]{27}"),
        "`NRAK-` followed by 27 upper-case alphanumerics.",
    ),
    SecretRule::new(
        "secret-newrelic-admin-api-key",
        "New Relic admin API key",
        HIGH,
        &["nraa-"],
        token!(r"NRAA-[a-f0-9]{27}"),
        "`NRAA-` followed by 27 hex digits.",
    ),
    SecretRule::new(
        "secret-newrelic-insights-insert-key",
        "New Relic Insights insert key",
        HIGH,
        &["nrii-"],
        token!(r"NRII-[A-Za-z0-9_\-]{32}"),
        "`NRII-` followed by 32 characters.",
    ),
    SecretRule::new(
        "secret-newrelic-insights-query-key",
        "New Relic Insights query key",
        MED,
        &["nriq-"],
        token!(r"NRIQ-[A-Za-z0-9_\-]{32}"),
        "`NRIQ-` followed by 32 characters.",
    ),
    SecretRule::new(
        "secret-newrelic-rest-api-key",
        "New Relic REST API key",
        HIGH,
        &["nrra-"],
        token!(r"NRRA-[a-f0-9]{42}"),
        "`NRRA-` followed by 42 hex digits.",
    ),
    SecretRule::new(
        "secret-newrelic-browser-api-key",
        "New Relic browser API key",
        LOW,
        &["nrjs-"],
        token!(r"NRJS-[a-f0-9]{19}"),
        "`NRJS-` followed by 19 hex digits.",
    ),
    SecretRule::new(
        "secret-newrelic-license-key",
        "New Relic license (ingest) key",
        HIGH,
        &["nral"],
        token!(r"(?:[a-f0-9]{36}|[a-z]{2}\d{2}xx[a-f0-9]{30})NRAL"),
        "36 hex digits followed by `NRAL`.",
    ),
    SecretRule::new(
        "secret-newrelic-pixie-key",
        "New Relic Pixie API or deploy key",
        HIGH,
        &["px-api-", "px-dep-"],
        token!(r"px-(?:api|dep)-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"),
        "`px-api-` or `px-dep-` followed by a UUID.",
    ),
    SecretRule::new(
        "secret-sentry-org-token",
        "Sentry organization auth token",
        HIGH,
        &["sntrys_"],
        token!(r"sntrys_eyJ[A-Za-z0-9+/=_\-]{60,}"),
        "`sntrys_` followed by base64 JSON and a secret.",
    ),
    SecretRule::new(
        "secret-sentry-user-token",
        "Sentry user auth token",
        HIGH,
        &["sntryu_"],
        token!(r"sntryu_[a-f0-9]{64}"),
        "`sntryu_` followed by 64 hex digits.",
    ),
    SecretRule::new(
        "secret-sentry-auth-token-legacy",
        "Sentry auth token (64 hex digits)",
        HIGH,
        &["sentry"],
        gated!(r"sentry", r"[a-f0-9]{64}"),
        "64 hex digits assigned to a Sentry variable.",
    ),
    SecretRule::new(
        "secret-grafana-cloud-token",
        "Grafana Cloud access policy token",
        HIGH,
        &["glc_"],
        token!(r"glc_[A-Za-z0-9+/]{32,400}={0,2}"),
        "`glc_` followed by base64 JSON.",
    ),
    SecretRule::new(
        "secret-grafana-service-account-token",
        "Grafana service account token",
        HIGH,
        &["glsa_"],
        token!(r"glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}"),
        "`glsa_`, 32 alphanumerics, `_`, an 8-hex-digit checksum.",
    ),
    SecretRule::new(
        "secret-grafana-api-key",
        "Grafana API key (legacy)",
        HIGH,
        &["eyjrijoi"],
        token!(r"eyJrIjoi[A-Za-z0-9]{30,400}={0,2}"),
        "base64 JSON starting `{\"k\":\"` (`eyJrIjoi`).",
    ),
    SecretRule::new(
        "secret-dynatrace-token",
        "Dynatrace API token",
        HIGH,
        &["dt0c01.", "dt0s01.", "dt0s02.", "dt0s16."],
        token!(r"dt0[cs]\d{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64}"),
        "`dt0c01.`, a 24-character public part, `.`, a 64-character secret part.",
    ),
    SecretRule::new(
        "secret-honeycomb-api-key",
        "Honeycomb ingest key",
        MED,
        &["hcaik_"],
        token!(r"hcaik_[a-z0-9]{58}"),
        "`hcaik_` followed by 58 lower-case alphanumerics.",
    ),
    SecretRule::new(
        "secret-stackhawk-api-key",
        "StackHawk API key",
        HIGH,
        &["hawk."],
        token!(r"hawk\.[A-Za-z0-9_\-]{20}\.[A-Za-z0-9_\-]{20}"),
        "`hawk.<20 chars>.<20 chars>`.",
    ),
    SecretRule::new(
        "secret-codeclimate-reporter-id",
        "Code Climate test reporter id",
        LOW,
        &["cc_test_reporter_id"],
        gated!(r"cc_test_reporter_id", r"[a-f0-9]{64}"),
        "64 hex digits in `CC_TEST_REPORTER_ID`.",
    ),
    // ------------------------------------------------------------ messaging, chat
    SecretRule::new(
        "secret-slack-bot-token",
        "Slack bot token",
        HIGH,
        &["xoxb-"],
        token!(r"xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34}"),
        "`xoxb-<team id>-<bot id>-<24+ alphanumerics>`.",
    )
    .refs(&["https://api.slack.com/authentication/token-types"]),
    SecretRule::new(
        "secret-slack-legacy-bot-token",
        "Slack legacy bot token",
        HIGH,
        &["xoxb-"],
        token!(r"xoxb-[0-9]{8,14}-[A-Za-z0-9]{18,26}"),
        "`xoxb-<id>-<18 to 26 alphanumerics>`.",
    ),
    SecretRule::new(
        "secret-slack-user-token",
        "Slack user token",
        HIGH,
        &["xoxp-", "xoxo-", "xoxs-"],
        token!(r"xox[pos]-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{28,34}"),
        "`xoxp-<team>-<user>-<id>-<32 hex digits>`.",
    ),
    SecretRule::new(
        "secret-slack-app-token",
        "Slack app-level token",
        HIGH,
        &["xapp-"],
        token!(r"xapp-(?:\d-[A-Z0-9]+-\d+-[a-z0-9]+|[0-9]{8,14}-[A-Za-z0-9/+]{20,})"),
        "`xapp-<version>-<app id>-<number>-<hex>`.",
    ),
    SecretRule::new(
        "secret-slack-config-token",
        "Slack configuration access or refresh token",
        HIGH,
        &["xoxe.xox", "xoxe-"],
        token!(r"xoxe(?:\.xox[bp])?-\d-[A-Z0-9]{146,163}"),
        "`xoxe.xoxp-1-...` (access) or `xoxe-1-...` (refresh) followed by upper-case alphanumerics.",
    ),
    SecretRule::new(
        "secret-slack-legacy-token",
        "Slack legacy workspace or other token",
        HIGH,
        &["xoxa-", "xoxr-"],
        token!(r"xox[ar]-(?:\d-)?[0-9A-Za-z\-]{20,}"),
        "`xoxa-` or `xoxr-` followed by numeric ids and a secret.",
    ),
    SecretRule::new(
        "secret-slack-webhook-url",
        "Slack incoming webhook URL",
        HIGH,
        &["hooks.slack.com"],
        r"(https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,120})",
        "`https://hooks.slack.com/services/T.../B.../<24 alphanumerics>`.",
    ),
    SecretRule::new(
        "secret-discord-webhook-url",
        "Discord webhook URL",
        HIGH,
        &["/api/webhooks/"],
        r"(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_\-]{60,68})",
        "`https://discord.com/api/webhooks/<id>/<68-character token>`.",
    ),
    SecretRule::new(
        "secret-discord-bot-token",
        "Discord bot token",
        HIGH,
        &["discord"],
        gated!(r"discord", r"[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}"),
        "base64 user id, `.`, timestamp, `.`, HMAC, assigned to a Discord variable.",
    ),
    SecretRule::new(
        "secret-msteams-webhook-url",
        "Microsoft Teams incoming webhook URL",
        MED,
        &["webhook.office.com", "outlook.office.com/webhook"],
        r"(https://[A-Za-z0-9\-]+\.webhook\.office\.com/webhookb2/[A-Za-z0-9\-]{36}@[A-Za-z0-9\-]{36}/IncomingWebhook/[A-Za-z0-9]{32}/[A-Za-z0-9\-]{36}(?:/[A-Za-z0-9_\-]{40,})?|https://outlook\.office\.com/webhook/[A-Za-z0-9\-@]{60,}/IncomingWebhook/[A-Za-z0-9]{32}/[A-Za-z0-9\-]{36})",
        "`https://<tenant>.webhook.office.com/webhookb2/<guid>@<guid>/IncomingWebhook/<32>/<guid>`.",
    ),
    SecretRule::new(
        "secret-telegram-bot-token",
        "Telegram bot token",
        HIGH,
        &[":aa"],
        r"(?:^|[^0-9A-Za-z])([0-9]{8,10}:AA[A-Za-z0-9_\-]{32,33})(?:[^A-Za-z0-9_\-]|$)",
        "Bot id (8 to 10 digits), `:AA`, then 33 characters of base64url.",
    ),
    SecretRule::new(
        "secret-twilio-api-key",
        "Twilio API key SID",
        MED,
        &["sk"],
        r"(?:^|[^A-Za-z0-9])(SK[0-9a-f]{32})(?:[^A-Za-z0-9]|$)",
        "`SK` followed by 32 hex digits.",
    ),
    SecretRule::new(
        "secret-twilio-auth-token",
        "Twilio auth token",
        HIGH,
        &["twilio"],
        gated!(r"twilio", r"[a-f0-9]{32}"),
        "32 hex digits assigned to a Twilio variable.",
    ),
    SecretRule::new(
        "secret-sendgrid-api-key",
        "SendGrid API key",
        HIGH,
        &["sg."],
        token!(r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"),
        "`SG.`, 22 characters of base64url, `.`, 43 characters of base64url.",
    ),
    SecretRule::new(
        "secret-mailgun-api-key",
        "Mailgun API key",
        HIGH,
        &["key-"],
        token!(r"key-[a-f0-9]{32}"),
        "`key-` followed by 32 hex digits.",
    ),
    SecretRule::new(
        "secret-mailgun-private-key",
        "Mailgun private API key",
        HIGH,
        &["mailgun", "mg_"],
        gated!(r"mailgun|mg_", r"[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}"),
        "32 hex digits, `-`, 8 hex digits, `-`, 8 hex digits.",
    ),
    SecretRule::new(
        "secret-mailchimp-api-key",
        "Mailchimp API key",
        HIGH,
        &["-us"],
        r"(?:^|[^A-Za-z0-9])([0-9a-f]{32}-us[0-9]{1,2})(?:[^A-Za-z0-9]|$)",
        "32 hex digits, `-us`, and the data-centre number.",
    ),
    SecretRule::new(
        "secret-postmark-server-token",
        "Postmark server token",
        HIGH,
        &["postmark"],
        gated!(r"postmark", r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        "A UUID assigned to a Postmark variable.",
    ),
    SecretRule::new(
        "secret-brevo-api-key",
        "Brevo (Sendinblue) API key",
        HIGH,
        &["xkeysib-"],
        token!(r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}"),
        "`xkeysib-`, 64 hex digits, `-`, 16 alphanumerics.",
    ),
    SecretRule::new(
        "secret-mailersend-api-token",
        "MailerSend API token",
        HIGH,
        &["mlsn."],
        token!(r"mlsn\.[a-f0-9]{64}"),
        "`mlsn.` followed by 64 hex digits.",
    ),
    SecretRule::new(
        "secret-messagebird-api-key",
        "MessageBird API key",
        MED,
        &["messagebird", "message_bird", "message-bird"],
        gated!(r"messagebird|message_bird|message-bird", r"[A-Za-z0-9]{25}"),
        "25 alphanumerics assigned to a MessageBird variable.",
    )
    .entropy(3.3),
    // ------------------------------------------------------------ payments, commerce
    SecretRule::new(
        "secret-stripe-secret-key",
        "Stripe secret key",
        CRIT,
        &["sk_live_", "sk_test_"],
        token!(r"sk_(?:live|test)_[A-Za-z0-9]{24,247}"),
        "`sk_live_` (or `sk_test_`) followed by at least 24 alphanumerics.",
    )
    .refs(&["https://docs.stripe.com/keys"]),
    SecretRule::new(
        "secret-stripe-restricted-key",
        "Stripe restricted key",
        HIGH,
        &["rk_live_", "rk_test_"],
        token!(r"rk_(?:live|test)_[A-Za-z0-9]{24,247}"),
        "`rk_live_` (or `rk_test_`) followed by at least 24 alphanumerics.",
    ),
    SecretRule::new(
        "secret-stripe-webhook-secret",
        "Stripe webhook signing secret",
        HIGH,
        &["whsec_"],
        token!(r"whsec_[A-Za-z0-9]{32,}"),
        "`whsec_` followed by at least 32 alphanumerics.",
    ),
    SecretRule::new(
        "secret-square-access-token",
        "Square access token",
        HIGH,
        &["eaaa", "sq0atp-"],
        token!(r"(?:EAAA[A-Za-z0-9_\-]{60}|sq0atp-[A-Za-z0-9_\-]{22})"),
        "`EAAA` followed by 60 characters (or legacy `sq0atp-` followed by 22).",
    ),
    SecretRule::new(
        "secret-square-oauth-secret",
        "Square OAuth application secret",
        HIGH,
        &["sq0csp-"],
        token!(r"sq0csp-[A-Za-z0-9_\-]{43}"),
        "`sq0csp-` followed by 43 characters of base64url.",
    ),
    SecretRule::new(
        "secret-shopify-access-token",
        "Shopify Admin API access token",
        HIGH,
        &["shpat_", "shpca_", "shppa_"],
        token!(r"shp(?:at|ca|pa)_[a-fA-F0-9]{32}"),
        "`shpat_` (custom app), `shpca_` (public app) or `shppa_` (private app) followed by 32 hex digits.",
    ),
    SecretRule::new(
        "secret-shopify-shared-secret",
        "Shopify app shared secret",
        HIGH,
        &["shpss_"],
        token!(r"shpss_[a-fA-F0-9]{32}"),
        "`shpss_` followed by 32 hex digits.",
    ),
    SecretRule::new(
        "secret-paypal-braintree-access-token",
        "PayPal Braintree access token",
        CRIT,
        &["access_token$production$", "access_token$sandbox$"],
        r"(access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32})",
        "`access_token$production$<16>$<32 hex>`.",
    ),
    SecretRule::new(
        "secret-flutterwave-secret-key",
        "Flutterwave secret key",
        HIGH,
        &["flwseck"],
        token!(r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X"),
        "`FLWSECK-` (or `FLWSECK_TEST-`), 32 hex-like characters, `-X`.",
    ),
    SecretRule::new(
        "secret-flutterwave-encryption-key",
        "Flutterwave encryption key",
        MED,
        &["flwseck"],
        token!(r"FLWSECK(?:_TEST)?[a-h0-9]{12}"),
        "`FLWSECK_TEST` followed by 12 hex-like characters.",
    ),
    SecretRule::new(
        "secret-duffel-api-token",
        "Duffel API token",
        HIGH,
        &["duffel_"],
        token!(r"duffel_(?:test|live)_[A-Za-z0-9_\-=]{43}"),
        "`duffel_live_` (or `duffel_test_`) followed by 43 characters.",
    ),
    SecretRule::new(
        "secret-easypost-api-key",
        "EasyPost API key",
        HIGH,
        &["ezak", "eztk"],
        token!(r"EZ[AT]K[A-Za-z0-9]{54}"),
        "`EZAK` (production) or `EZTK` (test) followed by 54 alphanumerics.",
    ),
    SecretRule::new(
        "secret-shippo-api-token",
        "Shippo API token",
        HIGH,
        &["shippo_"],
        token!(r"shippo_(?:live|test)_[a-f0-9]{40}"),
        "`shippo_live_` (or `shippo_test_`) followed by 40 hex digits.",
    ),
    SecretRule::new(
        "secret-plaid-access-token",
        "Plaid access token",
        HIGH,
        &["access-sandbox-", "access-development-", "access-production-"],
        token!(r"access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        "`access-<environment>-` followed by a UUID.",
    ),
    SecretRule::new(
        "secret-gocardless-api-token",
        "GoCardless access token",
        HIGH,
        &["live_"],
        gated!(r"gocardless", r"live_[A-Za-z0-9_\-=]{40}"),
        "`live_` followed by 40 characters, assigned to a GoCardless variable.",
    ),
    SecretRule::new(
        "secret-coinbase-api-key-name",
        "Coinbase CDP API key",
        HIGH,
        &["organizations/"],
        r"(organizations/[0-9a-f\-]{36}/apiKeys/[0-9a-f\-]{36})",
        "`organizations/<uuid>/apiKeys/<uuid>` with its EC private key.",
    )
    .requires(&["PRIVATE KEY"]),
    // ------------------------------------------------------------ productivity, SaaS
    SecretRule::new(
        "secret-linear-api-key",
        "Linear API key",
        HIGH,
        &["lin_api_"],
        token!(r"lin_api_[A-Za-z0-9]{40}"),
        "`lin_api_` followed by 40 alphanumerics.",
    ),
    SecretRule::new(
        "secret-linear-oauth-token",
        "Linear OAuth access token",
        HIGH,
        &["lin_oauth_"],
        token!(r"lin_oauth_[a-f0-9]{64}"),
        "`lin_oauth_` followed by 64 hex digits.",
    ),
    SecretRule::new(
        "secret-notion-integration-token",
        "Notion integration token",
        HIGH,
        &["ntn_"],
        token!(r"ntn_[0-9]{11}[A-Za-z0-9]{35}"),
        "`ntn_`, 11 digits, 35 alphanumerics.",
    ),
    SecretRule::new(
        "secret-notion-integration-token-legacy",
        "Notion integration token (legacy `secret_`)",
        HIGH,
        &["notion"],
        gated!(r"notion", r"secret_[A-Za-z0-9]{43}"),
        "`secret_` followed by 43 alphanumerics, assigned to a Notion variable.",
    ),
    SecretRule::new(
        "secret-airtable-pat",
        "Airtable personal access token",
        HIGH,
        &["pat"],
        r"(?:^|[^A-Za-z0-9])(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})(?:[^A-Za-z0-9]|$)",
        "`pat`, a 14-character id, `.`, 64 hex digits.",
    ),
    SecretRule::new(
        "secret-asana-pat",
        "Asana personal access token",
        HIGH,
        &["asana"],
        gated!(r"asana", r"[0-9]/[0-9]{16}:[A-Za-z0-9]{32}"),
        "`1/<16 digits>:<32 alphanumerics>` assigned to an Asana variable.",
    ),
    SecretRule::new(
        "secret-figma-pat",
        "Figma personal access token",
        HIGH,
        &["figd_"],
        token!(r"figd_[A-Za-z0-9_\-]{40}"),
        "`figd_` followed by 40 characters of base64url.",
    ),
    SecretRule::new(
        "secret-typeform-pat",
        "Typeform personal access token",
        MED,
        &["tfp_"],
        token!(r"tfp_[A-Za-z0-9_\-.=]{59}"),
        "`tfp_` followed by 59 characters.",
    ),
    SecretRule::new(
        "secret-hubspot-private-app-token",
        "HubSpot private app access token",
        HIGH,
        &["pat-na1-", "pat-eu1-"],
        token!(r"pat-(?:na|eu)1-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"),
        "`pat-na1-` (or `pat-eu1-`) followed by a UUID.",
    ),
    SecretRule::new(
        "secret-dropbox-access-token",
        "Dropbox short-lived access token",
        HIGH,
        &["sl."],
        token!(r"sl\.[A-Za-z0-9_\-]{130,152}"),
        "`sl.` followed by 130 to 152 characters of base64url.",
    ),
    SecretRule::new(
        "secret-contentful-pat",
        "Contentful personal access token",
        HIGH,
        &["cfpat-"],
        token!(r"CFPAT-[A-Za-z0-9_\-]{43}"),
        "`CFPAT-` followed by 43 characters.",
    ),
    SecretRule::new(
        "secret-readme-api-key",
        "ReadMe API key",
        MED,
        &["rdme_"],
        token!(r"rdme_[a-z0-9]{70}"),
        "`rdme_` followed by 70 lower-case alphanumerics.",
    ),
    SecretRule::new(
        "secret-frameio-api-token",
        "Frame.io API token",
        MED,
        &["fio-u-"],
        token!(r"fio-u-[A-Za-z0-9_\-=]{64}"),
        "`fio-u-` followed by 64 characters.",
    ),
    SecretRule::new(
        "secret-postman-api-key",
        "Postman API key",
        HIGH,
        &["pmak-"],
        token!(r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
        "`PMAK-`, 24 hex digits, `-`, 34 hex digits.",
    ),
    SecretRule::new(
        "secret-okta-api-token",
        "Okta API token",
        HIGH,
        &["okta", "ssws "],
        concat!(
            r"(?:(?i:okta)[\w.\-]{0,40}?(?:[\x22\x27\x60]?\s{0,5}(?:=>|:=|=|:)|",
            tf_default!(),
            r")\s{0,5}[\x22\x27\x60]?|SSWS\s+)(00[A-Za-z0-9_\-]{39}[A-Za-z0-9])(?:[^A-Za-z0-9_\-]|$)"
        ),
        "`00` followed by 40 characters, assigned to an Okta variable.",
    ),
    SecretRule::new(
        "secret-salesforce-access-token",
        "Salesforce access token",
        HIGH,
        &["00d"],
        token!(r"00D[A-Za-z0-9]{12}![A-Za-z0-9_.]{96}"),
        "Org id (`00D` and 12 characters), `!`, and a 96-character session id.",
    ),
    SecretRule::new(
        "secret-zendesk-api-token",
        "Zendesk API token",
        HIGH,
        &["zendesk"],
        gated!(r"zendesk", r"[A-Za-z0-9]{40}"),
        "40 alphanumerics assigned to a Zendesk variable.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-algolia-admin-key",
        "Algolia admin API key",
        HIGH,
        &["algolia"],
        gated!(r"algolia", r"[a-f0-9]{32}"),
        "32 hex digits assigned to an Algolia variable.",
    ),
    SecretRule::new(
        "secret-segment-public-api-token",
        "Segment public API token",
        HIGH,
        &["sgp_"],
        token!(r"sgp_[A-Za-z0-9]{64}"),
        "`sgp_` followed by 64 alphanumerics.",
    ),
    SecretRule::new(
        "secret-mapbox-secret-token",
        "Mapbox secret or temporary access token",
        HIGH,
        &["sk.eyj", "tk.eyj"],
        token!(r"[st]k\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{20,}"),
        "`sk.` (secret) or `tk.` (temporary) followed by a base64 JSON header and signature.",
    ),
    SecretRule::new(
        "secret-adafruit-io-key",
        "Adafruit IO key",
        MED,
        &["aio_"],
        token!(r"aio_[A-Za-z0-9]{28}"),
        "`aio_` followed by 28 alphanumerics.",
    ),
    SecretRule::new(
        "secret-planetscale-token",
        "PlanetScale password or token",
        HIGH,
        &["pscale_"],
        token!(r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_\-.=]{32,64}"),
        "`pscale_tkn_`, `pscale_pw_` or `pscale_oauth_` followed by 32 to 64 characters.",
    ),
    SecretRule::new(
        "secret-supabase-access-token",
        "Supabase access token",
        HIGH,
        &["sbp_"],
        token!(r"sbp_[a-f0-9]{40}"),
        "`sbp_` followed by 40 hex digits.",
    ),
    SecretRule::new(
        "secret-supabase-secret-key",
        "Supabase secret API key",
        HIGH,
        &["sb_secret_"],
        token!(r"sb_secret_[A-Za-z0-9_\-]{31,}"),
        "`sb_secret_` followed by base64url.",
    ),
    SecretRule::new(
        "secret-netlify-access-token",
        "Netlify personal access token",
        HIGH,
        &["nfp_"],
        token!(r"nfp_[A-Za-z0-9]{36}"),
        "`nfp_` followed by 36 alphanumerics.",
    ),
    SecretRule::new(
        "secret-render-api-key",
        "Render API key",
        HIGH,
        &["rnd_"],
        token!(r"rnd_[A-Za-z0-9]{32}"),
        "`rnd_` followed by 32 alphanumerics.",
    ),
    SecretRule::new(
        "secret-prefect-api-key",
        "Prefect API key",
        HIGH,
        &["pnu_"],
        token!(r"pnu_[A-Za-z0-9]{36}"),
        "`pnu_` followed by 36 alphanumerics.",
    ),
    SecretRule::new(
        "secret-ngrok-api-key",
        "ngrok API key or authtoken",
        MED,
        &["ngrok"],
        gated!(r"ngrok", r"[0-9A-Za-z]{27}_[0-9A-Za-z]{21,22}"),
        "27 alphanumerics, `_`, 21 or 22 alphanumerics, assigned to an ngrok variable.",
    ),
    SecretRule::new(
        "secret-intra42-client-secret",
        "42 intra client secret",
        MED,
        &["s-s4t2"],
        token!(r"s-s4t2(?:ud|af)-[a-f0-9]{64}"),
        "`s-s4t2ud-` (or `s-s4t2af-`) followed by 64 hex digits.",
    ),
    SecretRule::new(
        "secret-maxmind-license-key",
        "MaxMind license key",
        MED,
        &["_mmk"],
        token!(r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk"),
        "6 alphanumerics, `_`, 29 alphanumerics, `_mmk`.",
    ),
    SecretRule::new(
        "secret-particle-access-token",
        "particle.io access token",
        MED,
        &["particle"],
        gated!(r"particle", r"[a-f0-9]{40}"),
        "40 hex digits assigned to a particle.io variable.",
    ),
    SecretRule::new(
        "secret-thingsboard-access-token",
        "ThingsBoard device access token",
        MED,
        &["/api/v1/"],
        r"/api/v1/([A-Za-z0-9]{20})/(?:telemetry|attributes|rpc)",
        "20 alphanumerics in a `/api/v1/<token>/telemetry` device URL.",
    )
    .entropy(3.0),
    SecretRule::new(
        "secret-truenas-api-key",
        "TrueNAS API key",
        HIGH,
        &["truenas", "api_key"],
        token!(r"\d{1,4}-[A-Za-z0-9]{64}"),
        "`<id>-` followed by 64 alphanumerics.",
    )
    .block(1024)
    .requires(&["truenas", "TrueNAS", "TRUENAS", "auth.login_with_api_key"]),
    SecretRule::new(
        "secret-twitch-api-token",
        "Twitch API token",
        MED,
        &["twitch"],
        gated!(r"twitch", r"[a-z0-9]{30}"),
        "30 lower-case alphanumerics assigned to a Twitch variable.",
    )
    .entropy(3.3),
    SecretRule::new(
        "secret-twitch-stream-key",
        "Twitch stream key",
        HIGH,
        &["live_"],
        token!(r"live_\d{6,10}_[A-Za-z0-9]{30}"),
        "`live_<channel id>_` followed by 30 alphanumerics.",
    ),
    SecretRule::new(
        "secret-twitter-bearer-token",
        "X (Twitter) app bearer token",
        HIGH,
        &["aaaaaaaaaaaaaaaaaaaaa"],
        token!(r"A{22}[A-Za-z0-9%]{80,120}"),
        "22 `A` characters followed by URL-encoded base64.",
    ),
    SecretRule::new(
        "secret-twitter-api-secret",
        "X (Twitter) API secret",
        HIGH,
        &["twitter"],
        gated!(r"twitter[\w.\-]{0,20}secret", r"[A-Za-z0-9]{35,50}"),
        "35 to 50 alphanumerics assigned to a Twitter secret variable.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-facebook-access-token",
        "Facebook access token",
        HIGH,
        &["eaacedeose0cba", "eaab", "eaai"],
        token!(r"EAA[A-Za-z0-9]{90,}"),
        "`EAA` followed by base64 (page, user and app tokens).",
    ),
    SecretRule::new(
        "secret-facebook-app-secret",
        "Facebook app secret",
        HIGH,
        &["facebook", "fb_", "fbapi", "fbsecret", "fbapp"],
        gated!(r"facebook|fb_|fbapi|fbsecret|fbapp", r"[a-f0-9]{32}"),
        "32 hex digits assigned to a Facebook app-secret variable.",
    ),
    SecretRule::new(
        "secret-linkedin-client-secret",
        "LinkedIn client secret",
        HIGH,
        &["linkedin"],
        gated!(r"linkedin[\w.\-]{0,20}secret", r"[A-Za-z0-9]{16}"),
        "16 alphanumerics assigned to a LinkedIn secret variable.",
    ),
    // ------------------------------------------------------------ AI platforms
    SecretRule::new(
        "secret-openai-api-key",
        "OpenAI API key",
        CRIT,
        &["t3blbkfj"],
        token!(r"sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}"),
        "`sk-` (or `sk-proj-`, `sk-svcacct-`, `sk-admin-`) with the `T3BlbkFJ` marker (base64 of `OpenAI`).",
    ),
    SecretRule::new(
        "secret-anthropic-api-key",
        "Anthropic API key",
        CRIT,
        &["sk-ant-"],
        token!(r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,100}"),
        "`sk-ant-api03-` (or `sk-ant-admin01-`) followed by about 93 characters of base64url.",
    ),
    SecretRule::new(
        "secret-huggingface-access-token",
        "Hugging Face user access token",
        HIGH,
        &["hf_"],
        token!(r"hf_[A-Za-z]{34}"),
        "`hf_` followed by 34 letters.",
    ),
    SecretRule::new(
        "secret-huggingface-org-token",
        "Hugging Face organization API token",
        HIGH,
        &["api_org_"],
        token!(r"api_org_[A-Za-z]{34}"),
        "`api_org_` followed by 34 letters.",
    ),
    SecretRule::new(
        "secret-groq-api-key",
        "Groq API key",
        HIGH,
        &["gsk_"],
        token!(r"gsk_[A-Za-z0-9]{52}"),
        "`gsk_` followed by 52 alphanumerics.",
    ),
    SecretRule::new(
        "secret-perplexity-api-key",
        "Perplexity API key",
        HIGH,
        &["pplx-"],
        token!(r"pplx-[A-Za-z0-9]{48}"),
        "`pplx-` followed by 48 alphanumerics.",
    ),
    SecretRule::new(
        "secret-xai-api-key",
        "xAI API key",
        HIGH,
        &["xai-"],
        token!(r"xai-[A-Za-z0-9]{80}"),
        "`xai-` followed by 80 alphanumerics.",
    ),
    SecretRule::new(
        "secret-replicate-api-token",
        "Replicate API token",
        HIGH,
        &["r8_"],
        token!(r"r8_[A-Za-z0-9]{37}"),
        "`r8_` followed by 37 alphanumerics.",
    ),
    SecretRule::new(
        "secret-langsmith-api-key",
        "LangSmith API key",
        HIGH,
        &["lsv2_"],
        token!(r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}"),
        "`lsv2_pt_` (or `lsv2_sk_`), 32 hex digits, `_`, 10 hex digits.",
    ),
    SecretRule::new(
        "secret-tavily-api-key",
        "Tavily API key",
        HIGH,
        &["tvly-"],
        token!(r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}"),
        "`tvly-` followed by 32 alphanumerics.",
    ),
    SecretRule::new(
        "secret-firecrawl-api-key",
        "Firecrawl API key",
        HIGH,
        &["fc-"],
        token!(r"fc-[a-f0-9]{32}"),
        "`fc-` followed by 32 hex digits.",
    ),
    SecretRule::new(
        "secret-jina-api-key",
        "Jina AI API key",
        HIGH,
        &["jina_"],
        token!(r"jina_[a-f0-9]{32}[A-Za-z0-9_\-]{28}"),
        "`jina_`, 32 hex digits, 28 characters of base64url.",
    ),
    SecretRule::new(
        "secret-kagi-api-key",
        "Kagi API key",
        HIGH,
        &["kagi"],
        r"(?i:kagi)[^\s]{0,40}?[=:]\s*[\x22\x27]?([A-Za-z0-9_\-]{11}\.[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)",
        "11 characters, `.`, 43 characters, assigned to a Kagi variable.",
    ),
    SecretRule::new(
        "secret-databricks-pat",
        "Databricks personal access token",
        HIGH,
        &["dapi"],
        token!(r"dapi[a-f0-9]{32}(?:-\d)?"),
        "`dapi` followed by 32 hex digits (and an optional `-<n>`).",
    ),
    // ------------------------------------------------------------ private keys, crypto
    SecretRule::new(
        "secret-blynk-device-token",
        "Blynk device auth token",
        MED,
        &["blynk.cloud"],
        r"blynk\.cloud/external/api/[^\s?]{0,60}\?(?:[^\s]{0,200}&)?token=([A-Za-z0-9_\-]{32})",
        "32 characters of base64url in the `token=` parameter of a blynk.cloud HTTP API URL.",
    ),
    SecretRule::new(
        "secret-blynk-oauth-client-secret",
        "Blynk organization OAuth client secret",
        HIGH,
        &["oa2-client-id_"],
        r"oa2-client-id_[A-Za-z0-9_\-]{32}:([A-Za-z0-9_\-]{40})",
        "`oa2-client-id_<32 chars>:<40-character secret>` client credentials.",
    ),
    SecretRule::new(
        "secret-figma-pat-legacy",
        "Figma personal access token (legacy)",
        HIGH,
        &["figma"],
        r"(?i:figma)[\w.\-]{0,20}[\x22']?\s{0,5}[:=]\s{0,5}[\x22']?(\d{3,6}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
        "Numeric id, `-`, a UUID, sent in the `X-Figma-Token` header.",
    ),
    SecretRule::new(
        "secret-newrelic-license-key-legacy",
        "New Relic license key (40 hex digits)",
        HIGH,
        &["license_key", "license-key", "licensekey"],
        gated!(r"license[_\-]?key", r"[a-f0-9]{40}"),
        "40 hex digits in the `license_key` of a New Relic agent configuration.",
    )
    .requires(&["New Relic", "newrelic", "NewRelic", "NEW_RELIC"]),
    SecretRule::new(
        "secret-sonarqube-token-legacy",
        "SonarQube token (40 hex digits)",
        HIGH,
        &["sonar"],
        r"(?i:sonar[\w.\-]{0,20}(?:login|token))[\x22'\x60]?\s{0,5}(?:=>|:=|=|:|,)\s{0,5}[\x22'\x60]?([a-f0-9]{40})(?:[^A-Za-z0-9]|$)",
        "40 hex digits in `sonar.login` / `SONAR_TOKEN`.",
    ),
    SecretRule::new(
        "secret-dotnet-config-password",
        "Password in a .NET configuration appSetting",
        HIGH,
        &["<add "],
        r#"<add\s+key="[^"]{0,60}(?i:password|pwd|secret)[^"]{0,60}"\s+value="([^"]{4,200})""#,
        "`<add key=\"...Password\" value=\"...\"/>` in web.config / app.config.",
    )
    .templated(),
    SecretRule::new(
        "secret-adobe-client-secret",
        "Adobe OAuth client secret",
        HIGH,
        &["p8e-"],
        token!(r"p8e-[A-Za-z0-9_\-]{32}"),
        "`p8e-` followed by 32 characters (Adobe Developer Console OAuth credentials).",
    ),
    SecretRule::new(
        "secret-openshift-user-token",
        "OpenShift user OAuth token",
        HIGH,
        &["sha256~"],
        token!(r"sha256~[A-Za-z0-9_\-]{43}"),
        "`sha256~` followed by 43 characters of base64url.",
    ),
    SecretRule::new(
        "secret-clickhouse-cloud-secret",
        "ClickHouse Cloud API secret key",
        HIGH,
        &["4b1d"],
        token!(r"4b1d[A-Za-z0-9]{38}"),
        "`4b1d` followed by 38 alphanumerics.",
    ),
    SecretRule::new(
        "secret-launchdarkly-access-token",
        "LaunchDarkly access token or SDK key",
        HIGH,
        &["launchdarkly", "launch_darkly"],
        gated!(r"launch_?darkly", r"(?:api|sdk)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        "`api-` or `sdk-` followed by a UUID.",
    ),
    SecretRule::new(
        "secret-snyk-api-token",
        "Snyk API token",
        HIGH,
        &["snyk"],
        gated!(r"snyk", r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        "A UUID assigned to a Snyk variable (`SNYK_TOKEN`).",
    ),
    SecretRule::new(
        "secret-codecov-access-token",
        "Codecov upload or access token",
        MED,
        &["codecov"],
        gated!(r"codecov", r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-f0-9]{32}"),
        "A UUID (or 32 hex digits) assigned to a Codecov variable (`CODECOV_TOKEN`).",
    ),
    SecretRule::new(
        "secret-travisci-access-token",
        "Travis CI access token",
        HIGH,
        &["travis"],
        gated!(r"travis", r"[A-Za-z0-9_\-]{22}"),
        "22 characters assigned to a Travis CI variable.",
    )
    .entropy(3.3),
    SecretRule::new(
        "secret-droneci-access-token",
        "Drone CI access token",
        HIGH,
        &["drone"],
        gated!(r"drone", r"[A-Za-z0-9]{32}"),
        "32 alphanumerics assigned to a Drone variable (`DRONE_TOKEN`).",
    )
    .entropy(3.3),
    SecretRule::new(
        "secret-fastly-api-token",
        "Fastly API token",
        HIGH,
        &["fastly"],
        gated!(r"fastly", r"[A-Za-z0-9_\-]{32}"),
        "32 characters of base64url assigned to a Fastly variable.",
    )
    .entropy(3.3),
    SecretRule::new(
        "secret-cohere-api-key",
        "Cohere API key",
        HIGH,
        &["cohere", "co_api_key"],
        gated!(r"cohere|co_api_key", r"[A-Za-z0-9]{40}"),
        "40 alphanumerics assigned to a Cohere variable (`CO_API_KEY`).",
    )
    .entropy(3.3),
    SecretRule::new(
        "secret-mattermost-access-token",
        "Mattermost personal access token",
        MED,
        &["mattermost"],
        gated!(r"mattermost", r"[a-z0-9]{26}"),
        "26 lower-case alphanumerics assigned to a Mattermost variable.",
    )
    .entropy(3.3),
    SecretRule::new(
        "secret-intercom-access-token",
        "Intercom access token",
        HIGH,
        &["intercom"],
        gated!(r"intercom", r"[A-Za-z0-9=_\-]{60}"),
        "60 characters assigned to an Intercom variable.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-confluent-api-secret",
        "Confluent Cloud API secret",
        HIGH,
        &["confluent"],
        gated!(r"confluent[\w.\-]{0,20}secret", r"[A-Za-z0-9+/]{64}"),
        "64 base64 characters assigned to a Confluent secret variable.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-sumologic-access-key",
        "Sumo Logic access key",
        HIGH,
        &["sumo"],
        gated!(r"sumo", r"[A-Za-z0-9]{64}"),
        "64 alphanumerics assigned to a Sumo Logic variable.",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-rapidapi-key",
        "RapidAPI key",
        HIGH,
        &["rapidapi"],
        gated!(r"rapidapi", r"[A-Za-z0-9_\-]{50}"),
        "50 characters assigned to a RapidAPI variable (`X-RapidAPI-Key`).",
    )
    .entropy(3.5),
    SecretRule::new(
        "secret-lob-api-key",
        "Lob API key",
        HIGH,
        &["lob"],
        gated!(r"lob", r"(?:live|test)_[a-f0-9]{35}"),
        "`live_` or `test_` followed by 35 hex digits, assigned to a Lob variable.",
    ),
    SecretRule::new(
        "secret-private-key-rsa",
        "RSA private key (PEM)",
        CRIT,
        &["private key"],
        r"-----BEGIN RSA PRIVATE KEY-----\s*([A-Za-z0-9+/=\s\\:,\x22'\-]{40,}?)-----END RSA PRIVATE KEY",
        "PEM block `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1, optionally with Proc-Type/DEK-Info encryption headers).",
    )
    .block(65536),
    SecretRule::new(
        "secret-private-key-ec",
        "EC private key (PEM)",
        CRIT,
        &["private key"],
        r"-----BEGIN EC PRIVATE KEY-----\s*([A-Za-z0-9+/=\s\\:,\x22'\-]{40,}?)-----END EC PRIVATE KEY",
        "PEM block `-----BEGIN EC PRIVATE KEY-----` (SEC 1).",
    )
    .block(65536),
    SecretRule::new(
        "secret-private-key-dsa",
        "DSA private key (PEM)",
        CRIT,
        &["private key"],
        r"-----BEGIN DSA PRIVATE KEY-----\s*([A-Za-z0-9+/=\s\\:,\x22'\-]{40,}?)-----END DSA PRIVATE KEY",
        "PEM block `-----BEGIN DSA PRIVATE KEY-----`.",
    )
    .block(65536),
    SecretRule::new(
        "secret-private-key-pkcs8",
        "PKCS#8 private key (PEM)",
        CRIT,
        &["private key"],
        r"-----BEGIN PRIVATE KEY-----\s*([A-Za-z0-9+/=\s\\:,\x22'\-]{40,}?)-----END PRIVATE KEY",
        "PEM block `-----BEGIN PRIVATE KEY-----` (RFC 5208 / RFC 7468).",
    )
    .block(65536),
    SecretRule::new(
        "secret-private-key-pkcs8-encrypted",
        "Encrypted PKCS#8 private key (PEM)",
        HIGH,
        &["private key"],
        r"-----BEGIN ENCRYPTED PRIVATE KEY-----\s*([A-Za-z0-9+/=\s\\:,\x22'\-]{40,}?)-----END ENCRYPTED PRIVATE KEY",
        "PEM block `-----BEGIN ENCRYPTED PRIVATE KEY-----`; protected by a passphrase that may be weak.",
    )
    .block(65536),
    SecretRule::new(
        "secret-private-key-openssh",
        "OpenSSH private key",
        CRIT,
        &["private key"],
        r"-----BEGIN OPENSSH PRIVATE KEY-----\s*([A-Za-z0-9+/=\s\\:,\x22'\-]{40,}?)-----END OPENSSH PRIVATE KEY",
        "PEM-armoured `openssh-key-v1` blob.",
    )
    .block(65536),
    SecretRule::new(
        "secret-private-key-ssh2",
        "SSH.com (SSH2) private key",
        CRIT,
        &["private key"],
        r"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\s*([A-Za-z0-9+/=\s\\:,\x22'\-]{40,}?)---- END SSH2 ENCRYPTED PRIVATE KEY",
        "`---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----` block.",
    )
    .block(65536),
    SecretRule::new(
        "secret-private-key-pem-other",
        "Private key (other PEM type)",
        CRIT,
        &["private key"],
        r"-----BEGIN [A-Z0-9 ]{1,24}PRIVATE KEY-----\s*([A-Za-z0-9+/=\s\\:,\x22'\-]{40,}?)-----END [A-Z0-9 ]{1,24}PRIVATE KEY",
        "Any other `-----BEGIN ... PRIVATE KEY-----` PEM block.",
    )
    .block(65536),
    SecretRule::new(
        "secret-private-key-pgp",
        "PGP private key block",
        CRIT,
        &["private key"],
        r"-----BEGIN PGP PRIVATE KEY BLOCK-----\s*([A-Za-z0-9+/=\s\\:,.()@<>\x22'\-]{40,}?)-----END PGP PRIVATE KEY BLOCK",
        "OpenPGP ASCII armour `-----BEGIN PGP PRIVATE KEY BLOCK-----` (RFC 4880).",
    )
    .block(262144),
    SecretRule::new(
        "secret-private-key-putty",
        "PuTTY private key",
        CRIT,
        &["putty-user-key-file-"],
        r"PuTTY-User-Key-File-\d: [a-z0-9\-]+\r?\nEncryption: [a-z0-9\-]+\r?\nComment: [^\r\n]*\r?\nPublic-Lines: \d+\r?\n(?:[A-Za-z0-9+/=]+\r?\n)+Private-Lines: \d+\r?\n([A-Za-z0-9+/=\r\n]{40,})",
        "PuTTY `.ppk` file: `PuTTY-User-Key-File-2:` or `-3:` header and a `Private-Lines` section.",
    )
    .block(16384),
    SecretRule::new(
        "secret-private-key-base64-pem",
        "Base64-encoded PEM private key",
        CRIT,
        &["ls0tls1crudjtib"],
        token!(r"LS0tLS1CRUdJTiB(?:SU0EgUFJJVkFURSBLRVkt|EU0EgUFJJVkFURSBLRVkt|FQyBQUklWQVRFIEtFWS0t|PUEVOU1NIIFBSSVZBVEUgS0VZLS0t|QUklWQVRFIEtFWS0t|FTkNSWVBURUQgUFJJVkFURSBLRVkt)[A-Za-z0-9+/=]{50,}"),
        "base64 of a `-----BEGIN ... PRIVATE KEY-----` block, as stored in Kubernetes secrets and CI variables.",
    ),
    SecretRule::new(
        "secret-private-key-pkcs12",
        "PKCS#12 / PFX key store",
        HIGH,
        &[],
        r"\x30[\x80-\x84]",
        "DER file starting with a SEQUENCE, version 3 and the PKCS#7 `data` content type \
         (RFC 7292); found by magic bytes, also in binary files.",
    ),
    SecretRule::new(
        "secret-private-key-jks",
        "Java KeyStore (JKS/JCEKS)",
        MED,
        &[],
        r"\xfe\xed\xfe\xed",
        "File starting with the JKS magic `FE ED FE ED` (or JCEKS `CE CE CE CE`); found by magic bytes.",
    ),
    SecretRule::new(
        "secret-age-secret-key",
        "age identity (X25519 secret key)",
        CRIT,
        &["age-secret-key-1"],
        token!(r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
        "`AGE-SECRET-KEY-1` followed by 58 bech32 characters.",
    ),
    SecretRule::new(
        "secret-wireguard-private-key",
        "WireGuard private key",
        CRIT,
        &["privatekey"],
        r"(?i:PrivateKey)\s*=\s*([A-Za-z0-9+/]{43}=)",
        "32 bytes of base64 after `PrivateKey =` in a WireGuard config.",
    ),
    SecretRule::new(
        "secret-wireguard-preshared-key",
        "WireGuard preshared key",
        HIGH,
        &["presharedkey"],
        r"(?i:PresharedKey)\s*=\s*([A-Za-z0-9+/]{43}=)",
        "32 bytes of base64 after `PresharedKey =` in a WireGuard config.",
    ),
    SecretRule::new(
        "secret-jwt",
        "JSON Web Token",
        MED,
        &["eyj"],
        r"(?:^|[^A-Za-z0-9_\-])(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})(?:[^A-Za-z0-9_\-]|$)",
        "Three base64url parts joined by dots, the first two encoding JSON objects (`eyJ`), per RFC 7519.",
    ),
    SecretRule::new(
        "secret-jwt-secret",
        "JWT signing secret in configuration",
        HIGH,
        &["jwt"],
        r#"(?i:jwt[_\-.]?secret|jwt:\s+secret)[\x22']?\s*[:=]\s*(?:"([^"\r\n]{6,200})"|'([^'\r\n]{6,200})')"#,
        "Value of a `jwt.secret` / `JWT_SECRET` setting.",
    )
    .templated()
    .block(256),
    SecretRule::new(
        "secret-password-hash-bcrypt",
        "bcrypt password hash",
        MED,
        &["$2a$", "$2b$", "$2y$"],
        r"(\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53})",
        "`$2b$<cost>$` followed by 53 characters of bcrypt base64 (salt and hash).",
    ),
    SecretRule::new(
        "secret-password-hash-sha512crypt",
        "sha512crypt password hash",
        MED,
        &["$6$"],
        r"(\$6\$(?:rounds=[0-9]+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86})",
        "`$6$<salt>$` followed by 86 characters (glibc crypt).",
    ),
    SecretRule::new(
        "secret-password-hash-sha256crypt",
        "sha256crypt password hash",
        MED,
        &["$5$"],
        r"(\$5\$(?:rounds=[0-9]+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43})",
        "`$5$<salt>$` followed by 43 characters (glibc crypt).",
    ),
    SecretRule::new(
        "secret-password-hash-md5crypt",
        "md5crypt password hash",
        MED,
        &["$1$"],
        r"(\$1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22})",
        "`$1$<salt>$` followed by 22 characters.",
    ),
    SecretRule::new(
        "secret-password-hash-yescrypt",
        "yescrypt password hash",
        MED,
        &["$y$"],
        r"(\$y\$[./A-Za-z0-9]+\$[./A-Za-z0-9]{1,86}\$[./A-Za-z0-9]{43})",
        "`$y$<params>$<salt>$` followed by 43 characters (Debian 11+ /etc/shadow default).",
    ),
    // ------------------------------------------------------------ connection strings
    SecretRule::new(
        "secret-postgres-url-password",
        "PostgreSQL connection URL with password",
        HIGH,
        &["postgres://", "postgresql://"],
        r"postgres(?:ql)?://[A-Za-z0-9%._~!&'()*+,;=\-]{1,64}:([A-Za-z0-9%._~!$&'()*+,;=@\-]{3,128})@[A-Za-z0-9_.\-\[\]]{2,}",
        "`postgresql://user:password@host` (libpq URI).",
    )
    .templated(),
    SecretRule::new(
        "secret-mysql-url-password",
        "MySQL connection URL with password",
        HIGH,
        &["mysql://", "mariadb://", "mysql+"],
        r"(?:mysql|mariadb)(?:\+[a-z0-9]+)?://[A-Za-z0-9%._~!&'()*+,;=\-]{1,64}:([A-Za-z0-9%._~!$&'()*+,;=@\-]{3,128})@[A-Za-z0-9_.\-\[\]()]{2,}",
        "`mysql://user:password@host`.",
    )
    .templated(),
    SecretRule::new(
        "secret-mongodb-url-password",
        "MongoDB connection URL with password",
        HIGH,
        &["mongodb://", "mongodb+srv://"],
        r"mongodb(?:\+srv)?://[A-Za-z0-9%._~!&'()*+,;=\-]{1,64}:([A-Za-z0-9%._~!$&'()*+,;=@\-]{3,128})@[A-Za-z0-9_.\-\[\]]{2,}",
        "`mongodb://user:password@host` or `mongodb+srv://...`.",
    )
    .templated(),
    SecretRule::new(
        "secret-redis-url-password",
        "Redis connection URL with password",
        HIGH,
        &["redis://", "rediss://"],
        r"rediss?://[A-Za-z0-9%._~!&'()*+,;=\-]{0,64}:([A-Za-z0-9%._~!$&'()*+,;=@\-]{3,128})@[A-Za-z0-9_.\-\[\]]{2,}",
        "`redis://[user]:password@host`.",
    )
    .templated(),
    SecretRule::new(
        "secret-amqp-url-password",
        "AMQP (RabbitMQ) connection URL with password",
        HIGH,
        &["amqp://", "amqps://"],
        r"amqps?://[A-Za-z0-9%._~!&'()*+,;=\-]{1,64}:([A-Za-z0-9%._~!$&'()*+,;=@\-]{3,128})@[A-Za-z0-9_.\-\[\]]{2,}",
        "`amqp://user:password@host`.",
    )
    .templated(),
    SecretRule::new(
        "secret-jdbc-url-password",
        "JDBC URL with password parameter",
        HIGH,
        &["jdbc:"],
        r"jdbc:[a-z0-9:]+//[^\s\x22']{1,200}?[?&;](?i:password)=([^&;\s\x22']{3,128})",
        "`jdbc:<driver>://host/db?user=...&password=...`.",
    )
    .templated(),
    SecretRule::new(
        "secret-odbc-connection-string-password",
        "Password in an ODBC / ADO.NET connection string",
        HIGH,
        &["pwd", "password"],
        concat!(
            // A connection-string key before the password, then `;`-separated pairs on
            // the same line; the string may be split into literals joined by `&` or `+`
            // (`"...;User ID=u; " & "Password=p;..."`).
            r"(?i:(?:Server|Data Source|Host|Address|Addr|Network Address|Provider|Driver|User ID|Uid)",
            r"\s*=\s*[^;\x22'\r\n]{1,200};(?:[^\x22'\r\n]|[\x22'][ \t]*[&+][ \t]*[\x22']){0,200}?",
            r"\b(?:Pwd|Password)[ \t]*=[ \t]*)([^;\x22'\s]{3,128})"
        ),
        "`Server=...;User Id=...;Password=...;` style connection strings (ODBC, OLE DB, ADO.NET), \
         also when split over concatenated string literals.",
    )
    .templated(),
    SecretRule::new(
        "secret-url-basic-auth",
        "Credentials in a URL (user:password@host)",
        HIGH,
        &["http://", "https://", "ftp://", "ftps://", "ssh://", "smtp://", "smtps://", "ldap://", "ldaps://"],
        r"(?i:https?|ftps?|ssh|smtps?|ldaps?)://[A-Za-z0-9%._~!&'()*+,;=\-]{1,64}:([A-Za-z0-9%._~!$&'()*+,;=@\-]{3,128})@[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)+",
        "`scheme://user:password@host` (RFC 3986 userinfo).",
    )
    .generic(),
    SecretRule::new(
        "secret-http-basic-authorization",
        "HTTP Basic Authorization header",
        HIGH,
        &["basic "],
        r"(?i:Authorization(?::\s*|[\x22']?\s*[:,=]\s*[\x22']?)Basic)\s+([A-Za-z0-9+/]{8,}={0,2})(?:[^A-Za-z0-9+/=]|$)",
        "`Authorization: Basic <base64 of user:password>` (RFC 7617).",
    ),
    SecretRule::new(
        "secret-http-bearer-authorization",
        "HTTP Bearer Authorization header",
        HIGH,
        &["bearer "],
        r"(?i:Authorization(?::\s*|[\x22']?\s*[:,=]\s*[\x22']?)Bearer)\s+([A-Za-z0-9._~+/\-]{8,}=*)(?:[^A-Za-z0-9._~+/=\-]|$)",
        "`Authorization: Bearer <token>` (RFC 6750).",
    )
    .generic(),
    // ------------------------------------------------------------ config files
    SecretRule::new(
        "secret-kubeconfig-client-key",
        "Client private key in a kubeconfig",
        CRIT,
        &["client-key-data"],
        r"client-key-data:\s*[\x22']?([A-Za-z0-9+/]{40,}={0,2})",
        "base64 PEM in `users[].user.client-key-data` of a kubeconfig.",
    ),
    SecretRule::new(
        "secret-kubeconfig-token",
        "Bearer token in a kubeconfig",
        HIGH,
        &["token:"],
        r"(?m)^\s*token:\s*[\x22']?([A-Za-z0-9_\-.:/+=]{20,})[\x22']?\s*$",
        "`users[].user.token` of a kubeconfig (a file with `clusters:` and `contexts:`).",
    )
    .requires(&["current-context", "client-certificate", "certificate-authority"])
    .templated(),
    SecretRule::new(
        "secret-kubernetes-bootstrap-token",
        "Kubernetes bootstrap token",
        HIGH,
        &["token", "bootstrap"],
        r"(?i:token|bootstrap)[\w\-]{0,30}[\x22']?\s{0,3}[:=\s]\s{0,3}[\x22']?([a-z0-9]{6}\.[a-z0-9]{16})(?:[^A-Za-z0-9]|$)",
        "`<6 characters>.<16 characters>` of [a-z0-9] (token id and secret), e.g. `kubeadm join --token`.",
    ),
    SecretRule::new(
        "secret-kubernetes-bootstrap-token-secret",
        "Kubernetes bootstrap token secret",
        HIGH,
        &["token-secret"],
        r"token-secret:\s+[\x22']?([a-z0-9]{16})(?:[^A-Za-z0-9]|$)",
        "`token-secret:` field (16 characters of [a-z0-9]) of a `bootstrap.kubernetes.io/token` secret.",
    ),
    SecretRule::new(
        "secret-netrc-password",
        "Password in .netrc",
        HIGH,
        &["machine"],
        r"(?:machine\s+\S+|default)\s+login\s+\S+\s+password\s+(\S+)",
        "`machine <host> login <user> password <password>` entries of a .netrc file.",
    )
    .block(512)
    .templated(),
    SecretRule::new(
        "secret-git-credentials",
        "Credentials in .git-credentials",
        HIGH,
        &["https://", "http://"],
        r"(?m)^https?://[^:/\s@]+:([^@\s]{3,})@[^\s/]+/?\s*$",
        "One `https://user:password@host` per line of `~/.git-credentials`.",
    )
    .templated(),
    SecretRule::new(
        "secret-django-secret-key",
        "Django SECRET_KEY",
        HIGH,
        &["secret_key"],
        r#"SECRET_KEY\s*=\s*[rbu]?['"]([^'"\s]{40,100})['"]"#,
        "50-character random string in the `SECRET_KEY` setting of a Django project.",
    )
    .requires(&["django", "DJANGO", "Django"])
    .entropy(3.5),
    SecretRule::new(
        "secret-phpmailer-password",
        "PHPMailer SMTP password",
        HIGH,
        &["->password"],
        r#"\$[A-Za-z_][A-Za-z0-9_]*->Password\s*=\s*['"]([^'"]{4,})['"]"#,
        "`$mail->Password = '...'` in PHP code using PHPMailer.",
    )
    .templated(),
    SecretRule::new(
        "secret-dotnet-network-credential",
        "Password in a .NET NetworkCredential",
        HIGH,
        &["networkcredential("],
        r#"NetworkCredential\(\s*"[^"]{1,100}"\s*,\s*"([^"]{4,100})""#,
        "`new NetworkCredential(\"user\", \"password\")`.",
    )
    .templated(),
    SecretRule::new(
        "secret-dotnet-directory-entry",
        "Password in a .NET DirectoryEntry",
        HIGH,
        &["directoryentry("],
        r#"DirectoryEntry\(\s*"[^"]{1,200}"\s*,\s*"[^"]{1,100}"\s*,\s*"([^"]{4,100})""#,
        "`new DirectoryEntry(\"LDAP://...\", \"user\", \"password\")`.",
    )
    .templated()
    .block(512),
    SecretRule::new(
        "secret-psexec-password",
        "Password on a PsExec command line",
        HIGH,
        &["psexec"],
        r"(?i:psexec(?:64)?(?:\.exe)?)\s[^\r\n]{0,200}?\s-p\s+([^\s\x22']{4,})",
        "`psexec \\\\host -u user -p password ...`.",
    )
    .templated(),
    SecretRule::new(
        "secret-vmware-viserver-password",
        "Password in a Connect-VIServer call",
        HIGH,
        &["connect-viserver"],
        r#"(?i:Connect-VIServer)\s[^\r\n]{0,200}?(?i:-Password)\s+['"]?([^\s'"]{4,})"#,
        "`Connect-VIServer -Server ... -User ... -Password ...` in PowerShell.",
    )
    .templated(),
    SecretRule::new(
        "secret-gradle-credentials",
        "Hard-coded repository credentials in Gradle",
        HIGH,
        &["password"],
        r#"credentials\s*\{[^}]{0,200}?password\s*=?\s*['"]([^'"]{4,})['"]"#,
        "`credentials { username '...' password '...' }` in a Gradle build script.",
    )
    .block(512)
    .templated(),
    SecretRule::new(
        "secret-gradle-build-config-field",
        "Credential compiled into an Android app by buildConfigField",
        HIGH,
        &["buildconfigfield"],
        concat!(
            r#"buildConfigField\s*\(?\s*['\x22]String['\x22]\s*,\s*['\x22][A-Za-z0-9_]*"#,
            r#"(?i:key|token|secret|passw(?:or)?d|pwd|pass|auth)[A-Za-z0-9_]*['\x22]\s*,\s*"#,
            // The value is a Java string literal inside a Groovy or Kotlin string:
            // '"..."' or "\"...\"".
            r#"(?:'\x22([^\x22'\\\s]{8,200})\x22'|\x22\\\x22([^\x22'\\\s]{8,200})\\\x22\x22)"#
        ),
        "`buildConfigField \"String\", \"API_KEY\", \"\\\"<value>\\\"\"` in an Android Gradle build \
         script: the value is compiled into the APK's BuildConfig class, readable by anyone with the app.",
    )
    .entropy(3.0)
    .generic()
    .refs(&["https://developer.android.com/build/gradle-tips#share-custom-fields-and-resource-values-with-your-app-code"]),
    SecretRule::new(
        "secret-react-app-password",
        "Password in a React app environment file",
        MED,
        &["react_app_"],
        r#"(?m)^[\s#]*REACT_APP_[A-Z0-9_]*(?:PASS|PASSWORD|SECRET)[A-Z0-9_]*\s*=\s*['"]?([^\s'"]{4,})"#,
        "`REACT_APP_*PASSWORD=` lines (compiled into the public bundle).",
    )
    .templated(),
    SecretRule::new(
        "secret-hashicorp-vault-unseal-key",
        "HashiCorp Vault unseal key",
        CRIT,
        &["unseal key", "operator unseal"],
        r"(?:Unseal Key \d+:|vault operator unseal)\s+([A-Za-z0-9+/]{44,88}={0,2})",
        "base64 Shamir share printed by `vault operator init` as `Unseal Key N: ...`.",
    ),
    SecretRule::new(
        "secret-aws-credentials-file",
        "AWS credentials file entry",
        CRIT,
        &["aws_secret_access_key"],
        r"(?m)^\s*aws_secret_access_key\s*=\s*([A-Za-z0-9/+]{40})\s*$",
        "`aws_secret_access_key = <40 base64>` in `~/.aws/credentials`.",
    )
    .entropy(3.0),
    // ------------------------------------------------------------ generic (last: lowest priority)
    SecretRule::new(
        "secret-generic-password",
        "Hard-coded password",
        MED,
        &["pass", "pwd"],
        concat!(
            // The name: `password`, `passwd`, `pwd`, or `pass` as a word or name part
            // (`PASS`, `db_pass`, `userPass`).
            r"(?:(?i:passw(?:or)?d|pwd|(?:\b|_)pass)|(?-i:[a-z0-9]Pass))",
            r"(?:[\x22'\x60]?[ \t]{0,30}(?:=>|:=|==|=|:)|",
            tf_default!(),
            r")[ \t]{0,30}[a-z]{0,2}",
            // The literal, in double quotes, single quotes or backquotes (the other quote
            // kinds may occur inside it), quotes optionally escaped (`\"...\"` in a string).
            r#"(?:\\?\x22([^\s\x22',;(){}<>\[\]]{6,128}?)\\?\x22"#,
            r#"|\\?'([^\s\x22',;(){}<>\[\]]{6,128}?)\\?'"#,
            r#"|\x60([^\s\x22'\x60,;(){}<>\[\]]{6,128})\x60)"#
        ),
        "A quoted literal assigned to a variable or key named like `password` or `pass`, gated by entropy and a placeholder list.",
    )
    .entropy(2.5)
    .generic(),
    SecretRule::new(
        "secret-generic-password-unquoted",
        "Hard-coded password (unquoted)",
        MED,
        &["password", "passwd"],
        r"(?m)^\s*(?:export\s+)?(?i:[a-z0-9_.\-]{0,30}(?:password|passwd))[ \t]{0,5}[=:]\s{0,5}([^\s\x22'\x60#;,(){}\[\]<>$]{8,128})\s*$",
        "An unquoted value in a `KEY=value` / `key: value` line whose key names a password.",
    )
    .entropy(3.0)
    .generic(),
    SecretRule::new(
        "secret-generic-secret",
        "Hard-coded secret",
        MED,
        &["secret"],
        r#"(?i:secret[a-z0-9_.\-]{0,30})[\x22'\x60]?\s{0,5}(?:=>|:=|=|:)\s{0,5}[\x22'\x60]?([A-Za-z0-9+/=_\-.~]{16,128})(?:[\x22'\x60\s,;]|$)"#,
        "A value of 16 or more random-looking characters assigned to a name containing `secret`.",
    )
    .entropy(3.5)
    .generic(),
    SecretRule::new(
        "secret-generic-api-key",
        "Hard-coded API key or token",
        MED,
        &["api_key", "apikey", "api-key", "access_key", "accesskey", "access-key", "auth_token", "authtoken", "auth-token", "access_token", "accesstoken", "access-token", "api_token", "apitoken", "api-token", "private_key", "privatekey", "private-key", "client_secret", "clientsecret", "client-secret"],
        r#"(?i:(?:api[_\-]?key|access[_\-]?key|auth[_\-]?token|access[_\-]?token|api[_\-]?token|private[_\-]?key|client[_\-]?secret)[a-z0-9_.\-]{0,20})[\x22'\x60]?\s{0,5}(?:=>|:=|=|:)\s{0,5}[\x22'\x60]?([A-Za-z0-9+/=_\-.~]{16,128})(?:[\x22'\x60\s,;]|$)"#,
        "A value of 16 or more random-looking characters assigned to a name like `api_key` or `access_token`.",
    )
    .entropy(3.5)
    .generic(),
];

/// Every built-in rule, in priority order (earlier rules win overlapping matches).
pub fn rules() -> &'static [SecretRule] {
    RULES
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn table_is_well_formed() {
        let mut ids = BTreeSet::new();
        for r in rules() {
            assert!(ids.insert(r.id), "duplicate id {}", r.id);
            assert!(r.id.starts_with("secret-"), "{}", r.id);
            assert!(
                r.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                r.id
            );
            for k in r.keywords {
                assert_eq!(
                    *k,
                    k.to_ascii_lowercase(),
                    "{}: keyword {k} not lower-case",
                    r.id
                );
                assert!(k.len() >= 2, "{}: keyword {k} too short", r.id);
            }
            assert!(!r.title.is_empty() && !r.format.is_empty(), "{}", r.id);
            let meta = r.meta();
            assert_eq!(meta.id, r.id);
            assert!(meta.description.contains(r.format));
        }
        // Rules without keywords are found by magic bytes or derived in the engine.
        let keywordless: Vec<_> = rules()
            .iter()
            .filter(|r| r.keywords.is_empty())
            .map(|r| r.id)
            .collect();
        assert_eq!(
            keywordless,
            [
                "secret-aws-access-key-pair",
                "secret-private-key-pkcs12",
                "secret-private-key-jks"
            ]
        );
        assert_eq!(rules().len(), 278);
        let providers: BTreeSet<_> = rules().iter().map(|r| r.provider()).collect();
        assert_eq!(providers.len(), 167);
    }
}
