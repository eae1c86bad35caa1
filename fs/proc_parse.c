// SPDX-License-Identifier: MIT
/*
 * Parsers of a real /proc's files for import.  Every input is untrusted
 * (a snapshot may come from anywhere): lengths are explicit, numbers are
 * range-checked, and nothing here reads past @len or depends on a NUL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proc_parse.h"

static int bad(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, PROC_PARSE_WHY_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A cursor over [p, end). */
struct cur {
	const char *p, *end;
};

static void skip_spaces(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* An unsigned number in @base (10 or 16), no sign; false if none/overflow. */
static bool get_unum(struct cur *c, int base, unsigned long long *v)
{
	const char *s = c->p;
	unsigned long long n = 0;

	while (c->p < c->end) {
		int d;
		char ch = *c->p;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10;
		else
			break;
		if (n > (~0ULL - d) / base)
			return false;
		n = n * base + d;
		c->p++;
	}
	*v = n;
	return c->p > s;
}

/* A decimal field, optionally negative, then a space or the end. */
static bool get_num(struct cur *c, long long *v)
{
	bool neg = false;
	unsigned long long u;

	skip_spaces(c);
	if (c->p < c->end && *c->p == '-') {
		neg = true;
		c->p++;
	}
	/* Unsigned fields (rsslim, signal masks) go up to 2^64 - 1: they
	 * wrap to negative here, and the fields import uses are range-checked. */
	if (!get_unum(c, 10, &u) || (neg && u > (unsigned long long)1 << 63))
		return false;
	if (c->p < c->end && *c->p != ' ' && *c->p != '\n')
		return false;
	*v = neg ? (long long)(0 - u) : (long long)u;
	return true;
}

static bool in_int(long long v)
{
	return v >= -2147483647LL - 1 && v <= 2147483647LL;
}

int proc_parse_stat(const char *buf, size_t len, struct import_task *r,
		    char why[PROC_PARSE_WHY_LEN])
{
	struct cur c = { buf, buf + len };
	const char *open, *close = NULL;
	long long f[53];	/* f[n]: field n as proc(5) numbers them */
	long long pid;
	int n;

	open = memchr(buf, '(', len);
	for (const char *p = buf + len; open && p > open; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (!open || !close)
		return bad(why, "stat: no (comm)");
	c.end = open;
	if (!get_num(&c, &pid) || pid <= 0 || pid > 0x7fffffff)
		return bad(why, "stat: bad pid");
	skip_spaces(&c);
	if (c.p != open)
		return bad(why, "stat: junk before (comm)");
	if (close - open - 1 >= IMPORT_NAME_LEN || close == open + 1)
		return bad(why, "stat: comm empty or over %d bytes",
			   IMPORT_NAME_LEN - 1);
	if (memchr(open + 1, '\0', close - open - 1))
		return bad(why, "stat: NUL in comm");
	memset(r->name, 0, sizeof(r->name));
	memcpy(r->name, open + 1, close - open - 1);
	memset(r->comm, 0, sizeof(r->comm));
	memcpy(r->comm, r->name, TASK_COMM_LEN - 1);
	c = (struct cur){ close + 1, buf + len };
	skip_spaces(&c);
	if (c.p >= c.end || (c.p + 1 < c.end && c.p[1] != ' '))
		return bad(why, "stat: bad state");
	r->state = *c.p++;
	for (n = 4; n < 53; n++) {
		skip_spaces(&c);
		if (c.p >= c.end || *c.p == '\n')
			break;
		if (!get_num(&c, &f[n]))
			return bad(why, "stat: field %d not a number", n);
	}
	skip_spaces(&c);
	if (c.p < c.end && !(*c.p == '\n' && c.p + 1 == c.end))
		return bad(why, "stat: junk after field 52");
	if (n <= 44)
		return bad(why, "stat: %d fields, want 44 or more", n - 1);
	for (int i = 5; i <= 8; i++)
		if (!in_int(f[i]))
			return bad(why, "stat: field %d out of range", i);
	if (f[9] < 0 || f[9] > 0xffffffffLL || f[19] < -20 || f[19] > 19 ||
	    f[39] < 0 || f[39] > 0xffffffffLL || f[40] < 0 || f[40] > 99 ||
	    f[41] < 0 || f[41] > 6 || f[22] < 0)
		return bad(why, "stat: flags, nice, cpu or policy out of range");
	for (int i = 10; i <= 15; i++)
		if (f[i] < 0)
			return bad(why, "stat: field %d negative", i);
	r->pid = (int)pid;
	r->pgrp = (int)f[5];
	r->session = (int)f[6];
	r->tty_nr = (int)f[7];
	r->tpgid = (int)f[8];
	r->flags = (unsigned int)f[9];
	r->minflt = f[10];
	r->majflt = f[12];
	r->utime = f[14];
	r->stime = f[15];
	r->nice = (int)f[19];
	r->start_time = f[22];
	r->start_code = f[26];
	r->end_code = f[27];
	r->start_stack = f[28];
	r->cpu = (unsigned int)f[39];
	r->rt_priority = (int)f[40];
	r->policy = (int)f[41];
	if (n > 51) {
		r->start_data = f[45];
		r->end_data = f[46];
		r->start_brk = f[47];
		r->arg_start = f[48];
		r->arg_end = f[49];
		r->env_start = f[50];
		r->env_end = f[51];
	}
	return 0;
}

/* The value of "@key:\t..." lines: a cursor after the key, or false. */
static bool find_key(const char *buf, size_t len, const char *key,
		     struct cur *val)
{
	size_t kl = strlen(key);
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > kl && !memcmp(p, key, kl) && p[kl] == ':') {
			*val = (struct cur){ p + kl + 1, le };
			return true;
		}
		p = le + 1;
	}
	return false;
}

