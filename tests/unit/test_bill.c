/* test_bill.c: bills worked by hand, one row each: the tariff worked
 * examples of DOMAIN.md first, then tier bounds +-1 Wh, TOU period edges,
 * intervals and gaps across a period boundary, DST days, a leap year,
 * version changes, zero usage, demand, power factor, surcharges, minimum,
 * rounding, a credit adjustment; then the JSON form and the property that
 * a month billed whole or day by day (tier position carried) agrees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gridledger/bill.h"
#include "gridledger/civdate.h"
#include "gridledger/textbuf.h"

/* Beijing residential, monthly tiers (DOMAIN.md) */
#define T_BJ                                                                                                  \
    "{\"id\": \"bj-res\", \"effective_from\": \"2012-07-01\", \"energy\": {\"rate\": \"0.4883\", \"tiers\": " \
    "{\"basis\": \"month\", \"bounds_kwh\": [\"240\", \"400\"], \"adders\": [\"0\", \"0.05\", \"0.30\"]}}}"
/* Zhejiang residential TOU with yearly tiers (DOMAIN.md) */
#define ZJ_CAL                                                                                                \
    "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"hours\": [[\"08:00\",\"22:00\",\"peak\"], " \
    "[\"22:00\",\"08:00\",\"valley\"]]}]"
#define T_ZJ                                                                                                  \
    "{\"id\": \"zj-res\", \"effective_from\": \"2012-07-01\", \"energy\": {\"tou\": {\"periods\": "           \
    "{\"peak\": \"0.568\", \"valley\": \"0.288\"}, " ZJ_CAL "}, \"tiers\": {\"basis\": \"year\", "           \
    "\"bounds_kwh\": [\"2760\", \"4800\"], \"adders\": [\"0\", \"0.05\", \"0.30\"]}}}"
