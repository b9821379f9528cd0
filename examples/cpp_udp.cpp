// synack from C++17: the C API as it is (extern "C" headers), owned by std::unique_ptr, with a
// lambda as a socket handler. Two stacks on a simulated link; A sends three UDP datagrams to B,
// which answers each in upper case.
// Build: c++ -std=c++17 cpp_udp.cpp $(pkg-config --cflags --libs synack) -o cpp_udp
#include <cctype>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <synack/synack.h>

struct StackFree {
    void operator()(synack_stack_t *st) const { synack_stack_free(st); }
};
struct NetFree {
    void operator()(synack_simnet_t *n) const { synack_simnet_free(n); }
};
using Stack = std::unique_ptr<synack_stack_t, StackFree>;
using Net = std::unique_ptr<synack_simnet_t, NetFree>;

// A socket handler that calls any callable: the C API carries it through the `arg` pointer.
using Handler = std::function<void(synack_stack_t *, int, synack_time_t)>;
static void call_handler(synack_stack_t *st, int sock, unsigned, void *arg, synack_time_t now)
{
    (*static_cast<Handler *>(arg))(st, sock, now);
}

static Stack add_stack(synack_simnet_t *net, synack_simlink_t *link, int side, uint32_t addr)
{
    synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 10 + side);
    Stack st(synack_stack_new(&cfg));
    synack_if_config ic{};
    ic.name = side ? "b" : "a";
    ic.kind = SYNACK_IF_ETHERNET;
    ic.mac[0] = 2;
    ic.mac[5] = static_cast<uint8_t>(1 + side);
    ic.addr = addr;
    ic.prefix_len = 24;
    ic.mtu = 1500;
    ic.tx = synack_simlink_tx;
    ic.tx_ctx = synack_simlink_end(link, side);
    synack_simlink_attach(link, side, st.get(), synack_if_add(st.get(), &ic));
    synack_simnet_add_stack(net, st.get());
    return st;
}

static std::string to_string(const synack_sockaddr &sa)
{
    char buf[SYNACK_SOCKADDR_STRLEN];
    return synack_sockaddr_format(&sa, buf, sizeof(buf)) < 0 ? "?" : buf;
}

int main()
{
    synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_MS(5);
    Net net(synack_simnet_new(0));
    synack_simlink_t *link = synack_simlink_new(&lc);
    synack_simnet_add_link(net.get(), link);               // the net owns the link now
    // Declared after the net, so destroyed before it: no stack outlives the link it sends on.
    Stack a = add_stack(net.get(), link, 0, 0xC0000201), b = add_stack(net.get(), link, 1, 0xC0000202);

    const synack_sockaddr b_addr = synack_sockaddr_from_v4(0xC0000202, 5000);
    int sb = synack_socket(b.get(), SYNACK_SOCK_DGRAM), sa = synack_socket(a.get(), SYNACK_SOCK_DGRAM);
    synack_bind(b.get(), sb, &b_addr);

    Handler b_echo = [](synack_stack_t *st, int sock, synack_time_t now) {   // B: upper-case echo
        char buf[256];
        synack_sockaddr from{};
        int n;
        while ((n = synack_recvfrom(st, sock, buf, sizeof(buf), &from, now)) > 0) {
            std::string s(buf, static_cast<size_t>(n));
            for (char &c : s)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            synack_sendto(st, sock, s.data(), s.size(), &from, now);
        }
    };
    int answers = 0;
    Handler a_read = [&answers](synack_stack_t *st, int sock, synack_time_t now) {   // A: print answers
        char buf[256];
        synack_sockaddr from{};
        int n;
        while ((n = synack_recvfrom(st, sock, buf, sizeof(buf), &from, now)) > 0) {
            std::printf("A got \"%.*s\" from %s\n", n, buf, to_string(from).c_str());
            answers++;
        }
    };
    synack_socket_set_handler(b.get(), sb, call_handler, &b_echo);
    synack_socket_set_handler(a.get(), sa, call_handler, &a_read);

    for (int i = 1; i <= 3; i++) {
        std::string msg = "datagram " + std::to_string(i) + " from c++";
        synack_sendto(a.get(), sa, msg.data(), msg.size(), &b_addr, synack_simnet_now(net.get()));
        synack_simnet_run_until(net.get(), SYNACK_MS(100) * static_cast<unsigned>(i));
    }
    std::printf("%d answers; synack %s\n", answers, synack_version());
    a.reset();
    b.reset();
    return answers == 3 ? 0 : 1;
}
