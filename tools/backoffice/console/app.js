// The operators' console: talks to /api (same origin), no inline code, no
// other origin (the server's Content-Security-Policy). Amounts are shown as
// the API gives them: exact decimal strings, never turned into numbers.
'use strict';

const T = {
  zh: {
    title: '运营控制台', today: '今日', overview: '总览', audit: '审计日志', logout: '退出', user: '用户名',
    password: '密码', login: '登录', worklist: '催费工作单', awaiting: '待送达证明的通知', mark_served: '登记送达',
    proof: '送达证明', at: '送达时间', send: '发送到集中器', cancel: '取消', record: '催费记录',
    areas: '台区：收费率、欠费与线损', aging: '欠费账龄', alerts: '未关闭告警', health: '集中器状态',
    gateway: '集中器', customer: '户号', name: '户名', grid: '网格', grade: '信用等级', arrears: '欠费(元)',
    penalty: '违约金(元)', days_overdue: '逾期天数', action: '下一合法步骤', channel: '渠道', deadline: '最早/截止时间',
    id: '记录号', episode: '欠费期', planned: '计划', taken: '执行', status: '状态', served: '送达', principal: '本金(元)',
    reason: '依据', area: '台区', period: '月份', billed: '应收(元)', collected: '实收(元)',
    collection_rate_pct: '收费率(%)', loss_pct: '线损率(%)', supplied_kwh: '供电量(kWh)', sold_kwh: '售电量(kWh)',
    loss_kwh: '损失电量(kWh)', bucket: '账龄', as_of: '日期', kind: '类型', subject: '对象', detail: '详情',
    since: '开始', last_seen: '最后消息', outbox_depth: '待发队列', who: '操作人', what: '操作', ts: '时间',
    score: '评分', oldest_due: '最早到期', open: '查看', mark: '登记送达', sent: '已发送到集中器，序号 ',
    lang: 'English', none: '无', payments: '缴费', amount: '金额(元)', ref: '凭证号', date: '日期',
    record_payment: '登记缴费并发送到集中器', seq: '序号', result: '集中器确认', sent_ts: '发送时间',
    commands: '指令', cmd_request: '申请停电 / 复电', command: '指令', disconnect: '停电', reconnect: '复电',
    check_first: '合法性检查', lawfulness: '合法性检查', confirm: '确认', reject: '驳回', requests: '指令及集中器确认',
    tariff_push: '下发电价', tariff_json: '电价文件 (JSON)', push: '下发', rule: '规则', ok: '结果', why: '说明',
    lawful: '合法，可执行', refused: '不合法，不能批准', review: '审核', requested_by: '申请人', state: '状态',
    decided_by: '审批人', ack: '集中器确认', ack_reason: '确认说明', requested: '待审批', rejected: '已驳回',
    pending: '等待集中器确认', applied: '已执行', item: '项目', value: '值', q_request: '确认提交此申请？',
    q_approve: '确认批准并将签名指令发送到集中器？', q_tariff: '确认将电价下发到集中器 ', asked: '已提交申请，编号 ',
    rejected_msg: '已驳回申请 ', st_requested: '待审批', chart_collection: '各台区各月应收与实收', chart_loss: '线损率趋势',
    grade_dist: '信用等级分布', customers: '户数', r_threshold: '欠费本金达到停电门槛', r_overdue: '逾期超过规定天数',
    r_window: '不在禁止停电时段', r_reminder: '催费提醒已送达', r_notice: '停电通知书已送达且有效',
    r_notice_days: '通知书提前天数足够', r_notice_1h: '提前一小时通知已送达', r_confirm: '停电前确认已送达', managers: '客户经理', manager: '客户经理', assign: '分配', remove: '移除', service: '服务标准', reconnect_hours: '复电时限',
    statement: '账务（欠费、违约金、余额）', bills: '账单及明细', grades: '信用等级及历史', contacts: '联系方式',
    balance: '余额(元)', total: '金额(元)', due: '到期日', lines_t: '明细', open_t: '状态', open_alert: '未关闭',
    closed: '已关闭', mobile: '手机', email: '邮箱', address: '地址', bill: '账单', payment: '缴费', what_t: '项目', st_sent: '已发送', st_rejected: '已驳回', command_t: '指令', state_t: '状态', ack_t: '集中器确认'
  },
  en: {
    title: 'Operators\' console', today: 'Today', overview: 'Overview', audit: 'Audit log', logout: 'Log out',
    user: 'User', password: 'Password', login: 'Log in', worklist: 'Collection worklist',
    awaiting: 'Notices awaiting proof of service', mark_served: 'Mark served', proof: 'Proof of service',
    at: 'Served at', send: 'Send to the gateway', cancel: 'Cancel', record: 'Collection record',
    areas: 'Areas: collection rate, arrears and line loss', aging: 'Arrears aging', alerts: 'Open alerts',
    health: 'Gateways', gateway: 'Gateway', customer: 'Customer', name: 'Name', grid: 'Grid', grade: 'Grade',
    arrears: 'Arrears (CNY)', penalty: 'Penalty (CNY)', days_overdue: 'Days overdue', action: 'Next lawful step',
    channel: 'Channel', deadline: 'Earliest / due', id: 'Record', episode: 'Episode', planned: 'Planned',
    taken: 'Taken', status: 'Status', served: 'Served', principal: 'Principal (CNY)', reason: 'Reason',
    area: 'Area', period: 'Month', billed: 'Billed (CNY)', collected: 'Collected (CNY)',
    collection_rate_pct: 'Collection rate (%)', loss_pct: 'Line loss (%)', supplied_kwh: 'Supplied (kWh)',
    sold_kwh: 'Sold (kWh)', loss_kwh: 'Lost (kWh)', bucket: 'Aging', as_of: 'As of', kind: 'Kind',
    subject: 'Subject', detail: 'Detail', since: 'Since', last_seen: 'Last message', outbox_depth: 'Outbox',
    who: 'Who', what: 'What', ts: 'When', score: 'Score', oldest_due: 'Oldest due', open: 'Open',
    mark: 'Mark served', sent: 'Sent to the gateway, seq ', lang: '中文', none: 'none', payments: 'Payments',
    amount: 'Amount (CNY)', ref: 'Reference', date: 'Date', record_payment: 'Record the payment and send it',
    seq: 'Seq', result: 'Gateway\'s answer', sent_ts: 'Sent',
    commands: 'Commands', cmd_request: 'Request a disconnection / reconnection', command: 'Command',
    disconnect: 'Disconnect', reconnect: 'Reconnect', check_first: 'Check lawfulness', lawfulness: 'Lawfulness check',
    confirm: 'Confirm', reject: 'Reject', requests: 'Commands and the gateways\' acknowledgements',
    tariff_push: 'Push a tariff', tariff_json: 'Tariff file (JSON)', push: 'Push', rule: 'Rule', ok: 'Result',
    why: 'Why', lawful: 'lawful: may be approved', refused: 'refused: cannot be approved', review: 'Review',
    requested_by: 'Requested by', state: 'State', decided_by: 'Decided by', ack: 'Gateway', ack_reason: 'Gateway says',
    requested: 'awaiting approval', rejected: 'rejected', pending: 'pending the gateway', applied: 'applied',
    item: 'Item', value: 'Value', q_request: 'Submit this request?',
    q_approve: 'Approve and send the signed command to the gateway?', q_tariff: 'Push the tariff to gateway ',
    asked: 'Requested, number ', rejected_msg: 'Rejected request ', st_requested: 'awaiting approval', chart_collection: 'Billed and collected by area and month',
    chart_loss: 'Line loss trend', grade_dist: 'Grade distribution', customers: 'Customers', r_threshold: 'principal at the cut threshold',
    r_overdue: 'overdue long enough', r_window: 'outside no-cut windows', r_reminder: 'a reminder served',
    r_notice: 'a valid disconnection notice served', r_notice_days: 'notice served early enough',
    r_notice_1h: 'one-hour notice served', r_confirm: 'confirmation served', managers: 'Account managers', manager: 'Account manager',
    assign: 'Assign', remove: 'Remove', service: 'Service standard',
    reconnect_hours: 'reconnection within', statement: 'Ledger (arrears, penalty, balance)', bills: 'Bills and lines',
    grades: 'Grade and history', contacts: 'Contacts', balance: 'Balance (CNY)', total: 'Amount (CNY)', due: 'Due',
    lines_t: 'Lines', open_t: 'State', open_alert: 'open', closed: 'closed', mobile: 'Mobile', email: 'Email',
    address: 'Address', bill: 'Bill', payment: 'Payment', what_t: 'Item', st_sent: 'sent',
    st_rejected: 'rejected', command_t: 'Command',
    state_t: 'State', ack_t: 'Gateway'
  }
};
let lang = localStorage.getItem('lang') || 'zh';
let me = null;
let servedTarget = null;
let rerender = null;
let recordOf = null; // the customer on the record page // the view on screen, drawn again when the language changes
const $ = (id) => document.getElementById(id);
const t = (k) => T[lang][k] || k;

