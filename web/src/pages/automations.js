// The home's automations: each with its switch, its last run and problem, a run button, and
// a link to its editor and traces.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { get, request } from "../api.js";
import { linkProps } from "../router.js";
import { useCurrentHome } from "../home-context.js";

export function AutomationsPage() {
  const { home, error: homeError } = useCurrentHome();
  const [rules, setRules] = useState(null);
  const [said, setSaid] = useState("");
  const reload = () => home && get(`/homes/${home.id}/rules`).then(({ rules: list }) =>
    setRules(list.sort((a, b) => a.name.localeCompare(b.name))));
  useEffect(() => { reload(); }, [home && home.id]);

  if (homeError) return html`<p class="error" role="alert">${homeError}</p>`;
  if (!rules) return html`<p class="hint">Loading…</p>`;

  const enable = async (rule, on) => {
    try {
      await request("POST", `/rules/${rule.id}/${on ? "enable" : "disable"}`);
      setSaid(`${rule.name}: ${on ? "enabled" : "disabled"}.`);
    } catch (failure) {
      setSaid(`${rule.name}: ${failure.message}`);
    }
    reload();
  };
  const run = async (rule) => {
    try {
      const answer = await request("POST", `/rules/${rule.id}/run`);
      setSaid(answer.run ? `${rule.name}: run ${answer.run} started.` : `${rule.name}: ${answer.message}`);
    } catch (failure) {
      setSaid(`${rule.name}: ${failure.message}`);
    }
    setTimeout(reload, 300);
  };

  return html`
    <section class="home-head">
      <h1>Automations</h1>
      <a class="button" ...${linkProps("/automations/new")}>New automation</a>
    </section>
    <p class="hint" role="status">${said}</p>
    ${rules.length === 0 && html`<p class="hint">${home.name} has no automations yet.</p>`}
    <ul class="rules">
      ${rules.map((rule) => html`
        <li class="rule" data-rule=${rule.id}>
          <a class="card-name" ...${linkProps(`/automations/${rule.id}`)}>${rule.name}</a>
          <span class="hint">${rule.last_run ? `last run ${new Date(rule.last_run).toLocaleString()}` : "never run"}${rule.running ? ` · ${rule.running} running` : ""}</span>
          ${rule.problem && html`<span class="error">${rule.problem}</span>`}
          <span class="rule-buttons">
            <button class="quiet" onClick=${() => run(rule)}>Run</button>
            <button class="switch" role="switch" aria-checked=${rule.enabled ? "true" : "false"}
                    aria-label=${`${rule.name}: enabled`} onClick=${() => enable(rule, !rule.enabled)}><span class="knob"></span></button>
          </span>
        </li>`)}
    </ul>
  `;
}
