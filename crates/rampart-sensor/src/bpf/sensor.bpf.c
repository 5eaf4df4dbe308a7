// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rampart's kernel side: BTF-typed tracepoints (tp_btf, no tracefs needed) on process
 * exec/fork/exit and on raw_syscalls sys_exit, filtered in the kernel to the system calls
 * user space asked for, written to one ring buffer. One program per system call, at its
 * return: the caller's saved registers still hold the arguments (only ax is overwritten, by
 * the result), so nothing is parked at entry and no program runs there. CO-RE: field
 * offsets are relocated against the running kernel's BTF at load time. x86-64 system call
 * numbers and registers. (fentry/fexit on the system calls' entry points would spare the
 * calls no rule needs even that one program, but this kernel refuses tracing programs
 * with EPERM.)
 *
 * Records are built in a per-CPU scratch buffer and copied into the ring buffer at the size
 * of their content (bpf_ringbuf_output). Opens are filtered against a path prefix trie
 * computed from the loaded rules (`open_filter`) before a record is built.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "sensor.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
/* thread_info.status: the task is in a 32-bit (ia32) system call. */
#define TS_COMPAT 0x0002

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;
/* 1: opens are kept only when their path and access mode match `open_prefixes`. */
const volatile __u32 open_filter = 0;
/* Entries used in `needles`; 1 when `open_names` has entries. */
const volatile __u32 n_needles = 0;
/* Bit j: needle j starts with this byte. */
const volatile __u8 needle_first[256] = {};
/* Bit j: needle j is wanted for opens of this access mode (flags & O_ACCMODE). */
const volatile __u8 needle_modes[4] = {};
const volatile __u32 has_names = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

/* System call number -> 1 when user space wants it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SYSCALL);
	__type(key, __u32);
	__type(value, __u8);
} wanted SEC(".maps");

/*
 * 0: records lost because the ring buffer was full; 1: 32-bit (ia32) system calls whose
 * number is one user space wants in x86-64's numbering, skipped; 2: opens no loaded rule
 * can match, skipped by the open filter.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/*
 * Path prefix -> access modes (bit n: O_ACCMODE value n) some loaded rule can match below it.
 * User space stores in each entry the union of the modes of all its prefixes in the set, so
 * the longest match answers for every matching prefix.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, __u8);
} open_prefixes SEC(".maps");

/* Substrings: an open whose path contains one, in one of its modes, is kept. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_NEEDLES);
	__type(key, __u32);
	__type(value, struct needle);
} needles SEC(".maps");

/* Command names (at exec) -> modes of the opens kept for processes of that name. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[COMM_LEN]);
	__type(value, __u8);
} open_names SEC(".maps");

/*
 * Thread group id -> the access modes of the opens kept for it by name (`open_names` looked up
 * with its command name at its last exec, proc.name; 0 when the name is not there), kept by
 * exec/fork/exit: an open costs one lookup by tgid, not two.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} exec_modes SEC(".maps");

/* Per-CPU scratch space: records are built here, then copied at their real size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_record);
} exec_heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscall_record);
} sys_heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_key);
} key_heap SEC(".maps");

/*
 * Wake the reader only when the ring buffer is an eighth full; otherwise it picks the records
 * up at its next poll timeout. A wakeup per record costs a context switch on the traced
 * process's CPU for every event.
 */
static __always_inline __u64 wakeup(void)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
	return avail >= size / 8 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void count_drop(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &which);
	if (n)
		*n += 1;
}

