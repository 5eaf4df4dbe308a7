//! Falco field names resolved once to a [`Field`], then read from an [`Event`] cheaply.
//!
//! Syscall fields (`proc.*`, `fd.*`, `evt.*`, `user.*`, `container.*`, `k8s.*`) read the
//! typed parts of the event; `ka.*` fields follow the k8saudit plugin's field table,
//! `ct.*`/`s3.*` the cloudtrail plugin's, and `json.*`/`jevt.*` the json plugin's, all over
//! [`Event::raw`]. A field a source does not have resolves to an error (the rule is then
//! reported unsupported); a field an event lacks extracts to `None`.

use crate::event::{Event, Source};
use crate::fields::FieldValue;
use crate::rawjson::{JsonKind, JsonRef};
use std::borrow::Cow;

/// The value type of a field, which decides how literals are parsed and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    Str,
    /// Signed number.
    Num,
    /// Boolean.
    Bool,
    /// IP address (literals may be CIDR networks for `*.net` fields).
    Ip,
}

macro_rules! fields {
    ($($variant:ident),* $(,)?) => {
        /// A resolved field.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Field {
            $($variant,)*
            /// `evt.arg.NAME` / `evt.arg[NAME]`
            EvtArg(String),
            /// `proc.aname[n]` (None: any ancestor)
            AName(Option<usize>),
            /// `proc.apid[n]`
            APid(Option<usize>),
            /// `proc.aexe[n]`
            AExe(Option<usize>),
            /// `proc.aexepath[n]`
            AExepath(Option<usize>),
            /// `proc.env[NAME]`
            EnvVar(String),
            /// `container.mount.dest[path]`
            MountDest(String),
            /// `k8s.pod.label[key]`
            PodLabel(String),
            /// A `ka.*` field with its argument.
            Ka(KaField, Option<String>),
            /// A `ct.*` / `s3.*` field: JSON path in the record.
            Ct(&'static [&'static str], bool),
            /// `ct.user`
            CtUser,
            /// `ct.shortsrc`
            CtShortSrc,
            /// `json.value[ptr]` / `jevt.value[ptr]`
            JsonValue(String),
            /// `json.obj` / `jevt.obj`
            JsonObj,
            /// `json.rawtime` / `jevt.rawtime`
            JsonRawtime,
        }
    };
}

fields!(
    EvtType,
    EvtNum,
    EvtTime,
    EvtTimeIso,
    EvtRawtime,
    EvtRes,
    EvtRawres,
    EvtArgs,
    EvtIsOpenRead,
    EvtIsOpenWrite,
    EvtIsOpenExec,
    EvtDir,
    EvtSource,
    EvtHostname,
    ProcName,
    ProcExe,
    ProcExepath,
    ProcCmdline,
    ProcArgs,
    ProcPid,
    ProcPpid,
    ProcVpid,
    ProcCwd,
    ProcTty,
    ProcSid,
    ProcSname,
    ProcVpgid,
    ProcVpgidName,
    ProcIsVpgidLeader,
    ProcIsSidLeader,
    ProcEnv,
    ProcPname,
    ProcPexe,
    ProcPexepath,
    ProcDuration,
    ProcPcmdline,
    ProcIsExeWritable,
    ProcIsExeUpperLayer,
    ProcIsExeFromMemfd,
    UserUid,
    UserName,
    UserLoginuid,
    UserLoginname,
    GroupGid,
    GroupName,
    ThreadTid,
    CapPermitted,
    CapEffective,
    FdNum,
    FdName,
    FdType,
    FdTypechar,
    FdDirectory,
    FdFilename,
    FdL4proto,
    FdSip,
    FdCip,
    FdLip,
    FdRip,
    FdSport,
    FdCport,
    FdLport,
    FdRport,
    FdSipName,
    FdConnected,
    FdNameChanged,
    FdIp,
    FdNet,
    FdSnet,
    FdCnet,
    FdLnet,
    FdRnet,
    FdSockfamily,
    FdPort,
    ContainerId,
    ContainerName,
    ContainerImage,
    ContainerImageRepository,
    ContainerImageTag,
    ContainerPrivileged,
    ContainerMounts,
    ContainerStartTs,
    K8sNsName,
    K8sPodName,
);

/// `ka.*` fields of the k8saudit plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum KaField {
    AuditId,
    Stage,
    AuthDecision,
    AuthReason,
    UserName,
    UserGroups,
    ImpuserName,
    Verb,
    Uri,
    UriParam,
    TargetName,
    TargetNamespace,
    TargetResource,
    TargetSubresource,
    BindingSubjects,
    BindingRole,
    BindingSubjectHasName,
    ConfigmapName,
    ConfigmapObj,
    PodContainersImage,
    ContainerImage,
    PodContainersImageRepository,
    ContainerImageRepository,
    PodHostIpc,
    PodHostNetwork,
    PodHostPid,
    PodContainersHostPort,
    PodContainersPrivileged,
    ContainerPrivileged,
    PodContainersAllowPrivilegeEscalation,
    PodContainersReadOnlyFs,
    PodRunAsUser,
    PodContainersRunAsUser,
    PodContainersEffRunAsUser,
    PodRunAsGroup,
    PodContainersRunAsGroup,
    PodContainersEffRunAsGroup,
    PodContainersProcMount,
    RoleRules,
    RoleRulesApiGroups,
    RoleRulesNonResourceUrls,
    RoleRulesVerbs,
    RoleRulesResources,
    PodFsGroup,
    PodSupplementalGroups,
    PodContainersAddCapabilities,
    ServiceType,
    ServicePorts,
    PodVolumesHostpath,
    VolumeHostpath,
    PodVolumesFlexvolumeDriver,
    PodVolumesVolumeType,
    RespName,
    ResponseCode,
    ResponseReason,
    UserAgent,
    PodInitContainersImage,
    PodInitContainersPrivileged,
    PodEphemeralContainersImage,
    PodEphemeralContainersPrivileged,
}

