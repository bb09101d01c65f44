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
    // `reserve` is the expected size; a longer object grows the buffer (doubling), never fails.
    explicit JsonOut(std::size_t reserve = 160) {
        out_.resize(reserve < 16 ? 16 : reserve);
        out_[0] = '{';
        n_ = 1;
    }

    [[gnu::always_inline]] JsonOut& str(std::string_view key, std::string_view value) {
        name(key);
        string_value(value);
        return *this;
    }
    // An integer, signed or not, as nlohmann writes it.
    template <class Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
    JsonOut& num(std::string_view key, Int value) {
        name(key);
        room(24);
        char* p = out_.data() + n_;
        n_ = static_cast<std::size_t>(std::to_chars(p, p + 24, value).ptr - out_.data());
        return *this;
    }
    // A double, written by the number formatter nlohmann's dump uses (null when not finite).
    JsonOut& fraction(std::string_view key, double v);
    // Any value, serialised by nlohmann (arrays, null...).
    JsonOut& value(std::string_view key, const nlohmann::json& v);
    // A value already serialised.
    JsonOut& raw(std::string_view key, std::string_view json) {
        name(key);
        put(json);
        return *this;
    }
    // Closes the object and hands the text over (the writer is then spent).
    std::string done() {
        room(1);
        out_[n_++] = '}';
        out_.resize(n_);
        return std::move(out_);
    }

private:
    // The text is written through a pointer into a buffer sized ahead (`out_` is longer than
    // what is written, `n_` bytes): one bounds check a field instead of one a piece, and no
    // call into std::string for each comma, quote and key.
    [[gnu::always_inline]] void room(std::size_t more) {
        if (n_ + more > out_.size()) grow(more);
    }
    void grow(std::size_t more);
    void put(std::string_view s) {
        room(s.size());
        std::memcpy(out_.data() + n_, s.data(), s.size());
        n_ += s.size();
    }
    // `,"key":` (keys are short plain ASCII literals of ours, written as they are).
    // Inlined on purpose: with the key a literal, its length is known and the copy is a move
    // or two instead of a call to memcpy.
    [[gnu::always_inline]] void name(std::string_view key) {
        room(key.size() + 4);
        char* p = out_.data() + n_;
        if (n_ > 1) *p++ = ',';
        *p++ = '"';
        std::memcpy(p, key.data(), key.size());
        p += key.size();
        *p++ = '"';
        *p++ = ':';
        n_ = static_cast<std::size_t>(p - out_.data());
    }
    // A string value, escaped as append_json_string escapes it.
    void string_value(std::string_view s);
    template <class Append>
    void through_string(Append&& append);  // json_out.cpp
    std::string out_;
    std::size_t n_ = 0;
};

}  // namespace chat::router
