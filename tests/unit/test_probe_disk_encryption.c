/* SPDX-License-Identifier: MIT */
/* disk_encryption: the probe on the fixture roots of
 * tests/fixtures/hosts/disk-* (made by tests/fixtures/make-disk-fixtures.sh),
 * its parsers on real-shaped text, and this machine's root against lsblk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "probe_ctx.h"
#include "testutil.h"
#include "../../probes/disk_encryption/disk_encryption.h"
#include "../../probes/disk_encryption/parse.h"

extern const struct complyd_probe complyd_probe_disk_encryption;

/* Runs the probe on root; zfs_get (recorded `zfs get` output file, or NULL)
 * goes through de_observe(). */
static json_t *observe_with(const char *root, const char *zfs_get_file) {
        struct complyd_probe_ctx *ctx;
        json_t *params, *out = NULL;
        char err[256], *zfs = NULL;

        ck_assert_int_eq(probe_params_resolve(&complyd_probe_disk_encryption, NULL, &params, err,
                                              sizeof err), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        if (zfs_get_file) {
                FILE *f = fopen(zfs_get_file, "r");
                size_t n;

                ck_assert_ptr_nonnull(f);
                zfs = calloc(1, 65536);
                n = fread(zfs, 1, 65535, f);
                fclose(f);
                ck_assert_uint_gt(n, 0);
                ck_assert_int_eq(de_observe(ctx, zfs, &out), 0);
        } else
                ck_assert_int_eq(complyd_probe_disk_encryption.observe(ctx, &out), 0);
        free(zfs);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")),
                         "complyd.disk_encryption.v1");
        return out;
}

static json_t *observe(const char *root) { return observe_with(root, NULL); }

/* The element of array key of o whose field equals value. */
static json_t *find(json_t *o, const char *key, const char *field, const char *value) {
        size_t i;
        json_t *e;

        json_array_foreach(json_object_get(o, key), i, e) {
                const char *v = json_string_value(json_object_get(e, field));
                if (v && streq(v, value))
                        return e;
        }
        ck_abort_msg("no %s with %s=%s", key, field, value);
        return NULL;
}

static const char *str(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

/* Kinds of the stack layers, top-down, joined with ",". */
static char *kinds(json_t *fs) {
        static char buf[512];
        size_t i;
        json_t *l;

        buf[0] = '\0';
        json_array_foreach(json_object_get(fs, "stack"), i, l) {
                if (i)
                        strcat(buf, ",");
                strncat(buf, str(l, "kind"), sizeof(buf) - strlen(buf) - 2);
        }
        return buf;
}

#define ASSERT_TRUE(o, k) ck_assert_msg(json_is_true(json_object_get(o, k)), "%s not true", k)
#define ASSERT_FALSE(o, k) ck_assert_msg(json_is_false(json_object_get(o, k)), "%s not false", k)
#define ASSERT_NULL(o, k) ck_assert_msg(json_is_null(json_object_get(o, k)), "%s not null", k)

START_TEST(luks2_root) {
        json_t *o = observe(FIXTURE("hosts/disk-luks2-root"));
        json_t *root = find(o, "filesystems", "mountpoint", "/");

        ASSERT_TRUE(o, "root_encrypted");
        ASSERT_FALSE(o, "all_encrypted");
        ck_assert_str_eq(str(root, "scheme"), "LUKS2");
        ck_assert_str_eq(str(root, "source"), "/dev/mapper/cryptroot");
        ck_assert_str_eq(kinds(root), "crypt,partition,disk");
        ck_assert_str_eq(str(json_array_get(json_object_get(root, "stack"), 0), "dm_name"),
                         "cryptroot");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(root, "stack_summary"), 0)),
                         "dm-0 (crypt: LUKS2 cryptroot)");
        ASSERT_FALSE(find(o, "filesystems", "mountpoint", "/boot"), "encrypted");
        ASSERT_FALSE(find(o, "filesystems", "mountpoint", "/boot/efi"), "encrypted");
        /* proc, sysfs, devtmpfs, tmpfs, cgroup2, ... are left out */
        ck_assert_uint_eq(json_array_size(json_object_get(o, "filesystems")), 3);
        /* no swap */
        ck_assert_uint_eq(json_array_size(json_object_get(o, "swap")), 0);
        ASSERT_TRUE(o, "swaps_readable");
        ASSERT_TRUE(find(o, "crypttab", "name", "cryptroot"), "active");
        json_decref(o);
}
END_TEST