/* a TOU edge at 08:30 and 21:30; holidays all valley; weekends all flat */
#define T_EDGE                                                                                                \
    "{\"id\": \"edge\", \"effective_from\": \"2020-01-01\", \"holidays\": [\"2024-10-01\"], \"energy\": "     \
    "{\"tou\": {\"periods\": {\"peak\": \"1.0\", \"flat\": \"0.6\", \"valley\": \"0.3\"}, \"calendar\": ["    \
    "{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekday\"], \"hours\": [[\"08:30\",\"21:30\","   \
    "\"peak\"], [\"21:30\",\"08:30\",\"valley\"]]}, {\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": "    \
    "[\"weekend\"], \"hours\": [[\"00:00\",\"24:00\",\"flat\"]]}, {\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], " \
    "\"days\": [\"holiday\"], \"hours\": [[\"00:00\",\"24:00\",\"valley\"]]}]}}}"
#define T_FLAT(extra)                                                                                         \
    "{\"id\": \"flat\", \"effective_from\": \"2020-01-01\", \"energy\": {\"rate\": \"0.5\"}" extra "}"
#define T_BIG(extra)                                                                                          \
    "{\"id\": \"big\", \"effective_from\": \"2020-01-01\", \"energy\": {\"rate\": \"0.6\"}" extra "}"
#define T_VERSIONS                                                                                            \
    "{\"versions\": [{\"id\": \"v\", \"effective_from\": \"2020-01-01\", \"fixed\": \"10\", \"energy\": "     \
    "{\"rate\": \"0.5\"}}, {\"id\": \"v\", \"effective_from\": \"2024-06-16\", \"fixed\": \"10\", "          \
    "\"energy\": {\"rate\": \"0.6\"}}]}"
#define T_VTIERS                                                                                              \
    "{\"versions\": [{\"id\": \"v\", \"effective_from\": \"2020-01-01\", \"energy\": {\"rate\": \"0.5\", "    \
    "\"tiers\": {\"basis\": \"month\", \"bounds_kwh\": [\"300\"], \"adders\": [\"0\", \"0.1\"]}}}, "          \
    "{\"id\": \"v\", \"effective_from\": \"2024-06-11\", \"energy\": {\"rate\": \"0.6\", \"tiers\": "         \
    "{\"basis\": \"month\", \"bounds_kwh\": [\"300\"], \"adders\": [\"0\", \"0.1\"]}}}]}"

#define T_TOUD                                                                                                \
    T_BIG(", \"demand\": {\"per_kw\": \"5\", \"tou\": {\"periods\": {\"on\": \"12\", \"off\": \"2\"}, "         \
          "\"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekday\"], \"hours\": "   \
          "[[\"12:00\",\"18:00\",\"on\"], [\"18:00\",\"12:00\",\"off\"]]}, {\"months\": "                    \
          "[1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekend\"], \"hours\": [[\"00:00\",\"24:00\",\"off\"]]}]}}")

#define T_TOUDT                                                                                               \
    T_BIG(", \"demand\": {\"tou\": {\"periods\": {\"on\": {\"bounds_kw\": [\"100\"], \"rates\": [\"10\", \"8\"]}, "  \
          "\"off\": \"2\"}, \"calendar\": [{\"months\": [1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekday\"], "     \
          "\"hours\": [[\"12:00\",\"18:00\",\"on\"], [\"18:00\",\"12:00\",\"off\"]]}, {\"months\": "            \
          "[1,2,3,4,5,6,7,8,9,10,11,12], \"days\": [\"weekend\"], \"hours\": [[\"00:00\",\"24:00\",\"off\"]]}]}}")

#define T_SEAS                                                                                                \
    "{\"id\": \"seas\", \"effective_from\": \"2020-01-01\", \"energy\": {\"tou\": {\"periods\": {\"summer\": "       \
    "{\"bounds_kwh\": [\"500\"], \"rates\": [\"0.2\", \"0.3\"]}, \"winter\": {\"bounds_kwh\": [\"1000\", \"2000\"], "  \
    "\"rates\": [\"0.15\", \"0.12\", \"0.10\"]}}, \"calendar\": [{\"months\": [6,7,8,9], \"hours\": "             \
    "[[\"00:00\",\"24:00\",\"summer\"]]}, {\"months\": [1,2,3,4,5,10,11,12], \"hours\": "                         \
    "[[\"00:00\",\"24:00\",\"winter\"]]}]}}}"

#define MONTHS12_DEMAND "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\"]"
#define MONTHS12_FUEL                                                                                         \
    "[\"0.01\",\"0.02\",\"0.03\",\"0.04\",\"0.05\",\"0.06\",\"0.07\",\"0.08\",\"0.09\",\"0.10\",\"0.11\",\"0.12\"]"

#define T_DAILY                                                                                               \
    "{\"id\": \"daily\", \"effective_from\": \"2020-01-01\", \"energy\": {\"rate\": \"0.2\", \"tiers\": {\"basis\": "     \
    "\"day\", \"bounds_kwh\": [\"10\"], \"rates\": [\"0.2\", \"0.3\"]}}}"
#define T_SEAS_DAILY                                                                                          \
    "{\"id\": \"seasd\", \"effective_from\": \"2020-01-01\", \"energy\": {\"tou\": {\"periods\": {\"summer\": "      \
    "{\"basis\": \"day\", \"bounds_kwh\": [\"20\"], \"rates\": [\"0.3\", \"0.4\"]}, \"winter\": {\"bounds_kwh\": "   \
    "[\"500\"], \"rates\": [\"0.1\", \"0.2\"]}}, \"calendar\": [{\"months\": [6,7,8,9], \"hours\": "              \
    "[[\"00:00\",\"24:00\",\"summer\"]]}, {\"months\": [1,2,3,4,5,10,11,12], \"hours\": "                         \
    "[[\"00:00\",\"24:00\",\"winter\"]]}]}}}"

typedef struct {
    const char *start; /* "YYYY-MM-DDTHH:MM" */
    int count, len_min;
    int64_t wh, varh; /* per interval; varh -1: none */
    int flags, offset_min;
} block;

typedef struct {
    const char *name, *tariff;
    const char *from, *to;   /* NULL: from the usage */
    int64_t pos_wh;          /* -1: no position */
    int64_t demand_w, capacity_va, varh;
    int64_t adjust_fen;
    const char *holiday;     /* one extra holiday, or NULL */
    block blocks[4];
    const char *lines;       /* "code=amount" joined by spaces; "~" marks an estimated line */
    const char *total;
    int64_t pos_after_wh;    /* -1: not checked */
} bill_case;

#define NOPT -1, -1, -1, -1, 0, NULL
#define WH(kwh) ((int64_t)((kwh) * 1000))

static const bill_case cases[] = {
    /* DOMAIN.md worked examples */
    {"beijing 300 kWh", T_BJ, "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, WH(300), -1, 0, 0}},
     "energy.t1=117.19 energy.t2=32.30", "149.49", 300000},
    {"beijing 500 kWh", T_BJ, "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, WH(500), -1, 0, 0}},
     "energy.t1=117.19 energy.t2=86.13 energy.t3=78.83", "282.15", 500000},
    {"zhejiang tou tier 1", T_ZJ, "2024-03-01", "2024-03-31", NOPT,
     {{"2024-03-05T10:00", 1, 15, WH(200), -1, 0, 0}, {"2024-03-05T23:00", 1, 15, WH(100), -1, 0, 0}},
     "energy.peak.t1=113.60 energy.valley.t1=28.80", "142.40", 300000},
    {"zhejiang tou past 2760 kWh", T_ZJ, "2024-03-01", "2024-03-31", WH(2800), -1, -1, -1, 0, NULL,
     {{"2024-03-05T10:00", 1, 15, WH(200), -1, 0, 0}, {"2024-03-05T23:00", 1, 15, WH(100), -1, 0, 0}},
     "energy.peak.t2=123.60 energy.valley.t2=33.80", "157.40", 3100000},
    /* tier bounds +-1 Wh */
    {"beijing 239.999", T_BJ, "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, 239999, -1, 0, 0}},
     "energy.t1=117.19", "117.19", -1},
    {"beijing 240.000", T_BJ, "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, 240000, -1, 0, 0}},
     "energy.t1=117.19", "117.19", -1},
    {"beijing 240.001", T_BJ, "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, 240001, -1, 0, 0}},
     "energy.t1=117.19 energy.t2=0.00", "117.19", -1},
    {"beijing 399.999", T_BJ, "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, 399999, -1, 0, 0}},
     "energy.t1=117.19 energy.t2=86.13", "203.32", -1},
    {"beijing 400.001", T_BJ, "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, 400001, -1, 0, 0}},
     "energy.t1=117.19 energy.t2=86.13 energy.t3=0.00", "203.32", -1},
    {"zhejiang ytd 2759.999 + 0.002", T_ZJ, "2024-03-01", "2024-03-31", 2759999, -1, -1, -1, 0, NULL,
     {{"2024-03-05T10:00", 1, 15, 2, -1, 0, 0}}, "energy.peak.t1=0.00 energy.peak.t2=0.00", "0.00", 2760001},
    /* the crossing interval is split at the bound */
    {"beijing crossing interval", T_BJ, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(230), -1, 0, 0}, {"2024-01-10T12:15", 1, 15, WH(20), -1, 0, 0}},
     "energy.t1=117.19 energy.t2=5.38", "122.57", 250000},
    {"zhejiang crossing at 2760 peak and valley", T_ZJ, "2024-03-01", "2024-03-31", WH(2750), -1, -1, -1, 0, NULL,
     {{"2024-03-05T21:45", 1, 15, WH(6), -1, 0, 0}, {"2024-03-05T22:00", 1, 15, WH(8), -1, 0, 0}},
     "energy.peak.t1=3.41 energy.valley.t1=1.15 energy.valley.t2=1.35", "5.91", 2764000},
    /* zero usage */
    {"beijing zero usage", T_BJ, "2024-01-01", "2024-01-31", NOPT, {{NULL, 0, 0, 0, 0, 0, 0}}, "energy.t1=0.00",
     "0.00", 0},
    {"flat zero usage with intervals", T_FLAT(""), NULL, NULL, NOPT, {{"2024-01-01T00:00", 96, 15, 0, -1, 0, 0}},
     "energy=0.00", "0.00", 0},
    /* proration of monthly bounds by days */
    {"beijing half month 200 kWh", T_BJ, "2024-01-01", "2024-01-15", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(200), -1, 0, 0}}, "energy.t1=56.71 energy.t2=41.67 energy.t3=5.09", "103.47",
     -1},
    {"beijing leap february whole", T_BJ, "2024-02-01", "2024-02-29", NOPT,
     {{"2024-02-29T12:00", 1, 15, WH(300), -1, 0, 0}}, "energy.t1=117.19 energy.t2=32.30", "149.49", -1},
    {"beijing leap february half", T_BJ, "2024-02-01", "2024-02-15", NOPT,
     {{"2024-02-10T12:00", 1, 15, WH(150), -1, 0, 0}}, "energy.t1=60.62 energy.t2=13.92", "74.54", -1},
    {"beijing cycle across months", T_BJ, "2024-01-15", "2024-02-14", NOPT,
     {{"2024-01-20T12:00", 1, 15, WH(250), -1, 0, 0}}, "energy.t1=120.84 energy.t2=1.36", "122.20", -1},
    {"beijing monthly position carried", T_BJ, "2024-01-20", "2024-01-20", WH(230), -1, -1, -1, 0, NULL,
     {{"2024-01-20T12:00", 1, 15, WH(20), -1, 0, 0}}, "energy.t1=4.88 energy.t2=5.38", "10.26", 250000},
    /* yearly tiers: position, reset at the start month */
    {"zhejiang year reset on january 1", T_ZJ, "2023-12-31", "2024-01-01", WH(4700), -1, -1, -1, 0, NULL,
     {{"2023-12-31T10:00", 1, 15, WH(200), -1, 0, 0}, {"2024-01-01T10:00", 1, 15, WH(100), -1, 0, 0}},
     "energy.peak.t1=56.80 energy.peak.t2=61.80 energy.peak.t3=86.80", "205.40", 100000},
    /* TOU period edges */
    {"edge 08:15 valley, 08:30 peak", T_EDGE, NULL, NULL, NOPT,
     {{"2024-03-05T08:15", 2, 15, WH(1), -1, 0, 0}}, "energy.peak=1.00 energy.valley=0.30", "1.30", -1},
    {"edge 21:15 peak, 21:30 valley", T_EDGE, NULL, NULL, NOPT,
     {{"2024-03-05T21:15", 2, 15, WH(1), -1, 0, 0}}, "energy.peak=1.00 energy.valley=0.30", "1.30", -1},
    {"edge wraps midnight", T_EDGE, NULL, NULL, NOPT, {{"2024-03-05T23:45", 2, 15, WH(2), -1, 0, 0}},
     "energy.valley=1.20", "1.20", -1},
    {"zhejiang edges 07:45 08:00 21:45 22:00", T_ZJ, NULL, NULL, NOPT,
     {{"2024-03-05T07:45", 2, 15, WH(1), -1, 0, 0}, {"2024-03-05T21:45", 2, 15, WH(1), -1, 0, 0}},
     "energy.peak.t1=1.14 energy.valley.t1=0.58", "1.72", -1},
    {"edge weekend flat", T_EDGE, NULL, NULL, NOPT, {{"2024-03-09T12:00", 1, 15, WH(10), -1, 0, 0}},
     "energy.flat=6.00", "6.00", -1},
    {"edge tariff holiday valley", T_EDGE, NULL, NULL, NOPT, {{"2024-10-01T12:00", 1, 15, WH(10), -1, 0, 0}},
     "energy.valley=3.00", "3.00", -1},
    {"edge option holiday valley", T_EDGE, NULL, NULL, -1, -1, -1, -1, 0, "2024-10-02",
     {{"2024-10-02T12:00", 1, 15, WH(10), -1, 0, 0}}, "energy.valley=3.00", "3.00", -1},
    /* an interval across a period boundary is shared out by time, estimated */
    {"60-min interval across 08:30", T_EDGE, NULL, NULL, NOPT, {{"2024-03-05T08:00", 1, 60, WH(1), -1, 0, 0}},
     "energy.peak=0.50~ energy.valley=0.15~", "0.65", -1},
    {"gap 20:00-24:00 across 21:30", T_EDGE, NULL, NULL, NOPT,
     {{"2024-03-05T20:00", 1, 240, WH(4), -1, USAGE_ESTIMATED, 0}}, "energy.peak=1.50~ energy.valley=0.75~", "2.25",
     -1},
    {"gap inside one period", T_EDGE, NULL, NULL, NOPT,
     {{"2024-03-05T10:00", 1, 60, WH(4), -1, USAGE_ESTIMATED, 0}}, "energy.peak=4.00~", "4.00", -1},
    {"gap with 1 Wh remainder", T_EDGE, NULL, NULL, NOPT,
     {{"2024-03-05T21:00", 1, 45, 1001, -1, USAGE_ESTIMATED, 0}}, "energy.peak=0.67~ energy.valley=0.10~", "0.77",
     -1},
    /* usage beyond the period is left out (its share by time) */
    {"period cuts an interval", T_FLAT(""), "2024-01-31", "2024-01-31", NOPT,
     {{"2024-01-31T23:00", 1, 120, WH(2), -1, 0, 0}}, "energy=0.50~", "0.50", -1},
    /* DST: a 23-hour and a 25-hour day (local times with offsets) */
    {"dst spring forward day", T_FLAT(""), NULL, NULL, NOPT,
     {{"2024-03-10T00:00", 8, 15, 250, -1, 0, -300}, {"2024-03-10T03:00", 84, 15, 250, -1, 0, -240}},
     "energy=11.50", "11.50", -1},
    {"dst fall back day", T_FLAT(""), NULL, NULL, NOPT,
     {{"2024-11-03T00:00", 8, 15, 250, -1, 0, -240}, {"2024-11-03T01:00", 4, 15, 250, -1, 0, -300},
      {"2024-11-03T02:00", 88, 15, 250, -1, 0, -300}},
     "energy=12.50", "12.50", -1},
    /* versions */
    {"version change mid month", T_VERSIONS, "2024-06-01", "2024-06-30", NOPT,
     {{"2024-06-01T00:00", 30, 1440, WH(10), -1, 0, 0}},
     "energy@2020-01-01=75.00 fixed@2020-01-01=5.00 energy@2024-06-16=90.00 fixed@2024-06-16=5.00", "175.00", -1},
    {"version change, monthly tiers prorated by days", T_VTIERS, "2024-06-01", "2024-06-30", NOPT,
     {{"2024-06-01T00:00", 30, 1440, WH(15), -1, 0, 0}},
     "energy.t1@2020-01-01=50.00 energy.t2@2020-01-01=30.00 energy.t1@2024-06-11=120.00 energy.t2@2024-06-11=70.00",
     "270.00", -1},
    /* demand, capacity, power factor */
    {"demand from intervals", T_BIG(", \"demand\": {\"per_kw\": \"40\"}"), "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(25), -1, 0, 0}}, "energy=15.00 demand=4000.00", "4015.00", -1},
    {"demand register", T_BIG(", \"demand\": {\"per_kw\": \"40\"}"), "2024-01-01", "2024-01-31", -1, 120000, -1, -1,
     0, NULL, {{"2024-01-10T12:00", 1, 15, WH(25), -1, 0, 0}}, "energy=15.00 demand=4800.00", "4815.00", -1},
    /* time-of-use demand (T_TOUD): on 12.00/kW weekdays 12:00-18:00, off 2.00/kW otherwise, besides a flat
     * 5.00/kW on the month's maximum; 2024-01-10 is a Wednesday, 2024-01-13 a Saturday; kW = kWh x 4 */
    {"tou demand: on, off and weekend", T_TOUD, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T11:45", 1, 15, WH(30), -1, 0, 0}, {"2024-01-10T12:00", 1, 15, WH(25), -1, 0, 0},
      {"2024-01-13T14:00", 1, 15, WH(40), -1, 0, 0}},
     /* 95 kWh x 0.6 = 57; flat 160 kW x 5 = 800; on 100 kW x 12 = 1200; off max(120, 160) x 2 = 320 */
     "energy=57.00 demand=800.00 demand.on=1200.00 demand.off=320.00", "2377.00", -1},
    {"tou demand: both sides of 18:00", T_TOUD, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T17:45", 1, 15, WH(10), -1, 0, 0}, {"2024-01-10T18:00", 1, 15, WH(50), -1, 0, 0}},
     /* 60 kWh x 0.6 = 36; flat 200 x 5 = 1000; on 40 x 12 = 480; off 200 x 2 = 400 */
     "energy=36.00 demand=1000.00 demand.on=480.00 demand.off=400.00", "1916.00", -1},
    {"tou demand: an hour across 12:00 counts in both", T_TOUD, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T11:30", 1, 60, WH(60), -1, 0, 0}},
     /* 60 kWh x 0.6 = 36; 60 kW: flat 300, on 720, off 120 */
     "energy=36.00 demand=300.00 demand.on=720.00 demand.off=120.00", "1176.00", -1},
    {"tou demand: only the period met", T_TOUD, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-13T14:00", 1, 15, WH(10), -1, 0, 0}},
     /* 10 kWh x 0.6 = 6; 40 kW: flat 200, off 80; no weekday interval, no on line */
     "energy=6.00 demand=200.00 demand.off=80.00", "286.00", -1},
    /* tiered time-of-use demand (T_TOUDT): on-peak 10.00/kW up to 100 kW, 8.00/kW above; hourly
     * intervals, so kW = kWh; bound 100 kW +-1 W */
    {"tou demand tiers: 150 kW", T_TOUDT, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 60, WH(150), -1, 0, 0}},
     /* 150 x 0.6 = 90; 100 x 10 = 1000; 50 x 8 = 400 */
     "energy=90.00 demand.on.t1=1000.00 demand.on.t2=400.00", "1490.00", -1},
    {"tou demand tiers: 100 kW", T_TOUDT, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 60, WH(100), -1, 0, 0}}, "energy=60.00 demand.on.t1=1000.00", "1060.00", -1},
    {"tou demand tiers: 100.001 kW", T_TOUDT, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 60, 100001, -1, 0, 0}},
     /* 100.001 x 0.6 = 60.0006 -> 60.00; 1000; 0.001 x 8 = 0.008 -> 0.01 */
     "energy=60.00 demand.on.t1=1000.00 demand.on.t2=0.01", "1060.01", -1},
    {"tou demand tiers: 99.999 kW", T_TOUDT, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 60, 99999, -1, 0, 0}},
     /* 99.999 x 0.6 = 59.9994 -> 60.00; 99.999 x 10 = 999.99 */
     "energy=60.00 demand.on.t1=999.99", "1059.99", -1},
    /* seasonal tier ladders (T_SEAS): summer (June-September) 0.20 up to 500 kWh, 0.30 above; winter a
     * declining block: 0.15 up to 1000 kWh, 0.12 to 2000, 0.10 above; bounds +-1 Wh */
    {"seasonal: July 600 kWh", T_SEAS, "2024-07-01", "2024-07-31", NOPT,
     {{"2024-07-10T12:00", 1, 15, WH(600), -1, 0, 0}},
     /* 500 x 0.2 = 100; 100 x 0.3 = 30 */
     "energy.summer.t1=100.00 energy.summer.t2=30.00", "130.00", -1},
    {"seasonal: January 2500 kWh", T_SEAS, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(2500), -1, 0, 0}},
     /* 1000 x 0.15 = 150; 1000 x 0.12 = 120; 500 x 0.10 = 50 */
     "energy.winter.t1=150.00 energy.winter.t2=120.00 energy.winter.t3=50.00", "320.00", -1},
    {"seasonal: January 1000.000 kWh", T_SEAS, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(1000), -1, 0, 0}}, "energy.winter.t1=150.00", "150.00", -1},
    {"seasonal: January 1000.001 kWh", T_SEAS, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, 1000001, -1, 0, 0}},
     /* 0.001 x 0.12 = 0.00012 -> 0.00 */
     "energy.winter.t1=150.00 energy.winter.t2=0.00", "150.00", -1},
    {"seasonal: January 999.999 kWh", T_SEAS, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, 999999, -1, 0, 0}},
     /* 999.999 x 0.15 = 149.99985 -> 150.00 */
     "energy.winter.t1=150.00", "150.00", -1},
    /* fixed and minimum charges per day (times the days billed) and per year (a twelfth a month) */
    {"fixed per day, leap February", T_FLAT(", \"fixed\": \"0.5\", \"fixed_unit\": \"day\""), "2024-02-01", "2024-02-29",
     NOPT, {{"2024-02-10T12:00", 1, 15, WH(100), -1, 0, 0}},
     /* 100 x 0.5 = 50; 29 days x 0.5 = 14.50 */
     "energy=50.00 fixed=14.50", "64.50", -1},
    {"fixed per day, 15 days", T_FLAT(", \"fixed\": \"0.5\", \"fixed_unit\": \"day\""), "2024-04-01", "2024-04-15",
     NOPT, {{"2024-04-10T12:00", 1, 15, WH(100), -1, 0, 0}}, "energy=50.00 fixed=7.50", "57.50", -1},
    {"fixed per year, January", T_FLAT(", \"fixed\": \"120\", \"fixed_unit\": \"year\""), "2024-01-01", "2024-01-31",
     NOPT, {{"2024-01-10T12:00", 1, 15, WH(100), -1, 0, 0}},
     /* 120 / 12 = 10 */
     "energy=50.00 fixed=10.00", "60.00", -1},
    {"fixed per year, half April", T_FLAT(", \"fixed\": \"120\", \"fixed_unit\": \"year\""), "2024-04-01",
     "2024-04-15", NOPT, {{"2024-04-10T12:00", 1, 15, WH(100), -1, 0, 0}},
     /* 120 / 12 x 15/30 = 5 */
     "energy=50.00 fixed=5.00", "55.00", -1},
    {"minimum per day", T_FLAT(", \"minimum\": \"2\", \"minimum_unit\": \"day\""), "2024-01-01", "2024-01-31",
     NOPT, {{"2024-01-10T12:00", 1, 15, WH(10), -1, 0, 0}},
     /* 10 x 0.5 = 5; minimum 31 x 2 = 62: raised by 57 */
     "energy=5.00 minimum=57.00", "62.00", -1},
    {"minimum per year", T_FLAT(", \"minimum\": \"600\", \"minimum_unit\": \"year\""), "2024-01-01", "2024-01-31",
     NOPT, {{"2024-01-10T12:00", 1, 15, WH(10), -1, 0, 0}},
     /* 600 / 12 = 50: raised by 45 */
     "energy=5.00 minimum=45.00", "50.00", -1},
    /* demand windows (demand.window_min): 40.00/kW; a window's demand = its energy / its length */
    {"window 30 block: two quarters in one block", T_BIG(", \"demand\": {\"per_kw\": \"40\", \"window_min\": 30}"),
     "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(25), -1, 0, 0}, {"2024-01-10T12:15", 1, 15, WH(5), -1, 0, 0}},
     /* 30 kWh x 0.6 = 18; block 12:00-12:30: 30 kWh / 0.5 h = 60 kW x 40 = 2400 (100 kW without a window) */
     "energy=18.00 demand=2400.00", "2418.00", -1},
    {"window 30 block: across a block edge", T_BIG(", \"demand\": {\"per_kw\": \"40\", \"window_min\": 30}"),
     "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:15", 1, 15, WH(25), -1, 0, 0}, {"2024-01-10T12:30", 1, 15, WH(5), -1, 0, 0}},
     /* blocks 12:00 (25 kWh -> 50 kW) and 12:30 (5 kWh -> 10 kW): 50 x 40 = 2000 */
     "energy=18.00 demand=2000.00", "2018.00", -1},
    {"window 30 rolling: across a block edge",
     T_BIG(", \"demand\": {\"per_kw\": \"40\", \"window_min\": 30, \"window\": \"rolling\"}"), "2024-01-01",
     "2024-01-31", NOPT, {{"2024-01-10T12:15", 1, 15, WH(25), -1, 0, 0}, {"2024-01-10T12:30", 1, 15, WH(5), -1, 0, 0}},
     /* the window ending 12:45 holds both: 30 kWh / 0.5 h = 60 kW x 40 = 2400 */
     "energy=18.00 demand=2400.00", "2418.00", -1},
    {"window 60 block over quarter hours", T_BIG(", \"demand\": {\"per_kw\": \"40\", \"window_min\": 60}"),
     "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 4, 15, WH(10), -1, 0, 0}},
     /* 40 kWh x 0.6 = 24; 40 kWh / 1 h = 40 kW x 40 = 1600 */
     "energy=24.00 demand=1600.00", "1624.00", -1},
    {"window 30 on hourly data", T_BIG(", \"demand\": {\"per_kw\": \"40\", \"window_min\": 30}"), "2024-01-01",
     "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 60, WH(60), -1, 0, 0}},
     /* an interval longer than the window is its own: 60 kW x 40 = 2400; 60 x 0.6 = 36 */
     "energy=36.00 demand=2400.00", "2436.00", -1},
    /* prices by calendar month (lists of 12): demand 1, 2, ... 12 per kW; fuel 0.01, 0.02, ... per kWh */
    {"demand by month: January", T_BIG(", \"demand\": {\"per_kw\": " MONTHS12_DEMAND "}"), "2024-01-01", "2024-01-31",
     NOPT, {{"2024-01-10T12:00", 1, 15, WH(25), -1, 0, 0}},
     /* 25 x 0.6 = 15; 100 kW x 1 = 100 */
     "energy=15.00 demand=100.00", "115.00", -1},
    {"demand by month: Jan 16 - Feb 15", T_BIG(", \"demand\": {\"per_kw\": " MONTHS12_DEMAND "}"), "2024-01-16",
     "2024-02-15", NOPT, {{"2024-01-20T12:00", 1, 15, WH(25), -1, 0, 0}, {"2024-02-10T12:00", 1, 15, WH(10), -1, 0, 0}},
     /* 35 x 0.6 = 21; January 100 kW x 1 x 16/31 = 51.6129 -> 51.61; February 40 kW x 2 x 15/29 = 41.3793 -> 41.38 */
     "energy=21.00 demand.01=51.61 demand.02=41.38", "113.99", -1},
    {"fuel by month: Jan 16 - Feb 15", T_FLAT(", \"surcharges\": {\"fuel\": " MONTHS12_FUEL "}"), "2024-01-16",
     "2024-02-15", NOPT, {{"2024-01-20T12:00", 1, 15, WH(100), -1, 0, 0}, {"2024-02-10T12:00", 1, 15, WH(50), -1, 0, 0}},
     /* 150 x 0.5 = 75; 100 x 0.01 = 1; 50 x 0.02 = 1 */
     "energy=75.00 surcharge.fuel.01=1.00 surcharge.fuel.02=1.00", "77.00", -1},
    {"fuel by month: March", T_FLAT(", \"surcharges\": {\"fuel\": " MONTHS12_FUEL "}"), "2024-03-01", "2024-03-31",
     NOPT, {{"2024-03-10T12:00", 1, 15, WH(100), -1, 0, 0}},
     /* 100 x 0.5 = 50; 100 x 0.03 = 3 */
     "energy=50.00 surcharge.fuel=3.00", "53.00", -1},
    /* daily tier bounds ("kWh daily", T_DAILY): 10 kWh a day at 0.20, above at 0.30, times the days billed */
    {"daily bounds: January 400 kWh", T_DAILY, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(400), -1, 0, 0}},
     /* bound 31 x 10 = 310: 310 x 0.2 = 62; 90 x 0.3 = 27 */
     "energy.t1=62.00 energy.t2=27.00", "89.00", -1},
    {"daily bounds: leap February 300 kWh", T_DAILY, "2024-02-01", "2024-02-29", NOPT,
     {{"2024-02-10T12:00", 1, 15, WH(300), -1, 0, 0}},
     /* bound 29 x 10 = 290: 58 + 10 x 0.3 = 3 */
     "energy.t1=58.00 energy.t2=3.00", "61.00", -1},
    {"daily bounds: April 1-15 200 kWh", T_DAILY, "2024-04-01", "2024-04-15", NOPT,
     {{"2024-04-10T12:00", 1, 15, WH(200), -1, 0, 0}},
     /* bound 15 x 10 = 150: 30 + 50 x 0.3 = 15 */
     "energy.t1=30.00 energy.t2=15.00", "45.00", -1},
    {"daily bounds: January 310.000 kWh", T_DAILY, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(310), -1, 0, 0}}, "energy.t1=62.00", "62.00", -1},
    {"daily bounds: January 310.001 kWh", T_DAILY, "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, 310001, -1, 0, 0}},
     /* 0.001 x 0.3 = 0.0003 -> 0.00 */
     "energy.t1=62.00 energy.t2=0.00", "62.00", -1},
    {"daily bounds, seasonal: July 700 kWh", T_SEAS_DAILY, "2024-07-01", "2024-07-31", NOPT,
     {{"2024-07-10T12:00", 1, 15, WH(700), -1, 0, 0}},
     /* summer 20 kWh a day x 31 = 620: 620 x 0.3 = 186; 80 x 0.4 = 32 */
     "energy.summer.t1=186.00 energy.summer.t2=32.00", "218.00", -1},
    /* reactive demand (demand.per_kvar 0.50): kvar = kvarh / the interval's hours */
    {"reactive demand, quarter hours", T_BIG(", \"demand\": {\"per_kvar\": \"0.5\"}"), "2024-01-01", "2024-01-31",
     NOPT, {{"2024-01-10T12:00", 1, 15, WH(10), 2000, 0, 0}, {"2024-01-10T12:15", 1, 15, WH(10), 5000, 0, 0}},
     /* 20 x 0.6 = 12; max(2, 5) kvarh x 4 = 20 kvar x 0.5 = 10 */
     "energy=12.00 reactive_demand=10.00", "22.00", -1},
    {"reactive demand, an hour", T_BIG(", \"demand\": {\"per_kvar\": \"0.5\"}"), "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 60, WH(60), 30000, 0, 0}},
     /* 60 x 0.6 = 36; 30 kvar x 0.5 = 15 */
     "energy=36.00 reactive_demand=15.00", "51.00", -1},
    {"capacity half month", T_BIG(", \"demand\": {\"per_kva\": \"26\"}"), "2024-04-01", "2024-04-15", -1, -1, 315000,
     -1, 0, NULL, {{"2024-04-10T12:00", 1, 15, WH(100), -1, 0, 0}}, "energy=60.00 demand=4095.00", "4155.00", -1},
    {"power factor 0.86 against 0.90", T_BIG(", \"power_factor\": {\"standard\": \"0.90\"}"), NULL, NULL, NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(1000), WH(600), 0, 0}}, "energy=600.00 pf_adjust=12.00", "612.00", -1},
    {"power factor 0.98 reward", T_BIG(", \"power_factor\": {\"standard\": \"0.90\"}"), NULL, NULL, -1, -1, -1,
     WH(200), 0, NULL, {{"2024-01-10T12:00", 1, 15, WH(1000), -1, 0, 0}}, "energy=600.00 pf_adjust=-4.50", "595.50",
     -1},
    {"power factor 0.80 standard, pf 0.71", T_BIG(", \"power_factor\": {\"standard\": \"0.80\"}"), NULL, NULL, NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(1000), WH(1000), 0, 0}}, "energy=600.00 pf_adjust=27.00", "627.00", -1},
    /* surcharges, fixed, minimum */
    {"surcharges per kWh", T_FLAT(", \"surcharges\": {\"renewable\": \"0.019\", \"reservoir\": \"0.0062\"}"), NULL,
     NULL, NOPT, {{"2024-01-10T12:00", 1, 15, WH(300), -1, 0, 0}},
     "energy=150.00 surcharge.renewable=5.70 surcharge.reservoir=1.86", "157.56", -1},
    {"fixed charge whole month", T_FLAT(", \"fixed\": \"10\""), "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(30), -1, 0, 0}}, "energy=15.00 fixed=10.00", "25.00", -1},
    {"minimum charge raises the bill", T_FLAT(", \"minimum\": \"10\""), "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(5), -1, 0, 0}}, "energy=2.50 minimum=7.50", "10.00", -1},
    {"minimum charge not reached", T_FLAT(", \"minimum\": \"10\""), "2024-01-01", "2024-01-31", NOPT,
     {{"2024-01-10T12:00", 1, 15, WH(50), -1, 0, 0}}, "energy=25.00", "25.00", -1},
    /* rounding */
    {"half up tie", T_FLAT(""), NULL, NULL, NOPT, {{"2024-01-10T12:00", 1, 15, 10, -1, 0, 0}}, "energy=0.01", "0.01",
     -1},
    {"half even tie down", T_FLAT(", \"rounding\": {\"mode\": \"half_even\"}"), NULL, NULL, NOPT,
     {{"2024-01-10T12:00", 1, 15, 10, -1, 0, 0}}, "energy=0.00", "0.00", -1},
    {"half even tie up", T_FLAT(", \"rounding\": {\"mode\": \"half_even\"}"), NULL, NULL, NOPT,
     {{"2024-01-10T12:00", 1, 15, 30, -1, 0, 0}}, "energy=0.02", "0.02", -1},
    {"unit 0.1 per line",
     "{\"id\": \"bj\", \"effective_from\": \"2012-07-01\", \"rounding\": {\"unit\": \"0.1\"}, \"energy\": {\"rate\": "
     "\"0.4883\", \"tiers\": {\"basis\": \"month\", \"bounds_kwh\": [\"240\", \"400\"], \"adders\": [\"0\", \"0.05\", "
     "\"0.30\"]}}}",
     "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, WH(300), -1, 0, 0}},
     "energy.t1=117.20 energy.t2=32.30", "149.50", -1},
    {"unit 1 per bill",
     "{\"id\": \"bj\", \"effective_from\": \"2012-07-01\", \"rounding\": {\"unit\": \"1\", \"per\": \"bill\"}, "
     "\"energy\": {\"rate\": \"0.4883\", \"tiers\": {\"basis\": \"month\", \"bounds_kwh\": [\"240\", \"400\"], "
     "\"adders\": [\"0\", \"0.05\", \"0.30\"]}}}",
     "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, WH(300), -1, 0, 0}},
     "energy.t1=117.19 energy.t2=32.30 rounding=-0.49", "149.00", -1},
    /* tier rates instead of adders */
    {"tier rates", "{\"id\": \"r\", \"effective_from\": \"2012-07-01\", \"energy\": {\"rate\": \"0.4\", \"tiers\": "
                   "{\"basis\": \"month\", \"bounds_kwh\": [\"240\", \"400\"], \"rates\": [\"0.5\", \"0.6\", \"0.9\"]}}}",
     "2024-01-01", "2024-01-31", NOPT, {{"2024-01-10T12:00", 1, 15, WH(300), -1, 0, 0}},
     "energy.t1=120.00 energy.t2=36.00", "156.00", -1},
    /* a credit adjustment */
    {"credit adjustment", T_BJ, "2024-01-01", "2024-01-31", -1, -1, -1, -1, -2000, NULL,
     {{"2024-01-10T12:00", 1, 15, WH(300), -1, 0, 0}}, "energy.t1=117.19 energy.t2=32.30 adjustment=-20.00", "129.49",
     -1},
};

static tariff_set TS;
static usage_interval U[4096];
static bill B;

static int64_t minutes_of(const char *s)
{
    int32_t day = 0;
    int hm = 0;
    assert_int_equal(civdate_parse(s, 10, &day), GL_OK);
    assert_int_equal(civdate_parse_time(s + 11, 5, &hm), GL_OK);
    return (int64_t)day * CIVDATE_MINUTES_PER_DAY + hm;
}

static int build_usage(const bill_case *c)
{
    int n = 0;
    for (int b = 0; b < 4 && c->blocks[b].start; b++) {
        const block *k = &c->blocks[b];
        int64_t t = minutes_of(k->start);
        for (int i = 0; i < k->count; i++, n++) {
            memset(&U[n], 0, sizeof U[n]);
            U[n].start_min = t + (int64_t)i * k->len_min;
            U[n].len_min = k->len_min;
            U[n].energy_wh = k->wh;
            U[n].reactive_varh = k->varh;
            U[n].demand_w = -1;
            U[n].flags = (uint32_t)k->flags;
            U[n].utc_offset_min = k->offset_min;
        }
    }
    return n;
}

static void options_of(const bill_case *c, bill_options *o)
{
    bill_options_init(o);
    snprintf(o->customer, sizeof o->customer, "C-1");
    if (c->from)
        assert_int_equal(civdate_parse(c->from, 10, &o->from_day), GL_OK);
    if (c->to)
        assert_int_equal(civdate_parse(c->to, 10, &o->to_day), GL_OK);
    o->has_position = c->pos_wh >= 0;
    o->position_wh = c->pos_wh >= 0 ? c->pos_wh : 0;
    o->demand_w = c->demand_w;
    o->capacity_va = c->capacity_va;
    o->reactive_varh = c->varh;
    o->adjustment_fen = c->adjust_fen;
    if (c->holiday) {
        assert_int_equal(civdate_parse(c->holiday, 10, &o->holidays[0]), GL_OK);
        o->nholidays = 1;
    }
}

static void lines_of(const bill *b, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < b->nlines && n < cap; i++) {
        char amt[MONEY_FMT_MAX];
        money_format(b->lines[i].amount_fen, 2, amt, sizeof amt);
        n += (size_t)snprintf(out + n, cap - n, "%s%s=%s%s", i ? " " : "", b->lines[i].code, amt,
                              b->lines[i].estimated ? "~" : "");
    }
}