static __always_inline __u32 tty_of(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	/* new_encode_dev */
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

static __always_inline void fill_hdr(struct hdr *h, __u32 kind, struct task_struct *t)
{
	__u64 id = bpf_get_current_pid_tgid();
	h->kind = kind;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->ppid = BPF_CORE_READ(t, real_parent, tgid);
	h->uid = BPF_CORE_READ(t, cred, euid.val);
	h->gid = BPF_CORE_READ(t, cred, egid.val);
	if (bpf_core_field_exists(t->loginuid))
		h->loginuid = BPF_CORE_READ(t, loginuid.val);
	else
		h->loginuid = (__u32)-1;
	h->tty = tty_of(t);
	h->ts = bpf_ktime_get_ns();
	h->start_ns = BPF_CORE_READ(t, group_leader, start_time);
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->cap_eff = BPF_CORE_READ(t, cred, cap_effective.val);
	h->cap_prm = BPF_CORE_READ(t, cred, cap_permitted.val);
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	__u32 zero = 0;
	struct exec_record *e = bpf_map_lookup_elem(&exec_heap, &zero);
	if (!e)
		return 0;
	fill_hdr(&e->h, KIND_EXEC, p);
	if (has_names) {
		__u8 *m = bpf_map_lookup_elem(&open_names, e->h.comm);
		__u8 modes = m ? *m : 0;
		bpf_map_update_elem(&exec_modes, &e->h.pid, &modes, BPF_ANY);
	}
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(p);
	e->syscall_nr = BPF_CORE_READ(regs, orig_ax);
	e->pad = 0;
	long n = bpf_probe_read_kernel_str(e->data, PATH_LEN, BPF_CORE_READ(bprm, filename));
	__u32 flen = n > 0 ? n : 0;
	if (flen > PATH_LEN)
		flen = PATH_LEN;
	e->filename_len = flen;
	n = bpf_probe_read_kernel_str(e->data + flen, DNAME_LEN,
				      BPF_CORE_READ(bprm, file, f_path.dentry, d_name.name));
	__u32 dlen = n > 0 ? n : 0;
	if (dlen > DNAME_LEN)
		dlen = DNAME_LEN;
	e->dname_len = dlen;
	__u32 off = flen + dlen;
	if (off > PATH_LEN + DNAME_LEN)
		off = PATH_LEN + DNAME_LEN;
	unsigned long start = BPF_CORE_READ(p, mm, arg_start);
	unsigned long end = BPF_CORE_READ(p, mm, arg_end);
	__u64 len = end > start ? end - start : 0;
	if (len >= ARGS_LEN)
		len = ARGS_LEN - 1;
	e->args_len = 0;
	if (len > 0 && bpf_probe_read_user(e->data + off, len & (ARGS_LEN - 1), (void *)start) == 0)
		e->args_len = len & (ARGS_LEN - 1);
	__u64 size = offsetof(struct exec_record, data) + off + e->args_len;
	if (size > sizeof(*e))
		size = sizeof(*e);
	if (bpf_ringbuf_output(&events, e, size, wakeup()) != 0)
		count_drop(0);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	/* Only new processes: threads share their parent's thread group. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	struct fork_record *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(0);
		return 0;
	}
	fill_hdr(&e->h, KIND_FORK, bpf_get_current_task_btf());
	e->child_pid = BPF_CORE_READ(child, tgid);
	if (has_names) {
		__u8 *modes = bpf_map_lookup_elem(&exec_modes, &e->h.pid);
		if (modes)
			bpf_map_update_elem(&exec_modes, &e->child_pid, modes, BPF_ANY);
	}
	e->pad = 0;
	e->child_start_ns = BPF_CORE_READ(child, start_time);
	bpf_ringbuf_submit(e, wakeup());
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	/* The process ends when its thread group leader does. */
	if (BPF_CORE_READ(p, pid) != BPF_CORE_READ(p, tgid))
		return 0;
	if (has_names) {
		__u32 tgid = BPF_CORE_READ(p, tgid);
		bpf_map_delete_elem(&exec_modes, &tgid);
	}
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	struct exit_record *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(0);
		return 0;
	}
	fill_hdr(&e->h, KIND_EXIT, p);
	e->exit_code = BPF_CORE_READ(p, exit_code);
	e->pad = 0;
	bpf_ringbuf_submit(e, wakeup());
	return 0;
}

/*
 * The substring search: one bpf_loop callback per start position in the path read into
 * `key_heap` (the verifier checks its body once). A position is compared only with the
 * needles that start with its byte and are wanted for the open's access mode, so most
 * positions cost one table lookup.
 */
struct needle_ctx {
	__u32 plen;
	__u32 mask;
	int hit;
};

static long needle_at(__u64 i, void *data)
{
	struct needle_ctx *c = data;
	__u32 zero = 0;
	struct path_key *k = bpf_map_lookup_elem(&key_heap, &zero);
	if (!k)
		return 1;
	__u8 cand = needle_first[(__u8)k->data[i & (FILTER_LEN - 1)]] & c->mask;
	if (!cand)
		return 0;
	for (__u32 j = 0; j < MAX_NEEDLES; j++) {
		if (!((cand >> j) & 1))
			continue;
		struct needle *nd = bpf_map_lookup_elem(&needles, &j);
		if (!nd)
			continue;
		__u32 nl = nd->len;
		if (nl == 0 || nl >= NEEDLE_LEN || i + nl > c->plen)
			continue;
		int hit = 1;
		for (__u32 x = 1; x < NEEDLE_LEN - 1; x++) {
			if (x >= nl)
				break;
			if (k->data[(i + x) & (FILTER_LEN - 1)] != nd->text[x]) {
				hit = 0;
				break;
			}
		}
		if (hit) {
			c->hit = 1;
			return 1;
		}
	}
	return 0;
}

