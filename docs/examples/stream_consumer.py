#!/usr/bin/python3
"""A complete consumer of aduan's event stream in ~100 lines of Python (python3-zmq, python3-msgpack).

    stream_consumer.py [--from SEQ] [--count N] [--stream tcp://127.0.0.1:7110] [--replay tcp://127.0.0.1:7111]
                       [--key analytics.cert_secret --hub-key stats.cert]

Prints "seq type report" for every event after SEQ, in order. A deployment with CURVE keys
(docs/operations.md "Keys") admits only listed keys: --key is this consumer's secret certificate
(made by `aduan-admin keys NAME analytics DIR`, its public half given to the operators), --hub-key
the hub's public certificate (stats.cert). It subscribes to everything (a gap can
only be seen on the whole stream), and whenever the next sequence number is missing — it joined
late, a message was dropped, the hub restarted — it asks the replay endpoint for the missing part.
"""
import argparse
import os
import time

import msgpack
import zmq


def replay(dealer, first, limit=1000):
    """Events from `first` on, through the command link: one envelope out, one back."""
    request_id = os.urandom(16).hex()
    body = msgpack.packb({"from": first, "prefix": "", "max": limit})
    envelope = {"t": "stream.replay", "v": 1, "id": request_id, "trace": request_id,
                "at": int(time.time() * 1000), "body": body}
    dealer.send(msgpack.packb(envelope, use_bin_type=True))
    while dealer.poll(2000):
        reply = msgpack.unpackb(dealer.recv(), raw=False)
        if reply["id"] != request_id:
            continue  # an answer to an earlier request that timed out
        if reply["t"] != "stream.batch":
            raise RuntimeError(msgpack.unpackb(reply["body"], raw=False))
        return msgpack.unpackb(reply["body"], raw=False)
    return None  # no hub answered: try again later


def certificate_keys(path):
    """The public and (in a secret certificate) secret key of a CZMQ certificate file."""
    keys = {}
    with open(path) as f:
        for line in f:
            name, _, value = line.strip().partition("=")
            if name.strip() in ("public-key", "secret-key"):
                keys[name.strip()] = value.strip().strip('"').encode()
    return keys.get("public-key"), keys.get("secret-key")


def secure(sock, key_file, hub_key_file):
    """CURVE client: our key pair, and the hub's public key to check the server against."""
    sock.curve_publickey, sock.curve_secretkey = certificate_keys(key_file)
    sock.curve_serverkey = certificate_keys(hub_key_file)[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="start", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--stream", default="tcp://127.0.0.1:7110")
    parser.add_argument("--replay", default="tcp://127.0.0.1:7111")
    parser.add_argument("--key", help="this consumer's secret certificate (NAME.cert_secret)")
    parser.add_argument("--hub-key", help="the hub's public certificate (stats.cert)")
    args = parser.parse_args()

    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    dealer = ctx.socket(zmq.DEALER)
    if args.key:
        secure(sub, args.key, args.hub_key)
        secure(dealer, args.key, args.hub_key)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(args.stream)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(args.replay)

    expected, head, printed = args.start + 1, 0, 0

    def emit(event):
        nonlocal expected, printed
        print(event["seq"], event["type"], event.get("report", "-"), flush=True)
        expected, printed = event["seq"] + 1, printed + 1

    while not args.count or printed < args.count:
        if head >= expected:  # something is missing: fill it from the log
            batch = replay(dealer, expected)
            if batch:
                head = max(head, batch["head"])
                for event in batch["events"]:
                    if event["seq"] == expected and (not args.count or printed < args.count):
                        emit(event)
                continue
        if not sub.poll(1000):
            continue
        topic, body = sub.recv_multipart()
        message = msgpack.unpackb(body, raw=False)
        if topic == b"_heartbeat":
            head = max(head, message["head"])
        elif message["seq"] == expected:
            emit(message)
        elif message["seq"] > expected:
            head = max(head, message["seq"])  # a gap: the replay above fills it


if __name__ == "__main__":
    main()
