// SPDX-License-Identifier: MIT
/* Open files, exe/cwd/root and namespaces of a task: see task_files.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include "task_files.h"

/* One file a kind of process opens after its stdio, from fd 3 on. */
struct tmpl_file {
	enum tfile_type type;
	enum sock_proto proto;
	unsigned port;
	bool loopback;
	const char *path;		/* files; unix sockets: the bound path */
	int flags;
};

struct files_tmpl {
	const char *comm;
	int where;			/* 0 anywhere, 1 host only, 2 container only */
	struct tmpl_file f[5];
};

#define TCP(port, lo)	{ TF_SOCK, SP_TCP, port, lo, NULL, O_RDWR }
#define TCP6(port, lo)	{ TF_SOCK, SP_TCP6, port, lo, NULL, O_RDWR }
#define UDP(port, lo)	{ TF_SOCK, SP_UDP, port, lo, NULL, O_RDWR }
#define UDP6(port, lo)	{ TF_SOCK, SP_UDP6, port, lo, NULL, O_RDWR }
#define UNIX(path)	{ TF_SOCK, SP_UNIX, 0, false, path, O_RDWR }
#define RD(path)	{ TF_FILE, SP_NONE, 0, false, path, O_RDONLY }
#define WR(path)	{ TF_FILE, SP_NONE, 0, false, path, O_WRONLY | O_APPEND }
#define RW(path)	{ TF_FILE, SP_NONE, 0, false, path, O_RDWR }

static const struct files_tmpl tmpls[] = {
	{ "systemd", 1, { UNIX("/run/systemd/private"), UNIX("/run/systemd/notify") } },
	{ "systemd-journal", 1, { UNIX("/run/systemd/journal/stdout"),
				  UNIX("/run/systemd/journal/socket"),
				  WR("/var/log/journal/system.journal") } },
	{ "systemd-udevd", 1, { UNIX("/run/udev/control") } },
	{ "dbus-daemon", 1, { UNIX("/run/dbus/system_bus_socket") } },
	{ "cron", 1, { WR("/run/crond.pid") } },
	{ "rsyslogd", 1, { UNIX("/run/systemd/journal/syslog"), WR("/var/log/syslog"),
			   WR("/var/log/auth.log") } },
	{ "sshd", 1, { TCP(22, false), TCP6(22, false) } },
	{ "chronyd", 1, { UDP(323, true), UDP6(323, true) } },
	{ "containerd", 1, { UNIX("/run/containerd/containerd.sock") } },
	{ "dockerd", 1, { UNIX("/run/docker.sock") } },
	{ "postgres", 0, { TCP(5432, true), TCP6(5432, true),
			   UNIX("/var/run/postgresql/.s.PGSQL.5432") } },
	{ "nginx", 0, { TCP(80, false), TCP6(80, false), WR("/var/log/nginx/access.log"),
			WR("/var/log/nginx/error.log") } },
	{ "apache2", 1, { TCP6(80, false), WR("/var/log/apache2/access.log") } },
	{ "redis-server", 1, { TCP(6379, true) } },
	{ "redis-server", 2, { TCP(6379, false), TCP6(6379, false) } },
	{ "java", 0, { RD("/opt/app/service.jar"), TCP6(8080, false) } },
	{ "node", 0, { TCP6(3000, false) } },
	{ "python3", 2, { TCP(8000, false) } },
	{ "vim", 1, { RW("/home/user/.notes.txt.swp") } },
	{ "less", 1, { RD("/var/log/syslog") } },
	{ "tail", 1, { RD("/var/log/nginx/access.log") } },
};

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

/* Socket and pipe inodes: 16 per owning process, fixed by its tgid. */
#define INO_BASE	100000UL
#define INO_STDIO	1		/* journal stream socket or shim pipe */

static unsigned long owner_ino(const struct task *owner, int slot)
{
	return INO_BASE + (unsigned long)owner->tgid * 16 + (unsigned long)slot;
}

static bool is_shim(const struct task *t)
{
	return !strcmp(t->comm, "containerd-shim");
}

const struct task *task_container(const struct task *t)
{
	t = t->group_leader;
	for (const struct task *p = t->real_parent; p; t = p, p = p->real_parent) {
		if (is_shim(p))
			return t;
		if (p->pid <= 2)
			break;
	}
	return NULL;
}

const struct task *task_files_owner(const struct task *t)
{
	t = t->group_leader;
	while (t->real_parent && t->real_parent->pid > 1 &&
	       !strcmp(t->real_parent->comm, t->comm))
		t = t->real_parent;
	return t;
}

static const struct files_tmpl *find_tmpl(const struct task *owner)
{
	int where = task_container(owner) ? 2 : 1;

	for (size_t i = 0; i < NR(tmpls); i++)
		if (!strcmp(tmpls[i].comm, owner->comm) &&
		    (!tmpls[i].where || tmpls[i].where == where))
			return &tmpls[i];
	return NULL;
}

static int pts_of(const struct task *t)
{
	unsigned tty = (unsigned)t->signal->tty_nr;

	/* pts majors 136..143 carry minor bits 8..10 (new_encode_dev). */
	if (((tty >> 8) & 0xfff) >= 136 && ((tty >> 8) & 0xfff) <= 143)
		return (int)((tty & 0xff) | ((tty >> 12) & 0xfff00) |
			     ((((tty >> 8) & 0xfff) - 136) << 8));
	return -1;
}

