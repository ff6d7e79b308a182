// A device: its controls and values, service by service, generated from its spec; its
// actions; its history; and the events that concern it, live.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { get, request } from "../api.js";
import { deviceType, isNumeric } from "../spec.js";
import { PropertyControl, ActionButton } from "../controls.js";
import { HistoryChart } from "../history-chart.js";
import { linkProps } from "../router.js";

export function DevicePage({ id, devices }) {
  const [device, setDevice] = useState(null);
  const [type, setType] = useState(null);
  const [said, setSaid] = useState("");
  const [error, setError] = useState("");

  useEffect(() => {
    get(`/devices/${id}`).then((answer) => {
      setDevice(answer);
      deviceType(answer.type).then(setType, (failure) => setError(failure.message));
    }, (failure) => setError(failure.status === 404 ? "There is no such device in your homes." : failure.message));
    devices.load(id).catch(() => {});
  }, [id]);

  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!device || !type) return html`<p class="hint">Loading…</p>`;
  const state = devices.states[id] || { online: device.online, properties: {} };
  const values = state.properties;

  const set = async (property, value) => {
    setSaid(`Setting ${property.label}…`);
    try {
      const answer = await request("PUT", `/devices/${id}/properties?wait=5000`, { [property.full]: value });
      const status = answer && answer.status;
      setSaid(status === "queued" ? `${property.label}: queued until the device is back.`
        : status === "timeout" ? `${property.label}: sent; the device has not answered yet.` : `${property.label}: done.`);
    } catch (failure) {
      setSaid(`${property.label}: ${failure.message}`);
    }
  };
  const call = async (action, inputs) => {
    setSaid(`${action.label}…`);
    try {
      await request("POST", `/devices/${id}/actions/${encodeURIComponent(action.full)}?wait=5000`, inputs);
      setSaid(`${action.label}: done.`);
    } catch (failure) {
      setSaid(`${action.label}: ${failure.message}`);
    }
  };

  const services = type.services.filter((s) => s.name !== "device-information");
  const information = type.services.find((s) => s.name === "device-information");
  // Numbers first (the chart opens on the first), then on/off and states.
  const charted = [...type.properties.filter((p) => p.readable && isNumeric(p) && p.unit !== "rgb"),
                   ...type.properties.filter((p) => p.readable && p.format === "bool")];
  return html`
    <nav class="crumbs"><a ...${linkProps("/")}>← Home</a></nav>
    <section class="device-head">
      <h1>${device.name}</h1>
      <span class="card-type">${type.label}</span>
      <span class=${state.online ? "dot on" : "dot"}>${state.online ? "online" : "offline"}</span>
    </section>
    <p class="hint" role="status" aria-live="polite">${said}</p>
    ${services.map((service) => html`
      <section class="service" aria-labelledby=${`s-${service.name}`}>
        <h2 id=${`s-${service.name}`}>${service.label}</h2>
        ${service.properties.filter((p) => p.readable || p.writable).map((property) => html`
          <${PropertyControl} property=${property} value=${values[property.full]} disabled=${!state.online}
                              onSet=${(value) => set(property, value)} />`)}
        ${service.actions.length > 0 && html`
          <div class="actions">
            ${service.actions.map((action) => html`<${ActionButton} action=${action} disabled=${!state.online}
                                                                    onCall=${(inputs) => call(action, inputs)} />`)}
          </div>`}
      </section>`)}
    <${HistoryChart} deviceId=${id} properties=${charted} />
    <${EventLog} events=${devices.log[id] || []} type=${type} />
    ${information && html`
      <details class="service">
        <summary>${information.label}</summary>
        ${information.properties.map((p) => html`<${PropertyControl} property=${p} value=${values[p.full]} />`)}
        <div class="property"><label>Id</label><output>${id}</output></div>
      </details>`}
  `;
}

function describe(event) {
  switch (event.type) {
    case "report": return Object.entries(event.properties).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ");
    case "desired": return `set ${Object.entries(event.properties).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")}`;
    case "result": return `answer: ${event.status}${event.message ? ` (${event.message})` : ""}`;
    case "action": return `call ${event.action}`;
    case "event": return `${event.event}${Object.keys(event.arguments || {}).length ? " " + JSON.stringify(event.arguments) : ""}`;
    default: return event.type;
  }
}

function EventLog({ events }) {
  return html`
    <section class="event-log" aria-label="Live events">
      <h2>Live events</h2>
      ${events.length === 0 && html`<p class="hint">What the device reports and is sent shows here as it happens.</p>`}
      <ol>
        ${events.map((event) => html`
          <li><time>${new Date(event.time).toLocaleTimeString()}</time> <span class=${`kind ${event.type}`}>${event.type}</span> ${describe(event)}</li>`)}
      </ol>
    </section>`;
}