static void parse_tariff(const char *text)
{
    diag d;
    diag_init(&d);
    gl_status st = tariff_parse("t.json", text, strlen(text), &d, &TS);
    if (st != GL_OK)
        fail_msg("tariff: %s", d.count ? d.lines[0] : gl_status_name(st));
}

/* Bills case c (tariff parsed, usage built) with options o: 1 if the lines,
 * total and position are the ones worked by hand (else says what differs). */
static int bill_matches(size_t i, const bill_case *c, const bill_options *o, int n)
{
    char got[1024], total[MONEY_FMT_MAX];
    gl_status st = bill_compute(&TS, U, n, o, &B);
    if (st != GL_OK) {
        print_message("case %zu %s: %s: %s\n", i, c->name, gl_status_name(st), B.error);
        return 0;
    }
    lines_of(&B, got, sizeof got);
    money_format(B.total_fen, 2, total, sizeof total);
    int64_t sum = 0;
    for (int k = 0; k < B.nlines; k++)
        sum += B.lines[k].amount_fen;
    if (strcmp(got, c->lines) != 0 || strcmp(total, c->total) != 0 || sum != B.total_fen ||
        (c->pos_after_wh >= 0 && B.position_after_wh != c->pos_after_wh)) {
        print_message("case %zu %s:\n got  %s total %s pos %lld\n want %s total %s pos %lld\n", i, c->name, got, total,
                      (long long)B.position_after_wh, c->lines, c->total, (long long)c->pos_after_wh);
        return 0;
    }
    return 1;
}

