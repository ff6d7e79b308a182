// One automation: a form for the common cases — one trigger (a property becomes a value or
// crosses a number, an event, a time of day, by hand) and a list of actions (set a device,
// call an action, run a scene) — and the JSON document for everything else. millet checks
// the document; its refusal names where ("actions[1].set: ..."), and the error is shown
// there. An existing automation also shows its runs' traces.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { get, request } from "../api.js";
import { linkProps, navigate } from "../router.js";
import { useCurrentHome } from "../home-context.js";

const blankAction = () => ({ kind: "set", device: "", property: "", value: undefined, action: "", scene: "" });

function toDocument(form) {
  const t = form.trigger;
  let trigger;
  if (t.kind === "property") {
    trigger = { type: "property", device: t.device, property: t.property, [t.op]: t.value };
  } else if (t.kind === "event") {
    trigger = { type: "event", device: t.device, event: t.event };
  } else if (t.kind === "time") {
    trigger = { type: "time", at: t.at };
  } else {
    trigger = { type: "manual" };
  }
  const actions = form.actions.map((a) => {
    if (a.kind === "scene") return { scene: a.scene };
    if (a.kind === "call") return { call: { device: a.device, action: a.action } };
    return { set: { device: a.device, properties: { [a.property]: a.value } } };
  });
  return { name: form.name, triggers: [trigger], actions };
}

// The form for a document, or null when the form cannot show all of it.
function fromDocument(doc) {
  if (!doc || (doc.triggers || []).length !== 1 || (doc.conditions || []).length || doc.mode) return null;
  const t = doc.triggers[0];
  let trigger;
  if (t.type === "property") {
    const op = ["to", "above", "below"].find((k) => k in t);
    if (!op || "from" in t || "for" in t) return null;
    trigger = { kind: "property", device: t.device, property: t.property, op, value: t[op] };
  } else if (t.type === "event" && !t.arguments) {
    trigger = { kind: "event", device: t.device, event: t.event };
  } else if (t.type === "time" && !t.weekdays) {
    trigger = { kind: "time", at: t.at };
  } else if (t.type === "manual") {
    trigger = { kind: "manual" };
  } else {
    return null;
  }
  const actions = [];
  for (const a of doc.actions || []) {
    if (a.scene) actions.push({ ...blankAction(), kind: "scene", scene: a.scene });
    else if (a.call && !a.call.in) actions.push({ ...blankAction(), kind: "call", device: a.call.device, action: a.call.action });
    else if (a.set && Object.keys(a.set.properties).length === 1) {
      const [property, value] = Object.entries(a.set.properties)[0];
      actions.push({ ...blankAction(), kind: "set", device: a.set.device, property, value });
    } else return null;
  }
  return { name: doc.name || "", trigger, actions };
}

// Where millet's refusal points: "trigger", "action-2", or "" for the whole document.
function placeOf(message) {
  const match = /^(triggers|actions)\[(\d+)\]/.exec(message || "");
  if (!match) return "";
  return match[1] === "triggers" ? "trigger" : `action-${match[2]}`;
}

function ValueInput({ property, value, onChange, label }) {
  if (!property) return html`<input aria-label=${label} disabled placeholder="value" />`;
  if (property.format === "bool") {
    return html`
      <select aria-label=${label} value=${value === true ? "true" : value === false ? "false" : ""}
              onChange=${(e) => onChange(e.target.value === "true")}>
        <option value="">—</option><option value="true">on</option><option value="false">off</option>
      </select>`;
  }
  if (property.values) {
    return html`
      <select aria-label=${label} value=${value ?? ""} onChange=${(e) => onChange(Number(e.target.value))}>
        <option value="">—</option>
        ${property.values.map((v) => html`<option value=${v.value}>${v.description.en}</option>`)}
      </select>`;
  }
  if (property.format === "string") {
    return html`<input aria-label=${label} value=${value ?? ""} onInput=${(e) => onChange(e.target.value)} />`;
  }
  return html`<input aria-label=${label} type="number" value=${value ?? ""} step="any"
                     onInput=${(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))} />`;
}

function DevicePicker({ devices, value, onChange, label, filter }) {
  return html`
    <select aria-label=${label} value=${value} onChange=${(e) => onChange(e.target.value)}>
      <option value="">— device —</option>
      ${devices.filter((d) => !filter || filter(d)).map((d) => html`<option value=${d.name}>${d.name}</option>`)}
    </select>`;
}