function applyLang() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-t]').forEach((e) => { e.textContent = t(e.dataset.t); });
  $('lang').textContent = t('lang');
}

function say(text, error) {
  $('msg').textContent = text || '';
  $('msg').className = error ? 'error' : '';
}

async function api(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.headers['X-CSRF-Token'] = me ? me.csrf : '';
    opt.body = JSON.stringify(body);
  }
  const r = await fetch(path, opt);
  const d = await r.json().catch(() => ({ error: r.statusText }));
  if (d.csrf && me) me.csrf = d.csrf; // each change uses its token once
  if (!r.ok) throw new Error(r.status + ': ' + (d.error || ''));
  return d;
}

const NUM = new Set(['customers', 'balance', 'total', 'amount', 'seq', 'arrears', 'penalty', 'principal', 'billed', 'collected', 'days_overdue', 'collection_rate_pct',
  'loss_pct', 'supplied_kwh', 'sold_kwh', 'loss_kwh', 'outbox_depth', 'id', 'score']);

// table: rows as a table of the named columns; extra(row) may add a last cell.
function table(el, rows, cols, extra) {
  el.replaceChildren();
  const head = el.insertRow();
  cols.forEach((c) => { const th = document.createElement('th'); th.textContent = t(c); head.appendChild(th); });
  if (!rows.length) { el.insertRow().insertCell().textContent = t('none'); return; }
  rows.forEach((row) => {
    const tr = el.insertRow();
    cols.forEach((c) => {
      const td = tr.insertCell();
      const v = row[c];
      td.textContent = v === null || v === undefined ? '' : (c === 'ts' ? new Date(v * 1000).toLocaleString(lang) : String(v));
      if (NUM.has(c)) td.className = 'num';
    });
    if (extra) extra(tr.insertCell(), row);
  });
}

