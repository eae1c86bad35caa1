// SPDX-License-Identifier: GPL-2.0
/*
 * tree.c - the synthetic tree of uring-proto and its request handlers
 * (see proto.h).  Stateless apart from the counters: every answer is
 * computed from the node id, so any thread may answer any request.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "proto.h"

static struct tree_config cfg;
static _Atomic unsigned long stats[ST_NR];
static __thread bool ring_thread;

#define ROOT_INO	1
#define COUNT_NAME	".count"

static uint64_t count_ino(void) { return 2 + 2 * (uint64_t)cfg.dirs; }
static bool is_dir_ino(uint64_t ino) { return ino >= 2 && ino < count_ino() && !(ino & 1); }
static bool is_stat_ino(uint64_t ino) { return ino >= 3 && ino < count_ino() && (ino & 1); }
static unsigned ino_index(uint64_t ino) { return (unsigned)((ino - 2) / 2); }

void tree_init(const struct tree_config *c)
{
	cfg = *c;
}

int tree_render_stat(unsigned i, char *buf, size_t cap)
{
	/* Shaped like /proc/PID/stat: 52 fields, about 300 bytes. */
	unsigned pid = i + 1000;
	return snprintf(buf, cap,
		"%u (proc-%u) S 1 %u %u 0 -1 4194560 %u 0 0 0 %u %u 0 0 20 0 1 0 "
		"%u 171769856 %u 18446744073709551615 94021325787136 "
		"94021326354433 140728741230128 0 0 0 0 4096 0 1 0 0 17 %u 0 0 0 "
		"0 0 94021326498416 94021326524664 94021341540352 140728741233957 "
		"140728741233981 140728741233981 140728741236712 0\n",
		pid, i, pid, pid, 1000 + i % 97, i % 13, i % 7, 30000 + i,
		1200 + i % 300, i & 1);
}