START_TEST(lvm_on_luks) {
        json_t *o = observe(FIXTURE("hosts/disk-lvm-on-luks"));
        json_t *root = find(o, "filesystems", "mountpoint", "/");
        json_t *swap = find(o, "swap", "device", "/dev/dm-2");

        ASSERT_TRUE(o, "root_encrypted");
        ck_assert_str_eq(kinds(root), "lvm,crypt,partition,disk");
        ck_assert_str_eq(str(root, "scheme"), "LUKS2");
        ck_assert_str_eq(str(json_array_get(json_object_get(root, "stack"), 0), "dm_name"),
                         "debian--vg-root");
        ASSERT_TRUE(find(o, "filesystems", "mountpoint", "/home"), "encrypted");
        ASSERT_TRUE(swap, "encrypted");
        ck_assert_str_eq(str(swap, "scheme"), "LUKS2");
        ck_assert_str_eq(str(swap, "type"), "partition");
        json_decref(o);
}
END_TEST

START_TEST(luks_on_raid1) {
        json_t *o = observe(FIXTURE("hosts/disk-luks-on-raid1"));
        json_t *root = find(o, "filesystems", "mountpoint", "/");
        json_t *raid = json_array_get(json_object_get(root, "stack"), 1);

        ASSERT_TRUE(o, "root_encrypted");
        ck_assert_str_eq(str(root, "scheme"), "LUKS1");
        ck_assert_str_eq(kinds(root), "crypt,raid,partition,disk,partition,disk");
        ck_assert_str_eq(str(raid, "level"), "raid1");
        ck_assert_uint_eq(json_array_size(json_object_get(raid, "below")), 2);
        ASSERT_FALSE(find(o, "filesystems", "mountpoint", "/boot"), "encrypted");
        json_decref(o);
}
END_TEST

START_TEST(plain_root) {
        json_t *o = observe(FIXTURE("hosts/disk-plain-root"));
        json_t *root = find(o, "filesystems", "mountpoint", "/");

        ASSERT_FALSE(o, "root_encrypted");
        ASSERT_FALSE(o, "all_encrypted");
        ASSERT_FALSE(root, "encrypted");
        ASSERT_NULL(root, "scheme");
        ck_assert_str_eq(str(root, "source"), "/dev/vda");
        ck_assert_str_eq(kinds(root), "disk");
        ck_assert_uint_eq(json_array_size(json_object_get(o, "filesystems")), 1);
        ASSERT_FALSE(o, "crypttab_present");
        ck_assert_uint_eq(json_array_size(json_object_get(o, "crypttab")), 0);
        json_decref(o);
}
END_TEST

START_TEST(encrypted_root_plain_data) {
        json_t *o = observe(FIXTURE("hosts/disk-encrypted-root-plain-data"));
        json_t *data = find(o, "filesystems", "mountpoint", "/srv/data");
        json_t *www = find(o, "filesystems", "mountpoint", "/var/www");
        json_t *swap = find(o, "swap", "device", "/srv/data/swapfile");

        ASSERT_TRUE(o, "root_encrypted");
        ASSERT_FALSE(o, "all_encrypted");
        ASSERT_FALSE(data, "encrypted");
        ck_assert_str_eq(str(data, "fstype"), "xfs");
        ASSERT_NULL(data, "bind_of");
        /* the bind mount of the same device is marked */
        ck_assert_str_eq(str(www, "bind_of"), "/srv/data");
        ck_assert_str_eq(str(www, "root"), "/www");
        ASSERT_FALSE(www, "encrypted");
        /* a swap file is as encrypted as the filesystem holding it */
        ck_assert_str_eq(str(swap, "type"), "file");
        ck_assert_str_eq(str(swap, "filesystem"), "/srv/data");
        ASSERT_FALSE(swap, "encrypted");
        /* fstab: the cdrom line is not mounted, the data disk is */
        ASSERT_FALSE(find(o, "fstab", "mountpoint", "/media/cdrom0"), "mounted");
        ASSERT_TRUE(find(o, "fstab", "mountpoint", "/srv/data"), "mounted");
        json_decref(o);
}
END_TEST