function button(cell, label, fn) {
  const b = document.createElement('button');
  b.textContent = t(label);
  b.addEventListener('click', fn);
  cell.appendChild(b);
}

function show(view) {
  ['login', 'today', 'record', 'overview', 'commands', 'managers', 'audit'].forEach((v) => { $(v + '-view').hidden = v !== view; });
}

async function today() {
  rerender = today;
  const d = await api('GET', '/api/today');
  table($('worklist'), d.worklist, ['gateway', 'customer', 'name', 'grid', 'grade', 'arrears', 'penalty',
    'days_overdue', 'action', 'channel', 'deadline'], (cell, row) => button(cell, 'open', () => record(row)));
  table($('awaiting'), d.awaiting_proof, ['gateway', 'customer', 'id', 'action', 'channel', 'taken', 'principal'],
    (cell, row) => button(cell, 'mark', () => {
      servedTarget = row;
      $('served-what').textContent = row.gateway + ' ' + row.customer + ' #' + row.id + ' ' + row.action;
      $('served').hidden = false;
    }));
  show('today');
}

async function record(row) {
  rerender = () => record(row);
  const q = '?gateway=' + encodeURIComponent(row.gateway) + '&customer=' + encodeURIComponent(row.customer);
  const [d, cu] = await Promise.all([api('GET', '/api/record' + q), api('GET', '/api/customer' + q)]);
  $('record-who').textContent = d.gateway + ' / ' + d.customer;
  const sv = cu.service;
  $('service').hidden = !sv;
  if (sv) {
    $('service').textContent = t('service') + ' (' + sv.grade + '): ' + sv.standard + ' · ' + t('reconnect_hours') +
      ' ' + sv.reconnect_hours + ' h' + (sv.payment_methods.length ? ' · ' + sv.payment_methods.join(', ') : '');
  }
  table($('statement'), cu.statement.map((e) => Object.assign({}, e, { what_t: t(e.what) })),
    ['date', 'what_t', 'ref', 'amount', 'balance']);
  table($('bills'), cu.bills.map((b) => Object.assign({}, b, { lines_t: (b.lines || []).map((l) =>
    Object.keys(l).map((k) => k + ' ' + (typeof l[k] === 'object' ? JSON.stringify(l[k]) : l[k])).join(', ')).join(' | ') })),
  ['id', 'period', 'due', 'total', 'lines_t']);
  table($('contacts'), cu.contacts, ['name', 'mobile', 'email', 'address', 'channel']);
  table($('cust-alerts'), cu.alerts.map((a) => Object.assign({}, a, { open_t: t(a.open ? 'open_alert' : 'closed') })),
    ['ts', 'kind', 'detail', 'open_t']);
  table($('grades'), d.grades, ['as_of', 'grade', 'score', 'arrears', 'penalty', 'days_overdue', 'oldest_due']);
  table($('record'), d.actions, ['id', 'episode', 'action', 'channel', 'planned', 'taken', 'status', 'served',
    'proof', 'principal', 'penalty', 'reason']);
  table($('payments'), d.payments, ['seq', 'amount', 'ref', 'date', 'result']);
  recordOf = row;
  show('record');
}

