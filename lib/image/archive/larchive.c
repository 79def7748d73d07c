/* libarchive through dlopen: see larchive.h for why. */
#include <dlfcn.h>
#include <string.h>

#include "archive/larchive.h"

int crimg_la_open(struct crimg_la *la, struct crimg_error *err)
{
	memset(la, 0, sizeof(*la));
	/* the soname of the libarchive the build was made against, then any */
	la->handle = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
	if (!la->handle)
		la->handle = dlopen("libarchive.so", RTLD_NOW | RTLD_LOCAL);
	if (!la->handle)
		return crimg_fail(err, NULL, -1, -1, "cannot load libarchive to read archives: %s",
				  dlerror());
#define X(ret, name, args)                                                          \
	*(void **)&la->name = dlsym(la->handle, #name);                             \
	if (!la->name) {                                                            \
		crimg_la_close(la);                                                 \
		return crimg_fail(err, NULL, -1, -1, "libarchive lacks %s", #name); \
	}
	CRIMG_LA_FUNCS(X)
#undef X
	return 0;
}

void crimg_la_close(struct crimg_la *la)
{
	if (la->handle)
		dlclose(la->handle);
	la->handle = NULL;
}
