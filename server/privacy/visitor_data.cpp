// visitor_data.cpp — scans of the segments for export, erasure and retention.
//
// Lines are read with their offsets; a changed line is written back with pwrite at the same
// offset and the same length, so a chatd appending to the same segment meanwhile is not
// disturbed (it only ever writes past the end) and no other line is rewritten. A line not yet
// complete (a write in progress, a torn tail) is left for the next pass.
#include "visitor_data.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "blank_fields.hpp"

namespace chat::privacy {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::vector<fs::path> files_named(const fs::path& data, bool torn) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(data, ec)) {
        if (!entry.is_regular_file(ec)) continue;
        const std::string name = entry.path().filename().string();
        const bool is_torn = name.find(".jsonl.torn-") != std::string::npos;
        const bool is_segment = !is_torn && entry.path().extension() == ".jsonl" && name.rfind("events-", 0) == 0;
        if (torn ? is_torn : is_segment) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

[[noreturn]] void fail(const std::string& what, const fs::path& file) {
    throw std::runtime_error(what + " " + file.string() + ": " + std::strerror(errno));
}

class File {
public:
    File(const fs::path& path, bool write) : path_(path) {
        fd_ = ::open(path.c_str(), (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd_ < 0) fail("cannot open", path);
    }
    ~File() {
        if (fd_ >= 0) ::close(fd_);
    }
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    // Calls fn(offset, line) for every complete line (without its '\n').
    void each_line(const std::function<void(std::uint64_t, std::string&)>& fn) {
        std::string buf, line;
        std::uint64_t base = 0;  // file offset of buf[0]
        char chunk[1 << 16];
        while (true) {
            const ssize_t n = ::pread(fd_, chunk, sizeof chunk, static_cast<off_t>(base + buf.size()));
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("cannot read", path_);
            }
            if (n == 0) break;
            buf.append(chunk, static_cast<std::size_t>(n));
            std::size_t start = 0;
            for (std::size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
                line.assign(buf, start, nl - start);
                fn(base + start, line);
            }
            buf.erase(0, start);
            base += start;
        }
    }
    std::string read_all() {
        std::string out;
        char chunk[1 << 16];
        for (ssize_t n; (n = ::pread(fd_, chunk, sizeof chunk, static_cast<off_t>(out.size()))) != 0;) {
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("cannot read", path_);
            }
            out.append(chunk, static_cast<std::size_t>(n));
        }
        return out;
    }
    void write_at(std::uint64_t offset, std::string_view bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("cannot write", path_);
            }
            done += static_cast<std::size_t>(n);
        }
        dirty_ = true;
    }
    void sync() {
        if (dirty_ && ::fdatasync(fd_) != 0) fail("cannot sync", path_);
        dirty_ = false;
    }

private:
    fs::path path_;
    int fd_ = -1;
    bool dirty_ = false;
};

json parse_event(const std::string& line) {
    json e = json::parse(line, nullptr, false);
    return e.is_object() ? e : json();
}

std::string str(const json& e, const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The visitor's conversation ids, from every segment's conversation.opened.
std::set<std::string> conversations_of(const std::vector<fs::path>& segments, const std::string& visitor) {
    std::set<std::string> convs;
    const std::string needle = "\"" + visitor + "\"";
    for (const auto& path : segments) {
        File f(path, false);
        f.each_line([&](std::uint64_t, std::string& line) {
            if (line.find(needle) == std::string::npos || line.find("conversation.opened") == std::string::npos) return;
            json e = parse_event(line);
            if (str(e, "type") == "conversation.opened" && str(e, "visitor") == visitor) convs.insert(str(e, "conv"));
        });
    }
    convs.erase("");
    return convs;
}

// Blanks the text fields of `e`'s line according to its type. Returns fields blanked.
std::size_t blank_event(std::string& line, const std::string& type) {
    if (type == "message" || type == "note") return blank_string_fields(line, {"text"});
    if (type == "csat") return blank_string_fields(line, {"comment"});
    if (type == "offline.message") return blank_string_fields(line, {"text", "email"});
    return 0;
}

bool mentions(const std::string& text, const std::string& visitor, const std::set<std::string>& convs) {
    if (text.find(visitor) != std::string::npos) return true;
    for (const auto& c : convs)
        if (text.find("\"" + c + "\"") != std::string::npos) return true;
    return false;
}

}  // namespace