// ---- charts (Apache ECharts, the console's own file): the numbers stay the API's strings ----

// cents: a decimal string as whole fen (exact integer arithmetic), and back.
function cents(v) {
  if (v === null || v === undefined || v === '') return 0;
  const neg = v[0] === '-';
  const [i, f = ''] = (neg ? v.slice(1) : v).split('.');
  const n = Number(i) * 100 + Number((f + '00').slice(0, 2));
  return neg ? -n : n;
}
function yuan(n) {
  const a = Math.abs(n);
  return (n < 0 ? '-' : '') + Math.floor(a / 100) + '.' + String(a % 100).padStart(2, '0');
}

function chart(id, option) {
  const el = $(id);
  if (!window.echarts) { el.hidden = true; return; } // without the file the tables say it all
  const c = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
  c.setOption(Object.assign({ tooltip: { trigger: 'axis', renderMode: 'richText' }, legend: {}, animation: false },
    option), true);
}

async function overview() {
  rerender = overview;
  const [area, aging, alerts, health, grades] = await Promise.all(['area', 'aging', 'alerts', 'health', 'grades']
    .map((r) => api('GET', '/api/report/' + r)));
  show('overview'); // shown first: a chart takes the size of its box
  table($('area'), area.rows, ['area', 'period', 'billed', 'collected', 'collection_rate_pct', 'supplied_kwh',
    'sold_kwh', 'loss_kwh', 'loss_pct']);
  table($('aging'), aging.rows, ['gateway', 'customer', 'grade', 'bucket', 'days_overdue', 'arrears', 'penalty']);
  table($('alerts'), alerts.rows, ['gateway', 'kind', 'subject', 'detail', 'since']);
  table($('health'), health.rows, ['gateway', 'last_seen', 'outbox_depth']);
  // collection by area and month: billed and collected (the area table's numbers)
  const cats = area.rows.map((r) => r.area + ' ' + r.period);
  chart('chart-area', {
    title: { text: t('chart_collection'), textStyle: { fontSize: 14 } },
    xAxis: { type: 'category', data: cats }, yAxis: { type: 'value' },
    series: [{ name: t('billed'), type: 'bar', data: area.rows.map((r) => r.billed || '0') },
      { name: t('collected'), type: 'bar', data: area.rows.map((r) => r.collected || '0') }]
  });
  // line loss trend per area
  const periods = [...new Set(area.rows.map((r) => r.period))].sort();
  const areas = [...new Set(area.rows.map((r) => r.area))];
  chart('chart-loss', {
    title: { text: t('chart_loss'), textStyle: { fontSize: 14 } },
    xAxis: { type: 'category', data: periods }, yAxis: { type: 'value', name: '%' },
    series: areas.map((a) => ({ name: a, type: 'line', connectNulls: true, data: periods.map((p) => {
      const r = area.rows.find((x) => x.area === a && x.period === p);
      return r && r.loss_pct !== null ? r.loss_pct : null;
    }) }))
  });
  // arrears aging: the sum of each bucket, exact
  const buckets = ['1-30', '31-60', '61-90', '91-180', '181+'];
  const sums = buckets.map((b) => ({ bucket: b, arrears: yuan(aging.rows.filter((r) => r.bucket === b)
    .reduce((s, r) => s + cents(r.arrears), 0)), customers: aging.rows.filter((r) => r.bucket === b).length }));
  table($('aging-sum'), sums, ['bucket', 'arrears', 'customers']);
  chart('chart-aging', {
    title: { text: t('aging'), textStyle: { fontSize: 14 } },
    xAxis: { type: 'category', data: buckets }, yAxis: { type: 'value' },
    series: [{ name: t('arrears'), type: 'bar', data: sums.map((x) => x.arrears) }]
  });
  // grade distribution at the newest grading
  const dist = grades.rows.filter((r) => r.kind === 'distribution');
  const newest = dist.reduce((m, r) => (r.as_of > m ? r.as_of : m), '');
  const now = dist.filter((r) => r.as_of === newest);
  table($('grade-dist'), now, ['as_of', 'grade', 'customers']);
  chart('chart-grades', {
    title: { text: t('grade_dist') + ' ' + newest, textStyle: { fontSize: 14 } },
    xAxis: { type: 'category', data: now.map((r) => r.grade) }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: t('customers'), type: 'bar', data: now.map((r) => r.customers) }]
  });
}