/*
 * Whether an open can match a loaded rule: its path (when absolute and readable) has a
 * prefix in `open_prefixes` whose modes include its access mode. Anything not decidable
 * here (relative or unreadable paths) is kept.
 */
static __always_inline int open_wanted(long id, const __u64 *args)
{
	__u64 upath, flags;
	switch (id) {
	case 2: /* open */
		upath = args[0];
		flags = args[1];
		break;
	case 85: /* creat: O_WRONLY|O_CREAT|O_TRUNC */
		upath = args[0];
		flags = 1;
		break;
	case 257: /* openat */
		upath = args[1];
		flags = args[2];
		break;
	default: { /* openat2: flags in struct open_how */
		upath = args[1];
		__u64 how = args[2];
		flags = 0;
		if (!how || bpf_probe_read_user(&flags, sizeof(flags), (const void *)how) != 0)
			return 1;
		break;
	}
	}
	__u32 acc = flags & 3;
	if (has_names) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		__u8 *m = bpf_map_lookup_elem(&exec_modes, &tgid);
		if (!m)
			return 1; /* exec not seen: proc.name unknown here */
		if ((*m >> acc) & 1)
			return 1;
	}
	__u32 zero = 0;
	struct path_key *k = bpf_map_lookup_elem(&key_heap, &zero);
	if (!k)
		return 1;
	long n = bpf_probe_read_user_str(k->data, FILTER_LEN, (const void *)upath);
	if (n <= 1 || k->data[0] != '/')
		return 1;
	k->prefixlen = (__u32)(n - 1) * 8;
	__u8 *modes = bpf_map_lookup_elem(&open_prefixes, k);
	if (modes && ((*modes >> acc) & 1))
		return 1;
	if (!n_needles)
		return 0;
	if (n >= FILTER_LEN)
		return 1; /* truncated: a substring may lie past what was read */
	struct needle_ctx c = { .plen = n - 1, .mask = needle_modes[acc & 3] };
	if (!c.mask)
		return 0;
	bpf_loop(n - 1, needle_at, &c, 0);
	return c.hit ? 1 : 0;
}

/* Fills the record's addresses from the socket behind descriptor `fd` of the current task. */
static __always_inline void read_socket(struct syscall_record *e, __s64 fd)
{
	if (fd < 0)
		return;
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0 || !f)
		return;
	__u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return;
	e->family = family;
	e->proto = BPF_CORE_READ(sk, sk_protocol);
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&e->raddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e->raddr, sk, __sk_common.skc_v6_daddr);
	}
}

struct sockaddr_in_min {
	__u16 family;
	__u16 port;
	__u8 addr[4];
};

struct sockaddr_in6_min {
	__u16 family;
	__u16 port;
	__u32 flowinfo;
	__u8 addr[16];
};

/* The remote address a connect() asked for (kept even when the call failed). */
static __always_inline void read_sockaddr(struct syscall_record *e, const void *uaddr)
{
	__u16 family = 0;
	if (!uaddr || bpf_probe_read_user(&family, sizeof(family), uaddr) != 0)
		return;
	if (family == AF_INET) {
		struct sockaddr_in_min a = {};
		if (bpf_probe_read_user(&a, sizeof(a), uaddr) != 0)
			return;
		if (!e->family)
			e->family = AF_INET;
		if (e->family != AF_INET)
			return;
		e->rport = bpf_ntohs(a.port);
		__builtin_memset(e->raddr, 0, sizeof(e->raddr));
		__builtin_memcpy(e->raddr, a.addr, 4);
	} else if (family == AF_INET6) {
		struct sockaddr_in6_min a = {};
		if (bpf_probe_read_user(&a, sizeof(a), uaddr) != 0)
			return;
		if (!e->family)
			e->family = AF_INET6;
		if (e->family != AF_INET6)
			return;
		e->rport = bpf_ntohs(a.port);
		__builtin_memcpy(e->raddr, a.addr, 16);
	}
}