static void test_worked_cases(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bill_case *c = &cases[i];
        bill_options o;
        parse_tariff(c->tariff);
        int n = build_usage(c);
        options_of(c, &o);
        failed += !bill_matches(i, c, &o, n);
    }
    if (failed)
        fail_msg("%d of %zu cases failed", failed, sizeof cases / sizeof cases[0]);
}

/* Bills that need more than one period's usage: a demand ratchet (the peaks
 * of earlier months, most recent first) and an annual minimum (the year's
 * earlier bills). */
typedef struct {
    bill_case c;
    int nhistory;
    int64_t history_w[6];
    int64_t year_billed_fen; /* -1: not given */
    const char *error;       /* the refusal expected, or NULL */
    block export;            /* exported energy (opt.export_u), or none */
} more_case;

#define KW(x) ((int64_t)(x) * 1000)
#define T_DT(per_kw) T_BIG(", \"demand\": {\"per_kw\": " per_kw "}")
#define LADDER_100 "{\"bounds_kw\": [\"100\"], \"rates\": [\"12\", \"9\"]}"
#define T_RATCHET(r) T_BIG(", \"demand\": {\"per_kw\": \"10\", \"ratchet\": " r "}")
#define T_PER_KW                                                                                              \
    "{\"id\": \"pkw\", \"effective_from\": \"2020-01-01\", \"energy\": {\"rate\": \"0.5\", \"tiers\": {\"basis\": " \
    "\"per_kw\", \"bounds_kwh\": [\"200\"], \"rates\": [\"0.10\", \"0.05\"]}}}"
