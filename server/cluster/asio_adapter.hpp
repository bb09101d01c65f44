// asio_adapter.hpp — hiredis's async API driven by an Asio strand.
//
// hiredis ships adapters for libev, libevent, libuv… but none for Asio. This is one: hiredis
// says when it wants to read or write its socket (addRead/delRead/addWrite/delWrite), and each
// wish becomes an async_wait on a posix::stream_descriptor that wraps the connection's fd,
// completing on `strand`, where redisAsyncHandleRead/Write then run. Nothing ever blocks a
// network thread, and every hiredis call for the context happens on that one strand.
// cleanup releases the descriptor without closing it (hiredis closes its own fd) and cancels
// the waits still outstanding; their handlers see the context gone and do nothing.
//
// Internal to server/cluster: included by the connection only, so Asio stays out of the
// headers other parts of the server include.
#pragma once

#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace chat::cluster {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// Attaches `ac` (just created by redisAsyncConnect, not yet attached) to `strand`. Returns
// REDIS_OK, or REDIS_ERR when the context already has an event library.
int attach_asio(redisAsyncContext* ac, const Strand& strand);

}  // namespace chat::cluster
