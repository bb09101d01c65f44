// relay_floor.cpp — the Node.js baseline relay (bench/baseline/relay.mjs) written as lean as
// C++ on Linux allows: the ceiling of what any server can sustain on this machine for
// chat-bench's load, the same protocol subset and the same durability.
//
//   relay-floor --port P --data DIR [--commit-window-us 2000]
//
// It does what relay.mjs does, with the same frames and log lines for chat-bench's
// conversations and the same error frames for bad input: a welcome on connect; a message is
// appended (conversation.opened when it opens one, the visitor's message, the bot's answer
// from the same six keyword answers) and, once durable, echoed, acked and answered;
// helpful/resolve → conversation.resolved then `resolved`; csat → `ok` and the next message
// opens a new conversation; handoff → no_agent. Nothing chatd adds is here: no FAQ engine, no
// routing state, no agents, no history, no KPIs, no limits beyond the frame size. The loop,
// the WebSocket framing and the group commit are floor_loop.cpp's. Frames are read with
// simdjson; client strings go back out as their raw JSON tokens (already valid JSON), so
// nothing is re-escaped.
#include <sys/random.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "floor_loop.hpp"

namespace {

using chat::floor::append_text_frame;
using chat::floor::ConnId;
using chat::floor::now_ms;

struct Answer {
    const char* stems[5];
    const char* faq;
    const char* text;
};
// relay.mjs's six answers, its regular expressions as case-insensitive substrings.
const Answer kFaq[] = {
    {{"livr", "deliver", "ship", "arriv", nullptr}, "delivery_time", "Orders arrive in 2 to 4 working days."},
    {{"rembours", "refund", nullptr}, "refund_status", "Refunds are paid within 5 days of receiving the return."},
    {{"retour", "return", nullptr}, "return_policy", "You have 30 days to return an item."},
    {{"pay", "paie", "carte", "card", nullptr}, "payment_methods", "We accept cards, PayPal and bank transfer."},
    {{"code", "promo", nullptr}, "promo_code", "Enter the code in your basket before paying."},
    {{"suivi", "track", "colis", "parcel", "where"}, "order_tracking", "Your tracking link is in the confirmation email."},
};

bool contains_ci(std::string_view hay, std::string_view needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           }) != hay.end();
}

const Answer* answer(std::string_view text) {
    for (const auto& a : kFaq)
        for (const char* s : a.stems)
            if (s && contains_ci(text, s)) return &a;
    return nullptr;
}

struct Visitor {
    std::string id;
    std::string conv;  // empty: none open
    std::uint64_t conv_seq = 0;
};

class RelayApp : public chat::floor::App {
public:
    explicit RelayApp(chat::floor::Loop& loop) : loop_(loop) {}

    void opened(ConnId c) override {
        Visitor& v = visitors_[c];
        unsigned char raw[8];
        if (::getrandom(raw, sizeof raw, 0) != sizeof raw) std::memset(raw, 0, sizeof raw);
        static constexpr char hex[] = "0123456789abcdef";
        for (unsigned char b : raw) {
            v.id += hex[b >> 4];
            v.id += hex[b & 15];
        }
        std::string f;
        append_text_frame(f, R"({"type":"welcome","visitor":")" + v.id + R"(","token":")" + v.id + R"(","conv":null,"last_seq":0})");
        loop_.send(c, f);
    }
    void closed(ConnId c) override { visitors_.erase(c); }
    void binary(ConnId c) override { error(c, "bad_request", "binary frames are not accepted"); }
    void text(ConnId c, std::string_view body) override;

private:
    void error(ConnId c, std::string_view code, std::string_view msg) {
        std::string f;
        append_text_frame(f, R"({"type":"error","code":")" + std::string(code) + R"(","message":")" + std::string(msg) + "\"}");
        loop_.send(c, f);
    }
    std::string line_head(std::string_view type) {
        std::string l = R"({"v":1,"node":"node-baseline","seq":)";
        l += std::to_string(++log_seq_);
        l += R"(,"ts":)";
        l += std::to_string(now_ms());
        l += R"(,"type":")";
        l += type;
        l += '"';
        return l;
    }
    void durable(ConnId c, std::string_view lines, std::string frames, std::string_view failed_msg) {
        std::vector<chat::floor::Reply> r(1);
        r[0].conn = c;
        r[0].frames = std::move(frames);
        append_text_frame(r[0].failed, R"({"type":"error","code":"unavailable","message":")" + std::string(failed_msg) + "\"}");
        loop_.durable(lines, std::move(r));
    }
    // A raw JSON token as simdjson gives it may carry the spaces up to the next token.
    static std::string_view trimmed(std::string_view raw) {
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);
        return raw;
    }

    chat::floor::Loop& loop_;
    std::unordered_map<ConnId, Visitor> visitors_;
    std::uint64_t convs_ = 0, log_seq_ = 0;
    simdjson::ondemand::parser parser_;
};

