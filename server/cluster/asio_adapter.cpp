// asio_adapter.cpp — the addRead/delRead/addWrite/delWrite/cleanup hooks as async_waits.
#include "asio_adapter.hpp"

#include <memory>

#include <boost/asio/posix/stream_descriptor.hpp>

namespace chat::cluster {

namespace {

using boost::asio::posix::stream_descriptor;

// One per attached context. hiredis holds a raw pointer (ev.data); the object keeps itself
// alive through `self` until cleanup, and every outstanding wait holds a reference too, so a
// wait that completes after cleanup finds a valid object whose `ac` is null.
struct Events : std::enable_shared_from_this<Events> {
    Events(redisAsyncContext* c, const Strand& strand) : ac(c), fd(strand, c->c.fd) {}

    redisAsyncContext* ac;
    stream_descriptor fd;
    bool want_read = false, want_write = false;
    bool reading = false, writing = false;  // a wait of that kind is outstanding
    std::shared_ptr<Events> self;

    void arm_read() {
        if (reading || !ac) return;
        reading = true;
        fd.async_wait(stream_descriptor::wait_read, [s = shared_from_this()](const boost::system::error_code& ec) {
            s->reading = false;
            if (ec || !s->ac || !s->want_read) return;
            redisAsyncHandleRead(s->ac);  // may end in cleanup: s->ac is then null
            if (s->ac && s->want_read) s->arm_read();
        });
    }

    void arm_write() {
        if (writing || !ac) return;
        writing = true;
        fd.async_wait(stream_descriptor::wait_write, [s = shared_from_this()](const boost::system::error_code& ec) {
            s->writing = false;
            if (ec || !s->ac || !s->want_write) return;
            redisAsyncHandleWrite(s->ac);  // calls delWrite once the output buffer is empty
            if (s->ac && s->want_write) s->arm_write();
        });
    }
};

Events* from(void* privdata) { return static_cast<Events*>(privdata); }

void add_read(void* p) {
    auto* e = from(p);
    e->want_read = true;
    e->arm_read();
}
void del_read(void* p) { from(p)->want_read = false; }
void add_write(void* p) {
    auto* e = from(p);
    e->want_write = true;
    e->arm_write();
}
void del_write(void* p) { from(p)->want_write = false; }
void cleanup(void* p) {
    auto* e = from(p);
    e->want_read = e->want_write = false;
    e->ac = nullptr;
    (void)e->fd.release();  // cancels the outstanding waits; hiredis closes the fd itself
    auto keep = std::move(e->self);  // the object goes once the cancelled waits have run
}

}  // namespace

int attach_asio(redisAsyncContext* ac, const Strand& strand) {
    if (ac->ev.data != nullptr) return REDIS_ERR;
    auto events = std::make_shared<Events>(ac, strand);
    events->self = events;
    ac->ev.data = events.get();
    ac->ev.addRead = add_read;
    ac->ev.delRead = del_read;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = del_write;
    ac->ev.cleanup = cleanup;
    return REDIS_OK;
}

}  // namespace chat::cluster