void tree_thread_is_ring(void)
{
	ring_thread = true;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Burn cfg.work_us of CPU, as a real renderer would. */
static void work(void)
{
	uint64_t end;

	if (!cfg.work_us)
		return;
	end = now_ns() + cfg.work_us * 1000ull;
	while (now_ns() < end)
		;
}

static void count(enum proto_stat s)
{
	work();
	atomic_fetch_add_explicit(&stats[s], 1, memory_order_relaxed);
	if (ring_thread)
		atomic_fetch_add_explicit(&stats[ST_RING], 1, memory_order_relaxed);
}

static int render_count(char *buf, size_t cap)
{
	unsigned long v[ST_NR], total = 0;

	for (int s = 0; s < ST_NR; s++) {
		v[s] = atomic_load_explicit(&stats[s], memory_order_relaxed);
		total += s == ST_RING ? 0 : v[s];
	}
	return snprintf(buf, cap, "total %lu lookup %lu getattr %lu open %lu "
			"read %lu release %lu readdir %lu other %lu ring %lu\n",
			total, v[ST_LOOKUP], v[ST_GETATTR], v[ST_OPEN], v[ST_READ],
			v[ST_RELEASE], v[ST_READDIR], v[ST_OTHER], v[ST_RING]);
}

/* The attributes of node @ino, or -ENOENT. */
static int fill_attr(uint64_t ino, struct fuse_attr *a)
{
	char buf[512];

	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->blksize = 4096;
	if (ino == ROOT_INO || is_dir_ino(ino)) {
		a->mode = S_IFDIR | 0555;
		a->nlink = ino == ROOT_INO ? 2 + cfg.dirs : 2;
	} else if (is_stat_ino(ino)) {
		a->mode = S_IFREG | 0444;
		a->nlink = 1;
		a->size = cfg.direct_io ? 0 : tree_render_stat(ino_index(ino), buf, sizeof(buf));
	} else if (ino == count_ino()) {
		a->mode = S_IFREG | 0444;
		a->nlink = 1;
	} else {
		return -ENOENT;
	}
	return 0;
}

static void split_timeout(uint64_t *sec, uint32_t *nsec)
{
	*sec = (uint64_t)cfg.timeout;
	*nsec = (uint32_t)((cfg.timeout - (double)*sec) * 1e9);
}

/* The child @name of directory @parent, 0 if none. */
static uint64_t child(uint64_t parent, const char *name)
{
	if (parent == ROOT_INO) {
		char *end;
		unsigned long i;

		if (!strcmp(name, COUNT_NAME))
			return count_ino();
		if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
			return 0;
		i = strtoul(name, &end, 10);
		return *end || i >= cfg.dirs ? 0 : 2 + 2 * (uint64_t)i;
	}
	if (is_dir_ino(parent) && !strcmp(name, "stat"))
		return parent + 1;
	return 0;
}

static int do_lookup(const struct fuse_in_header *in, const char *name, void *out)
{
	struct fuse_entry_out *e = out;
	uint64_t ino = child(in->nodeid, name);

	if (ino != count_ino())
		count(ST_LOOKUP);
	if (!ino)
		return -ENOENT;
	memset(e, 0, sizeof(*e));
	e->nodeid = ino;
	split_timeout(&e->entry_valid, &e->entry_valid_nsec);
	split_timeout(&e->attr_valid, &e->attr_valid_nsec);
	fill_attr(ino, &e->attr);
	return sizeof(*e);
}

static int do_getattr(const struct fuse_in_header *in, void *out)
{
	struct fuse_attr_out *a = out;
	int err;

	if (in->nodeid != count_ino())
		count(ST_GETATTR);
	memset(a, 0, sizeof(*a));
	err = fill_attr(in->nodeid, &a->attr);
	if (err)
		return err;
	split_timeout(&a->attr_valid, &a->attr_valid_nsec);
	return sizeof(*a);
}

static int do_open(const struct fuse_in_header *in, const struct fuse_open_in *oi, void *out)
{
	struct fuse_open_out *o = out;

	memset(o, 0, sizeof(*o));
	if (in->nodeid == count_ino()) {
		o->open_flags = FOPEN_DIRECT_IO;
	} else {
		count(ST_OPEN);
		if (!is_stat_ino(in->nodeid))
			return -ENOENT;
		o->open_flags = FOPEN_NOFLUSH |
			(cfg.direct_io ? FOPEN_DIRECT_IO : FOPEN_KEEP_CACHE);
	}
	if ((oi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	return sizeof(*o);
}

static int do_read(const struct fuse_in_header *in, const struct fuse_read_in *ri,
		   void *out, size_t cap)
{
	char buf[512];
	int len;

	if (in->nodeid == count_ino()) {
		len = render_count(buf, sizeof(buf));
	} else {
		count(ST_READ);
		if (!is_stat_ino(in->nodeid))
			return -EISDIR;
		len = tree_render_stat(ino_index(in->nodeid), buf, sizeof(buf));
	}
	if (ri->offset >= (uint64_t)len)
		return 0;
	len -= (int)ri->offset;
	if ((size_t)len > ri->size)
		len = (int)ri->size;
	if ((size_t)len > cap)
		len = (int)cap;
	memcpy(out, buf + ri->offset, (size_t)len);
	return len;
}

/* Append one dirent at @pos of @out; 0 when it does not fit. */
static size_t add_dirent(char *out, size_t pos, size_t size, uint64_t ino,
			 uint64_t off, unsigned type, const char *name)
{
	struct fuse_dirent *d = (struct fuse_dirent *)(out + pos);
	size_t namelen = strlen(name);
	size_t reclen = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen);

	if (pos + reclen > size)
		return 0;
	d->ino = ino;
	d->off = off;
	d->namelen = (uint32_t)namelen;
	d->type = type;
	memcpy(d->name, name, namelen);
	memset(d->name + namelen, 0, reclen - FUSE_NAME_OFFSET - namelen);
	return reclen;
}

/* Offsets: 1 ".", 2 "..", 3.. the children in order. */
static int do_readdir(const struct fuse_in_header *in, const struct fuse_read_in *ri,
		      char *out, size_t cap)
{
	size_t size = ri->size < cap ? ri->size : cap, pos = 0, n;
	uint64_t nchildren, off;

	count(ST_READDIR);
	if (in->nodeid == ROOT_INO)
		nchildren = cfg.dirs + 1;
	else if (is_dir_ino(in->nodeid))
		nchildren = 1;
	else
		return -ENOTDIR;
	for (off = ri->offset; off < nchildren + 2; off++) {
		char name[24];
		uint64_t ino;
		unsigned type = DT_DIR;

		if (off == 0) {
			ino = in->nodeid, strcpy(name, ".");
		} else if (off == 1) {
			ino = ROOT_INO, strcpy(name, "..");
		} else if (in->nodeid != ROOT_INO) {
			ino = in->nodeid + 1, type = DT_REG, strcpy(name, "stat");
		} else if (off - 2 == cfg.dirs) {
			ino = count_ino(), type = DT_REG, strcpy(name, COUNT_NAME);
		} else {
			ino = 2 + 2 * (off - 2);
			snprintf(name, sizeof(name), "%llu", (unsigned long long)(off - 2));
		}
		n = add_dirent(out, pos, size, ino, off + 1, type, name);
		if (!n)
			break;
		pos += n;
	}
	return (int)pos;
}

int tree_answer(const struct fuse_in_header *in, const void *arg,
		const void *payload, void *out, size_t cap)
{
	switch (in->opcode) {
	case FUSE_LOOKUP:
		return do_lookup(in, payload, out);
	case FUSE_GETATTR:
		return do_getattr(in, out);
	case FUSE_OPEN:
		return do_open(in, arg, out);
	case FUSE_READ:
		return do_read(in, arg, out, cap);
	case FUSE_RELEASE:
		if (in->nodeid != count_ino())
			count(ST_RELEASE);
		return 0;
	case FUSE_OPENDIR: {
		struct fuse_open_out *o = out;

		count(ST_OTHER);
		if (in->nodeid != ROOT_INO && !is_dir_ino(in->nodeid))
			return -ENOTDIR;
		memset(o, 0, sizeof(*o));
		return sizeof(*o);
	}
	case FUSE_READDIR:
		return do_readdir(in, arg, out, cap);
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
		count(ST_OTHER);
		return 0;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:	/* every answer is immediate */
		return PROTO_NOREPLY;
	default:
		count(ST_OTHER);
		return -ENOSYS;
	}
}