void RelayApp::text(ConnId id, std::string_view body) {
    Visitor& c = visitors_[id];
    simdjson::padded_string copy(body);
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser_.iterate(copy).get(doc) || doc.get_object().get(obj)) return error(id, "bad_json", "not JSON");
    std::string_view type, type_raw, client_id_raw, text_raw, text;
    std::int64_t score = 0;
    bool has_score = false, has_type = false;
    for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return error(id, "bad_json", "not JSON");
        auto v = field.value();
        if (key == "type") {
            type_raw = trimmed(v.raw_json_token());
            has_type = !v.get_string().get(type);
        }
        else if (key == "client_id") {
            const std::string_view raw = trimmed(v.raw_json_token());
            std::string_view s;
            if (!v.get_string().get(s) && !s.empty()) client_id_raw = raw;
        } else if (key == "text") {
            const std::string_view raw = trimmed(v.raw_json_token());
            if (!v.get_string().get(text)) text_raw = raw;
        } else if (key == "score") has_score = !v.get_int64().get(score);
    }
    if (!has_type) return error(id, "bad_request", "no type");
    if (type == "message") {
        const bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
        if (client_id_raw.empty() || text_raw.empty() || blank) return error(id, "bad_request", "message needs client_id and text");
        const std::string cid(client_id_raw);
        std::string lines;
        if (c.conv.empty()) {
            c.conv = "cnode-" + std::to_string(++convs_);
            c.conv_seq = 0;
            lines += line_head("conversation.opened") + R"(,"conv":")" + c.conv + R"(","visitor":")" + c.id + "\"}\n";
        }
        const std::uint64_t mseq = ++c.conv_seq, bseq = ++c.conv_seq;
        const std::string msg = c.conv + "." + std::to_string(mseq), bmsg = c.conv + "." + std::to_string(bseq);
        const Answer* a = answer(text);
        const std::string faq = a ? std::string("\"") + a->faq + "\"" : "null";
        const std::string reply = std::string("\"") + (a ? a->text : "Could you tell me more?") + "\"";
        const char* outcome = a ? "answer" : "fallback";
        const std::string mfields = R"(,"conv":")" + c.conv + R"(","msg":")" + msg + R"(","author":"visitor","text":)" +
                                    std::string(text_raw) + R"(,"client_id":)" + cid;
        const std::string bfields = R"(,"conv":")" + c.conv + R"(","msg":")" + bmsg + R"(","author":"bot","text":)" + reply +
                                    R"(,"faq":)" + faq + R"(,"outcome":")" + outcome + R"(","suggestions":[])";
        lines += line_head("message") + mfields + "}\n";
        lines += line_head("message") + bfields + "}\n";
        const std::string ts = std::to_string(now_ms());
        std::string frames;
        append_text_frame(frames, R"({"type":"message")" + mfields + R"(,"seq":)" + std::to_string(mseq) + R"(,"ts":)" + ts + "}");
        append_text_frame(frames, R"({"type":"ack","client_id":)" + cid + R"(,"msg":")" + msg + R"(","seq":)" + std::to_string(mseq) + "}");
        append_text_frame(frames, R"({"type":"message")" + bfields + R"(,"seq":)" + std::to_string(bseq) + R"(,"ts":)" + ts + "}");
        durable(id, lines, std::move(frames), "cannot store messages right now");
    } else if (type == "helpful" || type == "resolve") {
        if (c.conv.empty()) return error(id, "bad_request", "no open conversation");
        const std::uint64_t rseq = ++c.conv_seq;
        const std::string lines = line_head("conversation.resolved") + R"(,"conv":")" + c.conv + R"(","by":")" +
                                  (type == "helpful" ? "bot" : "visitor") + "\"}\n";
        std::string frames;
        append_text_frame(frames, R"({"type":"resolved","conv":")" + c.conv + R"(","seq":)" + std::to_string(rseq) + R"(,"ts":)" +
                              std::to_string(now_ms()) + R"(,"by":"bot","ask_csat":true})");
        durable(id, lines, std::move(frames), "cannot store right now");
    } else if (type == "csat") {
        if (!has_score || score < 1 || score > 5) return error(id, "bad_request", "csat 1..5");
        const std::string lines = line_head("csat") + R"(,"conv":)" + (c.conv.empty() ? std::string("null") : "\"" + c.conv + "\"") +
                                  R"(,"score":)" + std::to_string(score) + "}\n";
        c.conv.clear();  // the next message opens a new conversation
        std::string frames;
        append_text_frame(frames, R"({"type":"ok","for":"csat"})");
        durable(id, lines, std::move(frames), "cannot store right now");
    } else if (type == "handoff") {
        std::string f;
        append_text_frame(f, R"({"type":"no_agent","conv":)" + (c.conv.empty() ? std::string("null") : "\"" + c.conv + "\"") +
                         R"(,"hours":"no agent in this baseline"})");
        loop_.send(id, f);
    } else {
        // The type as the client escaped it, between relay.mjs's quotes.
        error(id, "bad_request", "unknown frame type '" + std::string(type_raw.substr(1, type_raw.size() - 2)) + "'");
    }
}

}  // namespace

int main(int argc, char** argv) {
    int port = 18701;
    std::string data = "./relay-floor-data";
    long window_us = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view a = argv[i];
        if (a == "--port") port = std::atoi(argv[i + 1]);
        else if (a == "--data") data = argv[i + 1];
        else if (a == "--commit-window-us") window_us = std::atol(argv[i + 1]);
        else {
            std::fprintf(stderr, "relay-floor: unknown flag %s\nusage: relay-floor --port P --data DIR [--commit-window-us US]\n", argv[i]);
            return 2;
        }
    }
    const int log_fd = chat::floor::open_log(data, "relay-floor");
    chat::floor::Loop loop(port, log_fd, window_us);
    RelayApp app(loop);
    loop.set_app(&app);
    std::printf("relay-floor listening on ws://127.0.0.1:%d/ws/visitor (pid %d)\n", port, static_cast<int>(::getpid()));
    std::fflush(stdout);
    loop.run();
}
