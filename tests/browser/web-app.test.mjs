// millet's web app in Debian's chromium, headless, driven by playwright-core, against a
// millet started with --demo by tests/integration/test_web_app.py, which passes:
//   MILLET_URL          the web app's address (http://127.0.0.1:PORT/)
//   MILLET_USER, MILLET_PASSWORD   the demo sign-in
//   MILLET_SCREENSHOTS  a folder for the screenshots of the main pages (README)
// Each step is what a person does and sees; the simulated devices answer for real.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const url = process.env.MILLET_URL;
const user = process.env.MILLET_USER;
const password = process.env.MILLET_PASSWORD;
const shots = process.env.MILLET_SCREENSHOTS;
const WAIT = 10_000;

let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on("pageerror", (error) => { throw error; });
  if (shots) mkdirSync(shots, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
});

async function screenshot(name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

const card = (name) => page.locator("li.card", { has: page.getByRole("link", { name, exact: true }) });

test("a wrong password is refused with a message", async () => {
  await page.goto(url);
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "Wrong user name or password." }).waitFor({ timeout: WAIT });
  await screenshot("sign-in-refused");
});

test("signing in shows the home, its rooms and live device cards", async () => {
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Demo home" }).waitFor({ timeout: WAIT });
  for (const room of ["Living room", "Kitchen", "Hall", "Bedroom"]) {
    await page.getByRole("heading", { name: room }).waitFor({ timeout: WAIT });
  }
  assert.ok(await page.locator("li.card").count() >= 30, "a card per demo device");
  await card("Living room sensor").locator(".dot.on").waitFor({ timeout: WAIT });
  await card("Living room sensor").locator(".reading", { hasText: "°C" }).waitFor({ timeout: WAIT });
  await page.locator(".live.on").waitFor({ timeout: WAIT });
  await screenshot("home");
});

test("a light's quick toggle turns it on and the card shows the device's report", async () => {
  const hall = card("Hall light");
  const toggle = hall.getByRole("switch");
  const before = await toggle.getAttribute("aria-checked");
  await toggle.click();
  const wanted = before === "true" ? "false" : "true";
  await hall.locator(`button[role=switch][aria-checked="${wanted}"]`).waitFor({ timeout: WAIT });
});

test("a scene runs and its devices follow", async () => {
  await page.getByRole("button", { name: "Movie night" }).click();
  await page.getByRole("status").filter({ hasText: "Movie night: sent to 4 devices." }).waitFor({ timeout: WAIT });
  await card("Living room light").locator(".reading", { hasText: "15 %" }).waitFor({ timeout: WAIT });
});

test("the assistant's chat box obeys in English and Chinese, follows up, and answers", async () => {
  const box = page.getByRole("region", { name: "Assistant" });
  const tell = async (text, reply) => {
    await box.getByLabel("Tell millet").fill(text);
    await box.getByRole("button", { name: "Send" }).click();
    await box.locator(".chat .reply", { hasText: reply }).last().waitFor({ timeout: WAIT });
  };
  const power = (name, on) => card(name).locator(`button[role=switch][aria-checked="${on}"]`).waitFor({ timeout: WAIT });
  await tell("turn off the kitchen light", "Turned off the kitchen light.");
  await power("Kitchen light", "false");
  await tell("turn on the kitchen light", "Turned on the kitchen light.");
  await power("Kitchen light", "true");
  await tell("and the bedroom too", "Turned on the bedroom light.");
  await power("Bedroom light", "true");
  await tell("把卧室的灯关掉", "已关闭卧室灯。");
  await power("Bedroom light", "false");
  await tell("客厅的温度是多少", /客厅温湿度计是-?\d+(\.\d)?°C/);
  await screenshot("assistant");
  await box.getByRole("button", { name: "New conversation" }).click();
  assert.equal(await box.locator(".chat").count(), 0, "a new conversation starts empty");
});