START_TEST(swapfile_on_encrypted_root) {
        json_t *o = observe(FIXTURE("hosts/disk-swapfile-encrypted-root"));
        json_t *swap = find(o, "swap", "device", "/swapfile");

        ASSERT_TRUE(swap, "encrypted");
        ck_assert_str_eq(str(swap, "scheme"), "LUKS2");
        ck_assert_str_eq(str(swap, "filesystem"), "/");
        ck_assert_int_eq(json_integer_value(json_object_get(swap, "used_kib")), 5120);
        json_decref(o);
}
END_TEST

START_TEST(plain_swap) {
        json_t *o = observe(FIXTURE("hosts/disk-plain-swap"));
        json_t *swap = find(o, "swap", "device", "/dev/vda2");

        ASSERT_TRUE(o, "root_encrypted");
        ASSERT_FALSE(swap, "encrypted");
        ASSERT_FALSE(swap, "volatile");
        ck_assert_str_eq(kinds(swap), "partition,disk");
        ASSERT_FALSE(o, "all_encrypted");
        json_decref(o);
}
END_TEST

START_TEST(swap_random_key) {
        json_t *o = observe(FIXTURE("hosts/disk-swap-random-key"));
        json_t *swap = find(o, "swap", "device", "/dev/dm-1");
        json_t *ct = find(o, "crypttab", "name", "cryptswap");

        ASSERT_TRUE(swap, "encrypted");
        ck_assert_str_eq(str(swap, "scheme"), "PLAIN");
        ck_assert_str_eq(kinds(swap), "crypt,partition,disk");
        ASSERT_TRUE(ct, "active");
        ASSERT_TRUE(ct, "random_key");
        ck_assert_str_eq(str(ct, "scheme"), "PLAIN");
        ck_assert_str_eq(str(ct, "dm"), "dm-1");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(ct, "options"), 0)), "swap");
        /* the root and /boot aside, everything is encrypted; /boot is not */
        ASSERT_FALSE(o, "all_encrypted");
        json_decref(o);
}
END_TEST

START_TEST(lvm_spanning_plain_pv) {
        json_t *o = observe(FIXTURE("hosts/disk-lvm-mixed-pv"));
        json_t *root = find(o, "filesystems", "mountpoint", "/");

        /* a crypt layer is in the stack, but one path (vdb) bypasses it */
        ck_assert_str_eq(kinds(root), "lvm,crypt,partition,disk,disk");
        ASSERT_TRUE(json_array_get(json_object_get(root, "stack"), 1), "encrypted");
        ASSERT_FALSE(root, "encrypted");
        ASSERT_NULL(root, "scheme");
        ASSERT_FALSE(o, "root_encrypted");
        json_decref(o);
}
END_TEST

START_TEST(crypttab_not_trusted) {
        json_t *o = observe(FIXTURE("hosts/disk-crypttab-inactive"));
        json_t *ct = find(o, "crypttab", "name", "cryptroot");
        json_t *data = find(o, "crypttab", "name", "cryptdata");

        /* crypttab names cryptroot, but / is on the plain vda1 */
        ASSERT_FALSE(o, "root_encrypted");
        ASSERT_FALSE(ct, "active");
        ASSERT_NULL(ct, "dm");
        ASSERT_FALSE(data, "active");
        ck_assert_str_eq(str(data, "keyfile"), "/etc/keys/data.key");
        ck_assert_int_eq(json_integer_value(json_object_get(data, "line")), 4);
        ck_assert_uint_eq(json_array_size(json_object_get(o, "crypt_mappings")), 0);
        json_decref(o);
}
END_TEST

START_TEST(zfs_native_with_zfs_get) {
        json_t *o = observe_with(FIXTURE("hosts/disk-zfs-native"),
                                 FIXTURE("hosts/disk-zfs-native/zfs-get.out"));
        json_t *root = find(o, "filesystems", "mountpoint", "/");
        json_t *boot = find(o, "filesystems", "mountpoint", "/boot");
        json_t *layer = json_array_get(json_object_get(root, "stack"), 0);

        ASSERT_TRUE(o, "root_encrypted");
        ck_assert_str_eq(str(root, "scheme"), "zfs-native");
        ck_assert_str_eq(str(root, "source"), "rpool/ROOT/debian");
        ck_assert_str_eq(str(layer, "encryption"), "aes-256-gcm");
        ck_assert_str_eq(str(layer, "encryptionroot"), "rpool");
        ck_assert_str_eq(str(layer, "pool"), "rpool");
        ASSERT_FALSE(boot, "encrypted");
        ASSERT_TRUE(find(o, "filesystems", "mountpoint", "/home"), "encrypted");
        ASSERT_FALSE(find(o, "filesystems", "mountpoint", "/boot/efi"), "encrypted");
        ck_assert_str_eq(str(json_object_get(o, "zfs"), "source"), "zfs get");
        ck_assert_str_eq(str(find(json_object_get(o, "zfs"), "datasets", "name", "rpool/home"),
                             "keystatus"), "available");
        json_decref(o);
}
END_TEST

