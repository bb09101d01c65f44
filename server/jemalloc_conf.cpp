// jemalloc_conf.cpp — chatd's settings for jemalloc, its allocator (server/CMakeLists.txt),
// given through jemalloc's documented `malloc_conf` symbol, read when it starts.
//
// background_thread: jemalloc returns freed pages to the system from a thread of its own.
// Without it, pages are only purged when the process allocates, so memory freed in a burst
// (a replay's scratch, closed conversations' histories leaving for the log) stays resident
// for as long as the server is quiet.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true";
}
