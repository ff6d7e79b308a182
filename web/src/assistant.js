// The assistant's chat box (docs/assistant.md): a sentence in English or Chinese goes to
// POST /homes/{home}/assistant; its reply joins the conversation shown, and the cards below
// follow what the devices report. Follow-ups ("and the bedroom too") carry the conversation's
// id; "New conversation" drops it.
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "./html.js";
import { request } from "./api.js";

export function AssistantBox({ home }) {
  const [text, setText] = useState("");
  const [turns, setTurns] = useState([]);  // {said, reply, status, failed}
  const [conversation, setConversation] = useState("");
  const [busy, setBusy] = useState(false);
  const log = useRef(null);

  useEffect(() => {
    setTurns([]);
    setConversation("");
  }, [home.id]);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [turns]);

  const send = async (event) => {
    event.preventDefault();
    const said = text.trim();
    if (!said || busy) return;
    setBusy(true);
    setText("");
    try {
      const body = { text: said };
      if (conversation) body.conversation = conversation;
      const turn = await request("POST", `/homes/${home.id}/assistant`, body);
      setConversation(turn.conversation);
      setTurns((all) => [...all, { said, reply: turn.reply, status: turn.status }]);
    } catch (failure) {
      setTurns((all) => [...all, { said, reply: failure.message, failed: true }]);
    } finally {
      setBusy(false);
    }
  };

  return html`
    <section class="assistant" aria-label="Assistant">
      ${turns.length > 0 && html`
        <ol class="chat" ref=${log} aria-live="polite">
          ${turns.map((turn) => html`
            <li class="said">${turn.said}</li>
            <li class=${`reply${turn.failed ? " error" : ""}`} data-status=${turn.status || "error"}>${turn.reply}</li>`)}
        </ol>`}
      <form class="ask" onSubmit=${send}>
        <input aria-label="Tell millet" placeholder="Tell millet: turn on the kitchen light · 打开客厅的灯"
               value=${text} onInput=${(e) => setText(e.target.value)} maxlength="1000" autocomplete="off" />
        <button type="submit" disabled=${busy || !text.trim()}>${busy ? "…" : "Send"}</button>
        ${turns.length > 0 && html`
          <button type="button" class="quiet" onClick=${() => { setTurns([]); setConversation(""); }}>New conversation</button>`}
      </form>
    </section>
  `;
}
