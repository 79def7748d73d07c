/* What the memory view (view_mem.c) lends the memory-wide search
 * (view_search.c): the pattern syntax, shared objects, a hit to show. */
#ifndef CRIMG_TUI_MEM_VIEW_H
#define CRIMG_TUI_MEM_VIEW_H
#include "tui.h"

/* A search pattern as typed: "x:de ad be ef" (hex bytes), "re:REGEX"
 * (PCRE2), "s:TEXT" or plain TEXT (literal, case-sensitive).  NULL with
 * the reason in err (n bytes) when it is not one. */
struct crimg_mem_pattern *tui_mem_pattern(const char *text, char *err, size_t n);
/* Does the checkpoint hold a memory map for pid (mm image, or a
 * pre-dump's pagemap)?  A zombie has none. */
int tui_mem_has_memory(struct tui *t, uint32_t pid);
/* The hex view of shared memory object id (pagemap-shmem-ID.img), addressed
 * by offset, cursor at off. */
struct tui_view *tui_view_mem_shmem(struct tui *t, uint64_t id, uint64_t off);
/* Marks [addr, addr + len) of memory view v as a search hit (TR_MATCH). */
void tui_mem_show_hit(struct tui_view *v, uint64_t addr, uint64_t len);

#endif