START_TEST(zfs_under_root_is_unknown) {
        json_t *o = observe(FIXTURE("hosts/disk-zfs-native"));
        json_t *root = find(o, "filesystems", "mountpoint", "/");

        /* without `zfs get` the encryption of a dataset is not visible */
        ASSERT_NULL(o, "root_encrypted");
        ASSERT_NULL(root, "encrypted");
        ck_assert_ptr_nonnull(str(root, "unknown_reason"));
        ck_assert_str_eq(str(json_object_get(o, "zfs"), "source"), "kstat");
        ASSERT_NULL(find(json_object_get(o, "zfs"), "datasets", "name", "rpool/ROOT/debian"),
                    "encryption");
        ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(o, "zfs"), "datasets")), 4);
        json_decref(o);
}
END_TEST

/* A root with dm-0 and dm-1 each the other's slave: the walk ends. */
START_TEST(stack_cycle_terminates) {
        char tmpl[] = "/tmp/de-cycle.XXXXXX", p[512];
        const char *root = mkdtemp(tmpl);
        json_t *o, *fs;
        const char *dirs[] = { "proc/self", "sys/dev/block", "sys/devices/virtual/block/dm-0/dm",
                               "sys/devices/virtual/block/dm-1/dm",
                               "sys/devices/virtual/block/dm-0/slaves",
                               "sys/devices/virtual/block/dm-1/slaves" };
        FILE *f;

        ck_assert_ptr_nonnull(root);
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(p, sizeof p, "mkdir -p '%s/%s'", root, dirs[i]);
                ck_assert_int_eq(system(p), 0);
        }
        snprintf(p, sizeof p, "%s/proc/self/mountinfo", root);
        f = fopen(p, "w");
        fputs("28 1 253:0 / / rw - ext4 /dev/dm-0 rw\n", f);
        fclose(f);
        snprintf(p, sizeof p,
                 "cd '%s/sys' && ln -s ../../devices/virtual/block/dm-0 dev/block/253:0 && "
                 "ln -s ../../dm-1 devices/virtual/block/dm-0/slaves/dm-1 && "
                 "ln -s ../../dm-0 devices/virtual/block/dm-1/slaves/dm-0 && "
                 "echo LVM-x > devices/virtual/block/dm-0/dm/uuid && "
                 "echo LVM-y > devices/virtual/block/dm-1/dm/uuid", root);
        ck_assert_int_eq(system(p), 0);
        o = observe(root);
        fs = find(o, "filesystems", "mountpoint", "/");
        ck_assert(!json_is_true(json_object_get(fs, "encrypted")));
        ck_assert_uint_eq(json_array_size(json_object_get(fs, "stack")), 2);
        json_decref(o);
        snprintf(p, sizeof p, "rm -rf '%s'", root);
        ck_assert_int_eq(system(p), 0);
}
END_TEST