impl KaField {
    fn from_name(name: &str) -> Option<KaField> {
        use KaField::*;
        Some(match name {
            "ka.auditid" => AuditId,
            "ka.stage" => Stage,
            "ka.auth.decision" => AuthDecision,
            "ka.auth.reason" => AuthReason,
            "ka.user.name" => UserName,
            "ka.user.groups" => UserGroups,
            "ka.impuser.name" => ImpuserName,
            "ka.verb" => Verb,
            "ka.uri" => Uri,
            "ka.uri.param" => UriParam,
            "ka.target.name" => TargetName,
            "ka.target.namespace" => TargetNamespace,
            "ka.target.resource" => TargetResource,
            "ka.target.subresource" => TargetSubresource,
            "ka.req.binding.subjects" => BindingSubjects,
            "ka.req.binding.role" => BindingRole,
            "ka.req.binding.subject.has_name" => BindingSubjectHasName,
            "ka.req.configmap.name" => ConfigmapName,
            "ka.req.configmap.obj" => ConfigmapObj,
            "ka.req.pod.containers.image" => PodContainersImage,
            "ka.req.container.image" => ContainerImage,
            "ka.req.pod.containers.image.repository" => PodContainersImageRepository,
            "ka.req.container.image.repository" => ContainerImageRepository,
            "ka.req.pod.host_ipc" => PodHostIpc,
            "ka.req.pod.host_network" | "ka.req.container.host_network" => PodHostNetwork,
            "ka.req.pod.host_pid" => PodHostPid,
            "ka.req.pod.containers.host_port" => PodContainersHostPort,
            "ka.req.pod.containers.privileged" => PodContainersPrivileged,
            "ka.req.container.privileged" => ContainerPrivileged,
            "ka.req.pod.containers.allow_privilege_escalation" => {
                PodContainersAllowPrivilegeEscalation
            }
            "ka.req.pod.containers.read_only_fs" => PodContainersReadOnlyFs,
            "ka.req.pod.run_as_user" => PodRunAsUser,
            "ka.req.pod.containers.run_as_user" => PodContainersRunAsUser,
            "ka.req.pod.containers.eff_run_as_user" => PodContainersEffRunAsUser,
            "ka.req.pod.run_as_group" => PodRunAsGroup,
            "ka.req.pod.containers.run_as_group" => PodContainersRunAsGroup,
            "ka.req.pod.containers.eff_run_as_group" => PodContainersEffRunAsGroup,
            "ka.req.pod.containers.proc_mount" => PodContainersProcMount,
            "ka.req.role.rules" => RoleRules,
            "ka.req.role.rules.apiGroups" => RoleRulesApiGroups,
            "ka.req.role.rules.nonResourceURLs" => RoleRulesNonResourceUrls,
            "ka.req.role.rules.verbs" => RoleRulesVerbs,
            "ka.req.role.rules.resources" => RoleRulesResources,
            "ka.req.pod.fs_group" => PodFsGroup,
            "ka.req.pod.supplemental_groups" => PodSupplementalGroups,
            "ka.req.pod.containers.add_capabilities" => PodContainersAddCapabilities,
            "ka.req.service.type" => ServiceType,
            "ka.req.service.ports" => ServicePorts,
            "ka.req.pod.volumes.hostpath" => PodVolumesHostpath,
            "ka.req.volume.hostpath" => VolumeHostpath,
            "ka.req.pod.volumes.flexvolume_driver" => PodVolumesFlexvolumeDriver,
            "ka.req.pod.volumes.volume_type" => PodVolumesVolumeType,
            "ka.resp.name" => RespName,
            "ka.response.code" => ResponseCode,
            "ka.response.reason" => ResponseReason,
            "ka.useragent" => UserAgent,
            "ka.req.pod.initContainers.image" => PodInitContainersImage,
            "ka.req.pod.initContainers.privileged" => PodInitContainersPrivileged,
            "ka.req.pod.ephemeralContainers.image" => PodEphemeralContainersImage,
            "ka.req.pod.ephemeralContainers.privileged" => PodEphemeralContainersPrivileged,
            _ => return None,
        })
    }
}

fn ct_path(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "ct.id" => &["eventID"],
        "ct.error" => &["errorCode"],
        "ct.time" => &["eventTime"],
        "ct.src" => &["eventSource"],
        "ct.name" => &["eventName"],
        "ct.user.accountid" => &["userIdentity", "accountId"],
        "ct.user.identitytype" => &["userIdentity", "type"],
        "ct.user.principalid" => &["userIdentity", "principalId"],
        "ct.user.arn" => &["userIdentity", "arn"],
        "ct.region" => &["awsRegion"],
        "ct.response.subnetid" => &["responseElements", "subnetId"],
        "ct.response.reservationid" => &["responseElements", "reservationId"],
        "ct.request.availabilityzone" => &["requestParameters", "availabilityZone"],
        "ct.request.cluster" => &["requestParameters", "cluster"],
        "ct.request.functionname" => &["requestParameters", "functionName"],
        "ct.request.groupname" => &["requestParameters", "groupName"],
        "ct.request.host" => &["requestParameters", "Host"],
        "ct.request.name" => &["requestParameters", "name"],
        "ct.request.policy" => &["requestParameters", "policy"],
        "ct.request.serialnumber" => &["requestParameters", "serialNumber"],
        "ct.request.servicename" => &["requestParameters", "serviceName"],
        "ct.request.subnetid" => &["requestParameters", "subnetId"],
        "ct.request.taskdefinition" => &["requestParameters", "taskDefinition"],
        "ct.request.username" => &["requestParameters", "userName"],
        "ct.srcip" => &["sourceIPAddress"],
        "ct.useragent" => &["userAgent"],
        "s3.bucket" => &["requestParameters", "bucketName"],
        "s3.key" => &["requestParameters", "key"],
        "ecr.repository" => &["requestParameters", "repositoryName"],
        "ecr.image.tag" => &["requestParameters", "imageTag"],
        "ec2.imageid" => &["requestParameters", "instancesSet", "items", "0", "imageId"],
        _ => return None,
    })
}

fn parse_index(arg: Option<&str>) -> Result<Option<usize>, String> {
    match arg {
        None => Ok(None),
        Some(a) => a
            .parse::<usize>()
            .map(Some)
            .map_err(|_| format!("invalid index argument '{a}'")),
    }
}

