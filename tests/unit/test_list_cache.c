/* SPDX-License-Identifier: MIT */
/* patch_level's list cache: a cache written from a real (fixture) list gives
 * back exactly the entries of the list; a cache made from another file, cut
 * short or garbled is a miss; the directory must be ours. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "util.h"
#include "../../probes/patch_level/list_cache.h"

#define LZ4_LIST FIXTURE("hosts/patch-debian-lz4/var/lib/apt/lists/" \
                         "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4")

/* Every entry handed over, as "name version arch\n" lines. */
struct collected {
        char text[1 << 16];
        size_t len;
};

static int collect(void *u, const struct deb_entry *e) {
        struct collected *c = u;
        int n = snprintf(c->text + c->len, sizeof c->text - c->len, "%.*s %.*s %.*s\n",
                         (int) e->name_len, e->name, (int) e->version_len, e->version,
                         (int) e->arch_len, e->arch);

        ck_assert_int_lt(n, (int) (sizeof c->text - c->len));
        c->len += (size_t) n;
        return 0;
}

static bool want_b_names(void *u, const char *name, size_t len) {
        (void) u;
        return len > 0 && name[0] == 'b';
}

static char dir[] = "/tmp/complyd-listcache.XXXXXX";

static void make_dir(void) { ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/complyd-listcache.XXXXXX"))); }

static void remove_dir(void) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
}

/* Reads the fixture list directly into c, recording it, and writes its
 * cache; returns the cache directory's fd. */
static int write_cache(struct stat *st, struct collected *c, struct deb_sink *sink) {
        struct list_recorder rec;
        int fd = open(LZ4_LIST, O_RDONLY | O_CLOEXEC), cfd;

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, st), 0);
        *sink = (struct deb_sink) { .want = want_b_names, .entry = collect, .userdata = c };
        list_recorder_init(&rec, sink);
        ck_assert_int_eq(apt_list_stream(fd, LIST_LZ4, &rec.sink), 0);
        sink->entries = rec.sink.entries;
        ck_assert_int_ge(cfd = list_cache_open(dir), 0);
        ck_assert_int_eq(list_cache_write(cfd, LZ4_LIST, st, &rec), 0);
        list_recorder_done(&rec);
        close(fd);
        return cfd;
}

START_TEST(cache_gives_back_the_lists_entries) {
        struct collected direct = { 0 }, cached = { 0 };
        struct deb_sink d, c = { .want = want_b_names, .entry = collect, .userdata = &cached };
        struct stat st;
        int cfd;

        make_dir();
        cfd = write_cache(&st, &direct, &d);
        ck_assert_uint_gt(direct.len, 0); /* the fixture has wanted names */
        ck_assert_int_eq(list_cache_read(cfd, LZ4_LIST, &st, &c), 1);
        ck_assert_str_eq(cached.text, direct.text);
        ck_assert_uint_eq(c.entries, d.entries);
        close(cfd);
        remove_dir();
}
END_TEST

/* The cache of another file (another mtime, size or inode) is never used. */
START_TEST(cache_of_another_file_is_a_miss) {
        struct collected direct = { 0 }, cached = { 0 };
        struct deb_sink d, c = { .entry = collect, .userdata = &cached };
        struct stat st, other;
        int cfd;

        make_dir();
        cfd = write_cache(&st, &direct, &d);
        other = st;
        other.st_mtim.tv_nsec ^= 1;
        ck_assert_int_eq(list_cache_read(cfd, LZ4_LIST, &other, &c), 0);
        other = st;
        other.st_size++;
        ck_assert_int_eq(list_cache_read(cfd, LZ4_LIST, &other, &c), 0);
        other = st;
        other.st_ino++;
        ck_assert_int_eq(list_cache_read(cfd, LZ4_LIST, &other, &c), 0);
        ck_assert_uint_eq(cached.len, 0);
        close(cfd);
        remove_dir();
}
END_TEST

/* A cache cut short or grown (a torn write, an edit) is a miss. */
START_TEST(cache_of_another_length_is_a_miss) {
        static const char *const bad[] = {
                "complyd-apt-list-cache 1 1 2 3 4.000000005 x 0\n",
                "complyd-apt-list-cache 1 1 2 3 4.000000005 0 0",
                "complyd-apt-list-cache 1 1 2 3 4.000000005 1 99999999999999999999\n",
                "complyd-apt-list-cache 2 1 2 3 4.000000005 0 0\n",
                "complyd-apt-list-cache 1 1 2 3 4.5 0 0\n",
                "",
        };
        static const char body[] = "Package: bash\nVersion: 5.2.15-2+b2\nArchitecture: amd64\n\n";
        struct collected got = { 0 };
        struct deb_sink c = { .entry = collect, .userdata = &got };
        struct stat st = { .st_dev = 1, .st_ino = 2, .st_size = 3,
                           .st_mtim = { .tv_sec = 4, .tv_nsec = 5 } };
        char text[512];
        int n = snprintf(text, sizeof text, "complyd-apt-list-cache 1 1 2 3 4.000000005 7 %zu\n%s",
                         sizeof body - 1, body);

        ck_assert_int_eq(list_cache_parse(text, (size_t) n, &st, &c), 1);
        ck_assert_str_eq(got.text, "bash 5.2.15-2+b2 amd64\n");
        ck_assert_uint_eq(c.entries, 7);
        ck_assert_int_eq(list_cache_parse(text, (size_t) n - 1, &st, &c), 0);
        text[n] = '\n';
        ck_assert_int_eq(list_cache_parse(text, (size_t) n + 1, &st, &c), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_int_eq(list_cache_parse(bad[i], strlen(bad[i]), &st, &c), 0);
        ck_assert_uint_eq(c.entries, 7);
}
END_TEST

/* A cache directory someone else can write to, or a symlink, is refused. */
START_TEST(untrusted_directory_is_refused) {
        char sub[256], link[256];

        make_dir();
        snprintf(sub, sizeof sub, "%s/open", dir);
        ck_assert_int_eq(mkdir(sub, 0700), 0);
        ck_assert_int_eq(chmod(sub, 0777), 0);
        ck_assert_int_eq(list_cache_open(sub), -EPERM);
        snprintf(link, sizeof link, "%s/link", dir);
        ck_assert_int_eq(symlink(dir, link), 0);
        ck_assert_int_eq(list_cache_open(link), -ENOTDIR);
        ck_assert_int_eq(list_cache_open("relative/dir"), -EINVAL);
        remove_dir();
}
END_TEST

/* A recorder that ran out of room writes no cache. */
START_TEST(overflowed_recorder_writes_nothing) {
        struct deb_sink inner = { 0 };
        struct list_recorder rec;
        struct stat st = { .st_ino = 1 };
        char path[300];
        int cfd;

        make_dir();
        ck_assert_int_ge(cfd = list_cache_open(dir), 0);
        list_recorder_init(&rec, &inner);
        rec.body.failed = true;
        ck_assert_int_eq(list_cache_write(cfd, "/x/list_Packages", &st, &rec), -E2BIG);
        snprintf(path, sizeof path, "%s/patch_level/list_Packages", dir);
        ck_assert_int_eq(access(path, F_OK), -1);
        list_recorder_done(&rec);
        close(cfd);
        remove_dir();
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("list_cache");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, cache_gives_back_the_lists_entries);
        tcase_add_test(tc, cache_of_another_file_is_a_miss);
        tcase_add_test(tc, cache_of_another_length_is_a_miss);
        tcase_add_test(tc, untrusted_directory_is_refused);
        tcase_add_test(tc, overflowed_recorder_writes_nothing);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
