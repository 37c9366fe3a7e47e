"""The Python twin of examples/websocket_echo.rs: a WebSocket (RFC 6455) echo server and a
client, over asyncio streams alone (no `websockets` package), printing the same trace.

    python3 examples/support/websocket_echo.py
"""
import asyncio
import base64
import hashlib
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# RFC 6455 section 1.3's sample key, and the accept value it gives.
SAMPLE_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def accept_of(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


class Masks:
    """A client's masking keys: RFC 6455 wants them unpredictable; a fixed sequence keeps
    the trace reproducible (xorshift32 from a fixed seed)."""

    def __init__(self):
        self.state = 0x2545F491

    def next(self):
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.state = x
        return struct.pack(">I", x)


def frame(opcode, payload, mask=None):
    head = bytes([0x80 | opcode])
    bit = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        head += bytes([bit | n])
    elif n < 1 << 16:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    fin, opcode, masked, n = b0 & 0x80, b0 & 0x0F, b1 & 0x80, b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack(">H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack(">Q", await reader.readexactly(8))
    mask = await reader.readexactly(4) if masked else None
    payload = await reader.readexactly(n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bool(fin), opcode, bool(masked), payload


async def read_message(reader):
    """A whole message: a data frame and its continuations, or one control frame."""
    fin, opcode, masked, payload = await read_frame(reader)
    while not fin:
        fin, _, _, more = await read_frame(reader)
        payload += more
    return opcode, masked, payload


async def serve(reader, writer, stats):
    request = await reader.readuntil(b"\r\n\r\n")
    headers = {}
    for line in request.decode().split("\r\n")[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("upgrade", "").lower() != "websocket" or "sec-websocket-key" not in headers:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        writer.close()
        stats["refused"] += 1
        return
    writer.write(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept_of(headers["sec-websocket-key"].encode()) + b"\r\n\r\n"
    )
    while True:
        opcode, masked, payload = await read_message(reader)
        if not masked:
            writer.write(frame(CLOSE, struct.pack(">H", 1002) + b"unmasked frame"))
            break
        if opcode == PING:
            stats["pings"] += 1
            writer.write(frame(PONG, payload))
        elif opcode == CLOSE:
            writer.write(frame(CLOSE, payload))
            break
        else:
            stats["messages"] += 1
            writer.write(frame(opcode, payload))
        await writer.drain()
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: " + SAMPLE_KEY + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    response = await reader.readuntil(b"\r\n\r\n")
    status = response.split(b"\r\n")[0].decode()
    accept = [l for l in response.split(b"\r\n") if l.lower().startswith(b"sec-websocket-accept:")]
    accept = accept[0].split(b":", 1)[1].strip()
    assert accept == accept_of(SAMPLE_KEY)
    print(f"client: {status}, Sec-WebSocket-Accept {accept.decode()}")
    masks = Masks()
    for text in ["hello", "websockets over yield from", "\uc6f9\uc18c\ucf13"]:
        writer.write(frame(TEXT, text.encode(), masks.next()))
        opcode, _, payload = await read_message(reader)
        print(f"client: sent {text!r}, got {payload.decode()!r} (opcode {opcode})")
    # A message in three fragments, echoed whole.
    parts = [b"frag", b"ment", b"ed"]
    writer.write(bytes([TEXT]) + frame(0, parts[0], masks.next())[1:])
    writer.write(bytes([0]) + frame(0, parts[1], masks.next())[1:])
    writer.write(frame(0, parts[2], masks.next()))
    opcode, _, payload = await read_message(reader)
    print(f"client: sent 3 fragments, got {payload.decode()!r}")
    big = bytes(i % 251 for i in range(70000))
    writer.write(frame(BINARY, big, masks.next()))
    opcode, _, payload = await read_message(reader)
    print(f"client: sent {len(big)} bytes, got {len(payload)} back, equal: {payload == big}")
    writer.write(frame(PING, b"are you there?", masks.next()))
    opcode, _, payload = await read_message(reader)
    print(f"client: ping, got opcode {opcode} {payload.decode()!r}")
    writer.write(frame(CLOSE, struct.pack(">H", 1000) + b"bye", masks.next()))
    opcode, _, payload = await read_message(reader)
    (code,) = struct.unpack(">H", payload[:2])
    print(f"client: close, server answered {code} {payload[2:].decode()!r}")
    rest = await reader.read()
    print(f"client: connection closed, {len(rest)} bytes after the close frame")
    writer.close()
    await writer.wait_closed()


async def plain_http(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    response = await reader.read()
    status = response.split(b"\r\n")[0].decode()
    print(f"plain HTTP client: {status}")
    writer.close()


async def main():
    stats = {"messages": 0, "pings": 0, "refused": 0}
    server = await asyncio.start_server(lambda r, w: serve(r, w, stats), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await client(port)
    await plain_http(port)
    server.close()
    await server.wait_closed()
    print(f"server: {stats['messages']} messages, {stats['pings']} ping, {stats['refused']} refused")


asyncio.run(main())