/// Resolves a Falco field name (and bracket argument) for rules of `source`.
///
/// Returns the field and its value kind, or a reason why rampart cannot read it.
pub fn resolve(source: Source, name: &str, arg: Option<&str>) -> Result<(Field, Kind), String> {
    use Field::*;
    use Kind::*;
    // Fields every source with a raw document has.
    match name {
        "json.value" | "jevt.value" if source != Source::Syscall => {
            let ptr = arg.ok_or_else(|| format!("field '{name}' requires an argument"))?;
            return Ok((JsonValue(ptr.to_string()), Str));
        }
        "json.obj" | "jevt.obj" if source != Source::Syscall => return Ok((JsonObj, Str)),
        "json.rawtime" | "jevt.rawtime" if source != Source::Syscall => {
            return Ok((JsonRawtime, Num));
        }
        "evt.source" => return Ok((EvtSource, Str)),
        "evt.num" => return Ok((EvtNum, Num)),
        "evt.time" => return Ok((EvtTime, Str)),
        "evt.time.iso8601" => return Ok((EvtTimeIso, Str)),
        "evt.rawtime" => return Ok((EvtRawtime, Num)),
        "evt.hostname" => return Ok((EvtHostname, Str)),
        _ => {}
    }
    match source {
        Source::K8sAudit => {
            let f = KaField::from_name(name)
                .ok_or_else(|| format!("filter_check called with nonexistent field {name}"))?;
            Ok((Ka(f, arg.map(str::to_string)), Str))
        }
        Source::AwsCloudtrail => match name {
            "ct.user" => Ok((CtUser, Str)),
            "ct.shortsrc" => Ok((CtShortSrc, Str)),
            _ => ct_path(name)
                .map(|p| (Ct(p, false), Str))
                .ok_or_else(|| format!("filter_check called with nonexistent field {name}")),
        },
        Source::Json => Err(format!("filter_check called with nonexistent field {name}")),
        Source::Syscall => {
            if let Some(a) = name
                .strip_prefix("evt.arg.")
                .or_else(|| name.strip_prefix("evt.rawarg."))
            {
                return Ok((EvtArg(a.to_string()), Str));
            }
            let idx = || parse_index(arg);
            let f = match name {
                "evt.type" => (EvtType, Str),
                "evt.res" => (EvtRes, Str),
                "evt.rawres" => (EvtRawres, Num),
                "evt.args" => (EvtArgs, Str),
                "evt.arg" | "evt.rawarg" => match arg {
                    Some(a) => (EvtArg(a.to_string()), Str),
                    None => return Err(format!("field '{name}' requires an argument")),
                },
                "evt.is_open_read" => (EvtIsOpenRead, Bool),
                "evt.is_open_write" => (EvtIsOpenWrite, Bool),
                "evt.is_open_exec" => (EvtIsOpenExec, Bool),
                "evt.dir" => (EvtDir, Str),
                "proc.name" => (ProcName, Str),
                "proc.exe" => (ProcExe, Str),
                "proc.exepath" => (ProcExepath, Str),
                "proc.cmdline" => (ProcCmdline, Str),
                "proc.args" => (ProcArgs, Str),
                "proc.pid" => (ProcPid, Num),
                "proc.ppid" => (ProcPpid, Num),
                "proc.vpid" => (ProcVpid, Num),
                "proc.cwd" => (ProcCwd, Str),
                "proc.duration" => (ProcDuration, Num),
                "proc.tty" => (ProcTty, Num),
                "proc.sid" => (ProcSid, Num),
                "proc.sname" => (ProcSname, Str),
                "proc.vpgid" => (ProcVpgid, Num),
                "proc.vpgid.name" => (ProcVpgidName, Str),
                "proc.is_vpgid_leader" => (ProcIsVpgidLeader, Bool),
                "proc.is_sid_leader" => (ProcIsSidLeader, Bool),
                "proc.env" => match arg {
                    Some(a) => (EnvVar(a.to_string()), Str),
                    None => (ProcEnv, Str),
                },
                "proc.pname" => (ProcPname, Str),
                "proc.pexe" => (ProcPexe, Str),
                "proc.pexepath" => (ProcPexepath, Str),
                "proc.pcmdline" => (ProcPcmdline, Str),
                "proc.aname" => (AName(idx()?), Str),
                "proc.apid" => (APid(idx()?), Num),
                "proc.aexe" => (AExe(idx()?), Str),
                "proc.aexepath" => (AExepath(idx()?), Str),
                "proc.is_exe_writable" => (ProcIsExeWritable, Bool),
                "proc.is_exe_upper_layer" => (ProcIsExeUpperLayer, Bool),
                "proc.is_exe_from_memfd" => (ProcIsExeFromMemfd, Bool),
                "user.uid" => (UserUid, Num),
                "user.name" => (UserName, Str),
                "user.loginuid" => (UserLoginuid, Num),
                "user.loginname" => (UserLoginname, Str),
                "group.gid" => (GroupGid, Num),
                "group.name" => (GroupName, Str),
                "thread.tid" => (ThreadTid, Num),
                "thread.cap_permitted" => (CapPermitted, Str),
                "thread.cap_effective" => (CapEffective, Str),
                "fd.num" => (FdNum, Num),
                "fd.name" | "fd.nameraw" => (FdName, Str),
                "fd.type" => (FdType, Str),
                "fd.typechar" => (FdTypechar, Str),
                "fd.directory" => (FdDirectory, Str),
                "fd.filename" => (FdFilename, Str),
                "fd.l4proto" => (FdL4proto, Str),
                "fd.sip" => (FdSip, Ip),
                "fd.cip" => (FdCip, Ip),
                "fd.lip" => (FdLip, Ip),
                "fd.rip" => (FdRip, Ip),
                "fd.sport" => (FdSport, Num),
                "fd.cport" => (FdCport, Num),
                "fd.lport" => (FdLport, Num),
                "fd.rport" => (FdRport, Num),
                "fd.port" => (FdPort, Num),
                "fd.sip.name" => (FdSipName, Str),
                "fd.connected" => (FdConnected, Bool),
                "fd.name_changed" => (FdNameChanged, Bool),
                "fd.ip" => (FdIp, Ip),
                "fd.net" => (FdNet, Ip),
                "fd.snet" => (FdSnet, Ip),
                "fd.cnet" => (FdCnet, Ip),
                "fd.lnet" => (FdLnet, Ip),
                "fd.rnet" => (FdRnet, Ip),
                "fd.sockfamily" => (FdSockfamily, Str),
                "container.id" => (ContainerId, Str),
                "container.name" => (ContainerName, Str),
                "container.image" => (ContainerImage, Str),
                "container.image.repository" => (ContainerImageRepository, Str),
                "container.image.tag" => (ContainerImageTag, Str),
                "container.privileged" => (ContainerPrivileged, Bool),
                "container.mounts" => (ContainerMounts, Str),
                "container.mount.dest" => match arg {
                    Some(a) => (MountDest(a.to_string()), Str),
                    None => return Err(format!("field '{name}' requires an argument")),
                },
                "container.start_ts" => (ContainerStartTs, Num),
                "k8s.ns.name" => (K8sNsName, Str),
                "k8s.pod.name" => (K8sPodName, Str),
                "k8s.pod.label" => match arg {
                    Some(a) => (PodLabel(a.to_string()), Str),
                    None => return Err(format!("field '{name}' requires an argument")),
                },
                _ => {
                    return Err(format!("filter_check called with nonexistent field {name}"));
                }
            };
            Ok(f)
        }
    }
}

