#!/usr/bin/python3
"""A complete consumer of aduan's event stream in ~80 lines of Python (python3-zmq, python3-msgpack).

    stream_consumer.py [--from SEQ] [--count N] [--stream tcp://127.0.0.1:7110] [--replay tcp://127.0.0.1:7111]

Prints "seq type report" for every event after SEQ, in order. It subscribes to everything (a gap can
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="start", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--stream", default="tcp://127.0.0.1:7110")
    parser.add_argument("--replay", default="tcp://127.0.0.1:7111")
    args = parser.parse_args()

    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(args.stream)
    dealer = ctx.socket(zmq.DEALER)
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
