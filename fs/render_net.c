// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/net/{dev,tcp,tcp6,udp,udp6,unix} (and /proc/net, a link to
 * self/net): the sockets that the processes of the reader's network
 * namespace hold open (fs/task_files.c), one line per socket inode, as
 * net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c, net/ipv4/udp.c and
 * net/unix/af_unix.c print them.  A container's tasks see their own.
 */
#include <string.h>
#include "render_clients.h"
#include "render_util.h"
#include "task_files.h"

/* Calls @put for every socket of @proto in @t's network namespace. */
static void for_each_socket(const struct render_ctx *c, const struct task *t,
			    enum sock_proto proto,
			    void (*put)(struct buf *, const struct tfile *,
					const struct task *, int),
			    struct buf *b)
{
	unsigned long netns = task_ns_inum(t, NS_NET);
	struct tfile v[TASK_FILES_MAX];
	struct task *p;
	int sl = 0;

	for (int pid = next_tgid(c->k, 1, &p); pid >= 0 && !b->oom;
	     pid = next_tgid(c->k, pid + 1, &p)) {
		/* A socket is listed once: by the process that opened it. */
		if (task_files_owner(p) != p || task_ns_inum(p, NS_NET) != netns)
			continue;
		int n = task_files(p, v);

		for (int i = 0; i < n; i++)
			if (v[i].type == TF_SOCK && v[i].proto == proto &&
			    (v[i].fd != 2 || v[i].ino != v[1].ino))
				put(b, &v[i], p, sl++);
	}
}

/* A kernel pointer as %pK prints it to an unprivileged reader: hashed. */
static unsigned long long fake_ptr(unsigned long ino)
{
	return (ino * 0x9e3779b97f4a7c15ULL) >> 16 | 0xffff000000000000ULL;
}

static void put_tcp(struct buf *b, const struct tfile *f, const struct task *p, int sl)
{
	size_t start = b->len;

	buf_printf(b, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016llx %lu %lu %u %u %d",
		   sl, f->loopback ? 0x0100007fU : 0, f->port, 0U, 0U, 0x0a, 0U, 0U,
		   0, 0UL, 0U, p->cred.euid, 0, f->ino, 1, fake_ptr(f->ino),
		   100UL, 0UL, 0U, 10U, 0);
	while (b->len - start < 149)
		buf_putc(b, ' ');
	buf_putc(b, '\n');
}

static void put_tcp6(struct buf *b, const struct tfile *f, const struct task *p, int sl)
{
	buf_printf(b, "%4d: %08X%08X%08X%08X:%04X %08X%08X%08X%08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016llx %lu %lu %u %u %d\n",
		   sl, 0U, 0U, 0U, f->loopback ? 0x01000000U : 0, f->port,
		   0U, 0U, 0U, 0U, 0U, 0x0a, 0U, 0U, 0, 0UL, 0U, p->cred.euid, 0,
		   f->ino, 1, fake_ptr(f->ino), 100UL, 0UL, 0U, 10U, 0);
}

static void put_udp(struct buf *b, const struct tfile *f, const struct task *p, int sl)
{
	size_t start = b->len;

	buf_printf(b, "%5d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016llx %u",
		   sl, f->loopback ? 0x0100007fU : 0, f->port, 0U, 0U, 0x07, 0U, 0U,
		   0, 0UL, 0U, p->cred.euid, 0, f->ino, 2, fake_ptr(f->ino), 0U);
	while (b->len - start < 127)
		buf_putc(b, ' ');
	buf_putc(b, '\n');
}

static void put_udp6(struct buf *b, const struct tfile *f, const struct task *p, int sl)
{
	buf_printf(b, "%5d: %08X%08X%08X%08X:%04X %08X%08X%08X%08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016llx %u\n",
		   sl, 0U, 0U, 0U, f->loopback ? 0x01000000U : 0, f->port,
		   0U, 0U, 0U, 0U, 0U, 0x07, 0U, 0U, 0, 0UL, 0U, p->cred.euid, 0,
		   f->ino, 2, fake_ptr(f->ino), 0U);
}