test("a device page has controls from its spec; the brightness slider sets the light", async () => {
  await page.getByRole("link", { name: "Bedroom light", exact: true }).click();
  await page.getByRole("heading", { name: "Bedroom light" }).waitFor({ timeout: WAIT });
  await page.locator("#p-light\\.on:not([disabled])").waitFor({ timeout: WAIT });  // online, state loaded
  const power = page.getByRole("switch", { name: "Power" });
  if ((await power.getAttribute("aria-checked")) !== "true") {
    await power.click();
    await page.locator('button[role=switch][aria-checked="true"]#p-light\\.on').waitFor({ timeout: WAIT });
  }
  const slider = page.getByRole("slider", { name: "Brightness" });
  await slider.focus();
  await page.keyboard.press("Home");  // 1 %, then up by 4 steps with the arrow key
  for (let i = 0; i < 4; ++i) await page.keyboard.press("ArrowRight");
  await page.locator("output[for='p-light.brightness']", { hasText: "5 %" }).waitFor({ timeout: WAIT });
  await page.getByRole("status").filter({ hasText: "Brightness: done." }).waitFor({ timeout: WAIT });
  // The device's report of the value it took shows in the live event log.
  await page.locator(".event-log li", { hasText: "report light.brightness = 5" }).first().waitFor({ timeout: WAIT });
  // A value list is a picker; an action a button.
  assert.equal(await page.getByRole("combobox", { name: "Scene mode" }).count(), 1);
  await page.getByRole("button", { name: "Toggle power" }).click();
  await page.getByRole("status").filter({ hasText: "Toggle power: done." }).waitFor({ timeout: WAIT });
  await screenshot("device");
});

test("a sensor's history is charted over a chosen range", async () => {
  await page.getByRole("link", { name: "← Home" }).click();
  await page.getByRole("link", { name: "Living room sensor", exact: true }).click();
  await page.getByRole("heading", { name: "History" }).waitFor({ timeout: WAIT });
  await page.getByRole("combobox", { name: "Property" }).selectOption({ label: "Temperature" });
  await page.getByRole("button", { name: "Hour" }).click();
  await page.locator(".chart canvas").waitFor({ timeout: WAIT });
  await page.locator(".history .hint", { hasText: /^[1-9]\d* values/ }).waitFor({ timeout: WAIT });
  await page.getByRole("button", { name: "Week" }).click();
  await page.locator(".history .hint", { hasText: /5m rollups|values/ }).waitFor({ timeout: WAIT });
  await screenshot("history");
});

test("an automation made in the editor fires, and its trace says so", async () => {
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Automations" }).click();
  await page.getByRole("link", { name: "Hall light follows motion" }).waitFor({ timeout: WAIT });
  await page.getByRole("link", { name: "New automation" }).click();
  await page.getByLabel("Name").fill("Kitchen light brings the floor lamp");
  await page.getByLabel("Trigger", { exact: true }).selectOption("property");
  await page.getByLabel("Trigger device").selectOption("Kitchen light");
  await page.getByLabel("Trigger property").selectOption("light.on");
  await page.getByLabel("Comparison").selectOption("to");
  await page.getByLabel("Trigger value").selectOption("true");
  await page.getByLabel("Action 1 device").selectOption("Floor lamp");
  await page.getByLabel("Action 1 property").selectOption("light.on");
  await page.getByLabel("Action 1 value").selectOption("true");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name: "Kitchen light brings the floor lamp" }).waitFor({ timeout: WAIT });
  await page.getByText("It has not run yet.").waitFor({ timeout: WAIT });
  const editor = page.url();

  await page.getByRole("link", { name: "Home", exact: true }).click();
  const kitchen = card("Kitchen light");
  await kitchen.locator("button[role=switch]:not([disabled])").waitFor({ timeout: WAIT });
  if ((await kitchen.getByRole("switch").getAttribute("aria-checked")) === "true") {
    await kitchen.getByRole("switch").click();  // off first: the rule fires when it becomes on
    await kitchen.locator('button[role=switch][aria-checked="false"]').waitFor({ timeout: WAIT });
  }
  await kitchen.getByRole("switch").click();
  await card("Floor lamp").locator('button[role=switch][aria-checked="true"]').waitFor({ timeout: WAIT });
  await screenshot("home-after-rule");

  await page.goto(editor);
  const run = page.locator("li.trace").first();
  await run.getByText("done").waitFor({ timeout: WAIT });
  await run.locator("summary").click();
  await run.getByText("Floor lamp: light.on = true").waitFor({ timeout: WAIT });
  await screenshot("automation");
});