fn s(v: &str) -> Option<FieldValue<'_>> {
    Some(FieldValue::Str(Cow::Borrowed(v)))
}

fn own<'a>(v: String) -> Option<FieldValue<'a>> {
    Some(FieldValue::Str(Cow::Owned(v)))
}

fn nonempty(v: &str) -> Option<FieldValue<'_>> {
    if v.is_empty() { None } else { s(v) }
}

/// A JSON value as the plugins render it: strings bare, others as compact JSON.
pub fn json_text(v: JsonRef<'_>) -> Cow<'_, str> {
    v.text()
}

fn get<'a>(v: JsonRef<'a>, keys: &[&str]) -> Option<JsonRef<'a>> {
    let mut cur = v;
    for k in keys {
        cur = match cur.kind() {
            JsonKind::Object => cur.get(k)?,
            JsonKind::Array => cur.index(k.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn errno_name(res: i64) -> Cow<'static, str> {
    const NAMES: &[&str] = &[
        "SUCCESS", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC",
        "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST",
        "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY",
        "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE",
    ];
    if res >= 0 {
        return Cow::Borrowed("SUCCESS");
    }
    let e = res.unsigned_abs() as usize;
    match (e, NAMES.get(e)) {
        (115, _) => Cow::Borrowed("EINPROGRESS"),
        (111, _) => Cow::Borrowed("ECONNREFUSED"),
        (110, _) => Cow::Borrowed("ETIMEDOUT"),
        (_, Some(n)) => Cow::Borrowed(n),
        _ => Cow::Owned(format!("E{e}")),
    }
}

fn rfc3339(ns: u64) -> String {
    let secs = (ns / 1_000_000_000) as i64;
    let nanos = (ns % 1_000_000_000) as u32;
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.replace_nanosecond(nanos).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Formats event time the way alerts carry it (RFC 3339 with nanoseconds, UTC).
pub fn format_time(ns: u64) -> String {
    let mut buf = [0u8; TIME_LEN];
    write_time(ns, &mut buf);
    std::str::from_utf8(&buf).map_or_else(|_| rfc3339(0), str::to_string)
}

/// Length of [`format_time`]'s text: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
pub const TIME_LEN: usize = 30;

/// The calendar date (year, month, day) of `days` since 1970-01-01 (proleptic Gregorian,
/// Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// Writes `v` as `out.len()` decimal digits, zero-padded.
pub(crate) fn put_digits(out: &mut [u8], mut v: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// `YYYY-MM-DDTHH:MM:SS` of `secs` since the epoch into `out[..19]`.
pub(crate) fn write_datetime(secs: u64, out: &mut [u8]) {
    let (y, m, d) = civil_from_days(secs / 86_400);
    let tod = secs % 86_400;
    put_digits(&mut out[0..4], y);
    out[4] = b'-';
    put_digits(&mut out[5..7], m);
    out[7] = b'-';
    put_digits(&mut out[8..10], d);
    out[10] = b'T';
    put_digits(&mut out[11..13], tod / 3600);
    out[13] = b':';
    put_digits(&mut out[14..16], tod / 60 % 60);
    out[16] = b':';
    put_digits(&mut out[17..19], tod % 60);
}

/// [`format_time`] into a fixed buffer, without allocating. (Every `u64` of nanoseconds
/// falls before the year 2555: the year always has four digits.)
pub fn write_time(ns: u64, out: &mut [u8; TIME_LEN]) {
    write_datetime(ns / 1_000_000_000, &mut out[..19]);
    out[19] = b'.';
    put_digits(&mut out[20..29], ns % 1_000_000_000);
    out[29] = b'Z';
}

fn list<'a>(items: Vec<Cow<'a, str>>) -> Option<FieldValue<'a>> {
    if items.is_empty() {
        None
    } else {
        Some(FieldValue::List(
            items.into_iter().map(FieldValue::Str).collect(),
        ))
    }
}

fn ka_array<'a>(raw: JsonRef<'a>, arg: Option<&str>, keys: &[&str]) -> Option<Vec<JsonRef<'a>>> {
    let arr = get(raw, keys).filter(|a| a.is_array())?;
    match arg.and_then(|a| a.parse::<usize>().ok()) {
        Some(i) => arr.index(i).map(|v| vec![v]),
        None => Some(arr.items().collect()),
    }
}

/// Per-container values; `skip_nil` drops containers without the key, otherwise a missing
/// key makes the whole field unavailable (the plugin's behaviour).
fn ka_containers<'a>(
    raw: JsonRef<'a>,
    arg: Option<&str>,
    keys: &[&str],
    skip_nil: bool,
) -> Option<FieldValue<'a>> {
    ka_containers_in(raw, "containers", arg, keys, skip_nil)
}

fn ka_containers_in<'a>(
    raw: JsonRef<'a>,
    which: &str,
    arg: Option<&str>,
    keys: &[&str],
    skip_nil: bool,
) -> Option<FieldValue<'a>> {
    let arr = ka_array(raw, arg, &["requestObject", "spec", which])?;
    let mut out = Vec::new();
    for c in arr {
        match get(c, keys) {
            Some(v) => out.push(json_text(v)),
            None if skip_nil => {}
            None => return None,
        }
    }
    list(out)
}

fn image_repo(image: &str) -> &str {
    let a = image.split(':').next().unwrap_or(image);
    a.split('@').next().unwrap_or(a)
}

