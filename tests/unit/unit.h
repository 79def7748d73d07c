/* A tiny unit-test harness: TEST(name) registers itself; EXPECT counts. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};
void unit_register(struct unit_test *t);
void unit_expect(int ok, const char *file, int line, const char *what);

#define TEST(name)                                                          \
	static void test_##name(void);                                      \
	static struct unit_test unit_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)           \
	{                                                                   \
		unit_register(&unit_##name);                                \
	}                                                                   \
	static void test_##name(void)

#define EXPECT(cond) unit_expect(!!(cond), __FILE__, __LINE__, #cond)
#define EXPECT_STR(a, b) unit_expect(strcmp((a), (b)) == 0, __FILE__, __LINE__, #a " == " #b)

#endif
