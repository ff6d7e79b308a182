// A property's history over an hour, a day, a week or a year (GET /devices/{id}/history):
// raw values for short ranges, millet's 5-minute and hourly rollups (min, average, max) for
// long ones, drawn by uPlot, which stays fast with tens of thousands of points.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { html } from "./html.js";
import { get } from "./api.js";
import { unitText } from "./spec.js";

const RANGES = [
  { label: "Hour", from: "-1h" },
  { label: "Day", from: "-24h" },
  { label: "Week", from: "-7d" },
  { label: "Year", from: "-365d" },
];

export function HistoryChart({ deviceId, properties }) {
  const [chosen, setChosen] = useState(properties[0] && properties[0].full);
  const [range, setRange] = useState(RANGES[1]);
  const [data, setData] = useState(null);
  const [error, setError] = useState("");
  const box = useRef(null);
  const property = properties.find((p) => p.full === chosen);

  useEffect(() => {
    if (!property) return undefined;
    let current = true;  // an answer for a range no longer chosen is dropped
    setData(null);
    setError("");
    get(`/devices/${deviceId}/history?property=${encodeURIComponent(property.full)}&from=${range.from}`).then(
      (answer) => current && setData(answer),
      (failure) => current && setError(failure.message),
    );
    return () => { current = false; };
  }, [deviceId, chosen, range]);

  useEffect(() => {
    if (!data || !box.current) return undefined;
    const unit = unitText(data.unit);
    let series;
    let columns;
    if (data.rollups) {
      columns = [data.rollups.map((r) => r.time / 1000), data.rollups.map((r) => r.min),
                 data.rollups.map((r) => r.avg), data.rollups.map((r) => r.max)];
      series = [{}, { label: "min", stroke: "#7aa6d8", width: 1 }, { label: "average", stroke: "#2f6fbd", width: 2 },
                { label: "max", stroke: "#d8887a", width: 1 }];
    } else {
      const points = data.points || [];
      columns = [points.map((p) => p.time / 1000), points.map((p) => (typeof p.value === "boolean" ? Number(p.value) : p.value))];
      series = [{}, { label: property ? property.label : "value", stroke: "#2f6fbd", width: 2, points: { show: points.length < 200 } }];
    }
    const width = Math.max(280, box.current.clientWidth);
    // Axis text and grid in the page's colours, so that dark mode stays readable.
    const colour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    const axis = { stroke: colour("--muted"), grid: { stroke: colour("--line") }, ticks: { stroke: colour("--line") } };
    const plot = new uPlot({
      width,
      height: 240,
      series,
      axes: [{ ...axis }, { ...axis, label: unit, size: 60 }],
      scales: { x: { time: true, range: [data.from / 1000, data.to / 1000] } },
      legend: { live: true },
    }, columns, box.current);
    const resize = () => plot.setSize({ width: Math.max(280, box.current.clientWidth), height: 240 });
    addEventListener("resize", resize);
    return () => {
      removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [data]);

  if (properties.length === 0) return null;
  const count = data ? (data.rollups || data.points || []).length : 0;
  return html`
    <section class="history" aria-label="History">
      <h2>History</h2>
      <div class="history-controls">
        <select aria-label="Property" value=${chosen} onChange=${(e) => setChosen(e.target.value)}>
          ${properties.map((p) => html`<option value=${p.full}>${p.label}</option>`)}
        </select>
        <span role="group" aria-label="Range">
          ${RANGES.map((r) => html`
            <button class=${r === range ? "range chosen" : "range"} aria-pressed=${r === range ? "true" : "false"}
                    onClick=${() => setRange(r)}>${r.label}</button>`)}
        </span>
      </div>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="chart" ref=${box}></div>
      <p class="hint">${data ? `${count} ${data.rollups ? `${data.level} rollups` : "values"}${data.truncated ? " (truncated)" : ""}` : "Loading…"}</p>
    </section>`;
}