/* Appends a user string at `off` in the record's data; returns its length (NUL included). */
static __always_inline __u32 put_user_str(struct syscall_record *e, __u32 off, __u32 size,
					  __u64 src)
{
	if (!src || off > sizeof(e->data) - size)
		return 0;
	long n = bpf_probe_read_user_str(e->data + off, size, (const void *)src);
	if (n <= 0)
		return 0;
	return n > size ? size : n;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	long id = regs->orig_ax;
	if (id < 0 || id >= MAX_SYSCALL)
		return 0;
	__u32 key = id;
	__u8 *want = bpf_map_lookup_elem(&wanted, &key);
	if (!want || !*want)
		return 0;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == self_tgid)
		return 0;
	/*
	 * A 32-bit system call (int 0x80, or a 32-bit program) is numbered by the ia32 table,
	 * where 42 is pipe, not connect: never decode it as x86-64's.
	 */
	struct task_struct *task = bpf_get_current_task_btf();
	if (task->thread_info.status & TS_COMPAT) {
		count_drop(1);
		return 0;
	}
	/* The arguments, from the registers the call was made with. */
	__u64 args[6];
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
	if (open_filter && (id == 2 || id == 85 || id == 257 || id == 437) &&
	    !open_wanted(id, args)) {
		count_drop(2);
		return 0;
	}
	__u32 zero = 0;
	struct syscall_record *e = bpf_map_lookup_elem(&sys_heap, &zero);
	if (!e)
		return 0;
	fill_hdr(&e->h, KIND_SYSCALL, task);
	e->nr = id;
	e->res = ret;
	__builtin_memcpy(e->args, args, sizeof(e->args));
	e->extra = 0;
	e->family = 0;
	e->lport = 0;
	e->rport = 0;
	e->proto = 0;
	__builtin_memset(e->laddr, 0, sizeof(e->laddr));
	__builtin_memset(e->raddr, 0, sizeof(e->raddr));
	e->pad = 0;
	__u32 l1 = 0, l2 = 0, l3 = 0;
	__u64 p1 = 0, p2 = 0, p3 = 0;

	switch (id) {
	case 2: /* open */
	case 85: /* creat */
	case 87: /* unlink */
	case 84: /* rmdir */
	case 83: /* mkdir */
	case 90: /* chmod */
	case 80: /* chdir */
	case 161: /* chroot */
	case 166: /* umount2 */
	case 319: /* memfd_create */
		p1 = e->args[0];
		break;
	case 257: /* openat */
	case 263: /* unlinkat */
	case 258: /* mkdirat */
	case 268: /* fchmodat */
	case 452: /* fchmodat2 */
		p1 = e->args[1];
		break;
	case 437: /* openat2 */
		p1 = e->args[1];
		if (e->args[2])
			bpf_probe_read_user(&e->extra, sizeof(e->extra), (const void *)e->args[2]);
		break;
	case 82: /* rename */
	case 86: /* link */
	case 88: /* symlink */
		p1 = e->args[0];
		p2 = e->args[1];
		break;
	case 264: /* renameat */
	case 316: /* renameat2 */
	case 265: /* linkat */
		p1 = e->args[1];
		p2 = e->args[3];
		break;
	case 266: /* symlinkat */
		p1 = e->args[0];
		p2 = e->args[2];
		break;
	case 165: /* mount */
		p1 = e->args[0];
		p2 = e->args[1];
		p3 = e->args[2];
		break;
	case 42: /* connect */
		read_socket(e, (__s64)e->args[0]);
		read_sockaddr(e, (const void *)e->args[1]);
		break;
	case 49: /* bind */
		read_socket(e, (__s64)e->args[0]);
		break;
	case 43: /* accept */
	case 288: /* accept4 */
		read_socket(e, e->res);
		break;
	default:
		break;
	}
	l1 = put_user_str(e, 0, PATH_LEN, p1);
	l2 = put_user_str(e, l1, PATH_LEN, p2);
	l3 = put_user_str(e, l1 + l2, SHORT_LEN, p3);
	e->len1 = l1;
	e->len2 = l2;
	e->len3 = l3;
	__u64 size = offsetof(struct syscall_record, data) + l1 + l2 + l3;
	if (size > sizeof(*e))
		size = sizeof(*e);
	if (bpf_ringbuf_output(&events, e, size, wakeup()) != 0)
		count_drop(0);
	return 0;
}