/*
 * "@key:\t<number>[ kB]": true and *@v if present; a present key whose
 * value is no number sets *@ok false.
 */
static bool status_num(const char *buf, size_t len, const char *key,
		       long long *v, bool *ok)
{
	struct cur c;
	unsigned long long u;

	if (!find_key(buf, len, key, &c))
		return false;
	skip_spaces(&c);
	if (!get_unum(&c, 10, &u) || u > 0x7fffffffffffffffULL) {
		*ok = false;
		return false;
	}
	*v = (long long)u;
	return true;
}

int proc_parse_status(const char *buf, size_t len, struct import_task *r,
		      char why[PROC_PARSE_WHY_LEN])
{
	static const char *const keys[] = { "Tgid", "PPid" };
	long long v[2], x;
	unsigned int id[4];
	struct cur c;
	bool ok = true;

	for (int i = 0; i < 2; i++)
		if (!status_num(buf, len, keys[i], &v[i], &ok) ||
		    v[i] > 0x7fffffff)
			return bad(why, "status: %s missing or bad", keys[i]);
	r->tgid = (int)v[0];
	r->ppid = (int)v[1];
	/* Uid and Gid: four tab-separated ids each. */
	for (int g = 0; g < 2; g++) {
		unsigned int *dst[4];

		if (!find_key(buf, len, g ? "Gid" : "Uid", &c))
			return bad(why, "status: %s missing", g ? "Gid" : "Uid");
		for (const char *p = c.p; p < c.end; p++)
			if (*p != '\t' && *p != ' ' && (*p < '0' || *p > '9'))
				return bad(why, "status: bad %s", g ? "Gid" : "Uid");
		for (int i = 0; i < 4; i++) {
			unsigned long long u;

			while (c.p < c.end && (*c.p == '\t' || *c.p == ' '))
				c.p++;
			if (!get_unum(&c, 10, &u) || u > 0xffffffffULL)
				return bad(why, "status: bad %s", g ? "Gid" : "Uid");
			id[i] = (unsigned int)u;
		}
		dst[0] = g ? &r->cred.gid : &r->cred.uid;
		dst[1] = g ? &r->cred.egid : &r->cred.euid;
		dst[2] = g ? &r->cred.sgid : &r->cred.suid;
		dst[3] = g ? &r->cred.fsgid : &r->cred.fsuid;
		for (int i = 0; i < 4; i++)
			*dst[i] = id[i];
		while (c.p < c.end && (*c.p == '\t' || *c.p == ' '))
			c.p++;
		if (c.p != c.end)
			return bad(why, "status: bad %s", g ? "Gid" : "Uid");
	}
	if (status_num(buf, len, "VmLck", &x, &ok))
		r->locked_pages = x >> (PAGE_SHIFT - 10);
	if (status_num(buf, len, "voluntary_ctxt_switches", &x, &ok))
		r->nvcsw = x;
	if (status_num(buf, len, "nonvoluntary_ctxt_switches", &x, &ok))
		r->nivcsw = x;
	if (!ok)
		return bad(why, "status: a count is not a number");
	return 0;
}