#define JAN "2024-01-01", "2024-01-31"
#define ONE_120KW {{"2024-01-10T12:00", 1, 15, WH(30), -1, 0, 0}}
#define ONE_40KW {{"2024-01-10T12:00", 1, 15, WH(10), -1, 0, 0}}

#define T_SELL(extra)                                                                                         \
    "{\"id\": \"nb\", \"effective_from\": \"2020-01-01\", \"energy\": {\"rate\": \"0.5\", \"sell\": \"0.04\"}" extra "}"
#define T_SELL_TOU                                                                                            \
    "{\"id\": \"nbt\", \"effective_from\": \"2020-01-01\", \"energy\": {\"tou\": {\"periods\": {\"peak\": \"0.6\", "       \
    "\"valley\": \"0.3\"}, " ZJ_CAL "}, \"sell\": {\"peak\": \"0.1\", \"valley\": \"0.02\"}}}"

static const more_case more_cases[] = {
    /* flat demand tiers (demand.per_kw as a ladder; URDB flatdemandstructure with a max): the month's
     * peak split across the tiers, each part at its rate (SAM: the same split as TOU demand tiers) */
    {{"flat demand tiers, 120 kW", T_DT("{\"bounds_kw\": [\"50\", \"100\"], \"rates\": [\"10\", \"8\", \"6\"]}"), JAN,
      NOPT, ONE_120KW,
      /* 30 kWh x 0.6 = 18.00; 30 kWh in 15 min = 120 kW: 50 x 10 = 500, 50 x 8 = 400, 20 x 6 = 120 */
      "energy=18.00 demand.t1=500.00 demand.t2=400.00 demand.t3=120.00", "1038.00", -1}, 0, {0}, -1, NULL, {0}},
    {{"flat demand tiers, 40 kW", T_DT("{\"bounds_kw\": [\"50\", \"100\"], \"rates\": [\"10\", \"8\", \"6\"]}"), JAN,
      NOPT, ONE_40KW,
      /* 10 kWh x 0.6 = 6.00; 40 kW, all in tier 1: 400.00 */
      "energy=6.00 demand.t1=400.00", "406.00", -1}, 0, {0}, -1, NULL, {0}},
    {{"flat demand by month, a ladder in July",
      T_DT("[\"5\",\"5\",\"5\",\"5\",\"5\",\"5\"," LADDER_100 "," LADDER_100 "," LADDER_100 ",\"5\",\"5\",\"5\"]"),
      "2024-07-01", "2024-07-31", NOPT, {{"2024-07-10T12:00", 1, 15, WH(37.5), -1, 0, 0}},
      /* 37.5 x 0.6 = 22.50; 150 kW: 100 x 12 = 1200, 50 x 9 = 450 */
      "energy=22.50 demand.t1=1200.00 demand.t2=450.00", "1672.50", -1}, 0, {0}, -1, NULL, {0}},
    {{"flat demand by month, no ladder in January",
      T_DT("[\"5\",\"5\",\"5\",\"5\",\"5\",\"5\"," LADDER_100 "," LADDER_100 "," LADDER_100 ",\"5\",\"5\",\"5\"]"),
      JAN, NOPT, {{"2024-01-10T12:00", 1, 15, WH(37.5), -1, 0, 0}},
      /* 150 kW x 5 = 750 */
      "energy=22.50 demand=750.00", "772.50", -1}, 0, {0}, -1, NULL, {0}},
    /* kWh/kW tiers ("basis": "per_kw"): bound = 200 kWh per kW of the month's peak; the peak comes last */
    {{"kWh per kW, peak after the energy", T_PER_KW, JAN, NOPT,
      {{"2024-01-01T00:00", 1000, 15, WH(20), -1, 0, 0}, {"2024-01-20T12:00", 1, 15, WH(25), -1, 0, 0}},
      /* peak 25 kWh / 0.25 h = 100 kW: bound 20,000 kWh; 20,025 kWh: 20,000 x 0.10 = 2000, 25 x 0.05 = 1.25
       * (the 80 kW seen before the peak would have set 16,000) */
      "energy.t1=2000.00 energy.t2=1.25", "2001.25", -1}, 0, {0}, -1, NULL, {0}},
    {{"kWh per kW, demand register 50 kW", T_PER_KW, JAN, -1, KW(50), -1, -1, 0, NULL,
      {{"2024-01-01T00:00", 1000, 15, WH(20), -1, 0, 0}, {"2024-01-20T12:00", 1, 15, WH(25), -1, 0, 0}},
      /* bound 200 x 50 = 10,000 kWh: 10,000 x 0.10 = 1000, 10,025 x 0.05 = 501.25 */
      "energy.t1=1000.00 energy.t2=501.25", "1501.25", -1}, 0, {0}, -1, NULL, {0}},
    {{"kWh per kW, half a month", T_PER_KW, "2024-01-01", "2024-01-15", NOPT,
      {{"2024-01-01T00:00", 600, 15, WH(20), -1, 0, 0}},
      /* 80 kW: 16,000 kWh a month x 15/31 = 7741.935 kWh; 12,000 kWh: 7741.935 x 0.10 = 774.1935 -> 774.19,
       * 4258.065 x 0.05 = 212.90325 -> 212.90 */
      "energy.t1=774.19 energy.t2=212.90", "987.09", -1}, 0, {0}, -1, NULL, {0}},
    /* a ratchet at 10.00 per kW; this month 40 kW; history: December first */
    {{"ratchet 80 % of 11 months", T_RATCHET("{\"percent\": \"80\", \"months\": 11}"), JAN, NOPT, ONE_40KW,
      /* max(40, 0.8 x 60 = 48, 0.8 x 150 = 120) = 120 kW x 10 = 1200; energy 6.00 */
      "energy=6.00 demand=1200.00", "1206.00", -1}, 2, {KW(60), KW(150)}, -1, NULL, {0}},
    {{"ratchet over 1 month", T_RATCHET("{\"percent\": \"80\", \"months\": 1}"), JAN, NOPT, ONE_40KW,
      /* only December: max(40, 48) = 48 kW x 10 = 480 */
      "energy=6.00 demand=480.00", "486.00", -1}, 2, {KW(60), KW(150)}, -1, NULL, {0}},
    {{"ratchet on summer months only", T_RATCHET("{\"percent\": \"80\", \"months\": 11, \"only_months\": [6,7,8,9]}"),
      JAN, NOPT, ONE_40KW,
      /* Dec 150 (not summer), Nov..Aug 0, Jul 200: 0.8 x 200 = 160 kW x 10 = 1600 */
      "energy=6.00 demand=1600.00", "1606.00", -1}, 6, {KW(150), 0, 0, 0, 0, KW(200)}, -1, NULL, {0}},
    {{"ratchet percent by month",
      T_RATCHET("{\"percent\": [\"80\",\"80\",\"80\",\"80\",\"80\",\"80\",\"80\",\"80\",\"80\",\"80\",\"80\",\"50\"], \"months\": 3}"),
      JAN, NOPT, ONE_40KW,
      /* December's peak at December's 50 %: 0.5 x 150 = 75 kW x 10 = 750 */
      "energy=6.00 demand=750.00", "756.00", -1}, 1, {KW(150)}, -1, NULL, {0}},
    {{"ratchet below this month's peak", T_RATCHET("{\"percent\": \"80\", \"months\": 11}"), JAN, NOPT, ONE_120KW,
      /* max(120, 0.8 x 100 = 80) = 120 x 10 = 1200; energy 18 */
      "energy=18.00 demand=1200.00", "1218.00", -1}, 1, {KW(100)}, -1, NULL, {0}},
    {{"ratchet without history", T_RATCHET("{\"percent\": \"80\", \"months\": 11}"), JAN, NOPT, ONE_40KW,
      "energy=6.00 demand=400.00", "406.00", -1}, 0, {0}, -1, NULL, {0}},
    {{"ratchet sizes kWh/kW tiers",
      "{\"id\": \"pkw\", \"effective_from\": \"2020-01-01\", \"energy\": {\"rate\": \"0.5\", \"tiers\": {\"basis\": "
      "\"per_kw\", \"bounds_kwh\": [\"200\"], \"rates\": [\"0.10\", \"0.05\"]}}, \"demand\": {\"per_kw\": \"0\", "
      "\"ratchet\": {\"percent\": \"50\", \"months\": 2}}}",
      JAN, NOPT, {{"2024-01-01T00:00", 1000, 15, WH(20), -1, 0, 0}},
      /* own 80 kW; 0.5 x 200 = 100 kW: bound 20,000 kWh, all 20,000 kWh in tier 1 = 2000; demand 0 x 100 */
      "energy.t1=2000.00 demand=0.00", "2000.00", -1}, 2, {KW(10), KW(200)}, -1, NULL, {0}},
    /* the annual minimum (annual_minimum "1200"): on the bill that ends on 31 December */
    {{"annual minimum raises December", T_FLAT(", \"annual_minimum\": \"1200\""), "2024-12-01", "2024-12-31", NOPT,
      {{"2024-12-10T12:00", 1, 15, WH(10), -1, 0, 0}},
      /* 10 x 0.5 = 5.00; 1000.00 + 5.00 < 1200: 195.00 */
      "energy=5.00 annual_minimum=195.00", "200.00", -1}, 0, {0}, 100000, NULL, {0}},
    {{"annual minimum met", T_FLAT(", \"annual_minimum\": \"1200\""), "2024-12-01", "2024-12-31", NOPT,
      {{"2024-12-10T12:00", 1, 15, WH(10), -1, 0, 0}}, "energy=5.00", "5.00", -1}, 0, {0}, 130000, NULL, {0}},
    {{"annual minimum not in November", T_FLAT(", \"annual_minimum\": \"1200\""), "2024-11-01", "2024-11-30", NOPT,
      {{"2024-11-10T12:00", 1, 15, WH(10), -1, 0, 0}}, "energy=5.00", "5.00", -1}, 0, {0}, -1, NULL, {0}},
    {{"annual minimum needs the year", T_FLAT(", \"annual_minimum\": \"1200\""), "2024-12-01", "2024-12-31", NOPT,
      {{"2024-12-10T12:00", 1, 15, WH(10), -1, 0, 0}}, "", "", -1}, 0, {0}, -1,
     "tariff flat has an annual minimum: the bill that ends the year needs the year's earlier bills", {0}},
    /* export (net billing, energy.sell): each kWh exported credited at its period's sell price */
    {{"export at a flat sell price", T_SELL(""), JAN, NOPT, ONE_40KW,
      /* 10 x 0.5 = 5.00; exported 4 x 2.5 = 10 kWh x 0.04 = -0.40 */
      "energy=5.00 export=-0.40", "4.60", -1}, 0, {0}, -1, NULL, {"2024-01-11T12:00", 4, 15, 2500, -1, 0, 0}},
    {{"export over a period edge", T_SELL_TOU, "2024-03-01", "2024-03-31", NOPT,
      {{"2024-03-05T10:00", 1, 15, WH(10), -1, 0, 0}},
      /* 10 kWh peak x 0.6 = 6.00; 4 kWh exported 21:30-22:30, shared by time: 2 peak x 0.1 = -0.20,
       * 2 valley x 0.02 = -0.04, both estimated */
      "energy.peak=6.00 export.peak=-0.20~ export.valley=-0.04~", "5.76", -1}, 0, {0}, -1, NULL,
     {"2024-03-05T21:30", 1, 60, WH(4), -1, 0, 0}},
    {{"export under a minimum", T_SELL(", \"minimum\": \"10\""), JAN, NOPT, ONE_40KW,
      /* 5.00 - 0.40 = 4.60, raised to 10.00 by 5.40 */
      "energy=5.00 export=-0.40 minimum=5.40", "10.00", -1}, 0, {0}, -1, NULL, {"2024-01-11T12:00", 4, 15, 2500, -1, 0, 0}},
    {{"export without a sell price", T_FLAT(""), JAN, NOPT, ONE_40KW, "", "", -1}, 0, {0}, -1,
     "tariff flat has no sell price (energy.sell): the export cannot be credited", {"2024-01-11T12:00", 1, 15, 100, -1, 0, 0}},
    {{"export interval off the quarter hours", T_SELL(""), JAN, NOPT, ONE_40KW, "", "", -1}, 0, {0}, -1,
     "export: usage interval 1: not on quarter hours", {"2024-01-11T12:05", 1, 15, 100, -1, 0, 0}},
};