static void put_unix(struct buf *b, const struct tfile *f, const struct task *p, int sl)
{
	(void)p;
	(void)sl;
	/* Listening: __SO_ACCEPTCON, unconnected; else a connected stream. */
	buf_printf(b, "%016llx: %08X %08X %08X %04X %02X %5lu",
		   fake_ptr(f->ino), f->listening ? 2U : 3U, 0U,
		   f->listening ? 0x10000U : 0U, 1U, f->listening ? 1U : 3U, f->ino);
	if (f->path)
		buf_printf(b, " %s", f->path);
	buf_putc(b, '\n');
}

static void pad_line(struct buf *b, const char *s, size_t width)
{
	size_t n = strlen(s);

	buf_puts(b, s);
	for (; n < width; n++)
		buf_putc(b, ' ');
	buf_putc(b, '\n');
}

void render_tid_net_tcp(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole)
{
	(void)whole;
	pad_line(b, "  sl  local_address rem_address   st tx_queue rx_queue tr "
		 "tm->when retrnsmt   uid  timeout inode", 149);
	for_each_socket(c, t, SP_TCP, put_tcp, b);
}

void render_tid_net_tcp6(struct buf *b, const struct render_ctx *c,
			 const struct task *t, bool whole)
{
	(void)whole;
	buf_putlit(b, "  sl  local_address                         remote_address"
		   "                        st tx_queue rx_queue tr tm->when retrnsmt"
		   "   uid  timeout inode\n");
	for_each_socket(c, t, SP_TCP6, put_tcp6, b);
}

void render_tid_net_udp(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole)
{
	(void)whole;
	pad_line(b, "   sl  local_address rem_address   st tx_queue rx_queue tr "
		 "tm->when retrnsmt   uid  timeout inode ref pointer drops", 127);
	for_each_socket(c, t, SP_UDP, put_udp, b);
}

void render_tid_net_udp6(struct buf *b, const struct render_ctx *c,
			 const struct task *t, bool whole)
{
	(void)whole;
	buf_putlit(b, "  sl  local_address                         remote_address"
		   "                        st tx_queue rx_queue tr tm->when retrnsmt"
		   "   uid  timeout inode ref pointer drops\n");
	for_each_socket(c, t, SP_UDP6, put_udp6, b);
}

void render_tid_net_unix(struct buf *b, const struct render_ctx *c,
			 const struct task *t, bool whole)
{
	(void)whole;
	buf_putlit(b, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	for_each_socket(c, t, SP_UNIX, put_unix, b);
}

/* lo and one NIC; traffic grows with the clock. */
void render_tid_net_dev(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole)
{
	unsigned long long now = c->now, lo = now * 37, rx = now * 2113, tx = now * 611;
	const char *nic = task_container(t) ? "eth0" : "ens3";

	(void)whole;
	buf_putlit(b, "Inter-|   Receive                                                |  Transmit\n"
		   " face |bytes    packets errs drop fifo frame compressed multicast|"
		   "bytes    packets errs drop fifo colls carrier compressed\n");
	buf_printf(b, "%6s: %8llu %7llu %4u %4u %4u %5u %10u %9u %8llu %7llu %4u %4u %4u %5u %7u %10u\n",
		   "lo", lo, lo / 90, 0, 0, 0, 0, 0, 0, lo, lo / 90, 0, 0, 0, 0, 0, 0);
	buf_printf(b, "%6s: %8llu %7llu %4u %4llu %4u %5u %10u %9llu %8llu %7llu %4u %4u %4u %5u %7u %10u\n",
		   nic, rx, rx / 1200, 0, now / 5000, 0, 0, 0, now / 3000, tx, tx / 300,
		   0, 0, 0, 0, 0, 0);
}