fn ka_extract<'a>(f: KaField, arg: Option<&str>, raw: JsonRef<'a>) -> Option<FieldValue<'a>> {
    use KaField::*;
    let key = |keys: &[&str]| get(raw, keys).map(|v| FieldValue::Str(json_text(v)));
    let key_list = |keys: &[&str]| {
        let arr = get(raw, keys).filter(|a| a.is_array())?;
        list(arr.items().map(json_text).collect())
    };
    match f {
        AuditId => key(&["auditID"]),
        Stage => key(&["stage"]),
        AuthDecision => key(&["annotations", "authorization.k8s.io/decision"]),
        AuthReason => key(&["annotations", "authorization.k8s.io/reason"]),
        UserName => key(&["user", "username"]),
        UserGroups => key_list(&["user", "groups"]),
        ImpuserName => key(&["impersonatedUser", "username"]),
        Verb => key(&["verb"]),
        Uri => key(&["requestURI"]),
        UriParam => {
            let uri = get(raw, &["requestURI"])?.as_str()?;
            let query = uri.split_once('?')?.1;
            let want = arg?;
            query.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (percent_decode(k) == want).then(|| FieldValue::Str(Cow::Owned(percent_decode(v))))
            })
        }
        TargetName | ConfigmapName => key(&["objectRef", "name"]),
        TargetNamespace => key(&["objectRef", "namespace"]),
        TargetResource => key(&["objectRef", "resource"]),
        TargetSubresource => key(&["objectRef", "subresource"]),
        BindingSubjects => key_list(&["requestObject", "subjects"]),
        BindingRole => key(&["requestObject", "roleRef", "name"]),
        BindingSubjectHasName => arg.map(|_| FieldValue::Str(Cow::Borrowed("true"))),
        ConfigmapObj => key(&["requestObject", "data"]),
        PodContainersImage => ka_containers(raw, arg, &["image"], false),
        ContainerImage => match ka_containers(raw, Some("0"), &["image"], false)? {
            FieldValue::List(mut l) if !l.is_empty() => Some(l.swap_remove(0)),
            _ => None,
        },
        PodContainersImageRepository | ContainerImageRepository => {
            let arg = if f == ContainerImageRepository {
                Some("0")
            } else {
                arg
            };
            let FieldValue::List(l) = ka_containers(raw, arg, &["image"], false)? else {
                return None;
            };
            let repos: Vec<Cow<'a, str>> = l
                .into_iter()
                .filter_map(|v| match v {
                    FieldValue::Str(Cow::Borrowed(s)) => Some(Cow::Borrowed(image_repo(s))),
                    FieldValue::Str(Cow::Owned(s)) => Some(Cow::Owned(image_repo(&s).to_string())),
                    _ => None,
                })
                .collect();
            if f == ContainerImageRepository {
                repos.into_iter().next().map(FieldValue::Str)
            } else {
                list(repos)
            }
        }
        PodHostIpc => key(&["requestObject", "spec", "hostIPC"]),
        PodHostNetwork => key(&["requestObject", "spec", "hostNetwork"]),
        PodHostPid => key(&["requestObject", "spec", "hostPID"]),
        PodContainersHostPort => {
            let arr = ka_array(raw, arg, &["requestObject", "spec", "containers"])?;
            let mut out = Vec::new();
            for c in arr {
                for p in get(c, &["ports"]).filter(|a| a.is_array())?.items() {
                    if let Some(h) = get(p, &["hostPort"]).or_else(|| get(p, &["containerPort"])) {
                        out.push(json_text(h));
                    }
                }
            }
            list(out)
        }
        PodContainersPrivileged => {
            ka_containers(raw, arg, &["securityContext", "privileged"], true)
        }
        ContainerPrivileged => {
            let arr = ka_array(raw, None, &["requestObject", "spec", "containers"])?;
            let any = arr.iter().any(|c| {
                get(*c, &["securityContext", "privileged"]).and_then(JsonRef::as_bool) == Some(true)
            });
            s(if any { "true" } else { "false" })
        }
        PodContainersAllowPrivilegeEscalation => ka_containers(
            raw,
            arg,
            &["securityContext", "allowPrivilegeEscalation"],
            false,
        ),
        PodContainersReadOnlyFs => ka_containers(
            raw,
            arg,
            &["securityContext", "readOnlyRootFilesystem"],
            false,
        ),
        PodRunAsUser => key(&["requestObject", "spec", "securityContext", "runAsUser"]),
        PodContainersRunAsUser => ka_containers(raw, arg, &["securityContext", "runAsUser"], false),
        PodContainersEffRunAsUser | PodContainersEffRunAsGroup => {
            let k = if f == PodContainersEffRunAsUser {
                "runAsUser"
            } else {
                "runAsGroup"
            };
            let pod = get(raw, &["requestObject", "spec", k])
                .map(json_text)
                .unwrap_or(Cow::Borrowed("0"));
            let arr = ka_array(raw, arg, &["requestObject", "spec", "containers"])?;
            list(
                arr.iter()
                    .map(|c| get(*c, &[k]).map(json_text).unwrap_or_else(|| pod.clone()))
                    .collect(),
            )
        }
        PodRunAsGroup => key(&["requestObject", "spec", "securityContext", "runAsGroup"]),
        PodContainersRunAsGroup => {
            ka_containers(raw, arg, &["securityContext", "runAsGroup"], false)
        }
        PodContainersProcMount => ka_containers(raw, arg, &["securityContext", "procMount"], false),
        RoleRules => key_list(&["requestObject", "rules"]),
        RoleRulesApiGroups | RoleRulesNonResourceUrls | RoleRulesVerbs | RoleRulesResources => {
            let k = match f {
                RoleRulesApiGroups => "apiGroups",
                RoleRulesNonResourceUrls => "nonResourceURLs",
                RoleRulesVerbs => "verbs",
                _ => "resources",
            };
            let arr = ka_array(raw, arg, &["requestObject", "rules"])?;
            let mut out = Vec::new();
            for r in arr {
                if let Some(vals) = get(r, &[k]).filter(|v| v.is_array()) {
                    out.extend(vals.items().filter(|v| !v.is_null()).map(json_text));
                }
            }
            list(out)
        }
        PodFsGroup => key(&["requestObject", "spec", "securityContext", "fsGroup"]),
        PodSupplementalGroups => key_list(&[
            "requestObject",
            "spec",
            "securityContext",
            "supplementalGroups",
        ]),
        PodContainersAddCapabilities => {
            let arr = ka_array(raw, arg, &["requestObject", "spec", "containers"])?;
            let mut out = Vec::new();
            for c in arr {
                if let Some(caps) =
                    get(c, &["securityContext", "capabilities", "add"]).filter(|v| v.is_array())
                {
                    out.extend(caps.items().map(json_text));
                }
            }
            list(out)
        }
        ServiceType => key(&["requestObject", "spec", "type"]),
        ServicePorts => {
            let arr = ka_array(raw, arg, &["requestObject", "spec", "ports"])?;
            list(arr.into_iter().map(json_text).collect())
        }
        PodVolumesHostpath | VolumeHostpath => {
            let a = if f == VolumeHostpath { None } else { arg };
            let arr = ka_array(raw, a, &["requestObject", "spec", "volumes"])?;
            let paths: Vec<&str> = arr
                .iter()
                .filter_map(|v| get(*v, &["hostPath", "path"]).and_then(JsonRef::as_str))
                .collect();
            if f == VolumeHostpath {
                let want = arg?;
                let hit = match want.strip_suffix('*') {
                    Some(prefix) => paths.iter().any(|p| p.starts_with(prefix)),
                    None => paths.contains(&want),
                };
                s(if hit { "true" } else { "false" })
            } else {
                list(paths.into_iter().map(Cow::Borrowed).collect())
            }
        }
        PodVolumesFlexvolumeDriver => {
            let arr = ka_array(raw, arg, &["requestObject", "spec", "volumes"])?;
            list(
                arr.iter()
                    .filter_map(|v| get(*v, &["flexVolume", "driver"]).map(json_text))
                    .collect(),
            )
        }
        PodVolumesVolumeType => {
            let arr = ka_array(raw, arg, &["requestObject", "spec", "volumes"])?;
            let mut out = Vec::new();
            for v in arr {
                out.extend(
                    v.entries()
                        .into_iter()
                        .filter(|(k, _)| *k != "name")
                        .map(|(k, _)| Cow::Borrowed(k)),
                );
            }
            list(out)
        }
        RespName => key(&["responseObject", "metadata", "name"]),
        ResponseCode => key(&["responseStatus", "code"]),
        ResponseReason => key(&["responseStatus", "reason"]),
        UserAgent => key(&["userAgent"]),
        PodInitContainersImage => ka_containers_in(raw, "initContainers", arg, &["image"], false),
        PodInitContainersPrivileged => ka_containers_in(
            raw,
            "initContainers",
            arg,
            &["securityContext", "privileged"],
            true,
        ),
        PodEphemeralContainersImage => {
            ka_containers_in(raw, "ephemeralContainers", arg, &["image"], false)
        }
        PodEphemeralContainersPrivileged => ka_containers_in(
            raw,
            "ephemeralContainers",
            arg,
            &["securityContext", "privileged"],
            true,
        ),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ct_user(raw: JsonRef<'_>) -> Option<FieldValue<'_>> {
    let t = get(raw, &["userIdentity", "type"])?.as_str()?;
    match t {
        "Root" | "IAMUser" => get(raw, &["userIdentity", "userName"])
            .and_then(JsonRef::as_str)
            .and_then(s),
        "AWSService" => get(raw, &["userIdentity", "invokedBy"])
            .and_then(JsonRef::as_str)
            .and_then(s),
        "AssumedRole" => s(get(
            raw,
            &[
                "userIdentity",
                "sessionContext",
                "sessionIssuer",
                "userName",
            ],
        )
        .and_then(JsonRef::as_str)
        .unwrap_or("AssumedRole")),
        "AWSAccount" => s("AWSAccount"),
        "FederatedUser" => s("FederatedUser"),
        _ => None,
    }
}

impl Field {
    /// Whether the field is read from [`Event::raw`] (`ka.*`, `ct.*`, `s3.*`, `json.*`).
    pub fn reads_raw_json(&self) -> bool {
        matches!(
            self,
            Field::Ka(..)
                | Field::Ct(..)
                | Field::CtUser
                | Field::CtShortSrc
                | Field::JsonValue(_)
                | Field::JsonObj
        )
    }

    /// Reads this field from `ev`; `None` when the event does not carry it.
    pub fn extract<'e>(&self, ev: &'e Event) -> Option<FieldValue<'e>> {
        use Field::*;
        let p = &ev.proc;
        match self {
            EvtSource => s(ev.source.as_str()),
            EvtNum => Some(FieldValue::Int(ev.num as i64)),
            EvtTime | EvtTimeIso => own(format_time(ev.time)),
            EvtRawtime => Some(FieldValue::Int(ev.time as i64)),
            EvtHostname => None,
            JsonValue(ptr) => {
                let raw = ev.raw.as_ref()?;
                raw.root()
                    .pointer(ptr)
                    .map(|v| FieldValue::Str(json_text(v)))
            }
            JsonObj => ev
                .raw
                .as_ref()
                .map(|r| FieldValue::Str(Cow::Owned(r.to_value().to_string()))),
            JsonRawtime => ev.raw.as_ref().map(|_| FieldValue::Int(ev.time as i64)),
            Ka(f, arg) => {
                if ev.source != Source::K8sAudit {
                    return None;
                }
                ka_extract(*f, arg.as_deref(), ev.raw.as_ref()?.root())
            }
            Ct(path, _) => {
                if ev.source != Source::AwsCloudtrail {
                    return None;
                }
                get(ev.raw.as_ref()?.root(), path)
                    .and_then(JsonRef::as_str)
                    .and_then(s)
            }
            CtUser => {
                if ev.source != Source::AwsCloudtrail {
                    return None;
                }
                ct_user(ev.raw.as_ref()?.root())
            }
            CtShortSrc => {
                if ev.source != Source::AwsCloudtrail {
                    return None;
                }
                let v = get(ev.raw.as_ref()?.root(), &["eventSource"])?.as_str()?;
                s(v.strip_suffix(".amazonaws.com")
                    .filter(|r| !r.is_empty())
                    .unwrap_or(v))
            }
            _ if ev.source != Source::Syscall => None,
            EvtType => s(ev.evt_type.as_str()),
            EvtRes => ev.res.map(|r| FieldValue::Str(errno_name(r))),
            EvtRawres => ev.res.map(FieldValue::Int),
            EvtArgs => own(ev
                .args
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")),
            EvtArg(name) => ev
                .args
                .get(name)
                .map(|v| FieldValue::Str(Cow::Borrowed(v.as_str()))),
            EvtIsOpenRead | EvtIsOpenWrite | EvtIsOpenExec => {
                let flags = ev.args.get("flags").map(String::as_str).unwrap_or("");
                let b = match self {
                    EvtIsOpenRead => flags.contains("O_RDONLY") || flags.contains("O_RDWR"),
                    EvtIsOpenWrite => flags.contains("O_WRONLY") || flags.contains("O_RDWR"),
                    _ => {
                        flags.contains("O_EXEC")
                            || flags.contains("O_F_CREATED") && flags.contains("X")
                    }
                };
                Some(FieldValue::Bool(b))
            }
            EvtDir => s("<"),
            ProcName => s(&p.name),
            ProcExe => s(&p.exe),
            ProcExepath => s(&p.exepath),
            ProcCmdline => own(p.cmdline()),
            ProcArgs => own(p.args.join(" ")),
            ProcPid => Some(FieldValue::Int(p.pid)),
            ProcPpid => Some(FieldValue::Int(p.ppid)),
            ProcVpid => Some(FieldValue::Int(p.vpid)),
            ProcCwd => s(&p.cwd),
            ProcDuration => {
                (p.start_ts > 0).then(|| FieldValue::Int(ev.time.saturating_sub(p.start_ts) as i64))
            }
            ProcTty => Some(FieldValue::Int(i64::from(p.tty))),
            ProcSid => Some(FieldValue::Int(p.sid)),
            ProcSname => nonempty(&p.sname),
            ProcVpgid => Some(FieldValue::Int(p.vpgid)),
            ProcVpgidName => nonempty(&p.vpgid_name),
            ProcIsVpgidLeader => Some(FieldValue::Bool(p.vpid == p.vpgid && p.vpgid != 0)),
            ProcIsSidLeader => Some(FieldValue::Bool(p.pid == p.sid && p.sid != 0)),
            ProcEnv => own(p.env.join(" ")),
            EnvVar(name) => p.env.iter().find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k == name).then_some(FieldValue::Str(Cow::Borrowed(v)))
            }),
            ProcPname => p
                .ancestors
                .first()
                .map(|a| FieldValue::Str(Cow::Borrowed(a.name.as_str()))),
            ProcPexe => p
                .ancestors
                .first()
                .map(|a| FieldValue::Str(Cow::Borrowed(a.exe.as_str()))),
            ProcPexepath => p
                .ancestors
                .first()
                .map(|a| FieldValue::Str(Cow::Borrowed(a.exepath.as_str()))),
            ProcPcmdline => p
                .ancestors
                .first()
                .map(|a| FieldValue::Str(Cow::Owned(a.cmdline()))),
            AName(i) | APid(i) | AExe(i) | AExepath(i) => {
                let pick = |a: &'e crate::event::Ancestor| -> FieldValue<'e> {
                    match self {
                        APid(_) => FieldValue::Int(a.pid),
                        AExe(_) => FieldValue::Str(Cow::Borrowed(a.exe.as_str())),
                        AExepath(_) => FieldValue::Str(Cow::Borrowed(a.exepath.as_str())),
                        _ => FieldValue::Str(Cow::Borrowed(a.name.as_str())),
                    }
                };
                match i {
                    // proc.aname[0] is the process itself.
                    Some(0) => Some(match self {
                        APid(_) => FieldValue::Int(p.pid),
                        AExe(_) => FieldValue::Str(Cow::Borrowed(p.exe.as_str())),
                        AExepath(_) => FieldValue::Str(Cow::Borrowed(p.exepath.as_str())),
                        _ => FieldValue::Str(Cow::Borrowed(p.name.as_str())),
                    }),
                    Some(n) => p.ancestors.get(n - 1).map(pick),
                    None if p.ancestors.is_empty() => None,
                    None => Some(FieldValue::List(p.ancestors.iter().map(pick).collect())),
                }
            }
            ProcIsExeWritable => Some(FieldValue::Bool(p.is_exe_writable)),
            ProcIsExeUpperLayer => Some(FieldValue::Bool(p.is_exe_upper_layer)),
            ProcIsExeFromMemfd => Some(FieldValue::Bool(p.is_exe_from_memfd)),
            UserUid => Some(FieldValue::Int(i64::from(p.uid))),
            UserName => s(&p.user),
            UserLoginuid => Some(FieldValue::Int(p.loginuid)),
            UserLoginname => s(&p.loginname),
            GroupGid => Some(FieldValue::Int(i64::from(p.gid))),
            GroupName => s(&p.group),
            ThreadTid => Some(FieldValue::Int(if p.tid == 0 { p.pid } else { p.tid })),
            CapPermitted => own(p.cap_permitted.join(" ")),
            CapEffective => own(p.cap_effective.join(" ")),
            FdNum => ev.fd.as_ref().map(|f| FieldValue::Int(f.num)),
            FdName => ev
                .fd
                .as_ref()
                .map(|f| FieldValue::Str(Cow::Borrowed(f.name.as_str()))),
            FdType => ev.fd.as_ref().and_then(|f| s(f.fd_type.as_str())),
            FdTypechar => ev.fd.as_ref().and_then(|f| s(f.fd_type.typechar())),
            FdDirectory => ev.fd.as_ref().and_then(|f| f.directory()).and_then(s),
            FdFilename => ev.fd.as_ref().and_then(|f| f.filename()).and_then(s),
            FdL4proto => ev.fd.as_ref().and_then(|f| nonempty(&f.l4proto)),
            FdSip | FdSnet => ev.fd.as_ref()?.sip.map(own_ip),
            FdCip | FdCnet => ev.fd.as_ref()?.cip.map(own_ip),
            FdLip | FdLnet => ev.fd.as_ref()?.lip().map(own_ip),
            FdRip | FdRnet => ev.fd.as_ref()?.rip().map(own_ip),
            FdIp | FdNet => {
                let f = ev.fd.as_ref()?;
                let v: Vec<FieldValue<'e>> =
                    [f.cip, f.sip].into_iter().flatten().map(own_ip).collect();
                if v.is_empty() {
                    None
                } else {
                    Some(FieldValue::List(v))
                }
            }
            FdSport => ev.fd.as_ref()?.sport.map(|p| FieldValue::Int(i64::from(p))),
            FdCport => ev.fd.as_ref()?.cport.map(|p| FieldValue::Int(i64::from(p))),
            FdLport => ev
                .fd
                .as_ref()?
                .lport()
                .map(|p| FieldValue::Int(i64::from(p))),
            FdRport => ev
                .fd
                .as_ref()?
                .rport()
                .map(|p| FieldValue::Int(i64::from(p))),
            FdPort => {
                let f = ev.fd.as_ref()?;
                let v: Vec<FieldValue<'e>> = [f.cport, f.sport]
                    .into_iter()
                    .flatten()
                    .map(|p| FieldValue::Int(i64::from(p)))
                    .collect();
                if v.is_empty() {
                    None
                } else {
                    Some(FieldValue::List(v))
                }
            }
            FdSipName => ev.fd.as_ref().and_then(|f| nonempty(&f.sip_name)),
            FdConnected => ev.fd.as_ref().map(|f| FieldValue::Bool(f.connected)),
            FdNameChanged => ev.fd.as_ref().map(|f| FieldValue::Bool(f.name_changed)),
            FdSockfamily => ev.fd.as_ref().and_then(|f| match f.fd_type {
                crate::event::FdType::Ipv4 | crate::event::FdType::Ipv6 => s("ip"),
                crate::event::FdType::Unix => s("unix"),
                _ => None,
            }),
            ContainerId => s(ev
                .container
                .as_ref()
                .map(|c| c.id.as_str())
                .unwrap_or("host")),
            ContainerName => s(ev
                .container
                .as_ref()
                .map(|c| c.name.as_str())
                .unwrap_or("host")),
            ContainerImage => ev
                .container
                .as_ref()
                .map(|c| FieldValue::Str(Cow::Borrowed(c.image.as_str()))),
            ContainerImageRepository => ev
                .container
                .as_ref()
                .map(|c| FieldValue::Str(Cow::Borrowed(c.image_repository.as_str()))),
            ContainerImageTag => ev
                .container
                .as_ref()
                .map(|c| FieldValue::Str(Cow::Borrowed(c.image_tag.as_str()))),
            ContainerPrivileged => ev
                .container
                .as_ref()
                .map(|c| FieldValue::Bool(c.privileged)),
            ContainerMounts => ev.container.as_ref().map(|c| {
                FieldValue::Str(Cow::Owned(
                    c.mounts
                        .iter()
                        .map(|m| format!("{}:{}:{}", m.source, m.dest, m.rw))
                        .collect::<Vec<_>>()
                        .join(","),
                ))
            }),
            MountDest(want) => {
                let c = ev.container.as_ref()?;
                let m = match want.strip_suffix('*') {
                    Some(prefix) => c.mounts.iter().find(|m| m.dest.starts_with(prefix)),
                    None => c.mounts.iter().find(|m| &m.dest == want),
                }?;
                s(&m.source)
            }
            ContainerStartTs => ev
                .container
                .as_ref()
                .map(|c| FieldValue::Int(c.start_ts as i64)),
            K8sNsName => ev.k8s.as_ref().and_then(|k| nonempty(&k.ns_name)),
            K8sPodName => ev.k8s.as_ref().and_then(|k| nonempty(&k.pod_name)),
            PodLabel(key) => ev
                .k8s
                .as_ref()?
                .pod_labels
                .get(key)
                .map(|v| FieldValue::Str(Cow::Borrowed(v.as_str()))),
        }
    }
}

