// kb_loader.cpp — loads a knowledge-base directory into one immutable KnowledgeBase.
//
// The directory holds settings.conf and one *.faq file per language (fr and en). Loading is
// all or nothing: the result is either a complete knowledge base, ready to share between
// threads, or the first error with its file and line. Callers that reload (the server on
// SIGHUP) simply keep their previous shared_ptr when they get an error.
#include <algorithm>

#include "bot.hpp"
#include "faq_file.hpp"
#include "kb.hpp"
#include "kb_build.hpp"
#include "lang.hpp"
#include "settings.hpp"

namespace chat::bot {

std::string to_string(const LoadError& e) {
    return e.file + ":" + std::to_string(e.line) + ": " + e.reason;
}

LoadResult load_knowledge_base(const std::filesystem::path& dir) {
    using namespace detail;
    try {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) throw LoadError{dir.string(), 0, "not a directory"};
        auto kb = std::make_shared<KnowledgeBase>();
        kb->dir = dir.string();
        const auto settings_path = dir / "settings.conf";
        if (!std::filesystem::exists(settings_path, ec)) throw LoadError{settings_path.string(), 0, "missing settings file"};
        const Settings settings = load_settings(settings_path);
        kb->settings_file = settings.file;

        for (const auto& [key, s] : settings.values) {
            if (key.rfind("bot.", 0) != 0) continue;
            if (key == "bot.default_lang") {
                const auto l = parse_lang(s.value);
                if (!l) throw LoadError{settings.file, s.line, "bot.default_lang must be fr or en"};
                kb->default_lang = *l;
            } else if (key == "bot.handoff_after_fallbacks") {
                int n = 0;
                try { n = std::stoi(s.value); } catch (...) { n = 0; }
                if (n < 1 || n > 10) throw LoadError{settings.file, s.line, "bot.handoff_after_fallbacks must be 1..10"};
                kb->handoff_after_fallbacks = n;
            } else {
                throw LoadError{settings.file, s.line, "unknown bot setting '" + key + "'"};
            }
        }

        std::vector<std::filesystem::path> files;
        for (const auto& de : std::filesystem::directory_iterator(dir, ec)) {
            if (de.is_regular_file() && de.path().extension() == ".faq") files.push_back(de.path());
        }
        if (ec) throw LoadError{dir.string(), 0, "cannot list directory: " + ec.message()};
        std::sort(files.begin(), files.end());
        std::vector<std::string> used;
        for (const auto& path : files) {
            const FaqFile f = parse_faq_file(path);
            LangKB& lk = kb->langs[static_cast<int>(*f.lang)];
            if (lk.present) throw LoadError{f.path, f.lang_line, "language '" + std::string(to_string(*f.lang)) + "' already defined in " + lk.file};
            build_lang(f, settings, kb->topics, lk, used);
        }
        for (Lang l : {Lang::fr, Lang::en}) {
            if (!kb->lang(l).present)
                throw LoadError{dir.string(), 0, "no knowledge base file for '" + std::string(to_string(l)) + "' (a *.faq file with 'lang: " + std::string(to_string(l)) + "')"};
        }
        build_lang_evidence(*kb);
        for (LangKB& lk : kb->langs) {
            lk.entry_of_topic.assign(kb->topics.size(), -1);
            for (std::size_t i = 0; i < lk.entries.size(); ++i) lk.entry_of_topic[lk.entries[i].topic] = static_cast<std::int32_t>(i);
        }
        for (const auto& [key, s] : settings.values) {
            if (key.rfind("bot.", 0) == 0) continue;
            const std::string base = key.substr(0, key.find('.'));
            if (std::find(used.begin(), used.end(), base) == used.end()) kb->settings_unused.emplace_back(key, s.line);
        }
        return std::shared_ptr<const KnowledgeBase>(std::move(kb));
    } catch (const LoadError& e) {
        return e;
    } catch (const std::exception& e) {
        return LoadError{dir.string(), 0, e.what()};
    }
}

}  // namespace chat::bot