static void test_more_cases(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof more_cases / sizeof more_cases[0]; i++) {
        const more_case *m = &more_cases[i];
        bill_options o;
        parse_tariff(m->c.tariff);
        int n = build_usage(&m->c);
        options_of(&m->c, &o);
        o.nhistory = m->nhistory;
        memcpy(o.history_w, m->history_w, sizeof m->history_w);
        o.has_year_billed = m->year_billed_fen >= 0;
        o.year_billed_fen = m->year_billed_fen >= 0 ? m->year_billed_fen : 0;
        usage_interval ex[8];
        int64_t t0 = m->export.start ? minutes_of(m->export.start) : 0;
        for (int k = 0; k < m->export.count && k < 8; k++)
            ex[k] = (usage_interval){t0 + (int64_t)k * m->export.len_min, m->export.len_min, 0, 0, m->export.wh, -1, -1};
        o.export_u = ex;
        o.nexport = m->export.start ? m->export.count : 0;
        if (m->error == NULL) {
            failed += !bill_matches(i, &m->c, &o, n);
        } else if (bill_compute(&TS, U, n, &o, &B) != GL_EINVAL || strcmp(B.error, m->error) != 0) {
            print_message("case %zu %s: got \"%s\"\n", i, m->c.name, B.error);
            failed++;
        }
    }
    if (failed)
        fail_msg("%d of %zu cases failed", failed, sizeof more_cases / sizeof more_cases[0]);
}