export function AutomationEditor({ id }) {
  const { home, devices, error: homeError } = useCurrentHome();
  const [rule, setRule] = useState(null);
  const [form, setForm] = useState(id ? null : { name: "", trigger: { kind: "property", op: "to" }, actions: [blankAction()] });
  const [json, setJson] = useState(null);  // the JSON text while editing as JSON
  const [scenes, setScenes] = useState([]);
  const [error, setError] = useState("");
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!id) return;
    get(`/rules/${id}`).then((answer) => {
      setRule(answer);
      const asForm = fromDocument(answer.document);
      setForm(asForm);
      if (!asForm) setJson(JSON.stringify(answer.document, null, 2));
    }, (failure) => setError(failure.message));
  }, [id]);
  useEffect(() => {
    if (home) get(`/homes/${home.id}/scenes`).then((answer) => setScenes(answer.scenes), () => {});
  }, [home && home.id]);

  if (homeError) return html`<p class="error" role="alert">${homeError}</p>`;
  if (!devices || (id && !rule && !error)) return html`<p class="hint">Loading…</p>`;
  const device = (name) => devices.find((d) => d.name === name);
  const place = placeOf(error);
  const errorAt = (where) => error && place === where && html`<p class="error" role="alert">${error}</p>`;

  const save = async () => {
    let document;
    if (json !== null) {
      try {
        document = JSON.parse(json);
      } catch (failure) {
        setError(`The JSON does not parse: ${failure.message}`);
        return;
      }
    } else {
      document = toDocument(form);
    }
    setSaving(true);
    setError("");
    try {
      const saved = id ? await request("PUT", `/rules/${id}`, document) : await request("POST", `/homes/${home.id}/rules`, document);
      if (!id) navigate(`/automations/${saved.id}`);
      else setRule(saved);
    } catch (failure) {
      setError(failure.message);
    } finally {
      setSaving(false);
    }
  };
  const remove = async () => {
    await request("DELETE", `/rules/${id}`);
    navigate("/automations");
  };

  const setTrigger = (change) => setForm({ ...form, trigger: { ...form.trigger, ...change } });
  const setAction = (i, change) => setForm({ ...form, actions: form.actions.map((a, j) => (j === i ? { ...a, ...change } : a)) });
  const t = form && form.trigger;
  // While editing JSON: the same document as a form, when the form can show all of it.
  let jsonAsForm = null;
  if (json !== null) {
    try {
      jsonAsForm = fromDocument(JSON.parse(json));
    } catch {
      jsonAsForm = null;  // not JSON (yet)
    }
  }
  const triggerDevice = t && device(t.device);

  return html`
    <nav class="crumbs"><a ...${linkProps("/automations")}>← Automations</a></nav>
    <h1>${id ? (rule ? rule.name : "Automation") : "New automation"}</h1>
    ${json === null && form && html`
      <form class="editor" onSubmit=${(e) => { e.preventDefault(); save(); }}>
        <label>Name <input value=${form.name} required onInput=${(e) => setForm({ ...form, name: e.target.value })} /></label>
        <fieldset class="trigger">
          <legend>When</legend>
          <select aria-label="Trigger" value=${t.kind} onChange=${(e) => setTrigger({ kind: e.target.value })}>
            <option value="property">a device's property</option>
            <option value="event">a device's event</option>
            <option value="time">at a time of day</option>
            <option value="manual">run by hand</option>
          </select>
          ${(t.kind === "property" || t.kind === "event") && html`
            <${DevicePicker} label="Trigger device" devices=${devices} value=${t.device || ""}
                             onChange=${(v) => setTrigger({ device: v, property: "", event: "", value: undefined })} />`}
          ${t.kind === "property" && html`
            <select aria-label="Trigger property" value=${t.property || ""} onChange=${(e) => setTrigger({ property: e.target.value, value: undefined })}>
              <option value="">— property —</option>
              ${triggerDevice && triggerDevice.spec.properties.filter((p) => p.readable && p.format !== "string")
                .map((p) => html`<option value=${p.full}>${p.label} (${p.full})</option>`)}
            </select>
            <select aria-label="Comparison" value=${t.op} onChange=${(e) => setTrigger({ op: e.target.value })}>
              <option value="to">becomes</option><option value="above">rises above</option><option value="below">falls below</option>
            </select>
            <${ValueInput} label="Trigger value" property=${triggerDevice && triggerDevice.spec.property(t.property)}
                           value=${t.value} onChange=${(v) => setTrigger({ value: v })} />`}
          ${t.kind === "event" && html`
            <select aria-label="Trigger event" value=${t.event || ""} onChange=${(e) => setTrigger({ event: e.target.value })}>
              <option value="">— event —</option>
              ${triggerDevice && triggerDevice.spec.services.flatMap((s) => s.events.map((ev) => html`<option value=${`${s.name}.${ev.name}`}>${ev.description.en}</option>`))}
            </select>`}
          ${t.kind === "time" && html`<input aria-label="Time of day" type="time" value=${t.at || ""} onInput=${(e) => setTrigger({ at: e.target.value })} />`}
          ${errorAt("trigger")}
        </fieldset>
        <fieldset class="actions-list">
          <legend>Then</legend>
          ${form.actions.map((a, i) => {
            const target = device(a.device);
            return html`
              <div class="action-row" data-action=${i}>
                <select aria-label=${`Action ${i + 1}`} value=${a.kind} onChange=${(e) => setAction(i, { kind: e.target.value })}>
                  <option value="set">set</option><option value="call">call an action of</option><option value="scene">run the scene</option>
                </select>
                ${a.kind === "scene" ? html`
                  <select aria-label=${`Action ${i + 1} scene`} value=${a.scene} onChange=${(e) => setAction(i, { scene: e.target.value })}>
                    <option value="">— scene —</option>
                    ${scenes.map((s) => html`<option value=${s.name}>${s.name}</option>`)}
                  </select>` : html`
                  <${DevicePicker} label=${`Action ${i + 1} device`} devices=${devices} value=${a.device}
                                   onChange=${(v) => setAction(i, { device: v, property: "", action: "", value: undefined })} />`}
                ${a.kind === "set" && html`
                  <select aria-label=${`Action ${i + 1} property`} value=${a.property} onChange=${(e) => setAction(i, { property: e.target.value, value: undefined })}>
                    <option value="">— property —</option>
                    ${target && target.spec.properties.filter((p) => p.writable).map((p) => html`<option value=${p.full}>${p.label} (${p.full})</option>`)}
                  </select>
                  to <${ValueInput} label=${`Action ${i + 1} value`} property=${target && target.spec.property(a.property)}
                                   value=${a.value} onChange=${(v) => setAction(i, { value: v })} />`}
                ${a.kind === "call" && html`
                  <select aria-label=${`Action ${i + 1} action`} value=${a.action} onChange=${(e) => setAction(i, { action: e.target.value })}>
                    <option value="">— action —</option>
                    ${target && target.spec.services.flatMap((s) => s.actions.filter((x) => x.inputs.length === 0).map((x) => html`<option value=${x.full}>${x.label}</option>`))}
                  </select>`}
                ${form.actions.length > 1 && html`<button type="button" class="quiet" aria-label=${`Remove action ${i + 1}`}
                                                          onClick=${() => setForm({ ...form, actions: form.actions.filter((_, j) => j !== i) })}>Remove</button>`}
                ${errorAt(`action-${i}`)}
              </div>`;
          })}
          <button type="button" class="quiet" onClick=${() => setForm({ ...form, actions: [...form.actions, blankAction()] })}>Add an action</button>
        </fieldset>
        ${error && place === "" && html`<p class="error" role="alert">${error}</p>`}
        <div class="editor-buttons">
          <button type="submit" disabled=${saving}>${id ? "Save" : "Create"}</button>
          <button type="button" class="quiet" onClick=${() => { setJson(JSON.stringify(toDocument(form), null, 2)); setError(""); }}>Edit as JSON</button>
          ${id && html`<button type="button" class="quiet" onClick=${remove}>Delete</button>`}
        </div>
      </form>`}
    ${json !== null && html`
      <form class="editor" onSubmit=${(e) => { e.preventDefault(); save(); }}>
        <label>The automation as JSON (docs/automations.md lists every trigger, condition and action)
          <textarea aria-label="Automation JSON" rows="18" spellcheck="false" value=${json} onInput=${(e) => setJson(e.target.value)}></textarea>
        </label>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <div class="editor-buttons">
          <button type="submit" disabled=${saving}>${id ? "Save" : "Create"}</button>
          ${jsonAsForm && html`<button type="button" class="quiet" onClick=${() => { setForm(jsonAsForm); setJson(null); setError(""); }}>Edit as a form</button>`}
          ${id && html`<button type="button" class="quiet" onClick=${remove}>Delete</button>`}
        </div>
      </form>`}
    ${id && rule && html`<${Traces} id=${id} />`}
  `;
}

function Traces({ id }) {
  const [traces, setTraces] = useState(null);
  useEffect(() => {
    const load = () => get(`/rules/${id}/traces`).then((answer) => setTraces(answer.traces), () => {});
    load();
    const timer = setInterval(load, 2000);  // runs go on while the page is open
    return () => clearInterval(timer);
  }, [id]);
  return html`
    <section class="traces" aria-label="Runs">
      <h2>Runs</h2>
      ${traces && traces.length === 0 && html`<p class="hint">It has not run yet.</p>`}
      <ol>
        ${(traces || []).map((trace) => html`
          <li class="trace" data-run=${trace.run}>
            <details>
              <summary><strong>Run ${trace.run}</strong> · ${new Date(trace.started).toLocaleTimeString()} · ${trace.trigger} · <span class="result">${trace.result}</span></summary>
              <ul>
                ${(trace.conditions || []).map((c) => html`<li>${c.path}: ${c.result ? "holds" : "does not hold"} — ${c.why}</li>`)}
                ${(trace.steps || []).map((s) => html`<li>${s.path} ${s.action}: ${s.detail} — <em>${s.result}</em></li>`)}
              </ul>
            </details>
          </li>`)}
      </ol>
    </section>`;
}
