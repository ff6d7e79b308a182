// The app's frame: sign-in, then the pages, with the device states kept live from the
// event stream for all of them.
import { useCallback, useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { get, onSignedOut, openEvents, signedIn, signOut } from "./api.js";
import { linkProps, navigate, usePath } from "./router.js";
import { SignIn } from "./pages/sign-in.js";
import { HomePage } from "./pages/home.js";
import { DevicePage } from "./pages/device.js";
import { AutomationsPage } from "./pages/automations.js";
import { AutomationEditor } from "./pages/automation-editor.js";
import { SettingsPage } from "./pages/settings.js";

// Device states by id: {online, properties: {name: value}, times: {name: ms}}, merged from
// GET /devices/{id} and then from the event stream; `log` keeps each device's recent events.
function useLiveDevices(active) {
  const [states, setStates] = useState({});
  const [log, setLog] = useState({});
  const [live, setLive] = useState(false);

  const load = useCallback(async (id) => {
    const state = await get(`/devices/${id}`);
    const properties = {};
    const times = {};
    for (const [name, entry] of Object.entries(state.properties || {})) {
      properties[name] = entry.value;
      times[name] = entry.time;
    }
    setStates((all) => ({ ...all, [id]: { online: state.online, lastSeen: state.last_seen, properties, times } }));
  }, []);

  useEffect(() => {
    if (!active) return undefined;
    return openEvents((event) => {
      if (!event.device) return;
      setLog((all) => ({ ...all, [event.device]: [event, ...(all[event.device] || [])].slice(0, 50) }));
      setStates((all) => {
        const old = all[event.device] || { online: false, properties: {}, times: {} };
        if (event.type === "report") {
          const times = { ...old.times };
          for (const name of Object.keys(event.properties)) times[name] = event.time;
          return { ...all, [event.device]: { ...old, online: true, properties: { ...old.properties, ...event.properties }, times } };
        }
        if (event.type === "online" || event.type === "offline") {
          return { ...all, [event.device]: { ...old, online: event.type === "online" } };
        }
        return all;
      });
    }, setLive);
  }, [active]);

  return { states, log, live, load };
}

export function App() {
  const [authenticated, setAuthenticated] = useState(signedIn());
  const path = usePath();
  useEffect(() => onSignedOut(() => setAuthenticated(false)), []);
  const devices = useLiveDevices(authenticated);

  if (!authenticated) {
    return html`<${SignIn} onSignedIn=${() => { setAuthenticated(true); navigate("/"); }} />`;
  }
  const device = path.match(/^\/devices\/([^/]+)$/);
  const automation = path.match(/^\/automations\/([^/]+)$/);
  let page;
  if (device) page = html`<${DevicePage} id=${device[1]} devices=${devices} />`;
  else if (automation) page = html`<${AutomationEditor} key=${automation[1]} id=${automation[1] === "new" ? null : automation[1]} />`;
  else if (path === "/automations") page = html`<${AutomationsPage} />`;
  else if (path === "/settings") page = html`<${SettingsPage} />`;
  else page = html`<${HomePage} devices=${devices} />`;
  return html`
    <header class="top">
      <a class="brand" ...${linkProps("/")}>millet</a>
      <nav class="sections" aria-label="Sections">
        <a ...${linkProps("/")} aria-current=${path === "/" ? "page" : null}>Home</a>
        <a ...${linkProps("/automations")} aria-current=${path.startsWith("/automations") ? "page" : null}>Automations</a>
        <a ...${linkProps("/settings")} aria-current=${path === "/settings" ? "page" : null}>Settings</a>
      </nav>
      <span class=${devices.live ? "live on" : "live"} title=${devices.live ? "live updates" : "reconnecting"}>
        ${devices.live ? "live" : "offline"}
      </span>
      <button class="quiet" onClick=${() => signOut()}>Sign out</button>
    </header>
    <main>${page}</main>
  `;
}
