// The home's settings: its mode, rooms, members and their roles, and adding a device —
// whose secret is shown here once (millet keeps only its hash).
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { get, request } from "../api.js";
import { useCurrentHome } from "../home-context.js";

export function SettingsPage() {
  const { home: chosen, error: homeError } = useCurrentHome();
  const [home, setHome] = useState(null);
  const [settings, setSettings] = useState(null);
  const [types, setTypes] = useState([]);
  const [said, setSaid] = useState("");
  const [error, setError] = useState({});  // by section
  const [room, setRoom] = useState({ name: "", floor: "" });
  const [member, setMember] = useState({ user: "", role: "member" });
  const [device, setDevice] = useState({ name: "", type: "", room: "" });
  const [made, setMade] = useState(null);  // the device just added, with its secret

  const reload = () => chosen && get(`/homes/${chosen.id}`).then(setHome);
  useEffect(() => {
    if (!chosen) return;
    reload();
    get(`/homes/${chosen.id}/settings`).then(setSettings, () => {});
    get("/spec/types").then((answer) => setTypes(answer.types), () => {});
  }, [chosen && chosen.id]);

  if (homeError) return html`<p class="error" role="alert">${homeError}</p>`;
  if (!home) return html`<p class="hint">Loading…</p>`;
  const owner = home.role === "owner";
  const canEdit = home.role !== "guest";  // members and owners change rooms and devices

  // Runs a change, shows its outcome in `section`, reloads the home.
  const change = async (section, what, call) => {
    setError({ ...error, [section]: "" });
    try {
      const answer = await call();
      setSaid(what);
      await reload();
      return answer;
    } catch (failure) {
      setError({ ...error, [section]: failure.message });
      return null;
    }
  };

  return html`
    <h1>${home.name}: settings</h1>
    <p class="hint" role="status">${said}</p>

    <section class="service" aria-labelledby="mode-title">
      <h2 id="mode-title">Mode</h2>
      <div class="property">
        <label for="home-mode">The home is</label>
        <select id="home-mode" value=${settings ? settings.mode : ""} onChange=${async (e) => {
          const mode = e.target.value;
          const answer = await change("mode", `Mode: ${mode}.`, () => request("PATCH", `/homes/${home.id}/settings`, { mode }));
          if (answer) setSettings(answer);
        }}>
          <option value="home">home</option><option value="away">away</option><option value="sleep">asleep</option>
        </select>
      </div>
      ${error.mode && html`<p class="error" role="alert">${error.mode}</p>`}
    </section>

    <section class="service" aria-labelledby="rooms-title">
      <h2 id="rooms-title">Rooms</h2>
      <ul class="plain">
        ${home.rooms.map((r) => html`
          <li class="property"><span>${r.name}${r.floor ? html` <span class="hint">· ${r.floor}</span>` : ""}</span>
            ${canEdit && html`<button class="quiet" aria-label=${`Remove room ${r.name}`}
              onClick=${() => change("rooms", `Room ${r.name} removed; its devices stay, in no room.`,
                                     () => request("DELETE", `/homes/${home.id}/rooms/${r.id}`))}>Remove</button>`}
          </li>`)}
      </ul>
      ${canEdit && html`
        <form class="inline-form" onSubmit=${async (e) => {
          e.preventDefault();
          if (await change("rooms", `Room ${room.name} added.`, () => request("POST", `/homes/${home.id}/rooms`, room))) {
            setRoom({ name: "", floor: "" });
          }
        }}>
          <input aria-label="New room's name" placeholder="Room" required value=${room.name} onInput=${(e) => setRoom({ ...room, name: e.target.value })} />
          <input aria-label="Its floor" placeholder="Floor (optional)" value=${room.floor} onInput=${(e) => setRoom({ ...room, floor: e.target.value })} />
          <button type="submit">Add room</button>
        </form>`}
      ${error.rooms && html`<p class="error" role="alert">${error.rooms}</p>`}
    </section>

    <section class="service" aria-labelledby="members-title">
      <h2 id="members-title">People</h2>
      <ul class="plain">
        ${home.members.map((m) => html`
          <li class="property"><span>${m.name} <span class="hint">· ${m.role}</span></span>
            ${owner && html`<button class="quiet" aria-label=${`Remove ${m.name}`}
              onClick=${() => change("members", `${m.name} no longer has a role in ${home.name}.`,
                                     () => request("DELETE", `/homes/${home.id}/members/${m.user}`))}>Remove</button>`}
          </li>`)}
      </ul>
      ${owner && html`
        <form class="inline-form" onSubmit=${async (e) => {
          e.preventDefault();
          if (await change("members", `${member.user} is now ${member.role === "owner" ? "an owner" : `a ${member.role}`}.`,
                           () => request("POST", `/homes/${home.id}/members`, member))) {
            setMember({ user: "", role: "member" });
          }
        }}>
          <input aria-label="Their user name" placeholder="User name" required value=${member.user} onInput=${(e) => setMember({ ...member, user: e.target.value })} />
          <select aria-label="Role" value=${member.role} onChange=${(e) => setMember({ ...member, role: e.target.value })}>
            <option value="guest">guest</option><option value="member">member</option><option value="owner">owner</option>
          </select>
          <button type="submit">Share</button>
        </form>`}
      ${error.members && html`<p class="error" role="alert">${error.members}</p>`}
    </section>

    ${canEdit && html`
      <section class="service" aria-labelledby="add-title">
        <h2 id="add-title">Add a device</h2>
        <form class="inline-form" onSubmit=${async (e) => {
          e.preventDefault();
          const answer = await change("device", `Device ${device.name} added.`, () => request("POST", `/homes/${home.id}/devices`, device));
          if (answer) {
            setMade(answer);
            setDevice({ name: "", type: device.type, room: device.room });
          }
        }}>
          <input aria-label="Device name" placeholder="Name" required value=${device.name} onInput=${(e) => setDevice({ ...device, name: e.target.value })} />
          <select aria-label="Device type" required value=${device.type} onChange=${(e) => setDevice({ ...device, type: e.target.value })}>
            <option value="">— type —</option>
            ${types.map((t) => html`<option value=${t.name}>${t.description ? t.description.en : t.name}</option>`)}
          </select>
          <select aria-label="Device room" value=${device.room} onChange=${(e) => setDevice({ ...device, room: e.target.value })}>
            <option value="">no room</option>
            ${home.rooms.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
          </select>
          <button type="submit">Add device</button>
        </form>
        ${error.device && html`<p class="error" role="alert">${error.device}</p>`}
        ${made && html`
          <div class="secret" role="region" aria-label="The new device's credentials">
            <p>The device connects with these. <strong>The secret is shown only now</strong>: millet keeps only its hash.</p>
            <div class="property"><label>Id</label><output data-field="id">${made.id}</output></div>
            <div class="property"><label>Secret</label><output data-field="secret">${made.secret}</output></div>
            <button class="quiet" onClick=${() => setMade(null)}>I have kept it</button>
          </div>`}
      </section>`}
  `;
}