fn own_ip<'a>(ip: std::net::IpAddr) -> FieldValue<'a> {
    FieldValue::Str(Cow::Owned(ip.to_string()))
}

impl crate::fields::FieldSource for Event {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        let (base, arg) = match name.split_once('[') {
            Some((b, rest)) => (b, Some(rest.strip_suffix(']').unwrap_or(rest))),
            None => (name, None),
        };
        let (f, _) = resolve(self.source, base, arg).ok()?;
        f.extract(self)
    }
}

/// Event times for testing the time formatters: edges (0, leap day 2000-02-29, the last
/// nanosecond of a day, `u64::MAX`), the last nanosecond of each of 80,000 days, and random
/// values, whole seconds and seconds with a few fractional digits (~680,000 in all).
#[cfg(test)]
pub(crate) fn sample_times() -> Vec<u64> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut cases = vec![
        0,
        1,
        10,
        100_000_000,
        999_999_999,
        1_000_000_000,
        86_399_999_999_999,
        951_782_400_000_000_000, // 2000-02-29
        u64::MAX,
        u64::MAX - 1,
    ];
    for _ in 0..150_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        cases.push(x);
        cases.push(x % 4_102_444_800_000_000_000);
        cases.push((x % 4_102_444_800) * 1_000_000_000);
        cases.push((x % 4_102_444_800) * 1_000_000_000 + (x % 7) * 10u64.pow((x % 9) as u32));
    }
    for day in 0..80_000u64 {
        cases.push(day * 86_400_000_000_000 + 86_399_999_999_999);
    }
    cases
}

