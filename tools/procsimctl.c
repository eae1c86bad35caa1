// SPDX-License-Identifier: MIT
/*
 * procsimctl: send one command to a procsim mount's control file and print
 * the reply.  Plain libc on purpose: it speaks only the text language that
 * fs/ctl.h documents, so it works against any build of the daemon.
 *
 *	procsimctl [-m MOUNT] COMMAND [ARGS...]
 *	procsimctl fork 1 -n 100	(sends "fork 1 100")
 *	procsimctl -h			(usage, then the daemon's own help)
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CTL_FILE	"procsim/ctl"

static const char usage_text[] =
	"usage: procsimctl [-m MOUNT] COMMAND [ARGS...]\n"
	"       procsimctl -h\n"
	"Send one command to MOUNT/" CTL_FILE " and print the reply.\n"
	"MOUNT defaults to $PROCSIM_MOUNT, else ../mountpoint beside the\n"
	"directory of this binary.\n"
	"\n"
	"COMMAND is one line of the daemon's control language, sent as is,\n"
	"except: fork PPID -n COUNT is fork PPID COUNT, and save/load FILE\n"
	"make a relative FILE absolute against the cwd.  -h lists the\n"
	"commands by asking the daemon for its own help.\n"
	"\n"
	"Argument forms: LEN and ADDR 4096, 0x1000, 4K, 2M; PROT rw-, r-x,\n"
	"none; FLAGS private,shared,fixed,noreplace,growsdown; SIG 0..64 or\n"
	"a name (KILL, SIGTERM, stop); WHO a pid, -1, 0 or -PGID.\n"
	"\n"
	"Exit status: 0 done, 1 the command failed, 2 usage error.\n";

static void __attribute__((noreturn)) usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, "procsimctl: %s\n", msg);
	fputs(usage_text, stderr);
	exit(2);
}

static void __attribute__((noreturn)) die(const char *what, int err)
{
	fprintf(stderr, "procsimctl: %s: %s\n", what, strerror(err));
	exit(1);
}

/* $PROCSIM_MOUNT, else <dir of this binary>/../mountpoint. */
static void default_mount(char *mount, size_t size)
{
	const char *env = getenv("PROCSIM_MOUNT");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(mount, size, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		die("/proc/self/exe (set PROCSIM_MOUNT or use -m)", errno);
	exe[n] = '\0';
	snprintf(mount, size, "%s/../mountpoint", dirname(exe));
}

/* Append @word to @line, space-separated. */
static void add_word(char **line, size_t *len, const char *word)
{
	size_t n = strlen(word);
	char *p = realloc(*line, *len + n + 2);

	if (!p)
		die("building the command", ENOMEM);
	if (*len)
		p[(*len)++] = ' ';
	memcpy(p + *len, word, n + 1);
	*len += n;
	*line = p;
}

/*
 * The words, joined by spaces; fork's "-n COUNT" (or "-nCOUNT") becomes
 * its last word.  A newline would smuggle in a second command: refused.
 */
/*
 * save/load FILE: the daemon's cwd is /, so a relative FILE is made
 * absolute here, against ours.  Caller frees.
 */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		die("getcwd", errno);
	abs = malloc(strlen(cwd) + strlen(path) + 2);
	if (abs)
		sprintf(abs, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
	return abs;
}

static char *build_line(int argc, char **argv, size_t *len)
{
	bool is_fork = !strcmp(argv[0], "fork");
	bool is_file = !strcmp(argv[0], "save") || !strcmp(argv[0], "load");
	const char *count = NULL;
	char *line = NULL;
	int i, words = 0;

	*len = 0;
	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n'))
			usage_error("arguments must not contain a newline");
		if (is_fork && !strncmp(argv[i], "-n", 2)) {
			if (count)
				usage_error("fork: -n given twice");
			count = argv[i][2] ? argv[i] + 2 : argv[++i];
			if (!count)
				usage_error("fork: -n needs a COUNT");
			continue;
		}
		if (is_file && i == 1) {
			char *abs = absolute(argv[i]);

			if (!abs)
				die("malloc", ENOMEM);
			add_word(&line, len, abs);
			free(abs);
		} else {
			add_word(&line, len, argv[i]);
		}
		words++;
	}
	if (count) {
		if (words != 2)
			usage_error("fork: use 'fork PPID -n COUNT' or "
				    "'fork PPID COUNT'");
		add_word(&line, len, count);
	}
	return line;
}

