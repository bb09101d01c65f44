// json_out.hpp — a small direct JSON writer for the frames and log lines on the message path.
//
// Building an nlohmann::json object for every ack, message frame and log line costs a map
// node and a heap string per field, then a serialiser pass; these frames have a fixed shape,
// so they are written straight into one string instead. The output is byte for byte what
// nlohmann's dump(-1, ' ', false, error_handler_t::replace) gives for the same object
// (keys in the order the caller writes them — callers write them sorted, as nlohmann's
// std::map does): strings escaped the same way (", \, control characters; UTF-8 kept as is),
// text that is not valid UTF-8 handed to nlohmann itself so that it is replaced identically.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace chat::router {

// Appends `s` as a JSON string literal (with its quotes).
void append_json_string(std::string& out, std::string_view s);
// Appends any value; only numbers with a fraction go through nlohmann's serialiser.
void append_json_value(std::string& out, const nlohmann::json& v);
// An event's log line (without the newline): the event with "node", "seq" and "v" set, in one
// pass and with the bytes nlohmann's dump would give (keys sorted, as its std::map keeps them).
std::string log_line(const nlohmann::json& e, std::string_view node, std::uint64_t seq);

class JsonOut {
public:
    explicit JsonOut(std::size_t reserve = 160) { out_.reserve(reserve); out_ += '{'; }

    JsonOut& str(std::string_view key, std::string_view value) {
        name(key);
        append_json_string(out_, value);
        return *this;
    }
    // An integer, signed or not, as nlohmann writes it.
    template <class Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
    JsonOut& num(std::string_view key, Int value) {
        name(key);
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, value);
        out_.append(buf, r.ptr);
        return *this;
    }
    // Any value, serialised by nlohmann (numbers with a fraction, arrays, null...).
    JsonOut& value(std::string_view key, const nlohmann::json& v);
    // A value already serialised.
    JsonOut& raw(std::string_view key, std::string_view json) {
        name(key);
        out_ += json;
        return *this;
    }
    // Closes the object and hands the text over (the writer is then spent).
    std::string done() {
        out_ += '}';
        return std::move(out_);
    }

private:
    // `,"key":` in one append (keys are short plain ASCII literals of ours).
    void name(std::string_view key) {
        char buf[64];
        std::size_t n = 0;
        if (out_.size() > 1) buf[n++] = ',';
        buf[n++] = '"';
        if (key.size() > sizeof buf - 4) {  // never for our keys; kept correct all the same
            out_.append(buf, n).append(key).append("\":");
            return;
        }
        std::memcpy(buf + n, key.data(), key.size());
        n += key.size();
        buf[n++] = '"';
        buf[n++] = ':';
        out_.append(buf, n);
    }
    std::string out_;
};

}  // namespace chat::router
