#include <stdlib.h>

#include "unit.h"

static struct unit_test *tests;
static int passed, failed, cur_failed;

void unit_register(struct unit_test *t)
{
	t->next = tests;
	tests = t;
}

void unit_expect(int ok, const char *file, int line, const char *what)
{
	if (ok)
		return;
	cur_failed = 1;
	printf("  FAIL %s:%d: %s\n", file, line, what);
}

int main(void)
{
	for (struct unit_test *t = tests; t; t = t->next) {
		cur_failed = 0;
		t->fn();
		if (cur_failed) {
			failed++;
			printf("  FAIL %s\n", t->name);
		} else {
			passed++;
			printf("  ok   %s\n", t->name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
