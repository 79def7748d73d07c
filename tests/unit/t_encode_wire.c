/*
 * The wire-format encoder (json/encode_wire.c) against protobuf-c: the
 * same JSON encoded both ways must give the same bytes, for hand-made
 * edge cases and for every JSON image of the corpus.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crimg/image.h"
#include "crimg/json.h"
#include "unit.h"

/* Encodes the JSON in fd; returns the image bytes (malloc'd) or NULL. */
static uint8_t *encode_fd(int in, unsigned flags, size_t *len, char *why, size_t whylen)
{
	struct crimg_encode_opts o = { .byte_order = CRIMG_LITTLE_ENDIAN, .flags = flags };
	struct crimg_error err;
	crimg_error_clear(&err);
	int out = memfd_create("img", 0);
	lseek(in, 0, SEEK_SET);
	uint8_t *buf = NULL;
	if (out >= 0 && crimg_json_encode(in, "in.json", out, "out.img", &o, &err) == 0) {
		off_t n = lseek(out, 0, SEEK_END);
		buf = malloc(n > 0 ? (size_t)n : 1);
		if (buf && pread(out, buf, (size_t)n, 0) == n) {
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	} else {
		crimg_error_str(&err, why, whylen);
	}
	if (out >= 0)
		close(out);
	return buf;
}

/* 1 when both encoders agree (both fail, or both give the same bytes). */
static int same_both_ways(int fd, const char *what)
{
	char e1[512] = "", e2[512] = "";
	size_t n1 = 0, n2 = 0;
	uint8_t *a = encode_fd(fd, 0, &n1, e1, sizeof(e1));
	uint8_t *b = encode_fd(fd, CRIMG_ENCODE_VIA_MESSAGES, &n2, e2, sizeof(e2));
	int ok = (!a && !b && strcmp(e1, e2) == 0) || (a && b && n1 == n2 && memcmp(a, b, n1) == 0);
	if (!ok)
		fprintf(stderr, "  %s: wire %s (%s), protobuf-c %s (%s)\n", what,
			a ? "encoded" : "failed", e1, b ? "encoded" : "failed", e2);
	free(a);
	free(b);
	return ok;
}

static int same_for_text(const char *json)
{
	int fd = memfd_create("json", 0);
	if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json))
		return 0;
	int ok = same_both_ways(fd, json);
	close(fd);
	return ok;
}

