// lexicon.cpp — French and English word lists shared by every shop.
//
// These are facts about the languages and about how shoppers type, not about a catalogue,
// so they live in code rather than in faq/ (a shop's synonyms do live in faq/). Words are
// written already normalised: lower case, no accents, elisions expanded.
#include "lexicon.hpp"

#include <utility>

namespace chat::bot::detail {
namespace {

constexpr std::string_view kStopFr[] = {
    "le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "au", "aux", "a", "et", "en",
    "dans", "sur", "sous", "pour", "par", "avec", "ce", "cet", "cette", "ces", "c", "ca", "cela",
    "ceci", "je", "j", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "me", "m", "te",
    "t", "se", "s", "moi", "toi", "lui", "leur", "leurs", "mon", "ma", "mes", "ton", "ta", "tes",
    "son", "sa", "ses", "notre", "nos", "votre", "vos", "y", "que", "qu", "qui", "quoi", "dont",
    "est", "es", "suis", "sont", "etes", "sommes", "etre", "ete", "etait", "ai", "as", "avons",
    "avez", "ont", "avoir", "eu", "avais", "avait", "ne", "n", "pas", "tres", "aussi", "mais",
    "donc", "alors", "si", "comme", "plait", "svp", "stp", "voudrais", "voudrait", "veux",
    "veut", "vouloir", "aimerais", "souhaite", "souhaiterais", "peux", "pouvez", "puis", "peut",
    "pourrais", "pourriez", "dois", "doit", "faut", "savoir", "sais", "besoin", "bien", "fait",
    "faire", "fais", "ici", "la", "cela", "tout", "tous", "toute", "toutes", "ok", "oui", "non",
    "euh", "bah", "ben", "hein", "voila", "svp", "madame", "monsieur",
    "question", "quelle", "quel", "quels", "quelles", "lequel", "laquelle", "est-ce", "sil",
    "encore", "deja", "juste", "quelqu", "un", "chose", "etc", "aujourd", "mettre"};

constexpr std::string_view kStopEn[] = {
    "a", "an", "the", "i", "me", "my", "mine", "myself", "you", "your", "yours", "we", "our",
    "us", "it", "its", "is", "am", "are", "was", "were", "be", "been", "being", "do", "does",
    "did", "doing", "have", "has", "had", "having", "will", "would", "shall", "should", "can",
    "could", "may", "might", "must", "to", "of", "in", "on", "at", "by", "for", "with", "from",
    "about", "into", "as", "and", "or", "but", "if", "so", "that", "this", "these", "those",
    "there", "here", "what", "which", "who", "whom", "please", "just", "also", "any", "some",
    "want", "wanted", "wanna", "need", "needed", "like", "know", "tell", "let", "not", "no",
    "he", "she", "they", "them", "their", "his", "her", "him", "then", "than", "too", "very",
    "really", "ok", "okay", "yes", "yeah", "sir",
    "madam", "question", "im", "ive", "dont", "thing", "something", "anything", "still",
    "already", "via", "one", "all", "get", "got", "go", "going", "am", "would", "way", "ask",
    "wondering", "wonder", "trying", "try", "able", "sure", "um", "uh", "well", "now", "make", "made",
    "find", "give", "say", "said", "think", "guys", "lot", "bit", "kind", "maybe", "perhaps"};

// Words that betray the language (beyond its stop words) — mostly what a stop list leaves out.
constexpr std::string_view kMarkFr[] = {
    "je", "tu", "vous", "nous", "est", "les", "des", "une", "mon", "ma", "mes", "votre", "vos",
    "pour", "avec", "dans", "sur", "que", "qui", "quoi", "pas", "ne", "suis", "ai", "avez",
    "etre", "le", "du", "et", "au", "aux", "ce", "cette", "comment", "quand", "combien",
    "pourquoi", "bonjour", "merci", "salut", "svp", "stp", "pk", "pq", "jsp", "tjr", "tjrs",
    "qd", "cmd", "mdr", "bjr", "slt", "bcp", "dsl", "oui", "non", "mais", "ou", "il", "elle",
    "moi", "ca", "commande", "colis", "livraison", "veux", "voudrais", "puis", "peux", "jai",
    "cest", "chez", "rien", "aucun", "jamais", "toujours", "encore", "deja", "tres", "trop",
    "bien", "faire", "fait", "avoir", "aussi", "donc", "alors", "car", "parce", "j", "l", "qu",
    "d", "c", "n", "sont", "etait", "ete", "leur", "son", "sa", "ses", "ton", "ta", "tes", "si"};

constexpr std::string_view kMarkEn[] = {
    "the", "i", "my", "you", "your", "is", "are", "was", "were", "do", "does", "did", "have",
    "has", "had", "will", "would", "can", "could", "should", "to", "of", "and", "for", "with",
    "from", "what", "when", "where", "why", "how", "which", "who", "it", "this", "that", "not",
    "no", "yes", "please", "pls", "plz", "thanks", "thank", "thx", "hello", "hi", "hey", "u",
    "ur", "r", "im", "dont", "cant", "wont", "get", "got", "want", "need", "order", "any",
    "there", "be", "been", "at", "by", "we", "our", "me", "am", "an", "or", "if", "so", "but",
    "still", "yet", "just", "about", "they", "them", "their", "been", "much", "many", "long"};

struct Sms { std::string_view from, to; };
constexpr Sms kSmsFr[] = {
    {"pk", "pourquoi"}, {"pq", "pourquoi"}, {"pkoi", "pourquoi"}, {"pourkoi", "pourquoi"},
    {"stp", "svp"}, {"svp", "svp"}, {"sil", "svp"}, {"jsp", "je sais pas"},
    {"chepa", "je sais pas"}, {"tjr", "toujours"}, {"tjrs", "toujours"}, {"tjs", "toujours"},
    {"qd", "quand"}, {"qnd", "quand"}, {"kan", "quand"}, {"kand", "quand"}, {"mdr", ""},
    {"ptdr", ""}, {"lol", ""}, {"cmd", "commande"}, {"cde", "commande"}, {"cmde", "commande"},
    {"comde", "commande"}, {"bcp", "beaucoup"}, {"slt", "salut"}, {"bjr", "bonjour"},
    {"bjour", "bonjour"}, {"bsr", "bonsoir"}, {"cc", "coucou"}, {"dsl", "desole"},
    {"jveux", "je veux"}, {"jvoudrais", "je voudrais"}, {"chui", "je suis"},
    {"chuis", "je suis"}, {"jsuis", "je suis"}, {"ya", "il y a"}, {"yа", "il y a"},
    {"pr", "pour"}, {"ds", "dans"}, {"ns", "nous"}, {"vs", "vous"}, {"koi", "quoi"},
    {"kwa", "quoi"}, {"tt", "tout"}, {"mm", "meme"}, {"auj", "aujourdhui"},
    {"ajd", "aujourdhui"}, {"qqn", "quelqu un"}, {"qqun", "quelqu un"}, {"qq", "quelques"},
    {"qqch", "quelque chose"}, {"mtn", "maintenant"}, {"mnt", "maintenant"},
    {"jai", "je ai"}, {"g", "je ai"}, {"cest", "ce est"}, {"ke", "que"}, {"ki", "qui"},
    {"nn", "non"}, {"ouais", "oui"}, {"ouai", "oui"}, {"pb", "probleme"}, {"pblm", "probleme"},
    {"pbm", "probleme"}, {"prob", "probleme"}, {"msg", "message"}, {"tel", "telephone"},
    {"dispo", "disponible"}, {"dispos", "disponibles"}, {"info", "information"},
    {"infos", "informations"}, {"num", "numero"}, {"no", "numero"}, {"rdv", "rendez vous"},
    {"jpeux", "je peux"}, {"jpe", "je peux"}, {"jpx", "je peux"}, {"tkt", "pas de souci"},
    {"rembourse", "rembourse"}, {"remb", "remboursement"}, {"rbt", "remboursement"},
    {"biz", "bisous"}, {"bsx", "bisous"}, {"ptn", "putain"}, {"wsh", "salut"},
    {"dac", "daccord"}, {"dacc", "daccord"}, {"ok", "ok"}, {"jamai", "jamais"},
    {"keske", "que est ce que"}, {"kesk", "que est ce que"}, {"ske", "ce que"},
    {"cmb", "combien"}, {"combi1", "combien"}, {"bi1", "bien"},
    {"rien", "rien"}, {"c", "ce est"}, {"jcomprend", "je comprends"}, {"jcomprends", "je comprends"},
    {"asap", "vite"}, {"tlm", "tout le monde"}, {"bn", "bon"}, {"lgtps", "longtemps"},
    {"lgtmps", "longtemps"}, {"tps", "temps"}, {"pdt", "pendant"}, {"svt", "souvent"},
    {"vrmt", "vraiment"}, {"vrm", "vraiment"}, {"grv", "grave"}, {"pcq", "parce que"},
    {"pcq", "parce que"}, {"psk", "parce que"}, {"pask", "parce que"}, {"paske", "parce que"},
    {"ct", "ce etait"}, {"jen", "je en"}, {"jme", "je me"}, {"jte", "je te"},
    {"lsite", "le site"}, {"mrc", "merci"}, {"mci", "merci"}, {"mrci", "merci"}};

constexpr Sms kSmsEn[] = {
    {"u", "you"}, {"ya", "you"}, {"yu", "you"}, {"ur", "your"}, {"youre", "you are"},
    {"r", "are"}, {"pls", "please"}, {"plz", "please"}, {"plse", "please"}, {"pleas", "please"},
    {"thx", "thanks"}, {"thnx", "thanks"}, {"thanx", "thanks"}, {"tnx", "thanks"},
    {"ty", "thanks"}, {"tks", "thanks"}, {"tq", "thanks"}, {"y", "why"}, {"wat", "what"},
    {"wut", "what"}, {"wht", "what"}, {"whats", "what is"}, {"wen", "when"}, {"whn", "when"},
    {"hw", "how"}, {"cuz", "because"}, {"cos", "because"}, {"coz", "because"}, {"bc", "because"},
    {"gonna", "going to"}, {"wanna", "want to"}, {"gotta", "got to"}, {"dont", "do not"},
    {"cant", "can not"}, {"cannot", "can not"}, {"wont", "will not"}, {"didnt", "did not"},
    {"doesnt", "does not"}, {"isnt", "is not"}, {"havent", "have not"}, {"hasnt", "has not"},
    {"hadnt", "had not"}, {"wasnt", "was not"}, {"arent", "are not"}, {"werent", "were not"},
    {"couldnt", "could not"}, {"shouldnt", "should not"}, {"wouldnt", "would not"},
    {"aint", "is not"}, {"im", "i am"}, {"ive", "i have"}, {"id", "i would"},
    {"ill", "i will"}, {"idk", "i do not know"}, {"dunno", "do not know"}, {"ppl", "people"},
    {"msg", "message"}, {"asap", "soon"}, {"rn", "now"}, {"tmrw", "tomorrow"},
    {"tmr", "tomorrow"}, {"tmw", "tomorrow"}, {"2moro", "tomorrow"}, {"2morrow", "tomorrow"},
    {"2day", "today"}, {"b4", "before"}, {"n", "and"}, {"pkg", "package"},
    {"pwd", "password"}, {"passwd", "password"}, {"acct", "account"}, {"acc", "account"},
    {"addr", "address"}, {"info", "information"}, {"num", "number"}, {"nbr", "number"},
    {"no", "no"}, {"k", "ok"}, {"kk", "ok"}, {"lol", ""}, {"lmao", ""}, {"omg", "omg"},
    {"btw", ""}, {"fyi", ""}, {"pl", "please"}, {"recieve", "receive"},
    {"recieved", "received"}, {"wheres", "where is"}, {"hows", "how is"},
    {"theres", "there is"}, {"thats", "that is"}, {"its", "it is"}, {"whens", "when is"},
    {"ordr", "order"}, {"oder", "order"}, {"wtf", "wtf"}, {"hrs", "hours"}, {"hr", "hour"},
    {"mins", "minutes"}, {"txt", "text"}, {"abt", "about"}, {"w", "with"}, {"wo", "without"},
    {"bday", "birthday"}, {"gf", "girlfriend"}, {"bf", "boyfriend"}, {"hun", "honey"}};

constexpr std::string_view kNegFr[] = {"pas", "jamais", "aucun", "aucune", "rien", "ni", "sans", "point", "guere", "nullement", "plus"};
constexpr std::string_view kNegEn[] = {"not", "no", "never", "nothing", "neither", "nor", "without", "hardly", "nobody", "none"};
constexpr std::string_view kIntFr[] = {"tres", "vraiment", "trop", "tellement", "completement", "totalement", "absolument",
                                       "hyper", "extremement", "vachement", "super", "carrement", "si", "grave", "franchement"};
constexpr std::string_view kIntEn[] = {"very", "really", "so", "too", "extremely", "totally", "absolutely", "completely",
                                       "utterly", "super", "fucking", "incredibly", "truly", "seriously", "bloody", "beyond"};

struct Weighted { std::string_view word; float weight; };
constexpr Weighted kSentFr[] = {
    {"nul", -2}, {"nulle", -2}, {"nuls", -2}, {"inadmissible", -3}, {"inacceptable", -3},
    {"scandale", -3}, {"scandaleux", -3}, {"scandaleuse", -3}, {"honteux", -3},
    {"honteuse", -3}, {"honte", -2.5f}, {"arnaque", -3}, {"arnaques", -3}, {"arnaqueur", -3},
    {"arnaqueurs", -3}, {"escroc", -3}, {"escrocs", -3}, {"escroquerie", -3}, {"voleur", -3},
    {"voleurs", -3}, {"furieux", -3}, {"furieuse", -3}, {"enerve", -2.5f}, {"enervee", -2.5f},
    {"enervant", -2}, {"agace", -2}, {"agacee", -2}, {"colere", -3}, {"marre", -2.5f},
    {"bol", -1}, {"degoute", -2.5f}, {"degoutee", -2.5f}, {"decu", -2}, {"decue", -2},
    {"decevant", -2}, {"deception", -2}, {"lamentable", -3}, {"minable", -3},
    {"pathetique", -3}, {"incompetent", -3}, {"incompetents", -3}, {"incompetence", -3},
    {"horrible", -2.5f}, {"catastrophe", -2.5f}, {"catastrophique", -3}, {"pire", -2},
    {"insupportable", -2.5f}, {"ridicule", -2.5f}, {"foutez", -3}, {"foutre", -2.5f},
    {"merde", -3}, {"putain", -2.5f}, {"bordel", -2.5f}, {"fache", -2.5f}, {"fachee", -2.5f},
    {"mecontent", -2.5f}, {"mecontente", -2.5f}, {"insatisfait", -2.5f},
    {"insatisfaite", -2.5f}, {"abuse", -2}, {"abusez", -2.5f}, {"injoignable", -1.5f},
    {"probleme", -0.5f}, {"problemes", -0.5f}, {"souci", -0.5f}, {"soucis", -0.5f},
    {"inquiet", -1}, {"inquiete", -1}, {"mal", -1}, {"mauvais", -1}, {"mauvaise", -1},
    {"content", 1.5f}, {"contente", 1.5f}, {"satisfait", 1.5f}, {"satisfaite", 1.5f},
    {"heureux", 1.5f}, {"heureuse", 1.5f}, {"ravi", 2}, {"ravie", 2}, {"genial", 2},
    {"parfait", 2}, {"top", 1}, {"merci", 0.5f}, {"cool", 1}, {"bon", 0.5f}, {"bonne", 0.5f},
    {"excellent", 2}, {"sympa", 1}, {"nickel", 2}, {"terrible", -2}, {"grave", -0.5f},
    {"inadmissibles", -3}, {"dingue", -1.5f}, {"hallucinant", -2}, {"chiant", -2.5f},
    {"galere", -1.5f}, {"galerer", -1.5f}};

constexpr Weighted kSentEn[] = {
    {"angry", -3}, {"furious", -3}, {"annoyed", -2}, {"annoying", -2}, {"pissed", -3},
    {"mad", -2}, {"upset", -2}, {"disappointed", -2}, {"disappointing", -2},
    {"terrible", -2.5f}, {"awful", -2.5f}, {"horrible", -2.5f}, {"worst", -3},
    {"useless", -2.5f}, {"pathetic", -3}, {"ridiculous", -2.5f}, {"unacceptable", -3},
    {"outrageous", -3}, {"disgusting", -3}, {"disgrace", -3}, {"disgraceful", -3},
    {"scam", -3}, {"scammers", -3}, {"scammed", -3}, {"fraud", -3}, {"thieves", -3},
    {"incompetent", -3}, {"rubbish", -2.5f}, {"crap", -2.5f}, {"shit", -3}, {"shitty", -3},
    {"wtf", -2.5f}, {"fed", -1.5f}, {"frustrated", -2.5f}, {"frustrating", -2.5f},
    {"fuming", -3}, {"livid", -3}, {"shocking", -2}, {"appalling", -3}, {"dreadful", -2.5f},
    {"bad", -1}, {"poor", -1}, {"problem", -0.5f}, {"problems", -0.5f}, {"issue", -0.3f},
    {"unhappy", -2.5f}, {"dissatisfied", -2.5f}, {"fuck", -3}, {"fucking", -1},
    {"damn", -1}, {"sucks", -2.5f}, {"suck", -2}, {"hate", -2}, {"joke", -0.5f},
    {"ripoff", -3}, {"ripped", -2}, {"nightmare", -2.5f}, {"worried", -1},
    {"happy", 1.5f}, {"satisfied", 1.5f}, {"pleased", 1.5f}, {"glad", 1}, {"great", 1.5f},
    {"good", 0.5f}, {"love", 1.5f}, {"perfect", 2}, {"awesome", 2}, {"excellent", 2},
    {"nice", 1}, {"thanks", 0.5f}, {"amazing", 2}, {"fine", 0.5f}};

template <std::size_t N> void fill(StrMap& m, const std::string_view (&words)[N]) {
    for (std::string_view w : words) m.set(w, 1);
}

}  // namespace

Lexicon Lexicon::build(Lang lang) {
    Lexicon lx;
    lx.lang = lang;
    const bool fr = lang == Lang::fr;
    if (fr) { fill(lx.stop, kStopFr); fill(lx.marker, kMarkFr); fill(lx.negator, kNegFr); fill(lx.intensifier, kIntFr); }
    else { fill(lx.stop, kStopEn); fill(lx.marker, kMarkEn); fill(lx.negator, kNegEn); fill(lx.intensifier, kIntEn); }
    auto add_sms = [&](const auto& table) {
        for (const Sms& s : table) {
            std::vector<std::string> to;
            std::string_view rest = s.to;
            while (!rest.empty()) {
                const std::size_t sp = rest.find(' ');
                to.emplace_back(rest.substr(0, sp));
                rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
            }
            if (lx.sms.contains(s.from)) continue;
            lx.sms.set(s.from, static_cast<std::uint32_t>(lx.sms_to.size()));
            lx.sms_to.push_back(std::move(to));
        }
    };
    if (fr) add_sms(kSmsFr); else add_sms(kSmsEn);
    auto add_sent = [&](const auto& table) {
        for (const Weighted& w : table) {
            lx.sentiment.set(w.word, static_cast<std::uint32_t>(lx.sentiment_weight.size()));
            lx.sentiment_weight.push_back(w.weight);
        }
    };
    if (fr) add_sent(kSentFr); else add_sent(kSentEn);
    return lx;
}

}  // namespace chat::bot::detail