#[cfg(test)]
mod tests {

    /// The former formatter, through the `time` crate: the reference for [`format_time`].
    fn format_time_reference(ns: u64) -> String {
        let secs = (ns / 1_000_000_000) as i64;
        let nanos = ns % 1_000_000_000;
        match time::OffsetDateTime::from_unix_timestamp(secs) {
            Ok(t) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                nanos
            ),
            Err(_) => rfc3339(0),
        }
    }

    #[test]
    fn format_time_matches_reference() {
        for ns in sample_times() {
            assert_eq!(format_time(ns), format_time_reference(ns), "{ns}");
        }
    }

    use super::*;
    use crate::fields::FieldSource;

    #[test]
    fn k8s_audit_fields() {
        let raw = serde_json::json!({
            "kind": "Event", "stage": "ResponseComplete", "verb": "create",
            "user": {"username": "alice", "groups": ["a", "b"]},
            "objectRef": {"resource": "pods", "namespace": "default"},
            "requestURI": "/api/v1/namespaces/default/pods/x/exec?command=sh&container=c",
            "requestObject": {"spec": {"containers": [
                {"image": "nginx:1.2", "securityContext": {"privileged": true}},
                {"image": "docker.io/busybox@sha256:ab"}
            ], "volumes": [{"name": "v", "hostPath": {"path": "/proc/x"}}]}}
        });
        // The document built by code and the same document parsed from text.
        let parsed = crate::rawjson::RawJson::parse(&raw.to_string()).expect("valid JSON");
        for ev in [
            Event::from_json(Source::K8sAudit, 5, raw),
            Event::from_raw(Source::K8sAudit, 5, parsed),
        ] {
            assert_eq!(
                ev.field("ka.user.name"),
                Some(FieldValue::Str("alice".into()))
            );
            assert_eq!(
                ev.field("ka.uri.param[command]"),
                Some(FieldValue::Str("sh".into()))
            );
            assert_eq!(
                ev.field("ka.req.pod.containers.image.repository"),
                Some(FieldValue::List(vec![
                    FieldValue::Str("nginx".into()),
                    FieldValue::Str("docker.io/busybox".into())
                ]))
            );
            assert_eq!(
                ev.field("ka.req.pod.containers.privileged"),
                Some(FieldValue::List(vec![FieldValue::Str("true".into())]))
            );
            assert_eq!(
                ev.field("ka.req.volume.hostpath[/proc*]"),
                Some(FieldValue::Str("true".into()))
            );
            assert_eq!(
                ev.field("jevt.value[/stage]"),
                Some(FieldValue::Str("ResponseComplete".into()))
            );
            assert_eq!(ev.field("proc.name"), None);
        }
    }

    #[test]
    fn time_format() {
        assert_eq!(
            format_time(1_600_000_000_123_456_789),
            "2020-09-13T12:26:40.123456789Z"
        );
    }
}
