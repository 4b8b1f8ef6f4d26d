//! The allocator: jemalloc, because glibc's kept what a burst had freed. With its defaults glibc
//! keeps one arena per busy thread (up to 8 per core) and raises its `mmap` threshold after every
//! large free, so later large buffers (decoded traces, backend answers) land in arenas and stay
//! resident: the bench measured 307 MB after its load run, most of it already freed. jemalloc's
//! background threads return pages unused for a few seconds (`dirty_decay_ms`).

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
