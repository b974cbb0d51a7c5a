"""aduan-open-loop (tests/bench/open_loop_sender.c) against a small HTTP/1.1 server of this test:
requests go out at their due times whatever the answers do, a request that waits behind a stall is
charged from its due time, a kept connection the server closed is used again only after a new one
is made, a silent server is a time-out, and a refused connection a failure."""
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import open_loop  # noqa: E402


class Server:
    """Answers 201 with a body to every request on keep-alive connections. A request whose
    Idempotency-Key holds "stall-MS" is answered after MS ms, "close" closes the connection
    after the answer (without saying so), "silent" is never answered."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.served = []          # requests answered on each connection, in the order they were made
        self.stop = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self.served.append(0)
            threading.Thread(target=self.serve, args=(conn, len(self.served) - 1), daemon=True).start()

    @staticmethod
    def read_request(conn, pending):
        while b"\r\n\r\n" not in pending:
            data = conn.recv(65536)
            if not data:
                return None, b""
            pending += data
        head, rest = pending.split(b"\r\n\r\n", 1)
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(rest) < length:
            data = conn.recv(65536)
            if not data:
                return None, b""
            rest += data
        return head, rest[length:]

    def serve(self, conn, index):
        pending = b""
        with conn:
            while True:
                head, pending = self.read_request(conn, pending)
                if head is None:
                    return
                key = next(line for line in head.split(b"\r\n") if line.lower().startswith(b"idempotency-key:"))
                if b"silent" in key:
                    time.sleep(5)
                    return
                if b"stall-" in key:
                    time.sleep(int(key.split(b"stall-")[1]) / 1000)
                body = b'{"tracking_id":"AAAA-BBBB-CCCC"}'
                self.served[index] += 1
                conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
                if b"close" in key:
                    return


def request(port, key):
    body = b'{"title":"x"}'
    return (b"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nIdempotency-Key: %s\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (port, key.encode(), len(body), body))


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def test_requests_leave_at_their_due_times():
    server = Server()
    keys = [f"k{i}" for i in range(200)]
    before = time.time()
    elapsed, cpu, ended, started = open_loop.send(server.port, 400, [request(server.port, k) for k in keys], 8, 2.0)
    check(before - 0.001 <= started <= time.time() - elapsed + 0.001, f"started at {started}, called at {before}")
    check(len(ended) == 200 and all(e[3] == 201 for e in ended), f"all answered 201: {ended[:3]}")
    for i, (due, written, answered, _) in enumerate(ended):
        check(abs(due - i * 2.5) < 0.01, f"request {i} due at {due} ms, not {i * 2.5}")
        check(due <= written <= answered, f"request {i}: due {due}, written {written}, answered {answered}")
    check(max(written - due for due, written, _, _ in ended) < 250, "a request was written late on an idle server")
    check(elapsed >= 199 * 2.5 / 1000, f"200 requests at 400/s ended in {elapsed} s")
    check(0 <= cpu < elapsed, f"CPU {cpu} s in {elapsed} s")
    # The connection idle longest takes the next request: the load is spread over the whole pool.
    check(len(server.served) == 8 and min(server.served) >= 20, f"requests per connection {server.served}")


def test_a_stall_is_charged_to_the_requests_behind_it():
    server = Server()
    # Both connections held 300 ms by the first two requests: those due meanwhile wait for a
    # connection, and their latency counts from their due time, not from when they were written.
    keys = ["stall-300", "stall-300"] + [f"k{i}" for i in range(2, 60)]
    elapsed, cpu, ended, _ = open_loop.send(server.port, 200, [request(server.port, k) for k in keys], 2, 2.0)
    check(all(e[3] == 201 for e in ended), "all answered")
    # Waiting for a connection is waiting for an answer, not a loop on the clock.
    check(cpu < elapsed / 4, f"{cpu:.3f} s of CPU in a {elapsed:.3f} s run that mostly waited")
    due, written, answered, _ = ended[2]
    check(due == 10 and written - due >= 280 and answered - due >= 280,
          f"the request due at {due} ms behind the stall: written {written}, answered {answered}")
    check(all(written >= due for due, written, _, _ in ended), "a request left before it was due")


def test_a_stalled_server_is_a_silence_a_busy_connection_is_not():
    server = Server()
    keys = [f"k{i}" for i in range(10)] + ["stall-300"] + [f"k{i}" for i in range(11, 120)]
    # One connection: while it is held nothing is answered, though a request waits for its answer.
    _, _, ended, _ = open_loop.send(server.port, 200, [request(server.port, k) for k in keys], 1, 2.0)
    ms, at_s, waiting = open_loop.longest_silence(ended)
    check(280 <= ms <= 400 and 0.03 <= at_s <= 0.15 and waiting == 1,
          f"silence of {ms:.1f} ms from {at_s:.3f} s with {waiting} waiting, for a stall of 300 ms at 50 ms")
    # Two: the other connection keeps answering while the first is held (requests go on being due
    # after the stall, as in a load, so the stalled one is never the only one left).
    _, _, ended, _ = open_loop.send(server.port, 200, [request(server.port, k) for k in keys], 2, 2.0)
    ms, _, _ = open_loop.longest_silence(ended)
    check(ms < 100, f"silence of {ms:.1f} ms while a second connection answered")


def test_a_request_answered_the_instant_it_is_written_is_in_flight_first():
    ended = [(0, 5.0, 5.0, 201), (1, 5.0, 9.0, 201), (2, 20.0, 30.0, 201)]
    silence = open_loop.longest_silence(ended)
    check(silence == (10.0, 0.02, 1), f"longest silence {silence}, not 10 ms from 0.02 s with one waiting")


def test_a_closed_kept_connection_is_made_again():
    server = Server()
    keys = [("close" if i % 3 == 0 else f"k{i}") + f"-{i}" for i in range(30)]
    # Faster than one connection answers: the next request is waiting when an answer comes, so it
    # goes out on the connection the server is closing and must be sent again on a new one.
    _, _, ended, _ = open_loop.send(server.port, 5000, [request(server.port, k) for k in keys], 1, 2.0)
    check([e[3] for e in ended] == [201] * 30, f"statuses {[e[3] for e in ended]}")
    check(server.connections >= 10, f"{server.connections} connections for 10 closed by the server")


def test_silence_is_a_time_out_and_refusal_a_failure():
    server = Server()
    keys = ["silent", "k1", "k2"]
    _, _, ended, _ = open_loop.send(server.port, 50, [request(server.port, k) for k in keys], 3, 0.5)
    check([e[3] for e in ended] == [0, 201, 201], f"statuses {[e[3] for e in ended]}")
    check(ended[0][2] - ended[0][1] >= 500, "the time-out came early")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]   # bound, never listening: connections are refused
    _, _, ended, _ = open_loop.send(port, 100, [request(port, "k")] * 3, 2, 0.5)
    check([e[3] for e in ended] == [-1, -1, -1], f"statuses {[e[3] for e in ended]}")
    closed.close()


def main():
    tests = [test_requests_leave_at_their_due_times, test_a_stall_is_charged_to_the_requests_behind_it,
             test_a_stalled_server_is_a_silence_a_busy_connection_is_not,
             test_a_request_answered_the_instant_it_is_written_is_in_flight_first,
             test_a_closed_kept_connection_is_made_again,
             test_silence_is_a_time_out_and_refusal_a_failure]
    for test in tests:
        test()
        print(f"ok {test.__name__}", flush=True)


if __name__ == "__main__":
    main()
