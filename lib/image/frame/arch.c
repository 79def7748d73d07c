/*
 * Architecture names for core_entry.mtype: a fact of the image format that
 * the model, the OCI annotations and the tools all name the same way.
 */
#include "crimg/image.h"
#include "core.pb-c.h"

const char *crimg_arch_name(unsigned mtype)
{
	static const char *const names[] = {
		[CORE_ENTRY__MARCH__X86_64] = "x86_64",
		[CORE_ENTRY__MARCH__ARM] = "arm",
		[CORE_ENTRY__MARCH__AARCH64] = "aarch64",
		[CORE_ENTRY__MARCH__PPC64] = "ppc64le",
		[CORE_ENTRY__MARCH__S390] = "s390x",
		[CORE_ENTRY__MARCH__MIPS] = "mips64",
		[CORE_ENTRY__MARCH__LOONGARCH64] = "loongarch64",
		[CORE_ENTRY__MARCH__RISCV64] = "riscv64",
	};
	return mtype < sizeof(names) / sizeof(names[0]) && names[mtype] ? names[mtype] : "unknown";
}
