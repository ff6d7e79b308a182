// A control for each property, chosen by its spec alone — so a new type in spec/ gets a
// working page with no new code: a switch for a writable bool, a slider for a range (its
// step and unit), a list for a value list, a text field for a string; a value for the rest.
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { showValue, unitText } from "./spec.js";

export function PropertyControl({ property, value, disabled, onSet }) {
  const id = `p-${property.full}`;
  let control;
  if (!property.writable) {
    control = html`<output id=${id} class="value">${showValue(property, value)}</output>`;
  } else if (property.format === "bool") {
    control = html`
      <button id=${id} class="switch" role="switch" aria-checked=${value === true ? "true" : "false"}
              disabled=${disabled} onClick=${() => onSet(value !== true)}><span class="knob"></span></button>`;
  } else if (property.values) {
    control = html`
      <select id=${id} disabled=${disabled} value=${value ?? ""}
              onChange=${(e) => onSet(Number(e.target.value))}>
        ${value === undefined && html`<option value="">—</option>`}
        ${property.values.map((v) => html`<option value=${v.value}>${v.description.en}</option>`)}
      </select>`;
  } else if (property.unit === "rgb") {
    control = html`
      <input id=${id} type="color" disabled=${disabled} value=${toHex(value)}
             onChange=${(e) => onSet(parseInt(e.target.value.slice(1), 16))} />`;
  } else if (property.range) {
    control = html`<${Slider} id=${id} property=${property} value=${value} disabled=${disabled} onSet=${onSet} />`;
  } else {
    control = html`<${TextSetter} id=${id} value=${value} disabled=${disabled} onSet=${onSet} />`;
  }
  return html`
    <div class="property">
      <label for=${id}>${property.label}</label>
      ${control}
    </div>`;
}

// 0xFFC480 <-> "#ffc480", as the colour picker takes it.
const toHex = (value) => `#${(typeof value === "number" ? value : 0xffffff).toString(16).padStart(6, "0")}`;

// Moves freely and sets once, where it is let go (mouse, touch or keys). While sets are
// on their way (several quick key presses), reports of the earlier ones do not move it
// back: it follows the device again once the device reports the last value set.
function Slider({ id, property, value, disabled, onSet }) {
  const { min, max, step } = property.range;
  const [moving, setMoving] = useState(null);
  const [sent, setSent] = useState(null);
  useEffect(() => {
    if (sent === null || value === sent) {
      setMoving(null);
      setSent(null);
    }
  }, [value]);
  const shown = moving ?? value ?? min;
  const unit = unitText(property.unit);
  return html`
    <span class="slider">
      <input id=${id} type="range" min=${min} max=${max} step=${step} value=${shown} disabled=${disabled}
             aria-valuetext=${`${shown}${unit ? " " + unit : ""}`}
             onInput=${(e) => setMoving(Number(e.target.value))}
             onChange=${(e) => {
               const chosen = Number(e.target.value);
               if (chosen === value) setMoving(null);  // nothing will be reported: it is there already
               else setSent(chosen);
               onSet(chosen);
             }} />
      <output for=${id}>${value === undefined && moving === null ? "—" : `${shown}${unit ? " " + unit : ""}`}</output>
    </span>`;
}

function TextSetter({ id, value, disabled, onSet }) {
  const [text, setText] = useState(value ?? "");
  useEffect(() => setText(value ?? ""), [value]);
  return html`
    <form class="text-setter" onSubmit=${(e) => { e.preventDefault(); onSet(text); }}>
      <input id=${id} value=${text} disabled=${disabled} onInput=${(e) => setText(e.target.value)} />
      <button type="submit" disabled=${disabled}>Set</button>
    </form>`;
}

// A button for an action; with inputs, a small form of their controls first.
export function ActionButton({ action, disabled, onCall }) {
  const [inputs, setInputs] = useState({});
  if (action.inputs.length === 0) {
    return html`<button class="action" disabled=${disabled} onClick=${() => onCall({})}>${action.label}</button>`;
  }
  return html`
    <form class="action-form" onSubmit=${(e) => { e.preventDefault(); onCall(inputs); }}>
      ${action.inputs.map((input) => html`
        <${PropertyControl} property=${{ ...input, writable: true }} value=${inputs[input.full]}
                            onSet=${(v) => setInputs({ ...inputs, [input.full]: v })} />`)}
      <button type="submit" class="action" disabled=${disabled}>${action.label}</button>
    </form>`;
}