/* The peaks of the months before a bill, from its usage (tariff-calc's history). */
static void test_month_peaks(void **state)
{
    (void)state;
    int64_t h[BILL_MAX_HISTORY];
    usage_interval u[4] = {
        {minutes_of("2023-11-05T10:00"), 15, 0, 0, WH(30), -1, -1},   /* November: 120 kW */
        {minutes_of("2023-12-05T10:00"), 60, 0, 0, WH(50), -1, -1},   /* December: 50 kW */
        {minutes_of("2023-12-06T10:00"), 15, 0, 0, WH(1), -1, 77000}, /* December: the kw column, 77 kW */
        {minutes_of("2024-01-05T10:00"), 15, 0, 0, WH(99), -1, -1},   /* the bill's own month: not history */
    };
    int32_t jan = 0;
    civdate_parse("2024-01-01", 10, &jan);
    assert_int_equal(bill_month_peaks(u, 4, jan, h, BILL_MAX_HISTORY), 2);
    assert_int_equal(h[0], 77000);
    assert_int_equal(h[1], 120000);
    assert_int_equal(h[2], -1);
    assert_int_equal(bill_month_peaks(u, 4, jan, h, 1), 1);
}

/* Refusals: each gives its status and says why. */
static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *tariff, *from, *to, *want;
        int64_t start_a, start_b;
        gl_status st;
    } rows[] = {
        {T_VERSIONS, "2019-12-01", "2019-12-31", "no version of tariff v is in force on 2019-12-01", 0, 15, GL_ENOTFOUND},
        {T_FLAT(""), "2024-01-01", "2025-01-31", "the period must be 1..366 days", 0, 15, GL_ERANGE},
        {T_FLAT(""), "2024-01-31", "2024-01-01", "the period must be 1..366 days", 0, 15, GL_ERANGE},
        {T_BIG(", \"demand\": {\"per_kva\": \"26\"}"), "2024-01-01", "2024-01-31",
         "tariff big charges per kVA of capacity: give the capacity", 0, 15, GL_EINVAL},
        {T_BIG(", \"power_factor\": {\"standard\": \"0.85\"}"), "2024-01-01", "2024-01-31",
         "tariff big adjusts for the power factor: the usage needs kvarh (or give the kvarh)", 0, 15, GL_EINVAL},
        {T_FLAT(""), NULL, NULL, "usage interval 2: starts before the one before it ends", 15, 0, GL_EINVAL},
        {T_FLAT(""), NULL, NULL, "usage interval 1: not on quarter hours", 7, 30, GL_EINVAL},
        {T_BIG(", \"demand\": {\"per_kvar\": \"0.5\"}"), "2024-01-01", "2024-01-31",
         "tariff big charges per kVAR of reactive demand: the usage needs kvarh", 0, 15, GL_EINVAL},
        /* bad usage and a bad period: the usage is named first */
        {T_FLAT(""), "2024-01-01", "2025-01-31", "usage interval 2: starts before the one before it ends", 15, 0,
         GL_EINVAL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bill_options o;
        bill_options_init(&o);
        parse_tariff(rows[i].tariff);
        if (rows[i].from) {
            civdate_parse(rows[i].from, 10, &o.from_day);
            civdate_parse(rows[i].to, 10, &o.to_day);
        }
        int64_t base = minutes_of("2024-01-10T12:00");
        usage_interval u[2] = {{base + rows[i].start_a, 15, 0, 0, 1000, -1, -1},
                               {base + rows[i].start_b, 15, 0, 0, 1000, -1, -1}};
        gl_status st = bill_compute(&TS, u, 2, &o, &B);
        if (st != rows[i].st || strcmp(B.error, rows[i].want) != 0)
            fail_msg("row %zu: %s \"%s\"", i, gl_status_name(st), B.error);
    }
}

