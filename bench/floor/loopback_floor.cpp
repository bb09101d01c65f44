// loopback_floor.cpp — what one request and one reply over loopback TCP cost on this machine
// when nothing else is done: the floor under any chat server's message rate here.
//
//   loopback-floor [--conns N] [--procs P] [--seconds S] [--request B] [--reply B]
//
// Forks a server (one thread, epoll, non-blocking sockets, TCP_NODELAY) and P client processes
// holding N connections in all. Each connection sends a REQUEST-byte request and waits for the
// REPLY-byte reply before sending the next (as a shopper waits for the answer); the server
// answers every whole request it read with one write. No WebSocket framing, no JSON, no disk,
// no logic: the system calls and the kernel's loopback path only (one read and one write a
// message on each side, plus epoll_wait). Prints replies per second and the CPU of the server
// and of the clients (from /proc of each process), so the cost per message of each side.
// A chat server does strictly more work per message than this server; the clients are as lean
// as a load generator can be.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
    int conns = 2000, procs = 2, seconds = 5, request = 80, reply = 400;
};

[[noreturn]] void die(const char* what) {
    std::perror(what);
    std::exit(1);
}

void tune(int fd) {
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// utime + stime of a process, in clock ticks.
long cpu_ticks(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), {});
    auto p = s.rfind(')');
    if (p == std::string::npos) return 0;
    std::vector<std::string> f;
    std::size_t i = p + 2;
    while (i < s.size()) {
        auto j = s.find(' ', i);
        f.push_back(s.substr(i, j - i));
        if (j == std::string::npos) break;
        i = j + 1;
    }
    return f.size() > 12 ? std::stol(f[11]) + std::stol(f[12]) : 0;  // fields 14 and 15
}

[[noreturn]] void serve(int listener, const Options& o) {
    int ep = epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    std::vector<char> in(1 << 16), out(static_cast<std::size_t>(o.reply) * 64, 'r');
    std::vector<int> partial(1 << 20, 0);  // bytes of an unfinished request, by descriptor
    epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                for (int c; (c = accept(listener, nullptr, nullptr)) >= 0;) {
                    tune(c);
                    epoll_event e{};
                    e.events = EPOLLIN;
                    e.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
                }
                continue;
            }
            ssize_t r = read(fd, in.data(), in.size());
            if (r <= 0) {
                close(fd);
                continue;
            }
            int total = partial[fd] + static_cast<int>(r);
            int whole = std::min(total / o.request, 64);
            partial[fd] = total - whole * o.request;
            if (whole > 0 && write(fd, out.data(), static_cast<std::size_t>(whole) * o.reply) < 0) close(fd);
        }
    }
}

// One client process: `conns` connections in a closed loop; writes its reply count to `report`.
[[noreturn]] void drive(int port, int conns, const Options& o, int report, std::chrono::steady_clock::time_point start,
                        std::chrono::steady_clock::time_point until) {
    int ep = epoll_create1(0);
    std::vector<char> request(static_cast<std::size_t>(o.request), 'q'), in(1 << 16);
    std::vector<int> got(1 << 20, 0);
    for (int i = 0; i < conns; ++i) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("connect");
        tune(s);
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.fd = s;
        epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
        if (write(s, request.data(), request.size()) < 0) die("write");
    }
    long replies = 0;
    epoll_event events[256];
    for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now()) {
        const bool counting = now >= start;
        int n = epoll_wait(ep, events, 256, 50);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            ssize_t r = read(fd, in.data(), in.size());
            if (r <= 0) die("read");
            got[fd] += static_cast<int>(r);
            for (; got[fd] >= o.reply; got[fd] -= o.reply) {
                replies += counting;
                if (write(fd, request.data(), request.size()) < 0) die("write");
            }
        }
    }
    if (write(report, &replies, sizeof replies) != sizeof replies) die("report");
    std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) {
            std::fprintf(stderr, "loopback-floor: %s needs a value\n", a.c_str());
            return 2;
        }
        int v = std::atoi(argv[++i]);
        if (a == "--conns") o.conns = v;
        else if (a == "--procs") o.procs = v;
        else if (a == "--seconds") o.seconds = v;
        else if (a == "--request") o.request = v;
        else if (a == "--reply") o.reply = v;
        else {
            std::fprintf(stderr, "loopback-floor: unknown flag %s\n", a.c_str());
            return 2;
        }
        if (v <= 0) {
            std::fprintf(stderr, "loopback-floor: %s must be positive\n", a.c_str());
            return 2;
        }
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listener, 4096) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        die("listen");
    tune(listener);
    const int port = ntohs(a.sin_port);

    pid_t server = fork();
    if (server == 0) serve(listener, o);
    close(listener);
    int pipefd[2];
    if (pipe(pipefd) != 0) die("pipe");
    // Connections are made first; the measured window starts after a second.
    const auto start = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    const auto until = start + std::chrono::seconds(o.seconds);
    std::vector<pid_t> clients;
    for (int p = 0; p < o.procs; ++p) {
        pid_t c = fork();
        if (c == 0) drive(port, o.conns / o.procs, o, pipefd[1], start, until);
        clients.push_back(c);
    }
    std::this_thread::sleep_until(start);
    long s0 = cpu_ticks(server), c0 = 0;
    for (pid_t c : clients) c0 += cpu_ticks(c);
    std::this_thread::sleep_until(until - std::chrono::milliseconds(20));
    long s1 = cpu_ticks(server), c1 = 0;
    for (pid_t c : clients) c1 += cpu_ticks(c);
    long replies = 0;
    for (std::size_t i = 0; i < clients.size(); ++i) {
        long r = 0;
        if (read(pipefd[0], &r, sizeof r) != sizeof r) die("report");
        replies += r;
    }
    for (pid_t c : clients) waitpid(c, nullptr, 0);
    kill(server, SIGKILL);
    waitpid(server, nullptr, 0);
    const double window = o.seconds, hz = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double rate = static_cast<double>(replies) / window;
    const double server_cpu = (s1 - s0) / hz / window, client_cpu = (c1 - c0) / hz / window;
    std::printf("loopback-floor: %d connections, %d client process(es), %d-byte requests, %d-byte replies\n", o.conns,
                o.procs, o.request, o.reply);
    std::printf("  %.0f replies/s; server %.0f %% of a core (%.1f us a message), clients %.0f %% (%.1f us a message)\n",
                rate, server_cpu * 100, server_cpu * 1e6 / rate, client_cpu * 100, client_cpu * 1e6 / rate);
}
