// loggen.cpp — the synthetic conversation model behind kpi-loggen (see header).
//
// Conversations start as a Poisson process whose rate follows the hour of day; each one is
// scripted in full (its events at increasing times), then its events wait in a min-heap and
// are written out in time order once no conversation starting later can precede them.
#include "loggen.hpp"

#include <cmath>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace chat::loggen {

namespace {

const char* const kTopics[] = {"delivery", "returns", "payment", "sizes", "warranty", "order-status",
                               "shipping-cost", "stock", "promo-codes", "account"};
const char* const kQuestions[] = {
    "Where is my order?", "where is  MY order ?", "How do I return an item?", "Do you ship to Belgium?",
    "Quelle est la taille idéale pour moi ?", "Can I pay with PayPal?", "My parcel arrived damaged",
    "Est-ce que ce produit est en stock ?", "I want to speak to a human", "Le code promo ne marche pas",
    "How long does delivery take?", "Can I change my delivery address?", "Why was I charged twice?",
    "Do you have this in blue?", "Is there a warranty on \"Pro\" models?", "Comment suivre mon colis ?",
    "ÇA NE MARCHE PAS", "what are your opening hours", "I never received my refund", "can i cancel my order"};
const char* const kAnswers[] = {
    "Your order usually ships within 24 hours. You can follow it from the link in your confirmation e-mail; "
    "tracking becomes active once the carrier has scanned the parcel.",
    "You can return any item within 30 days. Go to My orders, choose the item and print the prepaid label. "
    "Refunds are issued within 5 business days after we receive the parcel.",
    "We accept cards (Visa, Mastercard, Amex), PayPal and bank transfers. Payment is taken when the order ships.",
    "Nos tailles correspondent aux tailles européennes standard. Consultez le guide des tailles sur chaque fiche "
    "produit pour les mesures exactes en centimètres.",
    "All products come with a 2-year warranty. Keep your invoice; it is also available in your account."};
const char* const kReasons[] = {"visitor_asked", "bot_fallback", "negative_sentiment", "complaint", "agent_pickup"};
const char* const kTags[] = {"return", "complaint", "vip", "delivery", "refund", "bug"};

struct Pending {
  std::int64_t ts;
  std::uint64_t order;  // tie-break: creation order
  int node;
  std::string body;     // everything after "seq": ... (starts with ,"type":)
  bool operator>(const Pending& o) const { return ts != o.ts ? ts > o.ts : order > o.order; }
};

void escape(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out.push_back(c);
    }
  }
  out.push_back('"');
}

class Gen {
 public:
  Gen(const Options& o, const Sink& sink) : o_(o), sink_(sink), rng_(o.seed) {
    for (int i = 0; i < o.nodes; ++i) node_ids_.push_back("node-" + std::string(1, char('a' + i % 26)) + std::to_string(i / 26));
    seqs_.assign(static_cast<std::size_t>(o.nodes), 0);
  }

  std::uint64_t run() {
    std::int64_t t = o_.start_ms;
    std::uint64_t conv_no = 0;
    while (bytes_ < o_.target_bytes) {
      // Arrival rate follows the day: low at night, peak in the afternoon (UTC).
      double hour = double((t / 3600000) % 24);
      double rate = o_.conversations_per_hour * (0.15 + 0.85 * std::pow(std::sin(M_PI * hour / 24.0), 2));
      t += static_cast<std::int64_t>(exp_ms(3600000.0 / rate)) + 1;
      drain(t);
      script(t, ++conv_no);
      if (conv_no % 97 == 0) noise(t);
    }
    drain(INT64_MAX);
    return lines_;
  }

 private:
  double uni() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  double exp_ms(double mean) { return std::exponential_distribution<double>(1.0 / mean)(rng_); }
  template <class T, std::size_t N>
  const T& one(const T (&a)[N]) { return a[pick(int(N))]; }

  void emit(std::int64_t ts, int node, std::string body) {
    heap_.push(Pending{ts, ++order_, node, std::move(body)});
  }

  void drain(std::int64_t before) {
    std::string line;
    while (!heap_.empty() && heap_.top().ts < before) {
      const Pending& p = heap_.top();
      std::size_t n = static_cast<std::size_t>(p.node);
      line.clear();
      line += "{\"v\":1,\"ts\":";
      line += std::to_string(p.ts);
      line += ",\"node\":\"";
      line += node_ids_[n];
      line += "\",\"seq\":";
      line += std::to_string(++seqs_[n]);
      line += p.body;
      line += '}';
      bytes_ += line.size() + 1;
      ++lines_;
      sink_(p.node, node_ids_[n], line);
      heap_.pop();
    }
  }

  std::string conv_body(const char* type, const std::string& conv) {
    std::string b = ",\"type\":\"";
    b += type;
    b += "\",\"conv\":\"";
    b += conv;
    b += '"';
    return b;
  }

  std::string visitor_text() {
    std::string q = one(kQuestions);
    if (uni() < 0.3) q += " " + std::to_string(pick(100000));  // order numbers make texts unique
    return q;
  }