static void add_stdio(const struct task *t, const struct task *owner,
		      struct tfile *v, int *n)
{
	int pts = pts_of(t);

	for (int fd = 0; fd < 3; fd++) {
		struct tfile *f = &v[(*n)++];

		memset(f, 0, sizeof(*f));
		f->fd = fd;
		f->pts = -1;
		f->flags = fd ? O_WRONLY : O_RDONLY;
		if (pts >= 0) {
			f->type = TF_CHR;
			f->pts = pts;
			f->flags = O_RDWR;
		} else if (fd == 0 || owner->pid == 1) {
			f->type = TF_CHR;
			f->path = "/dev/null";
		} else if (task_container(owner)) {
			f->type = TF_PIPE;
			f->ino = owner_ino(owner, INO_STDIO);
		} else {
			f->type = TF_SOCK;
			f->proto = SP_UNIX;
			f->ino = owner_ino(owner, INO_STDIO);
			f->flags = O_RDWR;
		}
	}
}

int task_files(const struct task *t, struct tfile *v)
{
	const struct task *owner;
	const struct files_tmpl *tm;
	int n = 0;

	if (task_is_kthread(t) || !t->group_leader->mm ||
	    t->group_leader->state == EXIT_ZOMBIE || t->group_leader->state == EXIT_DEAD)
		return 0;
	owner = task_files_owner(t);
	add_stdio(t, owner, v, &n);
	tm = find_tmpl(owner);
	for (int i = 0; tm && i < (int)NR(tm->f) && tm->f[i].type; i++) {
		const struct tmpl_file *s = &tm->f[i];
		struct tfile *f = &v[n++];

		memset(f, 0, sizeof(*f));
		f->fd = 3 + i;
		f->type = s->type;
		f->proto = s->proto;
		f->path = s->path;
		f->pts = -1;
		f->port = s->port;
		f->loopback = s->loopback;
		f->listening = s->type == TF_SOCK;
		f->flags = s->flags;
		if (s->type == TF_SOCK)
			f->ino = owner_ino(owner, 2 + i);
	}
	if (pts_of(t) >= 0 && !strcmp(t->comm, "bash")) {
		v[n] = v[0];
		v[n++].fd = 255;
	}
	return n;
}

bool task_file(const struct task *t, int fd, struct tfile *out)
{
	struct tfile v[TASK_FILES_MAX];
	int n = task_files(t, v);

	for (int i = 0; i < n; i++)
		if (v[i].fd == fd) {
			*out = v[i];
			return true;
		}
	return false;
}

const char *ns_type_name(int type)
{
	static const char *const names[NS_NR] = {
		"cgroup", "ipc", "mnt", "net", "pid", "pid", "time", "time",
		"user", "uts",
	};
	return type >= 0 && type < NS_NR ? names[type] : "";
}

unsigned long task_ns_inum(const struct task *t, int type)
{
	/* The init namespaces' fixed inodes (PROC_*_INIT_INO). */
	static const unsigned long init_ino[NS_NR] = {
		4026531835UL, 4026531839UL, 4026531841UL, 4026531840UL,
		4026531836UL, 4026531836UL, 4026531834UL, 4026531834UL,
		4026531837UL, 4026531838UL,
	};
	const struct task *ctr = task_container(t);

	if (type < 0 || type >= NS_NR)
		return 0;
	if (!ctr || type == NS_USER || type == NS_TIME || type == NS_TIME_CHILDREN)
		return init_ino[type];
	if (type == NS_PID_CHILDREN)
		type = NS_PID;
	return 4026532200UL + (unsigned long)ctr->pid * 8 + (unsigned long)type;
}

static int put_path(char *buf, size_t n, const char *s)
{
	int len = snprintf(buf, n, "%s", s);

	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : len;
}

int task_exe_path(const struct task *t, char *buf, size_t n)
{
	const struct mm_struct *mm = t->group_leader->mm;
	const struct vm_area_struct *v;

	if (task_is_kthread(t) || !mm)
		return -ENOENT;
	v = find_vma(mm, mm->start_code);
	if (!v || !v->name || v->name[0] != '/')
		return -ENOENT;
	return put_path(buf, n, v->name);
}

int task_root_path(const struct task *t, char *buf, size_t n)
{
	const struct task *ctr = task_container(t);
	int len;

	if (!ctr)
		return put_path(buf, n, "/");
	/* The overlay's merged directory, named after the container. */
	len = snprintf(buf, n, "/var/lib/docker/overlay2/%016llx%08x/merged",
		       (unsigned long long)ctr->pid * 0x9e3779b97f4a7c15ULL,
		       (unsigned)ctr->pid);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : len;
}

int task_cwd_path(const struct task *t, char *buf, size_t n)
{
	if (!task_is_kthread(t) && !task_container(t) && t->cred.uid >= 1000 &&
	    pts_of(t) >= 0)
		return put_path(buf, n, "/home/user");
	return task_root_path(t, buf, n);
}

int tfile_target(const struct tfile *f, char *buf, size_t n)
{
	int len;

	switch (f->type) {
	case TF_SOCK:
		len = snprintf(buf, n, "socket:[%lu]", f->ino);
		break;
	case TF_PIPE:
		len = snprintf(buf, n, "pipe:[%lu]", f->ino);
		break;
	default:
		if (f->pts >= 0)
			len = snprintf(buf, n, "/dev/pts/%d", f->pts);
		else
			len = snprintf(buf, n, "%s", f->path);
	}
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : len;
}