void proc_free_vmas(struct import_vma *vmas, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free((char *)vmas[i].name);
	free(vmas);
}

/* A maps header line "start-end perms offset major:minor inode [name]". */
static int parse_vma_line(struct cur c, struct import_vma *v, bool *gate,
			  char *why)
{
	unsigned long long start, end, off, maj, min, ino;
	const char *perms;

	if (!get_unum(&c, 16, &start) || c.p >= c.end || *c.p++ != '-' ||
	    !get_unum(&c, 16, &end) || c.p >= c.end || *c.p++ != ' ')
		return bad(why, "maps: bad range");
	if (c.end - c.p < 5 || c.p[4] != ' ')
		return bad(why, "maps: bad perms");
	perms = c.p;
	if ((perms[0] != 'r' && perms[0] != '-') ||
	    (perms[1] != 'w' && perms[1] != '-') ||
	    (perms[2] != 'x' && perms[2] != '-') ||
	    (perms[3] != 's' && perms[3] != 'p'))
		return bad(why, "maps: bad perms");
	c.p += 5;
	if (!get_unum(&c, 16, &off) || c.p >= c.end || *c.p++ != ' ' ||
	    !get_unum(&c, 16, &maj) || c.p >= c.end || *c.p++ != ':' ||
	    !get_unum(&c, 16, &min) || c.p >= c.end || *c.p++ != ' ' ||
	    !get_unum(&c, 10, &ino))
		return bad(why, "maps: bad offset, device or inode");
	if (c.p < c.end && *c.p != ' ')
		return bad(why, "maps: junk after the inode");
	skip_spaces(&c);
	*gate = start >= TASK_SIZE && c.end - c.p == 10 &&
		!memcmp(c.p, "[vsyscall]", 10);
	if (start >= end || (start | end) & (PAGE_SIZE - 1) ||
	    off & (PAGE_SIZE - 1))
		return bad(why, "maps: bad range %llx-%llx", start, end);
	if (maj > 0xfff || min > 0xff)
		return bad(why, "maps: device %llx:%llx beyond 12:8 bits", maj, min);
	if (ino > 0xffffffffULL)
		return bad(why, "maps: inode %llu beyond 32 bits", ino);
	if (memchr(c.p, '\0', c.end - c.p))
		return bad(why, "maps: NUL in a name");
	v->start = start;
	v->end = end;
	v->pgoff = off >> PAGE_SHIFT;
	v->flags = (perms[0] == 'r' ? VM_READ : 0) |
		   (perms[1] == 'w' ? VM_WRITE : 0) |
		   (perms[2] == 'x' ? VM_EXEC : 0) |
		   (perms[3] == 's' ? VM_SHARED : 0);
	v->dev = (unsigned int)(maj << 8 | min);
	v->ino = ino;
	v->rss_pages = v->dirty_pages = 0;
	v->name = NULL;
	if (c.p < c.end) {
		char *name = strndup(c.p, c.end - c.p);

		if (!name)
			return -ENOMEM;
		v->name = name;
	}
	return 0;
}

