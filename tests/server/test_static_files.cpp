// Unit tests of static file resolution (server/static_files.cpp): nothing outside the web root.
#include <catch2/catch.hpp>

#include <fstream>

#include "chatd_process.hpp"
#include "request_parts.hpp"
#include "static_files.hpp"

using namespace chat::server;
namespace fs = std::filesystem;

TEST_CASE("files under the web root resolve, directories give index.html") {
    chat::test::TempDir dir;
    fs::create_directories(dir.path() / "root/console");
    std::ofstream(dir.path() / "root/index.html") << "home";
    std::ofstream(dir.path() / "root/console/index.html") << "console";
    std::ofstream(dir.path() / "root/widget.js") << "js";
    const fs::path root = fs::canonical(dir.path() / "root");
    fs::path f;
    REQUIRE(resolve_static(root, "/", f) == StaticResult::ok);
    CHECK(f == root / "index.html");
    REQUIRE(resolve_static(root, "/console/", f) == StaticResult::ok);
    CHECK(f == root / "console/index.html");
    REQUIRE(resolve_static(root, "/widget.js?v=3", f) == StaticResult::ok);
    CHECK(f == root / "widget.js");
    REQUIRE(resolve_static(root, "/wid%67et.js", f) == StaticResult::ok);
    CHECK(resolve_static(root, "/nope.js", f) == StaticResult::not_found);
}

TEST_CASE("/vendor/ serves only the listed npm files, from node_modules next to the web root") {
    chat::test::TempDir dir;
    fs::create_directories(dir.path() / "root");
    fs::create_directories(dir.path() / "node_modules/uplot/dist");
    std::ofstream(dir.path() / "node_modules/uplot/dist/uPlot.iife.min.js") << "lib";
    std::ofstream(dir.path() / "node_modules/uplot/package.json") << "{}";
    const fs::path root = fs::canonical(dir.path() / "root");
    fs::path f;
    REQUIRE(resolve_vendor(root, "/vendor/uplot/uPlot.iife.min.js?v=1", f) == StaticResult::ok);
    CHECK(f == root.parent_path() / "node_modules/uplot/dist/uPlot.iife.min.js");
    // Listed but not installed, not listed, or a way out: not found.
    CHECK(resolve_vendor(root, "/vendor/uplot/uPlot.min.css", f) == StaticResult::not_found);
    CHECK(resolve_vendor(root, "/vendor/uplot/package.json", f) == StaticResult::not_found);
    CHECK(resolve_vendor(root, "/vendor/../node_modules/uplot/dist/uPlot.iife.min.js", f) == StaticResult::not_found);
}

TEST_CASE("ETags change with the file and match If-None-Match lists") {
    chat::test::TempDir dir;
    std::ofstream(dir.path() / "a.js") << "one";
    const std::string first = etag_of(dir.path() / "a.js");
    REQUIRE(first.rfind("W/\"3-", 0) == 0);
    CHECK(etag_of(dir.path() / "missing.js").empty());
    std::ofstream(dir.path() / "a.js") << "three";
    CHECK(etag_of(dir.path() / "a.js") != first);
    CHECK(etag_matches(first, first));
    CHECK(etag_matches("\"x\", " + first.substr(2) + " ", first));
    CHECK(etag_matches("*", first));
    CHECK_FALSE(etag_matches("\"x\", W/\"y\"", first));
    CHECK_FALSE(etag_matches("", first));
    CHECK_FALSE(etag_matches("*", ""));
}

TEST_CASE("path traversal is refused, encoded or not") {
    chat::test::TempDir dir;
    fs::create_directories(dir.path() / "root/sub");
    std::ofstream(dir.path() / "secret.txt") << "secret";
    const fs::path root = fs::canonical(dir.path() / "root");
    fs::path f;
    for (const char* target : {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
                               "/sub/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
                               "/..\\secret.txt", "/%5c..%5csecret.txt", "/x%00.html", "/%zz", "/%2", "relative"}) {
        INFO(target);
        CHECK(resolve_static(root, target, f) != StaticResult::ok);
    }
}

TEST_CASE("symlinks that lead out of the web root are not followed") {
    chat::test::TempDir dir;
    fs::create_directories(dir.path() / "root");
    std::ofstream(dir.path() / "secret.txt") << "secret";
    std::ofstream(dir.path() / "root/inside.txt") << "inside";
    fs::create_symlink(dir.path() / "secret.txt", dir.path() / "root/link.txt");
    fs::create_symlink(dir.path() / "root/inside.txt", dir.path() / "root/ok-link.txt");
    fs::create_directory_symlink(dir.path(), dir.path() / "root/up");
    const fs::path root = fs::canonical(dir.path() / "root");
    fs::path f;
    CHECK(resolve_static(root, "/link.txt", f) == StaticResult::not_found);
    CHECK(resolve_static(root, "/up/secret.txt", f) == StaticResult::not_found);
    CHECK(resolve_static(root, "/ok-link.txt", f) == StaticResult::ok);
}

