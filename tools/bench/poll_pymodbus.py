#!/usr/bin/python3
"""The fair peer of `gridledger poll --once` in tools/bench/poll.sh: one
process, one asyncio event loop, pymodbus's async TCP client (Debian's
python3-pymodbus), one connection per metersim port read concurrently, the
unit ids of a port in turn (as gridledger reads a bus), the same request per
meter as gridledger plans for an SDM120 (function 4, registers 0..87: every
quantity), each reply's float32 import decoded.

usage: poll_pymodbus.py HOST FIRST_PORT NPORTS FIRST_ID LAST_ID
prints one JSON line: meters read, errors, wall and CPU milliseconds."""
import asyncio
import json
import struct
import sys
import time

from pymodbus.client import AsyncModbusTcpClient

FIRST_REG, COUNT, IMPORT_AT = 0, 88, 0x48  # hal/profile.c SDM120: voltage 0x0000 .. demand 0x0056


async def read_port(host, port, first, last):
    client = AsyncModbusTcpClient(host, port=port, timeout=2, retries=0)
    await client.connect()
    ok = errors = 0
    total_kwh = 0.0
    for unit in range(first, last + 1):
        try:
            rr = await client.read_input_registers(FIRST_REG, COUNT, slave=unit)
            regs = rr.registers
            total_kwh += struct.unpack(">f", struct.pack(">HH", regs[IMPORT_AT], regs[IMPORT_AT + 1]))[0]
            ok += 1
        except Exception:  # a timeout or an exception reply: counted, as gridledger counts them
            errors += 1
    await client.close() if asyncio.iscoroutinefunction(client.close) else client.close()
    return ok, errors, total_kwh


async def main(host, port, nports, first, last):
    return await asyncio.gather(*(read_port(host, port + k, first, last) for k in range(nports)))


if __name__ == "__main__":
    host, port, nports, first, last = sys.argv[1], *map(int, sys.argv[2:6])
    w0, c0 = time.monotonic(), time.process_time()
    res = asyncio.run(main(host, port, nports, first, last))
    wall, cpu = (time.monotonic() - w0) * 1000, (time.process_time() - c0) * 1000
    print(json.dumps({"meters": sum(r[0] for r in res), "errors": sum(r[1] for r in res),
                      "import_kwh": round(sum(r[2] for r in res), 1), "wall_ms": round(wall), "cpu_ms": round(cpu)}))
