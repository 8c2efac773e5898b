// Funds-flow (Sankey) diagram of a trace page, drawn with the vendored Apache ECharts from the trace JSON
// (the same JSON as `fundflow trace --format json`). Nodes are indicators (holder and 指标编号); a link carries the
// amount issued to a child; each node's net payments flow into a "支出" node of its holder. Reductions (扣回)
// are netted off the link they reduce, so the diagram shows money as it stands.
(function () {
  "use strict";
  var holder = document.getElementById("sankey");
  var source = document.getElementById("trace-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var roots = data.indicators ? data.indicators : (data.id ? [data] : []);
  var nodes = [];
  var seen = {};
  var links = [];
  function addNode(name) {
    if (!seen[name]) { seen[name] = true; nodes.push({ name: name }); }
  }
  function label(n) { return n.holder + "\n" + n.id; }
  function yuan(text) { return Number(text); }
  function walk(n) {
    var name = label(n);
    addNode(name);
    var byHolder = {};
    n.children.forEach(function (c) {
      if (c.kind === "reduction") {
        byHolder[c.holder_code] = (byHolder[c.holder_code] || 0) + yuan(c.amount);
      }
    });
    n.children.forEach(function (c) {
      if (c.kind === "reduction") { return; }
      var value = yuan(c.amount) + (byHolder[c.holder_code] || 0);
      byHolder[c.holder_code] = 0;
      walk(c);
      if (value > 0) { links.push({ source: name, target: label(c), value: value }); }
    });
    var paid = n.payments.reduce(function (s, p) { return s + yuan(p.amount); }, 0);
    if (paid > 0) {
      var sink = "支出\n" + n.holder;
      addNode(sink);
      links.push({ source: name, target: sink, value: paid });
    }
  }
  roots.forEach(walk);
  if (!links.length) { holder.textContent = "暂无资金流向（尚未下达或支出）。"; return; }
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "item", formatter: function (p) {
      return p.dataType === "edge" ? p.data.source.replace("\n", " ") + " → " + p.data.target.replace("\n", " ") +
        "：" + p.data.value.toFixed(2) + " 元" : p.name.replace("\n", " ");
    } },
    series: [{ type: "sankey", data: nodes, links: links, emphasis: { focus: "adjacency" },
               nodeAlign: "left", label: { fontSize: 11 }, lineStyle: { color: "gradient", curveness: 0.5 } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