TEST(wire_encoder_matches_protobuf_c_on_edge_cases)
{
	static const char *const cases[] = {
		/* field order as crit writes it, and shuffled */
		"{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": 1, \"ppid\": 0, \"pgid\": 1, \"sid\": 1}]}",
		"{\"magic\": \"PSTREE\", \"entries\": [{\"sid\": 1, \"pgid\": 7, \"ppid\": 0, \"pid\": 1}]}",
		/* a key given twice: the last value wins */
		"{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": 1, \"ppid\": 0, \"pgid\": 1, \"sid\": 1, \"pid\": 9}]}",
		"{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": 1, \"threads\": [1, 2], \"ppid\": 0, \"pgid\": 1, \"sid\": 1, \"threads\": [3]}]}",
		/* negative int32, sint32 and sint64 */
		"{\"magic\": \"REG_FILES\", \"entries\": [{\"id\": 1, \"flags\": 2, \"pos\": 0, \"fown\": {\"uid\": 0, \"euid\": 0, \"signum\": 0, \"pid_type\": 0, \"pid\": 0}, \"name\": \"/x\", \"mnt_id\": -1}]}",
		"{\"magic\": \"MM\", \"entries\": [{\"mm_start_code\": 1, \"mm_end_code\": 2, \"mm_start_data\": 3, \"mm_end_data\": 4, \"mm_start_stack\": 5, \"mm_start_brk\": 6, \"mm_brk\": 7, \"mm_arg_start\": 8, \"mm_arg_end\": 9, \"mm_env_start\": 10, \"mm_env_end\": 11, \"exe_file_id\": 12, \"vmas\": [{\"start\": 4096, \"end\": 8192, \"pgoff\": 0, \"shmid\": 0, \"prot\": 3, \"flags\": 34, \"status\": 1, \"fd\": -1}, {\"fd\": -9223372036854775808, \"end\": 18446744073709551615, \"start\": 0, \"pgoff\": 0, \"shmid\": 0, \"prot\": 0, \"flags\": 0, \"status\": 0}]}]}",
		/* a nested message of more than 127 bytes (two length bytes) */
		"{\"magic\": \"REG_FILES\", \"entries\": [{\"id\": 1, \"flags\": 2, \"pos\": 0, \"fown\": {\"uid\": 0, \"euid\": 0, \"signum\": 0, \"pid_type\": 0, \"pid\": 0}, \"name\": \"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}]}",
		"{\"magic\": \"FILES\", \"entries\": [{\"type\": \"REG\", \"id\": 1, \"reg\": {\"id\": 1, \"flags\": 2, \"pos\": 0, \"fown\": {\"uid\": 0, \"euid\": 0, \"signum\": 0, \"pid_type\": 0, \"pid\": 0}, \"name\": \"/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}}]}",
		/* errors: both must fail with the same message */
		"{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": 1, \"ppid\": 0, \"pgid\": 1}]}",
		"{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": 4294967296, \"ppid\": 0, \"pgid\": 1, \"sid\": 1}]}",
		"{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": \"x\", \"ppid\": 0, \"pgid\": 1, \"sid\": 1}]}",
		"{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": 1, \"nope\": 0}]}",
		"{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": 1, \"ppid\": 0, \"pgid\": 1, \"sid\": 1, \"extra\": \"AA==\"}]}",
		/* hex, dictionary words and IP addresses as crit --pretty writes them */
		"{\"magic\": \"PAGEMAP\", \"entries\": [{\"pages_id\": 1}, {\"vaddr\": \"0x7f0000001000\", \"nr_pages\": 3, \"flags\": \"PE_PRESENT\"}]}",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT(same_for_text(cases[i]));
}

/* Integer texts of every length around the fast parser's eight-digit
 * steps, signs, leading zeros and things that are no plain integer, in
 * fields of 32 and 64 bits, signed and not, and at the very end of the
 * input (where fewer than eight bytes are left to look at). */
TEST(wire_encoder_matches_protobuf_c_on_integer_texts)
{
	static const char *const nums[] = {
		"0",
		"7",
		"10",
		"99",
		"123",
		"4096",
		"65535",
		"1234567",
		"12345678",
		"123456789",
		"1234567890",
		"2147483647",
		"2147483648",
		"4294967295",
		"4294967296",
		"123456789012345",
		"9223372036854775807",
		"9223372036854775808",
		"18446744073709551615",
		"18446744073709551616",
		"99999999999999999999",
		"-1",
		"-7",
		"-12345678",
		"-2147483648",
		"-2147483649",
		"-9223372036854775808",
		"-9223372036854775809",
		"-0",
		"00",
		"01",
		"-01",
		"1.0",
		"1e3",
		"1E3",
		"-",
		"12345678.5",
		"0x10",
	};
	int bad = 0;
	char json[512];
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		/* uint32 (pid), int32 (sid via pgid), uint64 and int64 (a VMA) */
		snprintf(json, sizeof(json),
			 "{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": %s, \"ppid\": 0, "
			 "\"pgid\": %s, \"sid\": 1}]}",
			 nums[i], nums[i]);
		bad += !same_for_text(json);
		snprintf(json, sizeof(json),
			 "{\"magic\": \"MM\", \"entries\": [{\"mm_start_code\": %s, "
			 "\"mm_end_code\": 2, \"mm_start_data\": 3, \"mm_end_data\": 4, "
			 "\"mm_start_stack\": 5, \"mm_start_brk\": 6, \"mm_brk\": 7, "
			 "\"mm_arg_start\": 8, \"mm_arg_end\": 9, \"mm_env_start\": 10, "
			 "\"mm_env_end\": 11, \"exe_file_id\": 12, \"vmas\": [{\"start\": %s, "
			 "\"end\": 8192, \"pgoff\": 0, \"shmid\": 0, \"prot\": 3, \"flags\": 34, "
			 "\"status\": 1, \"fd\": %s}]}]}",
			 nums[i], nums[i], nums[i]);
		bad += !same_for_text(json);
		/* the number last in the input, with no closing brackets */
		snprintf(json, sizeof(json),
			 "{\"magic\": \"PSTREE\", \"entries\": [{\"ppid\": 0, \"pgid\": 1, "
			 "\"sid\": 1, \"pid\": %s",
			 nums[i]);
		bad += !same_for_text(json);
	}
	EXPECT(bad == 0);
}

TEST(wire_encoder_matches_protobuf_c_on_the_corpus)
{
	const char *corpus = getenv("CRIMG_CORPUS");
	DIR *top = corpus ? opendir(corpus) : NULL;
	if (!top) {
		printf("  (no corpus: %s)\n", corpus ? corpus : "CRIMG_CORPUS unset");
		return;
	}
	struct dirent *t;
	size_t n = 0, bad = 0;
	while ((t = readdir(top))) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/%s/expected", corpus, t->d_name);
		DIR *d = t->d_name[0] == '.' ? NULL : opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t l = strlen(e->d_name);
			/* NAME.img.json and NAME.img.pretty.json */
			if (l < 5 || strcmp(e->d_name + l - 5, ".json") != 0 ||
			    !strstr(e->d_name, ".img."))
				continue;
			char path[8192];
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			int fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			n++;
			if (!same_both_ways(fd, path))
				bad++;
			close(fd);
		}
		if (d)
			closedir(d);
	}
	closedir(top);
	printf("  %zu corpus JSON images encoded both ways, %zu differ\n", n, bad);
	EXPECT(n > 0 && bad == 0);
}
