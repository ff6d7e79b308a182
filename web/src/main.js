import { render } from "preact";
import { html } from "./html.js";
import { App } from "./app.js";
import "uplot/dist/uPlot.min.css";
import "./style.css";

render(html`<${App} />`, document.getElementById("app"));