/* The smaps fields import reads: Rss, and the two Dirty counts it adds. */
static const char *const smaps_fields[] = {
	"Rss:", "Shared_Dirty:", "Private_Dirty:",
};

/* Which of smaps_fields starts @line (the cursor moves past it), or -1. */
static int smaps_field(struct cur *line)
{
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(smaps_fields[i]);

		if ((size_t)(line->end - line->p) > n &&
		    !memcmp(line->p, smaps_fields[i], n)) {
			line->p += n;
			return i;
		}
	}
	return -1;
}

int proc_parse_maps(const char *buf, size_t len, size_t max,
		    struct import_vma **vmas, size_t *nr,
		    char why[PROC_PARSE_WHY_LEN])
{
	const char *p = buf, *end = buf + len;
	struct import_vma *v = NULL, *cur = NULL;
	size_t n = 0, cap = 0;
	bool header = false;	/* a VMA line came: smaps fields may follow */
	int err = 0;

	while (p < end && !err) {
		const char *nl = memchr(p, '\n', end - p);
		struct cur line = { p, nl ? nl : end };
		bool gate = false;

		if (!nl)
			err = bad(why, "maps: last line unterminated");
		else if (line.p < line.end && *line.p >= 'A' && *line.p <= 'Z') {
			/* an smaps field of the VMA above ("Rss:   12 kB") */
			unsigned long long kb;
			int kind;

			if (!header)
				err = bad(why, "smaps: a field before any VMA");
			else if (!cur)
				;	/* the gate page's fields */
			else if ((kind = smaps_field(&line)) >= 0) {
				skip_spaces(&line);
				if (!get_unum(&line, 10, &kb) ||
				    line.end - line.p != 3 ||
				    memcmp(line.p, " kB", 3) ||
				    kb > (cur->end - cur->start) >> 10)
					err = bad(why, "smaps: bad %s",
						  smaps_fields[kind]);
				else if (kind == 0)
					cur->rss_pages = kb >> (PAGE_SHIFT - 10);
				else
					cur->dirty_pages += kb >> (PAGE_SHIFT - 10);
			}
		} else {
			struct import_vma one;

			err = parse_vma_line(line, &one, &gate, why);
			header = true;
			if (!err && gate) {
				free((char *)one.name);
				cur = NULL;	/* its smaps fields are skipped */
				p = line.end + 1;
				continue;
			}
			if (!err && n && one.start < v[n - 1].end) {
				free((char *)one.name);
				err = bad(why, "maps: VMA %lx out of order", one.start);
			}
			if (!err && n == max) {
				free((char *)one.name);
				snprintf(why, PROC_PARSE_WHY_LEN,
					 "maps: over %zu VMAs", max);
				err = -E2BIG;
			}
			if (!err && n == cap) {
				size_t nc = cap ? 2 * cap : 16;
				struct import_vma *nv = realloc(v, nc * sizeof(*nv));

				if (!nv) {
					free((char *)one.name);
					err = -ENOMEM;
				} else {
					v = nv;
					cap = nc;
				}
			}
			if (!err) {
				v[n] = one;
				cur = &v[n++];
			}
		}
		p = line.end + 1;
	}
	if (err) {
		proc_free_vmas(v, n);
		return err;
	}
	*vmas = v;
	*nr = n;
	return 0;
}

int proc_parse_uptime(const char *buf, size_t len, unsigned long long *ticks,
		      char why[PROC_PARSE_WHY_LEN])
{
	struct cur c = { buf, buf + len };
	unsigned long long s, frac = 0;

	if (!get_unum(&c, 10, &s) || s > (1ULL << 40))
		return bad(why, "uptime: not a number");
	if (c.p < c.end && *c.p == '.') {
		const char *f = ++c.p;

		if (!get_unum(&c, 10, &frac) || c.p - f != 2)
			return bad(why, "uptime: bad fraction");
	}
	if (c.p >= c.end || *c.p != ' ')
		return bad(why, "uptime: junk after the number");
	*ticks = s * USER_HZ + frac * USER_HZ / 100;
	return 0;
}