/* Output of a command, first line, or "" when it fails. */
static void run_line(const char *cmd, char *buf, size_t len) {
        FILE *f = popen(cmd, "r");

        buf[0] = '\0';
        if (!f)
                return;
        if (!fgets(buf, (int) len, f))
                buf[0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        pclose(f);
}

/* This machine: the root's source equals findmnt's, and it is encrypted
 * exactly when lsblk shows a crypt layer below it. */
START_TEST(live_root_matches_lsblk) {
        char src[512], crypt[64], cmd[700];
        json_t *o, *root;

        run_line("findmnt -n -o SOURCE / 2>/dev/null", src, sizeof src);
        if (!src[0] || src[0] != '/') {
                fprintf(stderr, "live_root_matches_lsblk: skipped (findmnt gives no device)\n");
                return;
        }
        snprintf(cmd, sizeof cmd, "lsblk -s -n -r -o TYPE '%s' 2>/dev/null | grep -c '^crypt$'", src);
        run_line(cmd, crypt, sizeof crypt);
        o = observe("/");
        root = find(o, "filesystems", "mountpoint", "/");
        ck_assert_str_eq(str(root, "source"), src);
        ck_assert_msg(json_is_true(json_object_get(o, "root_encrypted")) == (atoi(crypt) > 0),
                      "root_encrypted disagrees with lsblk (crypt layers: %s)", crypt);
        if (streq(src, "/dev/vda")) /* the build machine */
                ASSERT_FALSE(o, "root_encrypted");
        json_decref(o);
}
END_TEST

START_TEST(parse_mountinfo_real_lines) {
        static const char text[] =
                "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
                "28 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/cryptroot rw\n"
                "70 28 8:17 / /srv/my\\040data rw shared:40 master:3 - xfs /dev/sdb1 rw\n"
                "garbage line\n"
                "71 28 8:x / /bad rw - ext4 /dev/sdb1 rw\n"
                "72 28 8:17 / /nosep rw ext4 /dev/sdb1 rw\n"
                "73 28 0:44 / /boot rw - zfs bpool/BOOT/debian";
        struct de_mounts m;

        ck_assert_int_eq(de_parse_mountinfo(text, sizeof text - 1, &m), 0);
        ck_assert_uint_eq(m.n, 4);
        ck_assert_str_eq(m.v[0].root, "/mnt1");
        ck_assert_str_eq(m.v[0].mountpoint, "/mnt2");
        ck_assert_str_eq(m.v[0].fstype, "ext3");
        ck_assert_uint_eq(m.v[0].major, 98);
        ck_assert_str_eq(m.v[2].mountpoint, "/srv/my data");
        ck_assert_uint_eq(m.v[2].minor, 17);
        ck_assert_str_eq(m.v[3].source, "bpool/BOOT/debian");
        de_mounts_free(&m);
}
END_TEST

START_TEST(parse_swaps_real_lines) {
        static const char text[] =
                "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                "/dev/dm-1                               partition\t2097148\t\t0\t\t-2\n"
                "/var/my\\040swap                         file\t\t1048572\t\t512\t\t-3\n"
                "/dev/zram0                              partition\t4194300\t\t0\t\t100\n"
                "/x bogus 1 2 3\n";
        struct de_swaps s;

        ck_assert_int_eq(de_parse_swaps(text, sizeof text - 1, &s), 0);
        ck_assert_uint_eq(s.n, 3);
        ck_assert_str_eq(s.v[0].path, "/dev/dm-1");
        ck_assert(!s.v[0].is_file);
        ck_assert_int_eq(s.v[0].priority, -2);
        ck_assert_str_eq(s.v[1].path, "/var/my swap");
        ck_assert(s.v[1].is_file);
        ck_assert_int_eq(s.v[1].used_kib, 512);
        ck_assert_int_eq(s.v[2].priority, 100);
        de_swaps_free(&s);
}
END_TEST

START_TEST(parse_tab_crypttab_fstab) {
        static const char ct[] = "# <target name> <source device> <key file> <options>\n\n"
                                 "cryptroot UUID=4c1b none luks,discard\n"
                                 "  cryptswap\t/dev/vda3\t/dev/urandom\tswap,cipher=aes-xts-plain64\n"
                                 "lonely\n";
        static const char fs[] = "/dev/sdb1 /srv/my\\040data xfs defaults 0 2\n";
        struct de_tab t;

        ck_assert_int_eq(de_parse_tab(ct, sizeof ct - 1, 2, &t), 0);
        ck_assert_uint_eq(t.n, 2);
        ck_assert_str_eq(t.v[0].f[0], "cryptroot");
        ck_assert_str_eq(t.v[0].f[3], "luks,discard");
        ck_assert_uint_eq(t.v[0].line, 3);
        ck_assert_str_eq(t.v[1].f[2], "/dev/urandom");
        ck_assert_ptr_null(t.v[1].f[4]);
        de_tab_free(&t);
        ck_assert_int_eq(de_parse_tab(fs, sizeof fs - 1, 2, &t), 0);
        ck_assert_uint_eq(t.n, 1);
        ck_assert_str_eq(t.v[0].f[1], "/srv/my data");
        ck_assert_str_eq(t.v[0].f[5], "2");
        de_tab_free(&t);
}
END_TEST

START_TEST(classify_dm_uuids) {
        struct de_dm_class c;

        de_classify_dm_uuid("CRYPT-LUKS2-4c1b7e2a9d5f4e3b8a6c0d1e2f3a4b5c-cryptroot\n", &c);
        ck_assert(c.kind == DE_DM_CRYPT && c.encrypting);
        ck_assert_str_eq(c.type, "LUKS2");
        de_classify_dm_uuid("CRYPT-PLAIN-cryptswap", &c);
        ck_assert(c.encrypting);
        ck_assert_str_eq(c.type, "PLAIN");
        de_classify_dm_uuid("CRYPT-BITLK-1234-win", &c);
        ck_assert(c.encrypting);
        /* integrity and verity targets are cryptsetup's but do not encrypt */
        de_classify_dm_uuid("CRYPT-VERITY-0123456789abcdef-root_verity", &c);
        ck_assert(c.kind == DE_DM_CRYPT && !c.encrypting);
        de_classify_dm_uuid("CRYPT-INTEGRITY-data", &c);
        ck_assert(!c.encrypting);
        de_classify_dm_uuid("LVM-Wd3jHkT0VnYb8aQpZc1xLr5sGm2fEe9uK4oP7iB6nS3tJ0yH8vD2cF5gA1qW9zXe", &c);
        ck_assert(c.kind == DE_DM_LVM && !c.encrypting);
        de_classify_dm_uuid("mpath-3600508b4000156d700012000000b0000", &c);
        ck_assert(c.kind == DE_DM_MPATH);
        de_classify_dm_uuid("part1-mpath-3600508b4000156d700012000000b0000", &c);
        ck_assert(c.kind == DE_DM_PART);
        de_classify_dm_uuid("", &c);
        ck_assert(c.kind == DE_DM_OTHER && !c.encrypting);
}
END_TEST

START_TEST(parse_zfs_outputs) {
        static const char get[] = "rpool\tencryption\taes-256-gcm\nrpool\tkeystatus\tavailable\n"
                                  "rpool\tencryptionroot\trpool\nbpool\tencryption\toff\n"
                                  "bpool\tkeystatus\t-\nnot a row\n";
        static const char kstat[] = "49 1 0x01 7 2160 5753788254 66116417920\n"
                                    "name                            type data\n"
                                    "dataset_name                    7    rpool/ROOT/debian\n"
                                    "writes                          4    0\n";
        struct de_zfs_datasets z;
        char *name;

        ck_assert_int_eq(de_parse_zfs_get(get, sizeof get - 1, &z), 0);
        ck_assert_uint_eq(z.n, 2);
        ck_assert_str_eq(z.v[0].encryption, "aes-256-gcm");
        ck_assert_str_eq(z.v[0].encryptionroot, "rpool");
        ck_assert_str_eq(z.v[1].encryption, "off");
        ck_assert_ptr_null(z.v[1].keystatus);
        de_zfs_datasets_free(&z);
        ck_assert_int_eq(de_parse_kstat_dataset_name(kstat, sizeof kstat - 1, &name), 0);
        ck_assert_str_eq(name, "rpool/ROOT/debian");
        free(name);
        ck_assert_int_eq(de_parse_kstat_dataset_name("name type data\n", 15, &name), -ENOENT);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("probe_disk_encryption");
        TCase *fx = tcase_create("fixtures"), *live = tcase_create("live"),
              *parse = tcase_create("parsers");

        tcase_add_test(fx, luks2_root);
        tcase_add_test(fx, lvm_on_luks);
        tcase_add_test(fx, luks_on_raid1);
        tcase_add_test(fx, plain_root);
        tcase_add_test(fx, encrypted_root_plain_data);
        tcase_add_test(fx, swapfile_on_encrypted_root);
        tcase_add_test(fx, plain_swap);
        tcase_add_test(fx, swap_random_key);
        tcase_add_test(fx, lvm_spanning_plain_pv);
        tcase_add_test(fx, crypttab_not_trusted);
        tcase_add_test(fx, zfs_native_with_zfs_get);
        tcase_add_test(fx, zfs_under_root_is_unknown);
        tcase_add_test(fx, stack_cycle_terminates);
        tcase_add_test(live, live_root_matches_lsblk);
        tcase_add_test(parse, parse_mountinfo_real_lines);
        tcase_add_test(parse, parse_swaps_real_lines);
        tcase_add_test(parse, parse_tab_crypttab_fstab);
        tcase_add_test(parse, classify_dm_uuids);
        tcase_add_test(parse, parse_zfs_outputs);
        suite_add_tcase(s, fx);
        suite_add_tcase(s, live);
        suite_add_tcase(s, parse);
        return s;
}

TEST_MAIN()