/* Everything up to EOF; NULL and errno on a read error. */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096;
	char *data = malloc(cap);
	ssize_t n;

	*len = 0;
	while (data) {
		if (*len == cap) {
			char *p = realloc(data, cap *= 2);

			if (!p)
				break;
			data = p;
		}
		n = read(fd, data + *len, cap - *len);
		if (n > 0) {
			*len += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return data;
		break;
	}
	free(data);
	errno = errno ? errno : ENOMEM;
	return NULL;
}

/* A failure line: "E<NAME>: …" (no success reply starts that way). */
static bool is_error_line(const char *s, size_t len)
{
	size_t i = 1;

	if (!len || s[0] != 'E')
		return false;
	while (i < len && ((s[i] >= 'A' && s[i] <= 'Z') ||
			   (s[i] >= '0' && s[i] <= '9')))
		i++;
	return i > 1 && i < len && s[i] == ':';
}

static void print_error(const char *msg, size_t len)
{
	fprintf(stderr, "procsimctl: %.*s", (int)len, msg);
	if (msg[len - 1] != '\n')
		fputc('\n', stderr);
}

/* One write() of line + '\n', then the reply from the same fd. */
static int run(const char *path, char *line, size_t len)
{
	size_t done = 0, rlen;
	char *reply;
	int fd, werr = 0;

	fd = open(path, O_RDWR);
	if (fd < 0)
		die(path, errno);
	line[len++] = '\n';		/* add_word left room for it */
	while (done < len) {
		ssize_t n = write(fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			werr = errno;
			break;
		}
		done += n;
	}
	reply = read_all(fd, &rlen);
	close(fd);
	if (werr) {
		/* The daemon left its message line for us to read. */
		if (reply && rlen)
			print_error(reply, rlen);
		else
			die(path, werr);
		free(reply);
		return 1;
	}
	if (!reply)
		die(path, errno);
	if (is_error_line(reply, rlen)) {
		print_error(reply, rlen);
		free(reply);
		return 1;
	}
	if (fwrite(reply, 1, rlen, stdout) != rlen || fflush(stdout))
		die("stdout", errno);
	free(reply);
	return 0;
}

/*
 * -h: our usage, then the daemon's own command list, so the two never
 * drift apart (the daemon builds its help from the ctl X-macro).
 */
static int print_help(const char *path)
{
	char line[sizeof("help")] = "help";

	fputs(usage_text, stdout);
	if (access(path, W_OK)) {
		printf("\n(no daemon at %s: mount procsim, or use -m,"
		       " to list its commands)\n", path);
		return 0;
	}
	fputs("\ncommands (the daemon's help):\n", stdout);
	fflush(stdout);
	return run(path, line, strlen(line));
}

int main(int argc, char **argv)
{
	char mount[PATH_MAX], path[PATH_MAX + sizeof(CTL_FILE) + 1];
	char *line;
	size_t len;
	int opt, ret;
	bool help = false;

	mount[0] = '\0';
	opterr = 0;
	/* '+': stop at COMMAND, so "wait 1 -1" keeps its "-1". */
	while ((opt = getopt(argc, argv, "+hm:")) != -1) {
		switch (opt) {
		case 'h':
			help = true;
			break;
		case 'm':
			snprintf(mount, sizeof(mount), "%s", optarg);
			break;
		default:
			usage_error(optopt == 'm' ? "-m needs a MOUNT" :
				    "unknown option");
		}
	}
	if (!help && optind >= argc)
		usage_error("no COMMAND given");
	if (!mount[0])
		default_mount(mount, sizeof(mount));
	snprintf(path, sizeof(path), "%s/%s", mount, CTL_FILE);
	if (help)
		return print_help(path);

	line = build_line(argc - optind, argv + optind, &len);
	if (!line)
		usage_error("no COMMAND given");
	ret = run(path, line, len);
	free(line);
	return ret;
}
