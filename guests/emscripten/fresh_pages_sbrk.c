// sbrk() for wasmatrix guests linked by Emscripten: the heap grows only into pages this guest
// grew itself (memory.grow), never into the memory after its own data. Emscripten's sbrk bumps
// a pointer up from __heap_base, which under the shared transport would walk into the other
// guest's data; Rust's allocator on wasm32-unknown-unknown takes fresh pages in the same way.
// Defining sbrk here keeps libc's sbrk.o (and its emscripten_resize_heap, which imports
// env.emscripten_notify_memory_growth) out of the link. dlmalloc copes with non-contiguous
// results (another guest may grow the shared memory between two calls).
#include <errno.h>
#include <stdint.h>

#define PAGE 65536u

static uintptr_t cur, end; // the unused rest of the pages this guest grew last

void *sbrk(intptr_t increment) {
  uintptr_t top = __builtin_wasm_memory_size(0) * PAGE;
  if (end != top) { // first call, or another guest grew the memory since: start at its end
    cur = end = top;
  }
  if (increment < 0) { // dlmalloc here never trims (MORECORE_CANNOT_TRIM)
    errno = ENOMEM;
    return (void *)-1;
  }
  uintptr_t want = ((uintptr_t)increment + 3) & ~(uintptr_t)3;
  if (want > end - cur) {
    uintptr_t pages = (want - (end - cur) + PAGE - 1) / PAGE;
    if (__builtin_wasm_memory_grow(0, pages) == (uintptr_t)-1) {
      errno = ENOMEM;
      return (void *)-1;
    }
    end += pages * PAGE;
  }
  void *old = (void *)cur;
  cur += want;
  return old;
}

int brk(void *addr) { // never used by dlmalloc; defined so libc's sbrk.o is never linked
  (void)addr;
  errno = ENOMEM;
  return -1;
}
