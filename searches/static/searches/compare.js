// The "compare searches" page: the data comes with the page (searches.comparison); nothing polls.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("comparison").textContent);
  const layout = (extra) => Object.assign({ margin: { l: 55, r: 10, t: 30, b: 45 }, hovermode: "closest",
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fafafa", legend: { orientation: "h", y: -0.25 } }, extra);
  const FITNESS = { title: { text: "best fitness so far" }, autorangeoptions: { minallowed: 0, maxallowed: 1.02 } };

  // Step lines: the best holds until the next evaluation that beats it.
  const curves = (key) => data.searches.map((s) => ({
    type: "scatter", mode: "lines", line: { shape: "hv" }, name: "#" + s.id + " " + s.strategy + " (seed " + s.seed + ")",
    x: s.curve[key], y: s.curve.best,
  }));
  Plotly.react("by-evaluations", curves("evaluations"), layout({ height: 360, title: { text: "against evaluations", font: { size: 13 } },
    xaxis: { title: { text: "evaluations (candidates trained)" } }, yaxis: FITNESS }), { displayModeBar: false });
  Plotly.react("by-time", curves("seconds"), layout({ height: 360, title: { text: "against wall time", font: { size: 13 } },
    xaxis: { title: { text: "seconds since the search started" } }, yaxis: FITNESS }), { displayModeBar: false });

  const lines = data.lines;
  document.getElementById("lines-count").textContent = lines.shown === lines.total ? lines.total + " candidates"
    : lines.shown + " of " + lines.total + " candidates (the fittest half, and a draw of the rest)";
  const dimensions = lines.traits.map((t) => {
    if (t.ticks) return { label: t.name, values: t.values, tickvals: t.ticks.map((_, i) => i), ticktext: t.ticks, range: [0, Math.max(1, t.ticks.length - 1)] };
    // Ticks at the trait's own values (ticks_at, from the server); parcoords has no log axis, so a
    // geometric trait is drawn by its exponent, labelled with the values.
    const label = (v) => String(Number(v.toPrecision(6)));
    if (t.log) {
      const ticks = t.ticks_at || [];
      return { label: t.name + " (log)", values: t.values.map((v) => (v > 0 ? Math.log10(v) : null)),
        range: [Math.log10(t.low), Math.log10(t.high)], tickvals: ticks.map(Math.log10), ticktext: ticks.map(label) };
    }
    if (t.ticks_at) return { label: t.name, values: t.values, range: [t.low, t.high], tickvals: t.ticks_at, ticktext: t.ticks_at.map(label) };
    return { label: t.name, values: t.values, range: [t.low, t.high] };
  });
  dimensions.push({ label: "fitness", values: lines.fitness, range: [0, 1] });
  Plotly.react("parallel", [{ type: "parcoords", dimensions, line: { color: lines.fitness, colorscale: "Viridis", showscale: true, cmin: 0, cmax: 1 } }],
    layout({ height: 420, margin: { l: 70, r: 110, t: 50, b: 30 } }), { displayModeBar: false });
})();
