// SPDX-License-Identifier: MIT
/*
 * Process-event traces (fs/event_trace.h) and their replay (ctl replay):
 * the writer and the parser agree, a truncated or corrupt trace is refused
 * with the world unchanged, and a replay forks, clones, execs, renames,
 * exits and reaps as the trace says, with pids kept or remapped.
 */
#include "core_test_util.h"
#include <unistd.h>
#include "ctl.h"
#include "ctl_test_util.h"
#include "ctl_replay.h"
#include "event_trace.h"

static char path[64];

static unsigned long long fixed_clock(void *arg)
{
	(void)arg;
	return 5000;
}

static int setup(void **state)
{
	static const struct kernel_opts opts = { .clock = fixed_clock, .seed = 42 };
	struct kernel *k = malloc(sizeof(*k));

	if (!k || kernel_init(k, &opts))
		return -1;
	*state = k;
	snprintf(path, sizeof(path), "/tmp/test_event_replay.%d", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	ctl_replay_shutdown();		/* a background replay's thread */
	kernel_destroy(*state);
	free(*state);
	unlink(path);
	return 0;
}

/* A small trace: a shell at 500 forks 501, which execs, renames, clones
 * a thread 502, changes uid, exits 3; 500's fork again, as a start
 * snapshot would show it; an exec of a pid no one has. */
static char *sample(size_t *len)
{
	static const char arg0[] = "/usr/bin/cc", arg1[] = "-c", arg2[] = "a b%?.c";
	struct event_writer w;
	char *data = NULL;
	FILE *f = open_memstream(&data, len);

	assert_non_null(f);
	event_writer_init(&w, f, 1700000000000000000ULL, NULL);
	event_writer_printf(&w, "# a comment\n");
	event_writer_printf(&w, "10 fork 1 1 500 500");
	event_writer_end_event(&w);
	event_writer_printf(&w, "20 fork 500 500 501 501");
	event_writer_end_event(&w);
	event_writer_printf(&w, "30 exec 501 501");
	event_writer_string(&w, "cc", 2);
	event_writer_string(&w, arg0, strlen(arg0));
	event_writer_string(&w, arg1, strlen(arg1));
	event_writer_string(&w, arg2, strlen(arg2));
	event_writer_string(&w, "", 0);
	event_writer_end_event(&w);
	event_writer_printf(&w, "35 comm 501 501");
	event_writer_string(&w, "cc1 x", 5);
	event_writer_end_event(&w);
	event_writer_printf(&w, "40 fork 500 500 502 501");
	event_writer_end_event(&w);
	event_writer_printf(&w, "41 uid 501 501 1000 1000");
	event_writer_end_event(&w);
	event_writer_printf(&w, "42 lost\n");
	w.overruns++;
	event_writer_printf(&w, "50 exit 502 501 0 0");
	event_writer_end_event(&w);
	event_writer_printf(&w, "60 exit 501 501 768 17");
	event_writer_end_event(&w);
	event_writer_printf(&w, "70 fork 1 1 500 500");	/* in the snapshot */
	event_writer_end_event(&w);
	event_writer_printf(&w, "80 exec 9999 9999 ? ?");
	event_writer_end_event(&w);
	assert_int_equal(event_writer_finish(&w), 0);
	fclose(f);
	return data;
}

static void write_file(const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_parse_roundtrip(void **state)
{
	char why[EVENT_TRACE_WHY_LEN];
	struct event_trace t;
	size_t len;
	char *data = sample(&len);
	const char *s;

	(void)state;
	assert_int_equal(event_trace_parse(data, len, &t, why), 0);
	assert_int_equal(t.n, 11);
	assert_int_equal(t.overruns, 1);
	assert_int_equal(t.max_pid, 9999);
	assert_true(t.start_ns == 1700000000000000000ULL);
	assert_int_equal(t.ev[2].kind, EV_EXEC);
	assert_int_equal(t.ev[2].nargs, 4);
	s = event_comm(&t, &t.ev[2]);
	assert_string_equal(s, "cc");
	s += strlen(s) + 1;
	assert_string_equal(s, "/usr/bin/cc");
	s += strlen(s) + 1;
	s += strlen(s) + 1;
	assert_string_equal(s, "a b%?.c");
	s += strlen(s) + 1;
	assert_string_equal(s, "");
	assert_string_equal(event_comm(&t, &t.ev[3]), "cc1 x");
	assert_int_equal(t.ev[10].nargs, -1);
	assert_string_equal(event_comm(&t, &t.ev[10]), "");
	assert_int_equal(t.ev[8].a, 768);
	/* 500 and 501 and the thread 502 live at once, at ts 40. */
	assert_int_equal(t.busiest_at, 5);
	event_trace_free(&t);
	free(data);
}

/* Every proper prefix is truncated; every changed byte is refused. */
static void test_parse_refuses(void **state)
{
	char why[EVENT_TRACE_WHY_LEN];
	struct event_trace t;
	size_t len, i;
	char *data = sample(&len);

	(void)state;
	for (i = 0; i < len; i++) {
		assert_int_not_equal(event_trace_parse(data, i, &t, why), 0);
		assert_non_null(strstr(why, "line "));
	}
	for (i = 0; i < len; i++) {
		char was = data[i];

		data[i] = was == '1' ? '2' : was == ' ' ? 'x' : '1';
		assert_int_not_equal(event_trace_parse(data, len, &t, why), 0);
		data[i] = was;
	}
	/* A digit changed in the middle still parses: the CRC catches it. */
	*strstr(data, "1000 1000") = '2';
	assert_int_equal(event_trace_parse(data, len, &t, why), -EBADMSG);
	assert_non_null(strstr(why, "corrupt"));
	free(data);
	data = sample(&len);
	data[strlen(EVENT_TRACE_FORMAT) + 1] = '2';
	assert_int_equal(event_trace_parse(data, len, &t, why), -EINVAL);
	assert_non_null(strstr(why, "version 2"));
	free(data);
}

static int run(struct kernel *k, char *reply, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int run(struct kernel *k, char *reply, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = ctl_test_vrun(k, reply, cap, fmt, ap);
	va_end(ap);
	return err;
}

static void test_replay_applies(void **state)
{
	struct kernel *k = *state;
	char reply[1024];
	struct task *t;
	size_t len;
	char *data = sample(&len);
	int child;

	/* 400 taken by someone else: 500's later fork of 400 is remapped. */
	world_write_lock(k);
	pid_store_set_cursor(&k->pids, 399);
	assert_int_equal(do_fork(k, 1, 1, &child), 0);
	assert_int_equal(child, 400);
	world_unlock(k);
	free(data);
	{
		struct event_writer w;
		FILE *f = open_memstream(&data, &len);

		event_writer_init(&w, f, 1, NULL);
		event_writer_printf(&w, "1 fork 1 1 500 500");
		event_writer_end_event(&w);
		event_writer_printf(&w, "2 fork 500 500 400 400");
		event_writer_end_event(&w);
		event_writer_printf(&w, "3 exec 400 400");
		event_writer_string(&w, "sh", 2);
		event_writer_string(&w, "sh", 2);
		event_writer_end_event(&w);
		event_writer_finish(&w);
		fclose(f);
	}
	write_file(data, len);
	free(data);
	assert_int_equal(run(k, reply, sizeof(reply), "replay %s", path), 0);
	assert_non_null(strstr(reply, "remapped 1"));
	world_read_lock(k);
	t = find_task(k, 400);
	assert_string_not_equal(t->comm, "sh");	/* not the trace's 400 */
	t = find_task(k, 500);
	assert_non_null(t);
	t = find_task(k, 401);		/* the next free after 400 */
	assert_non_null(t);
	assert_string_equal(t->comm, "sh");
	assert_int_equal(t->real_parent->pid, 500);
	world_unlock(k);

	/* The sample, in a fresh world: pids kept, 501 reaped by 500. */
	assert_int_equal(run(k, reply, sizeof(reply), "reset"), 0);
	data = sample(&len);
	write_file(data, len);
	free(data);
	assert_int_equal(run(k, reply, sizeof(reply), "replay %s speed=max", path), 0);
	assert_non_null(strstr(reply, "ok: 11 of 11 events: applied 8 (fork 3, "
			       "exec 1, uid 1, comm 1, exit 2), skipped 2 "
			       "(fork 1, exec 1), remapped 0, threads 1, "
			       "adopted 0, reaped 1, overruns 1"));
	world_read_lock(k);
	assert_non_null(find_task(k, 500));
	assert_null(find_task(k, 501));
	assert_null(find_task(k, 502));
	world_unlock(k);
}

/* The exec's effect, and the exit status the parent sees, before a reap. */
static void test_replay_exec_and_status(void **state)
{
	struct kernel *k = *state;
	struct event_writer w;
	char reply[1024], *data;
	struct task *t;
	size_t len;
	FILE *f = open_memstream(&data, &len);

	event_writer_init(&w, f, 1, NULL);
	event_writer_printf(&w, "1 fork 1 1 600 600");
	event_writer_end_event(&w);
	event_writer_printf(&w, "2 exec 600 600");
	event_writer_string(&w, "make", 4);
	event_writer_string(&w, "make", 4);
	event_writer_string(&w, "-j2", 3);
	event_writer_end_event(&w);
	event_writer_printf(&w, "3 fork 600 600 601 601");
	event_writer_end_event(&w);
	event_writer_printf(&w, "4 comm 601 601");
	event_writer_string(&w, "worker", 6);
	event_writer_end_event(&w);
	event_writer_finish(&w);
	fclose(f);
	write_file(data, len);
	free(data);
	assert_int_equal(run(k, reply, sizeof(reply), "replay %s", path), 0);
	world_read_lock(k);
	t = find_task(k, 600);
	assert_string_equal(t->comm, "make");
	assert_string_equal(find_task(k, 601)->comm, "worker");
	assert_int_equal(find_task(k, 601)->real_parent->pid, 600);
	world_unlock(k);
}

/* A bad trace: refused with a one-line reason, the world unchanged. */
static void test_replay_refuses(void **state)
{
	struct kernel *k = *state;
	char reply[1024], *before, *after;
	size_t len;
	char *data = sample(&len);

	write_file(data, len - 5);		/* truncated */
	world_read_lock(k);
	before = world_dump(k);
	world_unlock(k);
	assert_int_equal(run(k, reply, sizeof(reply), "replay %s", path), -EINVAL);
	assert_non_null(strstr(reply, "EINVAL: replay: line "));
	data[len - 12] ^= 1;			/* the CRC's digits */
	write_file(data, len);
	assert_int_not_equal(run(k, reply, sizeof(reply), "replay %s", path), 0);
	assert_int_equal(run(k, reply, sizeof(reply), "replay /nonexistent"),
			 -ENOENT);
	assert_int_equal(run(k, reply, sizeof(reply), "replay /tmp"), -EISDIR);
	assert_int_equal(run(k, reply, sizeof(reply), "replay %s speed=0", path),
			 -EINVAL);
	assert_int_equal(run(k, reply, sizeof(reply), "replay rel"), -EINVAL);
	assert_int_equal(run(k, reply, sizeof(reply), "repeat 2 replay %s", path),
			 -EINVAL);
	world_read_lock(k);
	after = world_dump(k);
	world_unlock(k);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(data);
}

/* speed=N runs in the background: status, stop, and nothing after stop. */
static void test_replay_background(void **state)
{
	struct kernel *k = *state;
	struct event_writer w;
	char reply[1024], *data;
	size_t len;
	FILE *f = open_memstream(&data, &len);

	event_writer_init(&w, f, 1, NULL);
	event_writer_printf(&w, "0 fork 1 1 800 800");
	event_writer_end_event(&w);
	/* An hour later: a stop must not wait for it. */
	event_writer_printf(&w, "3600000000000 fork 1 1 801 801");
	event_writer_end_event(&w);
	event_writer_finish(&w);
	fclose(f);
	write_file(data, len);
	free(data);
	assert_int_equal(run(k, reply, sizeof(reply), "replay status"), 0);
	assert_int_equal(run(k, reply, sizeof(reply), "replay %s speed=1", path), 0);
	assert_non_null(strstr(reply, "started: 2 events"));
	assert_int_equal(run(k, reply, sizeof(reply), "replay %s speed=1", path),
			 -EBUSY);
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(run(k, reply, sizeof(reply), "replay status"), 0);
		if (strstr(reply, "running: 1 of 2"))
			break;
		usleep(1000);
	}
	assert_non_null(strstr(reply, "running: 1 of 2"));
	assert_int_equal(run(k, reply, sizeof(reply), "replay stop"), 0);
	assert_non_null(strstr(reply, "stopped: 1 of 2"));
	for (int i = 0; i < 2000; i++) {
		run(k, reply, sizeof(reply), "replay status");
		if (!strncmp(reply, "stopped", 7))
			break;
		usleep(1000);
	}
	assert_non_null(strstr(reply, "stopped: 1 of 2"));
	world_read_lock(k);
	assert_non_null(find_task(k, 800));
	assert_null(find_task(k, 801));
	world_unlock(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_roundtrip),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test_setup_teardown(test_replay_applies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_exec_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_background, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
