#!/usr/bin/python3
"""A small scripted h2c server (python3-h2) for the cases of tests/h2.bats
that real servers will not do on demand.

    /usr/bin/python3 h2mini.py DIR CASE [CASE...]

Listens on 127.0.0.1 (a free port, written to DIR/port), prior knowledge
only. Connection N (from 1) plays CASE N, the last case for every later
one; DIR/conns holds the number of connections accepted, DIR/N.log what
connection N received (one line per event). Cases:

  ok          every request: 200 with body "ok N\\n" (N: the connection)
  rst         stream 1: 200 head and 5 body bytes, then RST_STREAM
              INTERNAL_ERROR; stream 3 (if any) is answered whole
  goaway-err  200 head and 5 body bytes, then GOAWAY PROTOCOL_ERROR, close
  goaway-0    GOAWAY NO_ERROR last-stream-id 0 before answering (the
              request was not processed), then close
  push        a PUSH_PROMISE on the request's stream, then the answer
  early413    413 with a 4-byte body as soon as the request's head is in,
              while its body is still coming; counts the DATA it got
  bighdr      a response field of 70,000 bytes (over the 65,536 limit)
  flood       a HEADERS frame without END_HEADERS, then 1000 CONTINUATION
              frames of junk-free empty fragments
  data-after  200, DATA "ok\n" with END_STREAM, then one more DATA frame on the
              same stream, in one write
  silent      reads what comes, never answers (not even SETTINGS)
  echo        the request body back (200) after END_STREAM, with a tiny
              connection and stream window so the client's uploads wait
"""
import os
import socket
import sys

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings


def log(d, n, line):
    with open(os.path.join(d, "%d.log" % n), "a") as f:
        f.write(line + "\n")


def frame(ftype, flags, stream, payload=b""):
    n = len(payload)
    return bytes([n >> 16, (n >> 8) & 255, n & 255, ftype, flags]) + stream.to_bytes(4, "big") + payload


def serve(sock, d, n, case):
    if case == "silent":
        while sock.recv(65536):
            pass
        return
    cfg = h2.config.H2Configuration(client_side=False, header_encoding=None)
    conn = h2.connection.H2Connection(config=cfg)
    conn.initiate_connection()
    if case == "echo":
        conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1024})
    sock.sendall(conn.data_to_send())
    bodies = {}
    answered = set()
    while True:
        data = sock.recv(65536)
        if not data:
            return
        try:
            events = conn.receive_data(data)
        except Exception as e:  # the client broke the protocol
            log(d, n, "error %s" % type(e).__name__)
            return
        for ev in events:
            sid = getattr(ev, "stream_id", 0)
            if isinstance(ev, h2.events.RequestReceived):
                hdrs = dict((k.decode(), v.decode()) for k, v in ev.headers)
                log(d, n, "request %d %s %s cl=%s" % (sid, hdrs[":method"], hdrs[":path"],
                                                     hdrs.get("content-length", "-")))
                bodies[sid] = 0
                if case == "ok" or (case == "rst" and sid != 1):
                    conn.send_headers(sid, [(":status", "200"), ("content-length", "5")])
                    conn.send_data(sid, b"ok %d\n" % n, end_stream=True)
                elif case == "rst":
                    conn.send_headers(sid, [(":status", "200")])
                    conn.send_data(sid, b"part\n")
                    sock.sendall(conn.data_to_send())
                    conn.reset_stream(sid, h2.errors.ErrorCodes.INTERNAL_ERROR)
                elif case == "goaway-err":
                    conn.send_headers(sid, [(":status", "200")])
                    conn.send_data(sid, b"part\n")
                    conn.close_connection(h2.errors.ErrorCodes.PROTOCOL_ERROR, last_stream_id=sid)
                    sock.sendall(conn.data_to_send())
                    return
                elif case == "goaway-0":
                    conn.close_connection(h2.errors.ErrorCodes.NO_ERROR, last_stream_id=0)
                    sock.sendall(conn.data_to_send())
                    return
                elif case == "push":
                    sock.sendall(conn.data_to_send())
                    # h2 refuses to push when the client said ENABLE_PUSH 0: write it by hand
                    hb = conn.encoder.encode([(":method", "GET"), (":scheme", "http"),
                                              (":authority", "x"), (":path", "/pushed")])
                    sock.sendall(frame(5, 4, sid, (2).to_bytes(4, "big") + hb))
                    conn.send_headers(sid, [(":status", "200")])
                    conn.send_data(sid, b"pushed?\n", end_stream=True)
                elif case == "early413":
                    conn.send_headers(sid, [(":status", "413"), ("content-length", "4")])
                    conn.send_data(sid, b"big\n", end_stream=True)
                    answered.add(sid)
                elif case == "data-after":
                    conn.send_headers(sid, [(":status", "200")])
                    conn.send_data(sid, b"ok\n", end_stream=True)
                    sock.sendall(conn.data_to_send() + frame(0, 0, sid, b"more\n"))
                elif case == "bighdr":
                    conn.send_headers(sid, [(":status", "200"), ("x-big", "v" * 70000)],
                                      end_stream=True)
                elif case == "flood":
                    sock.sendall(conn.data_to_send())
                    hb = conn.encoder.encode([(":status", "200")])
                    out = frame(1, 0, sid, hb)  # HEADERS without END_HEADERS
                    out += b"".join(frame(9, 0, sid) for _ in range(1000))
                    try:
                        sock.sendall(out)
                    except OSError:
                        return
            elif isinstance(ev, h2.events.DataReceived):
                bodies[sid] = bodies.get(sid, 0) + len(ev.data)
                conn.acknowledge_received_data(ev.flow_controlled_length, sid)
                if case == "echo":
                    bodies.setdefault(("data", sid), []).append(ev.data)
            elif isinstance(ev, h2.events.StreamEnded):
                log(d, n, "ended %d body=%d" % (sid, bodies.get(sid, 0)))
                if case == "echo":
                    body = b"".join(bodies.get(("data", sid), []))
                    conn.send_headers(sid, [(":status", "200"), ("content-length", str(len(body)))])
                    send_all(sock, conn, sid, body)
            elif isinstance(ev, h2.events.StreamReset):
                log(d, n, "reset %d code=%d body=%d" % (sid, ev.error_code, bodies.get(sid, 0)))
        out = conn.data_to_send()
        if out:
            sock.sendall(out)


def send_all(sock, conn, sid, body):
    """Send body under the client's windows, reading its WINDOW_UPDATEs."""
    while body:
        room = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size)
        if room <= 0:
            sock.sendall(conn.data_to_send())
            data = sock.recv(65536)
            if not data:
                return
            conn.receive_data(data)
            continue
        conn.send_data(sid, body[:room])
        body = body[room:]
        sock.sendall(conn.data_to_send())
    conn.end_stream(sid)


def main():
    d, cases = sys.argv[1], sys.argv[2:]
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    with open(os.path.join(d, "port.tmp"), "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
    n = 0
    while True:
        sock, _ = ls.accept()
        n += 1
        with open(os.path.join(d, "conns"), "w") as f:
            f.write("%d\n" % n)
        try:
            serve(sock, d, n, cases[min(n, len(cases)) - 1])
        except OSError:
            pass
        log(d, n, "closed")
        sock.close()


if __name__ == "__main__":
    main()
