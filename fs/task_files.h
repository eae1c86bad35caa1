/* SPDX-License-Identifier: MIT */
/*
 * What a task has open, where it runs and in which namespaces: derived
 * deterministically from the state the core keeps (comm, tty, parent
 * chain, uid), so no snapshot format change and no per-task memory.
 *
 *  - stdio: the task's pts if it has one (bash also keeps fd 255), else
 *    /dev/null plus a journal stream socket (services) or a shim pipe
 *    (containers); init has /dev/null on all three.
 *  - services: the sockets and files of their kind (sshd listens on 22,
 *    postgres on 5432 and a unix socket, ...).  Forked workers share
 *    their master's open files, as after fork(): same fds, same inodes.
 *  - containers: the tasks below a containerd-shim get their own cgroup,
 *    ipc, mnt, net, pid and uts namespaces and an overlay root.
 *
 * Context: the kernel's read lock held (the tasks are only read).
 */
#ifndef PROCSIM_TASK_FILES_H
#define PROCSIM_TASK_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include "kernel.h"

enum tfile_type { TF_CHR, TF_FILE, TF_SOCK, TF_PIPE };
enum sock_proto { SP_NONE, SP_TCP, SP_TCP6, SP_UDP, SP_UDP6, SP_UNIX };

struct tfile {
	int fd;
	enum tfile_type type;
	enum sock_proto proto;		/* TF_SOCK */
	const char *path;		/* TF_CHR/TF_FILE; unix: bound path or NULL */
	int pts;			/* TF_CHR on /dev/pts/<pts>; else -1 */
	unsigned long ino;		/* sockets and pipes: their inode */
	unsigned port;			/* inet: the listening port */
	bool loopback;			/* inet: bound to 127.0.0.1 / ::1 */
	bool listening;			/* sockets: listening, else connected */
	int flags;			/* O_RDONLY / O_WRONLY / O_RDWR | ... */
};

#define TASK_FILES_MAX	12

/* The open files of @t's process, by ascending fd; returns how many. */
int task_files(const struct task *t, struct tfile *v);
/* The one of @t's files with descriptor @fd, or false. */
bool task_file(const struct task *t, int fd, struct tfile *out);
/* The process whose files @t's process shares: its master, or itself. */
const struct task *task_files_owner(const struct task *t);
/* The first process of @t's container (the shim's child), or NULL. */
const struct task *task_container(const struct task *t);

/* Namespace types, in the order of ns/ (fs/inode.c ns_entries). */
enum { NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_PID_CHILDREN, NS_TIME,
       NS_TIME_CHILDREN, NS_USER, NS_UTS, NS_NR };
/* "pid" for NS_PID and NS_PID_CHILDREN: the name in the link target. */
const char *ns_type_name(int type);
unsigned long task_ns_inum(const struct task *t, int type);

/* readlink of exe, cwd, root: the length written (NUL-terminated), or -ENOENT. */
int task_exe_path(const struct task *t, char *buf, size_t n);
int task_cwd_path(const struct task *t, char *buf, size_t n);
int task_root_path(const struct task *t, char *buf, size_t n);
/* readlink of fd/<fd>: "/dev/pts/3", "socket:[123]", "pipe:[45]". */
int tfile_target(const struct tfile *f, char *buf, size_t n);

#endif
