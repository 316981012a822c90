#!/usr/bin/python3
"""area.py OUT BROKER_PORT METER_PORT_A METER_PORT_B PKI [BO_PORT]: writes the demo area.

One transformer area (台区) behind gateway gw-0001: an area summary meter,
300 residential customers (30 of them prepaid), 20 commercial customers on a
time-of-use tariff and 2 large industrial customers on a two-part tariff
(basic charge per kVA of capacity). Seeded, so every run is the same:

  OUT/gridledger.json   the gateway's config
  OUT/metersim.args     metersim's command-line arguments (loads per meter)
  OUT/behaviour.json    how each customer pays (for tools/demo/bank.py)
  OUT/backoffice.json   the back office's config
  OUT/tariffs/          the tariffs used

Behaviours: most residential customers pay on time; some pay late; one is a
chronic debtor; prepaid customers top up, some only after they ran dry; one
meter is stuck (a bypassed meter: the theft case) and the area summary meter
sees a few percent of line loss on top.
"""
import json
import os
import random
import shutil
import sys

out, broker_port, port_a, port_b, pki = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
bo_port = int(sys.argv[6]) if len(sys.argv) > 6 else broker_port  # the back office's listener (docs/deploy.md)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rng = random.Random(20260101)
os.makedirs(out + "/tariffs", exist_ok=True)
for t in ("bj-res", "com-tou", "large-two-part"):
    shutil.copy(f"{root}/examples/tariffs/{t}.json", f"{out}/tariffs/{t}.json")

customers, meters, behaviour, loads = [], [], {}, []
grids = ["G-East", "G-West", "G-North"]
surnames = "Zhang Wang Li Zhao Liu Chen Yang Huang Zhou Wu Xu Sun Ma Zhu Hu Guo He Lin Luo Gao".split()


def add(cid, name, klass, tariff, pay, bus, slave, profile, power_w, kind, **extra):
    customers.append(dict({"id": cid, "name": name, "class": klass, "grid": grids[len(customers) % 3],
                           "tariff": tariff, "payment": pay}, **extra))
    relay = pay == "prepaid"  # fee-control meters have a relay; the others are cut by a field crew
    meters.append({"id": "M" + cid[1:], "bus": bus, "slave_id": slave, "profile": "generic" if relay else profile,
                   "customer": cid, "relay": relay, "max_power_w": max(12000, power_w * 4)})
    behaviour[cid] = kind
    loads.append((bus, slave, "generic" if relay else profile, power_w))


# 300 residential on bus A (slaves 2..241) and bus B (1..60)
for i in range(300):
    cid = "C-%04d" % (i + 1)
    bus, slave = ("lan-a", i + 2) if i < 240 else ("lan-b", i - 239)
    prepaid = i % 10 == 9
    r = rng.random()
    kind = ("prepaid_dry" if rng.random() < 0.3 else "prepaid") if prepaid else \
        "chronic" if i == 41 else "late" if r < 0.22 else "on_time"
    power = rng.choice([180, 220, 260, 300, 340, 420, 520, 650])
    add(cid, surnames[i % 20] + " " + str(i + 1), "residential", "bj-res", "prepaid" if prepaid else "postpaid",
        bus, slave, "SDM120" if i % 2 else "DDSU666", power, kind)
# 20 commercial on bus B (61..80), 2 large industrial (81, 82)
for i in range(20):
    add("C-C%03d" % (i + 1), "Shop %d" % (i + 1), "commercial", "com-tou", "postpaid", "lan-b", 61 + i, "SDM630",
        rng.choice([2500, 4000, 6000, 9000]), "late" if i in (3, 11, 17) else "on_time")
for i in range(2):
    add("C-I%03d" % (i + 1), "Factory %d" % (i + 1), "industrial", "large-two-part", "postpaid", "lan-b", 81 + i,
        "DTSU666", [85000, 140000][i], "on_time", capacity_kva=["400", "630"][i], important=True)
theft = "C-0117"
behaviour[theft] = "on_time"
area_w = int(sum(p for _, _, _, p in loads) * 1.055)

def step(day, action, channel="letter"):
    return {"day": day, "action": action, "channel": channel}


