// A home: the assistant's chat box, its scenes, each run with one click, and its rooms with a
// card per device (live state, online, a quick toggle).
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { get, request } from "../api.js";
import { deviceType, showValue } from "../spec.js";
import { linkProps } from "../router.js";
import { HOME_KEY, chooseHome } from "../home-context.js";
import { AssistantBox } from "../assistant.js";


export function HomePage({ devices }) {
  const [homes, setHomes] = useState(null);
  const [homeId, setHomeId] = useState(localStorage.getItem(HOME_KEY) || "");
  const [list, setList] = useState(null);
  const [scenes, setScenes] = useState([]);
  const [error, setError] = useState("");

  useEffect(() => {
    get("/homes").then((answer) => setHomes(answer.homes), (failure) => setError(failure.message));
  }, []);
  const home = homes && chooseHome(homes, homeId);

  useEffect(() => {
    if (!home) return;
    localStorage.setItem(HOME_KEY, home.id);
    setList(null);
    get(`/homes/${home.id}/devices`).then((answer) => {
      setList([...answer.devices].sort((a, b) => a.name.localeCompare(b.name)));
      for (const device of answer.devices) devices.load(device.id).catch(() => {});
    }, (failure) => setError(failure.message));
    get(`/homes/${home.id}/scenes`).then((answer) => setScenes([...answer.scenes].sort((a, b) => a.name.localeCompare(b.name))), () => setScenes([]));
  }, [home && home.id]);

  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!homes) return html`<p class="hint">Loading…</p>`;
  if (homes.length === 0) {
    return html`<p class="hint">You have no home yet: make one with <code>millet home add NAME</code>.</p>`;
  }
  const rooms = [...home.rooms, { id: "", name: "No room" }];
  return html`
    <section class="home-head">
      <h1>${home.name}</h1>
      ${homes.length > 1 && html`
        <label class="picker">Home
          <select value=${home.id} onChange=${(e) => setHomeId(e.target.value)}>
            ${homes.map((h) => html`<option value=${h.id}>${h.name}</option>`)}
          </select>
        </label>`}
    </section>
    <${AssistantBox} home=${home} />
    <${Scenes} scenes=${scenes} home=${home}
               onCaptured=${(scene) => setScenes([...scenes, scene].sort((a, b) => a.name.localeCompare(b.name)))} />
    ${!list && html`<p class="hint">Loading devices…</p>`}
    ${list && rooms.map((room) => {
      const inRoom = list.filter((d) => d.room === room.id);
      if (inRoom.length === 0) return null;
      return html`
        <section class="room" aria-labelledby=${`room-${room.id}`}>
          <h2 id=${`room-${room.id}`}>${room.name}${room.floor ? html` <span class="hint">· ${room.floor}</span>` : ""}</h2>
          <ul class="cards">
            ${inRoom.map((device) => html`<${DeviceCard} key=${device.id} device=${device} state=${devices.states[device.id]} />`)}
          </ul>
        </section>`;
    })}
  `;
}

function Scenes({ scenes, home, onCaptured }) {
  const [said, setSaid] = useState("");
  const [naming, setNaming] = useState(null);  // the new scene's name while capturing
  const capture = async (event) => {
    event.preventDefault();
    try {
      const scene = await request("POST", `/homes/${home.id}/scenes/capture`, { name: naming });
      const count = scene.document.states.length;
      setSaid(`${scene.name}: saved with the state of ${count} device${count === 1 ? "" : "s"}.`);
      setNaming(null);
      onCaptured(scene);
    } catch (failure) {
      setSaid(`${naming}: ${failure.message}`);
    }
  };
  const run = async (scene) => {
    setSaid(`Running ${scene.name}…`);
    try {
      const answer = await request("POST", `/scenes/${scene.id}/apply`);
      setSaid(`${scene.name}: sent to ${answer.devices} device${answer.devices === 1 ? "" : "s"}.`);
    } catch (failure) {
      setSaid(`${scene.name}: ${failure.message}`);
    }
  };
  return html`
    <section class="scenes" aria-label="Scenes">
      ${scenes.map((scene) => html`<button class="scene" onClick=${() => run(scene)}>${scene.name}</button>`)}
      ${naming === null
        ? html`<button class="quiet" onClick=${() => setNaming("")}>Save the home's state as a scene</button>`
        : html`
          <form class="capture" onSubmit=${capture}>
            <input aria-label="New scene's name" placeholder="Scene name" required value=${naming}
                   onInput=${(e) => setNaming(e.target.value)} />
            <button type="submit">Save</button>
            <button type="button" class="quiet" onClick=${() => setNaming(null)}>Cancel</button>
          </form>`}
      <span class="hint" role="status">${said}</span>
    </section>
  `;
}

export function DeviceCard({ device, state }) {
  const [type, setType] = useState(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    deviceType(device.type).then(setType, () => {});
  }, [device.type]);

  const online = state && state.online;
  const properties = (state && state.properties) || {};
  const toggle = type && type.toggle;
  const on = toggle ? properties[toggle.full] === true : false;

  const flip = async () => {
    setPending(true);
    setError("");
    try {
      await request("PUT", `/devices/${device.id}/properties?wait=5000`, { [toggle.full]: !on });
    } catch (failure) {
      setError(failure.message);
    } finally {
      setPending(false);
    }
  };

  return html`
    <li class=${`card${online ? "" : " offline"}${on ? " is-on" : ""}`} data-device=${device.id}>
      <a class="card-name" ...${linkProps(`/devices/${device.id}`)}>${device.name}</a>
      <span class="card-type">${type ? type.label : device.type}</span>
      <span class=${online ? "dot on" : "dot"}>${online ? "online" : "offline"}</span>
      <span class="readings">
        ${type && type.headline.map((p) => html`<span class="reading" title=${p.label}>${showValue(p, properties[p.full])}</span>`)}
      </span>
      ${toggle && html`
        <button class="switch" role="switch" aria-checked=${on ? "true" : "false"} disabled=${pending || !online}
                aria-label=${`${device.name}: ${toggle.label}`} onClick=${flip}>
          <span class="knob"></span>
        </button>`}
      ${error && html`<span class="error" role="alert">${error}</span>`}
    </li>
  `;
}