bool valid_visitor_id(std::string_view id) {
    return !id.empty() && id.size() <= 100 && id.front() != '-' &&
           id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string_view::npos;
}

json export_visitor(const fs::path& data, const std::string& visitor) {
    const auto segments = files_named(data, false);
    const auto convs = conversations_of(segments, visitor);
    std::vector<json> events;
    for (const auto& path : segments) {
        File f(path, false);
        f.each_line([&](std::uint64_t, std::string& line) {
            if (!mentions(line, visitor, convs)) return;
            json e = parse_event(line);
            if (e.is_null()) return;
            const bool theirs = convs.count(str(e, "conv")) || str(e, "visitor") == visitor || str(e, "target") == visitor;
            if (theirs) events.push_back(std::move(e));
        });
    }
    auto num = [](const json& e, const char* k) {
        auto it = e.find(k);
        return it != e.end() && it->is_number_integer() ? it->get<std::int64_t>() : std::int64_t{0};
    };
    auto key = [&](const json& e) { return std::make_tuple(num(e, "ts"), str(e, "node"), num(e, "seq")); };
    std::stable_sort(events.begin(), events.end(), [&](const json& a, const json& b) { return key(a) < key(b); });
    return {{"visitor", visitor}, {"conversations", convs}, {"events", events}};
}

EraseCounts erase_visitor_texts(const fs::path& data, const std::string& visitor) {
    EraseCounts counts;
    const auto segments = files_named(data, false);
    const auto convs = conversations_of(segments, visitor);
    counts.conversations = convs.size();
    for (const auto& path : segments) {
        File f(path, true);
        f.each_line([&](std::uint64_t offset, std::string& line) {
            if (!mentions(line, visitor, convs)) return;
            json e = parse_event(line);
            const std::string type = str(e, "type");
            const bool theirs = (convs.count(str(e, "conv")) && type != "offline.message") ||
                                (type == "offline.message" && str(e, "visitor") == visitor);
            if (!theirs) return;
            if (const auto n = blank_event(line, type)) {
                f.write_at(offset, line);
                counts.texts += n;
                counts.lines++;
            }
        });
        f.sync();
    }
    // A torn tail is a fragment of a line that was never acknowledged: one that mentions the
    // visitor or their conversations is overwritten with spaces (its size is kept).
    for (const auto& path : files_named(data, true)) {
        File f(path, true);
        const std::string all = f.read_all();
        if (all.empty() || all.find_first_not_of(' ') == std::string::npos || !mentions(all, visitor, convs)) continue;
        f.write_at(0, std::string(all.size(), ' '));
        f.sync();
        counts.torn_files++;
    }
    return counts;
}

EraseCounts erase_texts_before(const fs::path& data, std::int64_t cutoff_ms) {
    EraseCounts counts;
    for (const auto& path : files_named(data, false)) {
        File f(path, true);
        f.each_line([&](std::uint64_t offset, std::string& line) {
            // Only lines that still hold a text are worth parsing.
            if (line.find("\"text\":\"") == std::string::npos && line.find("\"comment\":\"") == std::string::npos &&
                line.find("\"email\":\"") == std::string::npos)
                return;
            json e = parse_event(line);
            const auto ts = e.is_object() ? e.find("ts") : e.end();
            if (e.is_null() || ts == e.end() || !ts->is_number_integer() || ts->get<std::int64_t>() >= cutoff_ms) return;
            if (const auto n = blank_event(line, str(e, "type"))) {
                f.write_at(offset, line);
                counts.texts += n;
                counts.lines++;
            }
        });
        f.sync();
    }
    return counts;
}

}  // namespace chat::privacy
