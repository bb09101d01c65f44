// agent_session.hpp — one agent's (or manager's) WebSocket (/ws/agent).
//
// Nothing is accepted before the connection is authenticated: by the session cookie of
// POST /api/login sent with the upgrade, or by a first frame {"type":"auth","token":…}.
// Then frames go to the core, which checks that the agent acts only on its own
// conversations. A session that expires or is revoked is closed (1008).
#pragma once

#include "auth_service.hpp"
#include "websocket_session.hpp"

namespace chat::server {

class AgentSession : public WebSocketSession {
public:
    using WebSocketSession::WebSocketSession;

protected:
    void on_open(const http::request<http::string_body>& req) override;
    void on_text(std::string_view text) override;
    void on_closed() override;

private:
    void authenticated(Principal who);

    std::uint64_t id_ = 0;
    std::string token_;
    std::optional<Principal> who_;
    int unauthenticated_frames_ = 0;
};

}  // namespace chat::server
