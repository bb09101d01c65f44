// Unit tests: every kind of decision, the fallback streak, handoff reasons and priority,
// settings substitution, quick replies, and sharing one knowledge base between threads.
#include <algorithm>
#include <thread>

#include <catch2/catch.hpp>

#include "kb_fixture.hpp"

using namespace chat::bot;

namespace {
Decision ask(const char* text, ConversationState st = {}) { return decide(*bot_test::shop_kb(), text, st); }
bool offers(const Decision& d, const char* faq) {
    return std::any_of(d.quick_replies.begin(), d.quick_replies.end(), [&](const QuickReply& q) { return q.faq == faq; });
}
}  // namespace

TEST_CASE("answer: a clear FAQ question gets its entry, in the visitor's language") {
    const Decision fr = ask("Bonjour, où en est ma commande ?");
    CHECK(fr.outcome == Outcome::answer);
    CHECK(fr.intent == "order_tracking");
    CHECK(fr.lang == Lang::fr);
    CHECK(fr.score >= 0.55);
    CHECK(fr.score <= 1.0);
    CHECK(fr.answer.find("Mon compte") != std::string::npos);
    CHECK(fr.handoff_reason == HandoffReason::none);

    const Decision en = ask("how much is shipping?");
    CHECK(en.outcome == Outcome::answer);
    CHECK(en.intent == "delivery_cost");
    CHECK(en.lang == Lang::en);
    CHECK(offers(en, "delivery_time"));  // follow-up quick replies from the entry
}

TEST_CASE("answer: typos, missing accents and SMS still find the entry") {
    CHECK(ask("jveux annuler ma cmd stp").intent == "cancel_order");
    CHECK(ask("pk ma carte est refusee").intent == "payment_failed");
    CHECK(ask("remboursemnt pas recu").intent == "refund_status");
    CHECK(ask("wheres my parcle").intent == "order_tracking");
    CHECK(ask("forgot my pasword").intent == "account_password");
}

TEST_CASE("answer: topics flagged for a person also offer one") {
    const Decision d = ask("mon colis n'est jamais arrivé");
    CHECK(d.outcome == Outcome::answer);
    CHECK(d.intent == "lost_package");
    CHECK(offers(d, "human_agent"));
}

TEST_CASE("suggest: two close topics give 2-3 quick replies") {
    bot_test::TempKb t;
    const std::string fr = bot_test::TempKb::header("fr") +
        "topic: return_policy\nlabel: Retours\nanswer: Retour sous 30 jours.\nq: retour article\nq: retour article\n"
        "topic: return_label\nlabel: Etiquette\nanswer: Etiquette dans le compte.\nq: retour article\nq: retour article etiquette\n"
        "topic: human_agent\nlabel: agent\nanswer: ok\nq: parler conseiller\n" + bot_test::TempKb::fillers();
    t.write("fr.faq", fr);
    auto r = load_knowledge_base(t.dir());
    REQUIRE(std::holds_alternative<std::shared_ptr<const KnowledgeBase>>(r));
    const auto kb = std::get<std::shared_ptr<const KnowledgeBase>>(r);
    const Decision d = decide(*kb, "retour article", {});
    CHECK(d.outcome == Outcome::suggest);
    CHECK(d.quick_replies.size() >= 2);
    CHECK(d.quick_replies.size() <= 3);
    CHECK(offers(d, "return_policy"));
    CHECK(offers(d, "return_label"));
    CHECK(d.answer == "suggest-fr");
}

TEST_CASE("fallback: out-of-scope questions are not guessed, and a person is offered") {
    for (const char* q : {"quel temps fera-t-il demain à Paris", "raconte-moi une blague", "what's 2+2",
                          "who will win the election", "give me a pancake recipe"}) {
        const Decision d = ask(q);
        INFO(q);
        CHECK(d.outcome == Outcome::fallback);
        CHECK(d.intent.empty());
        CHECK(offers(d, "human_agent"));
        CHECK(d.next.fallback_streak == 1);
    }
}

TEST_CASE("handoff after two fallbacks in a row, and the streak resets on success") {
    ConversationState st;
    const Decision first = ask("blablabla xyz", st);
    CHECK(first.outcome == Outcome::fallback);
    CHECK(first.next.fallback_streak == 1);
    const Decision second = ask("tralala pouet", first.next);
    CHECK(second.outcome == Outcome::handoff);
    CHECK(second.handoff_reason == HandoffReason::bot_fallback);
    CHECK(second.intent.empty());

    const Decision ok = ask("où est mon colis", first.next);
    CHECK(ok.outcome == Outcome::answer);
    CHECK(ok.next.fallback_streak == 0);
    CHECK(ask("blablabla xyz", ok.next).outcome == Outcome::fallback);
}