// ---- commands: a cut with the lawfulness check's verdict, then a confirmation ----

let pending = null; // what the confirm button does: { fn } while the check box is open

function mark(v) { return v ? '✔' : '✘'; }

// showCheck: the check's rules and what it was fed; the confirm button only when lawful (or not a cut).
function showCheck(what, chk, question, fn, canReject) {
  $('cmd-check-what').textContent = what;
  const rules = chk.rules || [];
  const lawful = chk.lawful === undefined || chk.lawful;
  $('cmd-verdict').textContent = rules.length ? t(lawful ? 'lawful' : 'refused') : '';
  $('cmd-verdict').className = lawful ? 'good' : 'error';
  table($('cmd-check'), rules.map((r) => ({ rule: t('r_' + r.rule), ok: mark(r.ok), why: r.why })),
    ['rule', 'ok', 'why']);
  const basis = chk.basis || {};
  table($('cmd-basis'), Object.keys(basis).map((k) => ({ item: k, value: String(basis[k]) })), ['item', 'value']);
  $('cmd-question').textContent = lawful ? question : '';
  $('cmd-confirm').hidden = !lawful;
  $('cmd-confirm').disabled = !lawful;
  $('cmd-reject').hidden = !canReject;
  $('cmd-check-box').hidden = false;
  pending = fn;
}

function closeCheck() { $('cmd-check-box').hidden = true; pending = null; }

async function review(row) {
  const q = '?gateway=' + encodeURIComponent(row.gateway) + '&customer=' + encodeURIComponent(row.customer);
  const chk = row.command === 'disconnect' ? await api('GET', '/api/cutcheck' + q) : {};
  pending = null;
  showCheck('#' + row.id + ' ' + t(row.command) + ' ' + row.gateway + ' / ' + row.customer, chk, t('q_approve'),
    async () => {
      const d = await api('POST', '/api/commands/approve', { id: row.id });
      say(t('sent') + d.seq);
    }, true);
  $('cmd-check-box').dataset.id = row.id;
}

async function commands() {
  rerender = commands;
  const d = await api('GET', '/api/commands');
  const rows = d.rows.map((r) => Object.assign({}, r, { command_t: t(r.command), state_t: t('st_' + r.state),
    seq: r.down_seq, ack_t: r.ack ? t(r.ack) : '' }));
  table($('commands'), rows, ['id', 'gateway', 'customer', 'command_t', 'reason', 'requested_by', 'state_t',
    'decided_by', 'seq', 'ack_t', 'ack_reason'], (cell, row) => {
    if (me.role === 'supervisor' && row.state === 'requested') button(cell, 'review', guard(() => review(row)));
  });
  Array.from($('commands').rows).slice(1).forEach((tr, i) => { // for the tests and the eye: id, state, answer
    if (!rows[i]) return;
    tr.dataset.id = rows[i].id;
    tr.dataset.state = rows[i].state;
    tr.dataset.ack = rows[i].ack || '';
  });
  awaitingAck = rows.some((r) => r.ack === 'pending');
  show('commands');
}

// poll: the commands page shows each command's state until the gateway answers
let awaitingAck = false;
setInterval(() => {
  if (me && awaitingAck && rerender === commands && !$('commands-view').hidden && $('cmd-check-box').hidden)
    commands().catch(() => {});
}, 3000);

// account managers and their large customers (admin)
async function managers() {
  rerender = managers;
  const d = await api('GET', '/api/managed');
  table($('managed'), d.rows, ['manager', 'gateway', 'customer'], (cell, row) => button(cell, 'remove', guard(async () => {
    await api('POST', '/api/managed/remove', row);
    await managers();
  })));
  show('managers');
}

async function audit() {
  rerender = audit;
  const d = await api('GET', '/api/audit');
  table($('auditlog'), d.rows, ['ts', 'who', 'what', 'detail']);
  show('audit');
}