TEST_CASE("content types by extension") {
    CHECK(mime_type("a.html") == "text/html; charset=utf-8");
    CHECK(mime_type("a.js") == "text/javascript; charset=utf-8");
    CHECK(mime_type("a.css") == "text/css; charset=utf-8");
    CHECK(mime_type("a.svg") == "image/svg+xml");
    CHECK(mime_type("a.bin") == "application/octet-stream");
}

TEST_CASE("query parameters and cookies are read the same way everywhere") {
    using chat::server::cookie_value;
    using chat::server::query_param;
    CHECK(query_param("/ws/visitor?lang=fr&page=%2Fshop%2Fa.html", "page") == "/shop/a.html");
    CHECK(query_param("/ws/visitor?lang=fr&page=%2Fshop%2Fa.html", "lang") == "fr");
    CHECK(query_param("/x?q=a+b", "q") == "a b");
    CHECK(query_param("/x?lang", "lang").empty());
    CHECK(query_param("/x?planguage=en", "lang").empty());
    CHECK(query_param("/x?bad=%zz", "bad").empty());
    CHECK(query_param("/x", "lang").empty());
    CHECK(cookie_value("a=1; chat_session=tok.en; b=2", "chat_session") == "tok.en");
    CHECK(cookie_value("xchat_session=evil; chat_session=good", "chat_session") == "good");
    CHECK(cookie_value("a=1", "chat_session").empty());
    CHECK(cookie_value("", "chat_session").empty());
}

// ---- gzip (server/static_gzip.cpp) -----------------------------------------------------------

#include <zlib.h>

#include "static_gzip.hpp"

namespace {
std::string gunzip(const std::string& z) {
    z_stream zs{};
    REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
    std::string out(1 << 20, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
    zs.avail_in = static_cast<uInt>(z.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    REQUIRE(rc == Z_STREAM_END);
    return out;
}
}  // namespace

TEST_CASE("gzip: Accept-Encoding is read as RFC 9110 says") {
    CHECK(accepts_gzip("gzip"));
    CHECK(accepts_gzip("gzip, deflate, br"));
    CHECK(accepts_gzip("br;q=1.0, GZip;q=0.5"));
    CHECK(accepts_gzip("*"));
    CHECK_FALSE(accepts_gzip(""));
    CHECK_FALSE(accepts_gzip("identity"));
    CHECK_FALSE(accepts_gzip("deflate, br"));
    CHECK_FALSE(accepts_gzip("gzip;q=0"));
    CHECK_FALSE(accepts_gzip("gzip; q=0.000, br"));
    CHECK_FALSE(accepts_gzip("x-gzip2"));
}

TEST_CASE("gzip: text types only, and the copy inflates back to the file") {
    CHECK(compressible("text/javascript; charset=utf-8"));
    CHECK(compressible("application/json"));
    CHECK(compressible("image/svg+xml"));
    CHECK_FALSE(compressible("image/png"));
    CHECK_FALSE(compressible("font/woff2"));

    std::string text;
    for (int i = 0; i < 2000; ++i) text += "function widget() { return 'Discuter avec nous'; }\n";
    const std::string z = gzip(text);
    CHECK(z.size() < text.size() / 10);
    CHECK(static_cast<unsigned char>(z[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(z[1]) == 0x8b);
    CHECK(gunzip(z) == text);
    CHECK(gunzip(gzip("")).empty());
}

TEST_CASE("gzip cache: one copy per version, none for files that do not shrink") {
    chat::test::TempDir dir;
    const fs::path js = dir.path() / "a.js", rnd = dir.path() / "r.bin";
    std::ofstream(js) << std::string(5000, 'a');
    {
        std::ofstream out(rnd, std::ios::binary);
        std::uint32_t x = 12345;
        for (int i = 0; i < 4096; ++i) { x = x * 1664525u + 1013904223u; out.put(static_cast<char>(x >> 24)); }
    }
    GzipCache cache;
    auto first = cache.get(js, etag_of(js));
    REQUIRE(first);
    CHECK(gunzip(*first) == std::string(5000, 'a'));
    CHECK(cache.get(js, etag_of(js)) == first);  // the same copy, not compressed again
    std::ofstream(js) << std::string(6000, 'b');
    auto second = cache.get(js, etag_of(js));
    REQUIRE(second);
    CHECK(gunzip(*second) == std::string(6000, 'b'));
    CHECK_FALSE(cache.get(rnd, etag_of(rnd)));
    CHECK_FALSE(cache.get(dir.path() / "missing.js", "W/\"0-0\""));
}