TEST_CASE("handoff: the visitor asks for a person") {
    for (const char* q : {"je veux parler à un conseiller", "un humain svp", "can I talk to a real person", "agent please"}) {
        const Decision d = ask(q);
        INFO(q);
        CHECK(d.outcome == Outcome::handoff);
        CHECK(d.handoff_reason == HandoffReason::visitor_asked);
        CHECK(d.intent == "human_agent");
    }
}

TEST_CASE("handoff: a complaint is answered and handed to a person") {
    const Decision d = ask("je veux faire une réclamation");
    CHECK(d.outcome == Outcome::handoff);
    CHECK(d.handoff_reason == HandoffReason::complaint);
    CHECK(d.intent == "complaint");
    CHECK_FALSE(d.answer.empty());
    CHECK(ask("I want to file a complaint").handoff_reason == HandoffReason::complaint);
}

TEST_CASE("handoff: anger marks the conversation priority, and it stays so") {
    const Decision d = ask("je ne suis pas content du tout, c'est une honte");
    CHECK(d.outcome == Outcome::handoff);
    CHECK(d.handoff_reason == HandoffReason::negative_sentiment);
    CHECK(d.priority);
    CHECK(d.next.priority);
    const Decision later = ask("bonjour", d.next);
    CHECK(later.priority);

    const Decision topic = ask("my parcel never arrived, this is a scam!!");
    CHECK(topic.outcome == Outcome::handoff);
    CHECK(topic.handoff_reason == HandoffReason::negative_sentiment);
    CHECK(topic.intent == "lost_package");  // the topic is kept for the agent and the log
    CHECK(topic.priority);

    const Decision calm = ask("pas de problème, où est ma commande ?");
    CHECK(calm.outcome == Outcome::answer);
    CHECK_FALSE(calm.priority);
}

TEST_CASE("smalltalk: greeting, thanks, goodbye") {
    CHECK(ask("bonjour").intent == "greeting");
    CHECK(ask("bonjour").outcome == Outcome::smalltalk);
    CHECK(ask("merci beaucoup").intent == "thanks");
    CHECK(ask("thanks a lot").outcome == Outcome::smalltalk);
    CHECK(ask("bye").intent == "goodbye");
    CHECK(ask("au revoir, bonne journée").intent == "goodbye");
    // A greeting in front of a real question does not hide the question.
    CHECK(ask("hello, where is my order?").intent == "order_tracking");
}

TEST_CASE("shop settings are substituted in both languages") {
    const auto kb = bot_test::shop_kb();
    const Decision fr = ask("la livraison est gratuite ?");
    REQUIRE(fr.intent == "delivery_cost");
    CHECK(fr.answer.find("49 €") != std::string::npos);
    const Decision en = ask("is delivery free?");
    REQUIRE(en.intent == "delivery_cost");
    CHECK(en.answer.find("€49") != std::string::npos);
    for (const auto& id : topic_ids(*kb)) {
        for (Lang l : {Lang::fr, Lang::en}) {
            ConversationState st;
            st.lang = l;
            const Decision d = choose(*kb, id, st);
            INFO(id);
            CHECK(d.answer.find('{') == std::string::npos);
            const bool named = d.answer.find("Maison Lumen") != std::string::npos || d.answer.size() > 20;
            CHECK(named);
        }
    }

    bot_test::TempKb t;
    t.write("settings.conf", "shop_name = Autreboutique\nthreshold.fr = 60 €\nthreshold.en = €60\n");
    auto r = load_knowledge_base(t.dir());
    REQUIRE(std::holds_alternative<std::shared_ptr<const KnowledgeBase>>(r));
    const Decision other = decide(*std::get<std::shared_ptr<const KnowledgeBase>>(r), "combien coute la livraison", {});
    CHECK(other.answer == "Livraison offerte dès 60 € chez Autreboutique.");
}

TEST_CASE("choose answers a clicked quick reply directly") {
    const auto kb = bot_test::shop_kb();
    ConversationState st;
    st.lang = Lang::en;
    const Decision d = choose(*kb, "invoice", st);
    CHECK(d.outcome == Outcome::answer);
    CHECK(d.intent == "invoice");
    CHECK(d.lang == Lang::en);
    CHECK(d.score == 1.0);
    CHECK(choose(*kb, "human_agent", st).outcome == Outcome::handoff);
    CHECK(choose(*kb, "no_such_topic", st).outcome == Outcome::fallback);
}

TEST_CASE("one knowledge base answers many threads at once") {
    const auto kb = bot_test::shop_kb();
    const std::vector<std::string> qs = {"où est ma commande", "how much is shipping", "je veux annuler", "bonjour",
                                         "tell me a joke", "mot de passe oublié", "refund pls", "livraison en belgique"};
    std::vector<std::string> expected;
    for (const auto& q : qs) expected.push_back(decide(*kb, q, {}).intent);
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                const std::size_t k = static_cast<std::size_t>(i) % qs.size();
                if (decide(*kb, qs[k], {}).intent != expected[k]) ++mismatches;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(mismatches == 0);
}
