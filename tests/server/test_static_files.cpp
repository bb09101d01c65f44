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