  void message(std::int64_t ts, int node, const std::string& conv, const char* author, const std::string& extra,
               const std::string* text) {
    std::string b = conv_body("message", conv);
    b += ",\"msg\":\"m";
    b += std::to_string(++msg_no_);
    b += "\",\"author\":\"";
    b += author;
    b += "\",\"text\":";
    if (text && uni() > 0.01) escape(b, *text);
    else b += "null";  // erased on request
    b += extra;
    emit(ts, node, std::move(b));
  }

  void script(std::int64_t t, std::uint64_t conv_no) {
    std::string conv = "c" + std::to_string(o_.seed) + "-" + std::to_string(conv_no);
    int node = pick(o_.nodes);
    std::string visitor;
    if (!recent_visitors_.empty() && uni() < 0.25) {
      visitor = recent_visitors_[static_cast<std::size_t>(pick(int(recent_visitors_.size())))];
    } else {
      visitor = "v" + std::to_string(++visitor_no_);
      if (recent_visitors_.size() < 5000) recent_visitors_.push_back(visitor);
      else recent_visitors_[static_cast<std::size_t>(pick(5000))] = visitor;
    }
    auto maybe_failover = [&] {
      if (o_.nodes > 1 && uni() < 0.02) node = (node + 1) % o_.nodes;
    };

    std::string opened = conv_body("conversation.opened", conv) + ",\"visitor\":\"" + visitor + "\",\"lang\":\"" +
                         (uni() < 0.6 ? "fr" : "en") +
                         "\",\"page\":\"https://shop.example/products/" + std::to_string(pick(5000)) +
                         "\",\"user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36\"";
    emit(t, node, opened);
    std::int64_t now = t + pick(50);
    bool handed = false, resolved = false, abandoned = false;
    std::string agent;
    int turns = 1 + pick(4);
    for (int turn = 0; turn < turns && !handed; ++turn) {
      std::string q = visitor_text();
      message(now, node, conv, "visitor", "", &q);
      if (uni() < 0.15) {  // a second message before the reply
        now += 1000 + pick(8000);
        std::string q2 = visitor_text();
        message(now, node, conv, "visitor", "", &q2);
      }
      now += 200 + static_cast<std::int64_t>(exp_ms(600));
      double r = uni();
      std::string answer = one(kAnswers);
      char score[32];
      std::snprintf(score, sizeof score, "%.3f", 0.3 + 0.7 * uni());
      if (r < 0.55) {
        message(now, node, conv, "bot",
                std::string(",\"faq\":\"") + one(kTopics) + "\",\"score\":" + score + ",\"outcome\":\"answer\"", &answer);
      } else if (r < 0.65) {
        message(now, node, conv, "bot", std::string(",\"faq\":\"") + one(kTopics) + "\",\"score\":" + score + ",\"outcome\":\"suggest\"", &answer);
      } else if (r < 0.80) {
        std::string fb = "Sorry, I did not understand. Could you rephrase?";
        message(now, node, conv, "bot", std::string(",\"faq\":null,\"score\":") + score + ",\"outcome\":\"fallback\"", &fb);
      } else if (r < 0.85) {
        std::string st = "Hello! How can I help?";
        message(now, node, conv, "bot", ",\"faq\":null,\"score\":0.9,\"outcome\":\"smalltalk\"", &st);
      } else {
        std::string h = "Let me get you a human.";
        message(now, node, conv, "bot", ",\"faq\":null,\"score\":0.2,\"outcome\":\"handoff\"", &h);
        handed = true;
      }
      now += 5000 + static_cast<std::int64_t>(exp_ms(30000));
      maybe_failover();
    }
    if (!handed && uni() < 0.12) handed = true;  // asked for a human after all

    if (handed) {
      emit(now, node, conv_body("handoff.requested", conv) + ",\"reason\":\"" + one(kReasons) + "\"");
      now += static_cast<std::int64_t>(exp_ms(45000));
      if (uni() < 0.08) {
        emit(now, node, conv_body("conversation.abandoned", conv) + ",\"stage\":\"queue\"");
        abandoned = true;
      } else {
        agent = "agent" + std::to_string(1 + pick(o_.agents));
        emit(now, node, conv_body("conversation.assigned", conv) + ",\"agent\":\"" + agent + "\",\"by\":\"auto\"");
        now += 2000 + static_cast<std::int64_t>(exp_ms(40000));
        int exchanges = 1 + pick(5);
        for (int k = 0; k < exchanges; ++k) {
          std::string reply = "Let me check that for you. Order " + std::to_string(pick(1000000)) + " is on its way.";
          message(now, node, conv, "agent", ",\"agent\":\"" + agent + "\"", &reply);
          now += 3000 + static_cast<std::int64_t>(exp_ms(40000));
          std::string q = visitor_text();
          message(now, node, conv, "visitor", "", &q);
          now += 2000 + static_cast<std::int64_t>(exp_ms(30000));
          if (k == 0 && uni() < 0.1) {
            emit(now, node, conv_body("note", conv) + ",\"agent\":\"" + agent + "\",\"text\":\"check refund status\"");
          }
          if (k == 0 && uni() < 0.06) {
            std::string to = "agent" + std::to_string(1 + pick(o_.agents));
            emit(now, node, conv_body("conversation.transferred", conv) + ",\"from_agent\":\"" + agent +
                                "\",\"to_agent\":\"" + to + "\"");
            emit(now + 1, node, conv_body("conversation.assigned", conv) + ",\"agent\":\"" + to + "\",\"by\":\"transfer\"");
            agent = to;
            now += 1000 + pick(20000);
          }
        }
        if (uni() < 0.15)
          emit(now, node, conv_body("conversation.tagged", conv) + ",\"tag\":\"" + one(kTags) + "\",\"agent\":\"" + agent + "\"");
        double e = uni();
        now += 1000 + pick(60000);
        if (e < 0.8) {
          emit(now, node, conv_body("conversation.resolved", conv) + ",\"by\":\"agent\",\"agent\":\"" + agent + "\"");
          resolved = true;
        } else if (e < 0.9) {
          emit(now, node, conv_body("conversation.resolved", conv) + ",\"by\":\"visitor\"");
          resolved = true;
        } else {
          emit(now, node, conv_body("conversation.abandoned", conv) + ",\"stage\":\"agent\"");
          abandoned = true;
        }
      }
    } else {
      double e = uni();
      now += 1000 + pick(120000);
      if (e < 0.6) {
        emit(now, node, conv_body("conversation.resolved", conv) + ",\"by\":\"bot\"");
        resolved = true;
      } else if (e < 0.75) {
        emit(now, node, conv_body("conversation.resolved", conv) + ",\"by\":\"visitor\"");
        resolved = true;
      } else if (e < 0.85) {
        emit(now, node, conv_body("conversation.resolved", conv) + ",\"by\":\"timeout\"");
        resolved = true;
      } else {
        emit(now, node, conv_body("conversation.abandoned", conv) + ",\"stage\":\"bot\"");
        abandoned = true;
      }
    }
    if (resolved && uni() < 0.05) {  // the visitor writes again
      now += 60000 + static_cast<std::int64_t>(exp_ms(3600000));
      maybe_failover();
      emit(now, node, conv_body("conversation.reopened", conv));
      std::string q = visitor_text();
      message(now + 1, node, conv, "visitor", "", &q);
      now += 20000 + static_cast<std::int64_t>(exp_ms(60000));
      if (!agent.empty()) {
        std::string reply = "Sure, done.";
        message(now, node, conv, "agent", ",\"agent\":\"" + agent + "\"", &reply);
        emit(now + 500, node, conv_body("conversation.resolved", conv) + ",\"by\":\"agent\",\"agent\":\"" + agent + "\"");
      } else if (uni() < 0.7) {
        emit(now, node, conv_body("conversation.resolved", conv) + ",\"by\":\"timeout\"");
      }
    }
    if (!abandoned && uni() < 0.3) {
      now += 1000 + pick(30000);
      int s = 1 + pick(5);
      if (s < 3 && uni() < 0.5) s += 2;
      emit(now, node, conv_body("csat", conv) + ",\"score\":" + std::to_string(s) +
                          (uni() < 0.3 ? ",\"comment\":\"Merci, très rapide !\"" : ""));
      if (uni() < 0.05) emit(now + 5000, node, conv_body("csat", conv) + ",\"score\":" + std::to_string(1 + pick(5)));
    }
    if (uni() < 0.1) {
      now += 1000 + pick(10000);
      emit(now, node, conv_body("nps", conv) + ",\"score\":" + std::to_string(pick(11)) + ",\"visitor\":\"" + visitor + "\"");
    }
    if (uni() < 0.08) {
      std::int64_t when = t + static_cast<std::int64_t>(uni() * 10 * 86400000.0);
      char value[32];
      std::snprintf(value, sizeof value, "%.2f", 10 + 200 * uni());
      emit(when, pick(o_.nodes), std::string(",\"type\":\"visitor.converted\",\"visitor\":\"") + visitor +
                                      "\",\"value\":" + value + ",\"currency\":\"EUR\"");
    }
  }

  void noise(std::int64_t t) {
    std::string agent = "agent" + std::to_string(1 + pick(o_.agents));
    const char* st[] = {"online", "away", "offline"};
    emit(t, pick(o_.nodes), ",\"type\":\"agent.status\",\"agent\":\"" + agent + "\",\"status\":\"" + one(st) + "\"");
    if (uni() < 0.3)
      emit(t + 1, pick(o_.nodes), ",\"type\":\"audit\",\"actor\":\"" + agent + "\",\"action\":\"login\",\"addr\":\"10.0.0." +
                                      std::to_string(pick(255)) + "\"");
  }

  const Options& o_;
  const Sink& sink_;
  std::mt19937_64 rng_;
  std::vector<std::string> node_ids_;
  std::vector<std::uint64_t> seqs_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> heap_;
  std::uint64_t order_ = 0, msg_no_ = 0, visitor_no_ = 0;
  std::uint64_t bytes_ = 0, lines_ = 0;
  std::vector<std::string> recent_visitors_;
};

}  // namespace

std::uint64_t generate(const Options& options, const Sink& sink) {
  Gen g(options, sink);
  return g.run();
}

}  // namespace chat::loggen
