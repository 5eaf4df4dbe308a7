/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records the sensor's BPF programs write to the ring buffer. Mirrored field by field in
 * src/raw.rs; a change here needs the same change there (the Rust side checks the sizes).
 */
#ifndef RAMPART_SENSOR_H
#define RAMPART_SENSOR_H

#define COMM_LEN 16
#define PATH_LEN 256
#define ARGS_LEN 1024
#define DNAME_LEN 64
#define SHORT_LEN 32
#define MAX_SYSCALL 512

enum record_kind {
	KIND_EXEC = 1,
	KIND_FORK = 2,
	KIND_EXIT = 3,
	KIND_SYSCALL = 4,
};

/* Context of the task that produced the record. */
struct hdr {
	__u32 kind;
	__u32 pid; /* thread group id */
	__u32 tid;
	__u32 ppid; /* real parent's thread group id */
	__u32 uid; /* effective */
	__u32 gid; /* effective */
	__u32 loginuid;
	__u32 tty;
	__u64 ts; /* CLOCK_MONOTONIC ns */
	__u64 start_ns; /* task start, CLOCK_MONOTONIC ns */
	__u64 cgroup_id; /* cgroup v2 id (inode of its directory) */
	__u64 cap_eff;
	__u64 cap_prm;
	char comm[COMM_LEN];
};

struct exec_record {
	struct hdr h;
	__u32 syscall_nr;
	__u32 args_len;
	char filename[PATH_LEN];
	char exe_dname[DNAME_LEN];
	char args[ARGS_LEN];
};

struct fork_record {
	struct hdr h;
	__u32 child_pid;
	__u32 pad;
	__u64 child_start_ns;
};

struct exit_record {
	struct hdr h;
	__s32 exit_code;
	__u32 pad;
};

struct syscall_record {
	struct hdr h;
	__s64 nr;
	__s64 res;
	__u64 args[6];
	__u64 extra; /* openat2: open_how.flags */
	__u16 family; /* AF_INET / AF_INET6 when a socket was resolved, else 0 */
	__u16 lport; /* host order */
	__u16 rport; /* host order */
	__u16 proto; /* IPPROTO_* */
	__u8 laddr[16];
	__u8 raddr[16];
	char s1[PATH_LEN];
	char s2[PATH_LEN];
	char s3[SHORT_LEN];
};

#endif