/* A bad interval inside a run of good quarter hours is named, whatever the
 * fault: each row spoils interval `at` (1-based) of 200. */
static void test_bad_interval_in_run(void **state)
{
    (void)state;
    static const struct {
        int at, what; /* 0 energy < 0, 1 energy too large, 2 kvarh -2, 3 kW -2, 4 overlap, 5 off the quarter */
        const char *want;
    } rows[] = {
        {57, 0, "usage interval 57: energy or demand out of range"},
        {1, 1, "usage interval 1: energy or demand out of range"},
        {200, 2, "usage interval 200: energy or demand out of range"},
        {120, 3, "usage interval 120: energy or demand out of range"},
        {99, 4, "usage interval 99: starts before the one before it ends"},
        {150, 5, "usage interval 150: not on quarter hours"},
    };
    parse_tariff(T_FLAT(""));
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        int64_t base = minutes_of("2024-01-10T00:00");
        for (int i = 0; i < 200; i++)
            U[i] = (usage_interval){base + 15 * i, 15, 0, 0, 1000, -1, -1};
        usage_interval *x = &U[rows[r].at - 1];
        switch (rows[r].what) {
        case 0: x->energy_wh = -1; break;
        case 1: x->energy_wh = TARIFF_MAX_ENERGY_WH + 1; break;
        case 2: x->reactive_varh = -2; break;
        case 3: x->demand_w = -2; break;
        case 4: x->start_min -= 5 * 15; break;
        default: x->start_min += 5; break;
        }
        bill_options o;
        bill_options_init(&o);
        gl_status st = bill_compute(&TS, U, 200, &o, &B);
        if (st != GL_EINVAL || strcmp(B.error, rows[r].want) != 0)
            fail_msg("row %zu: %s \"%s\"", r, gl_status_name(st), B.error);
    }
}

static void test_json(void **state)
{
    (void)state;
    bill_options o;
    char buf[4096], again[4096];
    size_t len = 0;
    parse_tariff(T_BJ);
    options_of(&cases[0], &o);
    int n = build_usage(&cases[0]);
    assert_int_equal(bill_compute(&TS, U, n, &o, &B), GL_OK);
    assert_int_equal(bill_to_json(&B, buf, sizeof buf, &len), GL_OK);
    static const char want[] =
        "{\n"
        "  \"customer\": \"C-1\",\n"
        "  \"period\": {\"from\": \"2024-01-01\", \"to\": \"2024-01-31\"},\n"
        "  \"tariff\": \"bj-res\",\n"
        "  \"lines\": [\n"
        "    {\"code\": \"energy.t1\", \"description\": \"energy, tier 1 of 3 (up to 240 kWh in this period)\", "
        "\"quantity\": \"240.000\", \"unit\": \"kWh\", \"rate\": \"0.4883\", \"amount\": \"117.19\"},\n"
        "    {\"code\": \"energy.t2\", \"description\": \"energy, tier 2 of 3 (240 to 400 kWh in this period)\", "
        "\"quantity\": \"60.000\", \"unit\": \"kWh\", \"rate\": \"0.5383\", \"amount\": \"32.30\"}\n"
        "  ],\n"
        "  \"total\": \"149.49\",\n"
        "  \"currency\": \"CNY\",\n"
        "  \"energy_kwh\": \"300.000\",\n"
        "  \"estimated\": false,\n"
        "  \"tier_position_kwh\": \"300.000\"\n"
        "}\n";
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
    assert_int_equal(bill_compute(&TS, U, n, &o, &B), GL_OK);
    assert_int_equal(bill_to_json(&B, again, sizeof again, NULL), GL_OK);
    assert_memory_equal(buf, again, len + 1); /* same inputs, same bytes */
    assert_int_equal(bill_to_json(&B, buf, 100, NULL), GL_EBOUND);
    snprintf(B.customer, sizeof B.customer, "a\"b\\c\n");
    assert_int_equal(bill_to_json(&B, buf, sizeof buf, NULL), GL_OK);
    assert_non_null(strstr(buf, "\"customer\": \"a\\\"b\\\\c\\u000a\""));
}

/* A posted bill's members (bill_json_write with extras) follow the priced
 * ones, each value escaped; usage_note only with usage_from; the textbuf's
 * cap is the bound. */
static void test_json_extras(void **state)
{
    (void)state;
    bill_options o;
    char buf[4096];
    textbuf t;
    parse_tariff(T_BJ);
    options_of(&cases[0], &o);
    int n = build_usage(&cases[0]);
    assert_int_equal(bill_compute(&TS, U, n, &o, &B), GL_OK);
    static const struct {
        bill_json_extra x;
        const char *tail;
    } rows[] = {
        {{"C-1/2024-01", "TQ-1", "2024-01", "2024-02-16", NULL, "unused"},
         "\"tier_position_kwh\": \"300.000\"\n,\n  \"id\": \"C-1/2024-01\",\n  \"area\": \"TQ-1\",\n"
         "  \"period_name\": \"2024-01\",\n  \"due\": \"2024-02-16\"\n}"},
        {{"C-1/2024-01", "", "2024-01", "2024-02-16", "intervals", "meter registers not used: \"x\"\\\t"},
         "\"area\": \"\",\n  \"period_name\": \"2024-01\",\n  \"due\": \"2024-02-16\",\n  \"usage_from\": "
         "\"intervals\",\n  \"usage_note\": \"meter registers not used: \\\"x\\\"\\\\\\u0009\"\n}"},
        {{"C-1/2024-01", "TQ-1", "2024-01", "2024-02-16", "meter_registers", ""},
         "\"due\": \"2024-02-16\",\n  \"usage_from\": \"meter_registers\"\n}"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        textbuf_init_fixed(&t, buf, sizeof buf);
        assert_int_equal(bill_json_write(&B, &rows[r].x, &t), GL_OK);
        size_t lt = strlen(rows[r].tail);
        assert_true(textbuf_len(&t) > lt);
        assert_string_equal(textbuf_str(&t) + textbuf_len(&t) - lt, rows[r].tail);
    }
    textbuf_init_fixed(&t, buf, 300);
    assert_int_equal(bill_json_write(&B, &rows[0].x, &t), GL_EBOUND);
}

/* A month of 15-minute TOU usage billed whole and day by day, the tier
 * position carried from each day's bill to the next, agrees to the
 * rounding: at most half a fen per line of each daily bill. */
static void test_whole_month_equals_daily_pieces(void **state)
{
    (void)state;
    parse_tariff(T_ZJ);
    int n = 0;
    int64_t t0 = minutes_of("2024-01-01T00:00");
    for (int i = 0; i < 31 * 96; i++, n++) {
        memset(&U[n], 0, sizeof U[n]);
        U[n].start_min = t0 + 15 * i;
        U[n].len_min = 15;
        U[n].energy_wh = 900 + (i * 7919) % 2300; /* 0.9..3.2 kWh, uneven */
        U[n].reactive_varh = -1;
        U[n].demand_w = -1;
    }
    bill_options o;
    bill_options_init(&o);
    o.has_position = 1;
    o.position_wh = WH(2000);
    assert_int_equal(bill_compute(&TS, U, n, &o, &B), GL_OK);
    int64_t whole = B.total_fen, whole_pos = B.position_after_wh;
    assert_true(whole_pos > WH(4800)); /* all three tiers crossed */
    int64_t daily = 0, pos = WH(2000), slack = 0;
    for (int d = 0; d < 31; d++) {
        o.position_wh = pos;
        o.from_day = o.to_day = civdate_from_ymd(2024, 1, 1 + d);
        assert_int_equal(bill_compute(&TS, U + d * 96, 96, &o, &B), GL_OK);
        daily += B.total_fen;
        pos = B.position_after_wh;
        slack += B.nlines; /* each line rounded: at most 0.5 fen off */
    }
    assert_int_equal(pos, whole_pos);
    int64_t diff = daily > whole ? daily - whole : whole - daily;
    if (2 * diff > slack + 6)
        fail_msg("whole %lld, daily %lld, diff %lld fen > %lld/2", (long long)whole, (long long)daily,
                 (long long)diff, (long long)slack + 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_cases),
        cmocka_unit_test(test_more_cases),
        cmocka_unit_test(test_month_peaks),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_bad_interval_in_run),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_extras),
        cmocka_unit_test(test_whole_month_equals_daily_pieces),
    };
    return cmocka_run_group_tests_name("bill", tests, NULL, NULL);
}
