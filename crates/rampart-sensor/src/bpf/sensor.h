/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records the sensor's BPF programs write to the ring buffer. Mirrored field by field in
 * src/raw.rs; a change here needs the same change there (the Rust side checks the sizes).
 *
 * Exec and system call records are sized to their content: a fixed part, then the strings
 * packed one after the other in `data`, each `len` bytes long (NUL included, 0 when absent).
 */
#ifndef RAMPART_SENSOR_H
#define RAMPART_SENSOR_H

#define COMM_LEN 16
#define PATH_LEN 256
#define ARGS_LEN 1024
#define DNAME_LEN 64
#define SHORT_LEN 32
#define MAX_SYSCALL 512
/* Bytes of a path the kernel-side open filter compares (LPM trie key data). */
#define FILTER_LEN 128

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

/* data: filename (filename_len), exe dentry name (dname_len), argv block (args_len). */
struct exec_record {
	struct hdr h;
	__u32 syscall_nr;
	__u16 filename_len;
	__u16 dname_len;
	__u32 args_len;
	__u32 pad;
	char data[PATH_LEN + DNAME_LEN + ARGS_LEN];
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

/* data: s1 (len1), s2 (len2), s3 (len3). */
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
	__u16 len1;
	__u16 len2;
	__u16 len3;
	__u16 pad;
	char data[2 * PATH_LEN + SHORT_LEN];
};

#define MAX_NEEDLES 8
#define NEEDLE_LEN 16

/* A substring the open filter looks for in paths. */
struct needle {
	char text[NEEDLE_LEN];
	__u8 len;
	__u8 modes;
};

/* Key of the open filter's LPM trie: a path prefix. */
struct path_key {
	__u32 prefixlen; /* bits */
	char data[FILTER_LEN];
};

#endif
