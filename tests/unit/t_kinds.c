/* The kinds table: lookups by magic, by name and by file name. */
#include "crimg/image.h"
#include "unit.h"

TEST(kind_by_magic_and_name)
{
	const struct crimg_kind *k = crimg_kind_by_magic(0x55053847);
	EXPECT(k && strcmp(k->name, "CORE") == 0);
	EXPECT(crimg_kind_by_name("PAGEMAP") &&
	       crimg_kind_by_name("PAGEMAP")->layout == CRIMG_LAYOUT_PAGEMAP);
	EXPECT(crimg_kind_by_magic(0) == NULL);
	EXPECT(crimg_kind_by_name("NO_SUCH") == NULL);
	/* every magic is unique, every protobuf kind has a descriptor */
	for (size_t i = 0; i < crimg_kind_count(); i++) {
		const struct crimg_kind *a = crimg_kind_at(i);
		if (a->magic)
			EXPECT(crimg_kind_by_magic(a->magic) == a);
		EXPECT(crimg_kind_by_name(a->name) == a);
		if (a->layout != CRIMG_LAYOUT_RAW && strcmp(a->name, "KDAT"))
			EXPECT(a->desc != NULL);
	}
}

TEST(kind_by_filename)
{
	struct {
		const char *file, *kind;
	} cases[] = {
		{ "core-3635.img", "CORE" },
		{ "dir/pages-1.img", "PAGES" },
		{ "pagemap-shmem-219.img", "PAGEMAP" },
		{ "tcp-stream-14f84.img", "TCP_STREAM" },
		{ "ghost-file-1a.img", "GHOST_FILE" },
		{ "tmpfs-dev-41.tar.gz.img", "TMPFS_DEV" },
		{ "stats-dump", "STATS" },
		{ "signal-p-12.img", "SIGNAL" },
		{ "ifaddr-10.img", "IFADDR" },
		{ "inventory.img", "INVENTORY" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct crimg_kind *k = crimg_kind_by_path(cases[i].file);
		EXPECT(k && strcmp(k->name, cases[i].kind) == 0);
		if (!k || strcmp(k->name, cases[i].kind))
			printf("  (%s)\n", cases[i].file);
	}
	EXPECT(crimg_kind_by_path("core-.img") == NULL);
	EXPECT(crimg_kind_by_path("core-12x.img") == NULL);
	EXPECT(crimg_kind_by_path("random.txt") == NULL);
}
