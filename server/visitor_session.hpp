// visitor_session.hpp — one shopper's connection as the chat sees it (/ws/visitor).
//
// Owns no socket and no conversation: it works out who the visitor is (a token from a previous
// visit, in the query or a `resume` frame, or a new visitor), checks each frame and hands it to
// the core. It runs on the visitor thread, called by its VisitorConnection (the transport); what
// it tells the core leaves with the rest of the loop's round in one post, and its errors go back
// through the connection's buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "shared_state.hpp"

namespace chat::server {

class FrameSink;
class VisitorConnection;

class VisitorSession {
public:
    VisitorSession(SharedState& state, VisitorConnection& conn) : state_(state), conn_(conn) {}

    // The upgrade was accepted; `target` is the request's path and query.
    void opened(std::string_view target, std::weak_ptr<FrameSink> sink);
    void text(std::string_view text);
    void closed();

private:
    void hello(std::optional<std::uint64_t> last_seq);
    void gone();

    SharedState& state_;
    VisitorConnection& conn_;
    std::weak_ptr<FrameSink> sink_;
    std::uint64_t id_ = 0;
    bool open_ = false;
    std::string visitor_, token_, lang_, page_;
};

}  // namespace chat::server
