// 监察驾驶舱 (src/api/dashboard.py, docs/dashboard.md). Every figure is a GraphQL answer asked
// with the token kept in this tab's sessionStorage; the supervisionTotals and supervisionCards
// subscriptions (graphql-transport-ws, via graphql-ws) say when to ask again. User text is
// only ever set with textContent.
(function () {
  "use strict";
  var KEY = "xuke.supervision.token";
  var MONTHS = 12;
  var QUERY = [
    "query Dashboard($from: Date!, $to: Date!) {",
    "  me { userId name roles jurisdictionCode }",
    "  supervision {",
    "    overdue(first: 10) { totalCount edges { node { caseNo itemName stage decisionDue candidateGroup assignee } } }",
    "    warnings(first: 1) { totalCount }",
    "    byUnit: lateCounts(groupBy: DEPARTMENT) { key overdue warnings }",
    "    byItem: lateCounts(groupBy: ITEM) { key overdue warnings }",
    "    monthly: compliance(from: $from, to: $to, groupBy: MONTH) { key closed closedOnTime onTimeRate }",
    "    cards(first: 10) { totalCount nodes { caseNo colour cause responsibleUnit issuedAt } }",
    "    openOrders: orders(status: \"OPEN\", first: 1) { totalCount }",
    "    orders(first: 10) { totalCount nodes { caseNo unit instruction respondBy status } }",
    "  }",
    "}"
  ].join("\n");
  var STAGES = { ACCEPTANCE: "受理", PRELIMINARY_REVIEW: "初审", HANDLING: "承办", REVIEW: "审核",
                 APPROVAL: "审批", CERTIFICATION: "制证", SERVICE: "送达", DONE: "办结" };
  var CAUSES = { COMMITTED_LIMIT_PASSED: "超承诺时限", STAGE_HELD_TOO_LONG: "环节滞留超时",
                 LATE_CORRECTION_NOTICE: "补正告知迟延", LEGAL_LIMIT_PASSED: "超法定时限", LATE_ENTRY: "补录迟延",
                 HEARING_OVERDUE: "听证逾期", HEARING_OFFICER_LATE: "主持人未按时指定", RENEWAL_REMINDER: "延续提醒", PROCEEDINGS_OVERDUE: "撤销撤回程序超期",
                 CONSULTATION_LATE: "咨询答复超时" };
  var ORDER_STATUS = { OPEN: "待答复", ANSWERED: "已答复", ESCALATED: "已升级" };
  var $ = function (id) { return document.getElementById(id); };
  var chart = null, live = null, reloading = null;

  function token() { return window.sessionStorage.getItem(KEY); }

  function iso(d) { return d.toISOString().slice(0, 10); }

  function period() {
    var to = new Date();
    var from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - (MONTHS - 1), 1));
    return { from: iso(from), to: iso(to) };
  }

  // The period's months in order, each with its compliance row (compliance also lists the
  // months of overdue cases' deadlines, before the period: those are the tables' business).
  function months(rows) {
    var p = period(), byKey = {}, out = [];
    rows.forEach(function (r) { byKey[r.key] = r; });
    var d = new Date(p.from + "T00:00:00Z");
    for (var i = 0; i < MONTHS; i++) {
      var key = iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + i, 1))).slice(0, 7);
      out.push(byKey[key] || { key: key, closed: 0, closedOnTime: 0, onTimeRate: 0 });
    }
    return out;
  }

  function ask(query, variables) {
    return fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token() },
      body: JSON.stringify({ query: query, variables: variables })
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body.errors && body.errors.length) {
        var e = new Error(body.errors[0].message);
        e.code = (body.errors[0].extensions || {}).code;
        throw e;
      }
      return body.data;
    });
  }

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  function fill(id, items, columns) {
    var body = $(id).querySelector("tbody");
    body.textContent = "";
    items.forEach(function (item) {
      var tr = document.createElement("tr");
      columns.forEach(function (c) { var v = c(item); cell(tr, v[0], v[1]); });
      body.appendChild(tr);
    });
    if (!items.length) {
      var tr = document.createElement("tr");
      cell(tr, "暂无", "muted").colSpan = columns.length;
      body.appendChild(tr);
    }
  }

  function percent(rate) { return (rate * 100).toFixed(1) + "%"; }

  function show(data) {
    var s = data.supervision;
    $("who").textContent = data.me.name || data.me.userId;
    $("jurisdiction").textContent = data.me.jurisdictionCode;
    $("as-of").textContent = new Date().toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
    $("total-overdue").textContent = s.overdue.totalCount;
    $("total-warnings").textContent = s.warnings.totalCount;
    $("total-cards").textContent = s.cards.totalCount;
    $("total-orders").textContent = s.openOrders.totalCount;
    var late = [function (r) { return [r.key]; }, function (r) { return [r.overdue, r.overdue ? "red" : ""]; },
                function (r) { return [r.warnings, r.warnings ? "yellow" : ""]; }];
    fill("by-unit", s.byUnit, late);
    fill("by-item", s.byItem, late);
    fill("oldest", s.overdue.edges.map(function (e) { return e.node; }), [
      function (t) { return [t.caseNo]; }, function (t) { return [t.itemName]; },
      function (t) { return [STAGES[t.stage] || t.stage]; }, function (t) { return [t.decisionDue, "red"]; },
      function (t) { return [t.assignee || t.candidateGroup]; }
    ]);
    fill("cards", s.cards.nodes, [
      function (c) { return [c.issuedAt.slice(0, 16).replace("T", " ")]; }, function (c) { return [c.caseNo]; },
      function (c) { return c.colour === "RED" ? ["红牌", "red"] : ["黄牌", "yellow"]; },
      function (c) { return [CAUSES[c.cause] || c.cause]; }, function (c) { return [c.responsibleUnit]; }
    ]);
    fill("orders", s.orders.nodes, [
      function (o) { return [o.caseNo]; }, function (o) { return [o.unit]; }, function (o) { return [o.instruction]; },
      function (o) { return [o.respondBy]; }, function (o) { return [ORDER_STATUS[o.status] || o.status]; }
    ]);
    var monthly = months(s.monthly);
    fill("monthly", monthly.filter(function (m) { return m.closed; }), [
      function (m) { return [m.key]; }, function (m) { return [m.closed]; }, function (m) { return [m.closedOnTime]; },
      function (m) { return [m.closed ? percent(m.onTimeRate) : "—"]; }
    ]);
    draw(monthly);
  }

  function draw(monthly) {
    var labels = monthly.map(function (m) { return m.key; });
    var rates = monthly.map(function (m) { return m.closed ? Math.round(m.onTimeRate * 1000) / 10 : null; });
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets[0].data = rates;
      chart.update();
      return;
    }
    chart = new window.Chart($("on-time-chart"), {
      type: "bar",
      data: { labels: labels, datasets: [{ label: "按时办结率 (%)", data: rates, backgroundColor: "#b2261c" }] },
      options: { maintainAspectRatio: false, animation: false,
                 scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } } }
    });
  }

  function reload() {
    if (reloading) return reloading;
    reloading = ask(QUERY, period()).then(function (data) {
      reloading = null;
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
      show(data);
    }, function (e) {
      reloading = null;
      if (e.code === "UNAUTHENTICATED" || e.code === "FORBIDDEN") signOut(e.message);
      else $("live").textContent = "加载失败：" + e.message;
    });
    return reloading;
  }

  function connect() {
    if (live || !window.graphqlWs) return;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
    live = window.graphqlWs.createClient({
      url: url,
      connectionParams: function () { return { Authorization: "Bearer " + token() }; },
      retryAttempts: Infinity,
      shouldRetry: function () { return true; },
      on: {
        connected: function () { $("live").textContent = "实时更新中"; $("live").className = "live on"; },
        closed: function () { $("live").textContent = "实时连接已断开，正在重连…"; $("live").className = "live off"; }
      }
    });
    var again = {
      next: function (result) {  // a subscription ends UNAUTHENTICATED at the token's exp
        var e = (result && result.errors || [])[0];
        if (e && (e.extensions || {}).code === "UNAUTHENTICATED") signOut(e.message);
        else reload();
      },
      error: function () {}, complete: function () {}
    };
    live.subscribe({ query: "subscription { supervisionTotals { overdue warnings cards openOrders } }" }, again);
    live.subscribe({ query: "subscription { supervisionCards { caseNo } }" }, again);
  }

  function signOut(message) {
    window.sessionStorage.removeItem(KEY);
    if (live) { live.dispose(); live = null; }
    $("board").hidden = true;
    $("signin").hidden = false;
    $("signin-error").textContent = message || "";
  }

  function start() {
    $("signin").hidden = true;
    $("board").hidden = false;
    reload().then(function () { if (token()) connect(); });
  }

  $("signin-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("token").value.trim().replace(/^Bearer\s+/i, "");
    if (!value) return;
    window.sessionStorage.setItem(KEY, value);
    $("token").value = "";
    start();
  });
  $("signout").addEventListener("click", function (event) { event.preventDefault(); signOut(""); });
  if (token()) start();
})();
