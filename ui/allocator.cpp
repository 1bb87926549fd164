#include "allocator.h"

#include <cstdlib> // defines __GLIBC__ (through <features.h>) before the test below

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace stampede::ui {

void tuneAllocatorForLongRuns()
{
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 2); // the GUI thread's and one the engines share: they allocate little per request
    mallopt(M_MMAP_THRESHOLD, 1 << 20); // fixed: glibc would otherwise raise it after each large free
#endif
}

} // namespace stampede::ui