CRN = step(15, "credit_report_notice")
ladders = {
    "A": [step(7, "sms", "sms"), CRN, step(20, "phone", "phone"), step(30, "disconnect_notice"),
          step(40, "disconnect", "field"), step(180, "legal", "legal")],
    "B": [step(1, "sms", "sms"), step(10, "phone", "phone"), CRN, step(20, "written_notice"),
          step(25, "disconnect_notice"), step(35, "disconnect", "field"), step(60, "public_notice", "notice_board"),
          step(120, "legal", "legal")],
    "C": [step(-3, "reminder", "sms"), step(1, "sms", "sms"), step(5, "phone", "phone"), step(10, "written_notice"),
          CRN, step(20, "disconnect_notice"), step(31, "disconnect", "field"),
          step(45, "public_notice", "notice_board"), step(90, "legal", "legal")],
}

cfg = {
    "gateway": {"id": "gw-0001", "area": "TQ-DEMO-01", "timezone": "Asia/Shanghai"},
    "store": {"path": "gateway.db", "compact_after_days": 7},
    "schedule": {"poll_interval_s": 3600, "status_interval_s": 21600},
    "buses": [
        {"name": "lan-a", "type": "tcp", "host": "127.0.0.1", "port": port_a, "timeout_ms": 1000, "inter_frame_ms": 0},
        {"name": "lan-b", "type": "tcp", "host": "127.0.0.1", "port": port_b, "timeout_ms": 1000, "inter_frame_ms": 0},
    ],
    "meters": [{"id": "M-AREA", "bus": "lan-a", "slave_id": 1, "profile": "DTSU666", "role": "area_summary"}] + meters,
    "customers": customers,
    "tariffs": ["tariffs/bj-res.json", "tariffs/com-tou.json", "tariffs/large-two-part.json"],
    "billing": {"cycle_day": 1, "due_days": 15},
    # the demo has no SMS gateway or collectors: its reminders and phone
    # confirmations count as served when the gateway sends them (a real
    # deployment keeps the default "receipt": served on a delivery report or
    # a collector's confirmation, see docs/credit.md)
    # the default ladders (docs/credit.md) with the notice of adverse reporting
    # (征信业管理条例 art. 15) at 15 days overdue, a posted letter: the back
    # office's credit-bureau export sends overdue months only once it is served
    "collection": {"service": {"sms": "on_send", "phone": "on_send"},
                   "ladders": ladders,
                   "holidays": json.load(open(f"{root}/examples/holidays-cn.json"))["holidays"],
                   "workdays": json.load(open(f"{root}/examples/holidays-cn.json"))["workdays"]},
    "uplink": {"host": "localhost", "port": broker_port, "ca": pki + "/ca.pem", "cert": pki + "/gw-0001.pem",
               "key": pki + "/gw-0001.key", "hmac_key": pki + "/gw.hmac", "batch_readings": 200},
}
json.dump(cfg, open(out + "/gridledger.json", "w"), indent=1)
json.dump(behaviour, open(out + "/behaviour.json", "w"), indent=1)
os.makedirs(out + "/keys", exist_ok=True)
shutil.copy(pki + "/gw.hmac", out + "/keys/gw-0001.key")
os.chmod(out + "/keys/gw-0001.key", 0o600)
json.dump({"broker": {"host": "localhost", "port": bo_port, "ca": pki + "/ca.pem", "cert": pki + "/backoffice.pem",
                      "key": pki + "/backoffice.key", "client_id": "demo-ingest", "keepalive_s": 30},
           "keys_dir": "keys", "db": "backoffice.db", "down_ttl_s": 86400,
           "bureau": {"institution": "B1100000000001"}},
          open(out + "/backoffice.json", "w"), indent=1)

args = ["--tcp", "127.0.0.1:%d" % port_a, "--meters", "DTSU666:1@%d" % area_w]
for bus, port in (("lan-a", port_a), ("lan-b", port_b)):
    if bus == "lan-b":
        args += ["--tcp", "127.0.0.1:%d" % port]
    for b, slave, profile, power in loads:
        if b == bus:
            args += ["--meters", "%s:%d@%d" % (profile, slave, power)]
    if bus == "lan-a":
        args += ["--fault", "%d:stuck" % (int(theft[2:]) + 1)]
open(out + "/metersim.args", "w").write("\n".join(args) + "\n")
print("area TQ-DEMO-01: %d customers (%d prepaid), %d meters, area load %.1f kW" %
      (len(customers), sum(c["payment"] == "prepaid" for c in customers), len(meters) + 1, area_w / 1000))