test("an invalid automation is refused, with the error where it occurs", async () => {
  await page.getByRole("link", { name: "← Automations" }).click();
  await page.getByRole("link", { name: "New automation" }).click();
  await page.getByLabel("Name").fill("Too bright");
  await page.getByLabel("Trigger", { exact: true }).selectOption("manual");
  await page.getByLabel("Action 1 device").selectOption("Floor lamp");
  await page.getByLabel("Action 1 property").selectOption("light.brightness");
  await page.getByLabel("Action 1 value").fill("140");
  await page.getByRole("button", { name: "Create" }).click();
  await page.locator('[data-action="0"] [role=alert]', { hasText: "light.brightness = 140 is outside [1, 100]" })
    .waitFor({ timeout: WAIT });
  // The same in the JSON editor, with a trigger naming a device the home does not have.
  await page.getByRole("button", { name: "Edit as JSON" }).click();
  await page.getByLabel("Automation JSON").fill(JSON.stringify({
    name: "Ghost", triggers: [{ type: "online", device: "Garage ghost" }],
    actions: [{ set: { device: "Floor lamp", properties: { "light.on": true } } }],
  }));
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("alert").filter({ hasText: "triggers[0]: no device 'Garage ghost'" }).waitFor({ timeout: WAIT });
  await page.getByLabel("Automation JSON").fill("{ not json");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("alert").filter({ hasText: "The JSON does not parse" }).waitFor({ timeout: WAIT });
});

test("the home's state is saved as a scene", async () => {
  await page.getByRole("link", { name: "Home", exact: true }).click();
  await page.getByRole("button", { name: "Save the home's state as a scene" }).click();
  await page.getByLabel("New scene's name").fill("Just now");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("status").filter({ hasText: /Just now: saved with the state of \d+ devices\./ }).waitFor({ timeout: WAIT });
  await page.getByRole("button", { name: "Just now", exact: true }).waitFor({ timeout: WAIT });
});

test("settings: a room is added, a device provisioned and its secret shown once", async () => {
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("heading", { name: "Rooms" }).waitFor({ timeout: WAIT });
  await page.getByLabel("New room's name").fill("Attic");
  await page.getByLabel("Its floor").fill("Second floor");
  await page.getByRole("button", { name: "Add room" }).click();
  await page.getByRole("status").filter({ hasText: "Room Attic added." }).waitFor({ timeout: WAIT });
  await page.getByLabel("Device name").fill("Attic lamp");
  await page.getByLabel("Device type").selectOption("light");
  await page.getByLabel("Device room").selectOption({ label: "Attic" });
  await page.getByRole("button", { name: "Add device" }).click();
  const credentials = page.getByRole("region", { name: "The new device's credentials" });
  await credentials.waitFor({ timeout: WAIT });
  assert.match(await credentials.locator("[data-field=id]").textContent(), /^d-[a-z0-9]{12}$/);
  assert.ok((await credentials.locator("[data-field=secret]").textContent()).length >= 40, "a long secret");
  await screenshot("settings");
  // A name the home already has is refused where it was typed.
  await page.getByLabel("Device name").fill("Attic lamp");
  await page.getByRole("button", { name: "Add device" }).click();
  await page.locator("section[aria-labelledby=add-title] [role=alert]").waitFor({ timeout: WAIT });
  await page.getByRole("button", { name: "I have kept it" }).click();
  assert.equal(await credentials.count(), 0, "the secret is not shown again");
  await page.getByRole("link", { name: "Home", exact: true }).click();
  await page.getByRole("heading", { name: "Attic" }).waitFor({ timeout: WAIT });
  await card("Attic lamp").locator(".dot:not(.on)").waitFor({ timeout: WAIT });  // offline: nothing runs it
});

test("on a phone-width screen the cards stack in one column", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("link", { name: "Home", exact: true }).click();
  await page.getByRole("heading", { name: "Demo home" }).waitFor({ timeout: WAIT });
  await page.locator("li.card").nth(2).waitFor({ timeout: WAIT });
  const boxes = await page.locator("li.card").evaluateAll((cards) => cards.slice(0, 3).map((c) => c.getBoundingClientRect().left));
  assert.equal(new Set(boxes.map(Math.round)).size, 1, "one column");
  await screenshot("home-phone");
});