function loggedIn(d) {
  me = d;
  $('nav').hidden = false;
  $('who').textContent = d.user + ' (' + d.role + (d.grid ? ' ' + d.grid : '') + ')';
  document.querySelectorAll('[data-role]').forEach((e) => { e.hidden = !e.dataset.role.split(' ').includes(d.role); });
  return today();
}

function guard(fn) {
  return (ev) => { if (ev) ev.preventDefault(); say(''); fn(ev).catch((e) => say(e.message, true)); };
}

document.addEventListener('DOMContentLoaded', () => {
  applyLang();
  $('lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('lang', lang);
    applyLang();
    if (me && rerender) rerender().catch((e) => say(e.message, true));
  });
  $('login').addEventListener('submit', guard(async () => {
    const f = $('login');
    await loggedIn(await api('POST', '/api/login', { user: f.user.value, password: f.password.value }));
    f.password.value = '';
  }));
  $('logout').addEventListener('click', guard(async () => {
    await api('POST', '/api/logout', {});
    me = null;
    rerender = null;
    $('nav').hidden = true;
    show('login');
  }));
  $('served').addEventListener('submit', guard(async () => {
    const f = $('served');
    const body = { gateway: servedTarget.gateway, customer: servedTarget.customer, id: servedTarget.id,
      proof: f.proof.value };
    if (f.at.value) body.at = f.at.value;
    const d = await api('POST', '/api/served', body);
    f.hidden = true;
    f.proof.value = '';
    say(t('sent') + d.seq);
  }));
  $('pay').addEventListener('submit', guard(async () => {
    const f = $('pay');
    const body = { gateway: recordOf.gateway, customer: recordOf.customer, amount: f.amount.value, ref: f.ref.value };
    if (f.date.value) body.date = f.date.value;
    const d = await api('POST', '/api/pay', body); // the amount goes as the string typed: exact
    f.amount.value = '';
    f.ref.value = '';
    await record(recordOf);
    say(t('sent') + d.seq);
  }));
  $('served-cancel').addEventListener('click', () => { $('served').hidden = true; });
  $('cmd-new').addEventListener('submit', guard(async () => {
    const f = $('cmd-new');
    const body = { gateway: f.gateway.value, customer: f.customer.value, command: f.command.value,
      reason: f.reason.value };
    const q = '?gateway=' + encodeURIComponent(body.gateway) + '&customer=' + encodeURIComponent(body.customer);
    const chk = body.command === 'disconnect' ? await api('GET', '/api/cutcheck' + q) : {};
    showCheck(t(body.command) + ' ' + body.gateway + ' / ' + body.customer, chk, t('q_request'), async () => {
      const d = await api('POST', '/api/commands', body);
      say(t('asked') + d.id);
    }, false);
  }));
  $('cmd-confirm').addEventListener('click', guard(async () => {
    const fn = pending;
    closeCheck();
    if (fn) await fn();
    await commands();
  }));
  $('cmd-reject').addEventListener('click', guard(async () => {
    const id = Number($('cmd-check-box').dataset.id);
    closeCheck();
    await api('POST', '/api/commands/reject', { id });
    say(t('rejected_msg') + id);
    await commands();
  }));
  $('cmd-cancel').addEventListener('click', closeCheck);
  $('tariff').addEventListener('submit', guard(async () => {
    const f = $('tariff');
    let id = '?';
    try { id = JSON.parse(f.tariff.value).id; } catch (e) { /* the server names the problem */ }
    $('tariff-question').textContent = t('q_tariff') + f.gateway.value + ': ' + id + '?';
    $('tariff-confirm-box').hidden = false;
  }));
  $('tariff-confirm').addEventListener('click', guard(async () => {
    const f = $('tariff');
    $('tariff-confirm-box').hidden = true;
    const d = await api('POST', '/api/tariff', { gateway: f.gateway.value, tariff: f.tariff.value });
    say(t('sent') + d.seq);
    await commands();
  }));
  $('tariff-cancel').addEventListener('click', () => { $('tariff-confirm-box').hidden = true; });
  document.querySelectorAll('[data-view]').forEach((b) => b.addEventListener('click',
    guard(() => ({ today, overview, commands, managers, audit })[b.dataset.view]())));
  $('managed-add').addEventListener('submit', guard(async () => {
    const f = $('managed-add');
    await api('POST', '/api/managed', { manager: f.manager.value, gateway: f.gateway.value, customer: f.customer.value });
    await managers();
  }));
  api('GET', '/api/me').then(loggedIn).catch(() => show('login'));
});
