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
    record_payment: '登记缴费并发送到集中器', seq: '序号', result: '集中器确认', sent_ts: '发送时间'
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
    seq: 'Seq', result: 'Gateway\'s answer', sent_ts: 'Sent'
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

const NUM = new Set(['amount', 'seq', 'arrears', 'penalty', 'principal', 'billed', 'collected', 'days_overdue', 'collection_rate_pct',
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
  ['login', 'today', 'record', 'overview', 'audit'].forEach((v) => { $(v + '-view').hidden = v !== view; });
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
  const d = await api('GET', '/api/record' + q);
  $('record-who').textContent = d.gateway + ' / ' + d.customer;
  table($('grades'), d.grades, ['as_of', 'grade', 'score', 'arrears', 'penalty', 'days_overdue', 'oldest_due']);
  table($('record'), d.actions, ['id', 'episode', 'action', 'channel', 'planned', 'taken', 'status', 'served',
    'proof', 'principal', 'penalty', 'reason']);
  table($('payments'), d.payments, ['seq', 'amount', 'ref', 'date', 'result']);
  recordOf = row;
  show('record');
}

async function overview() {
  rerender = overview;
  const [area, aging, alerts, health] = await Promise.all(['area', 'aging', 'alerts', 'health']
    .map((r) => api('GET', '/api/report/' + r)));
  table($('area'), area.rows, ['area', 'period', 'billed', 'collected', 'collection_rate_pct', 'supplied_kwh',
    'sold_kwh', 'loss_kwh', 'loss_pct']);
  table($('aging'), aging.rows, ['gateway', 'customer', 'grade', 'bucket', 'days_overdue', 'arrears', 'penalty']);
  table($('alerts'), alerts.rows, ['gateway', 'kind', 'subject', 'detail', 'since']);
  table($('health'), health.rows, ['gateway', 'last_seen', 'outbox_depth']);
  show('overview');
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
  document.querySelectorAll('[data-view]').forEach((b) => b.addEventListener('click',
    guard(() => ({ today, overview, audit })[b.dataset.view]())));
  api('GET', '/api/me').then(loggedIn).catch(() => show('login'));
});
